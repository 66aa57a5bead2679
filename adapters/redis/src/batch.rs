//! Appends of many cases in one call. `lua/append_effects.lua` takes any number of cases,
//! and a [`Batcher`] gathers the appends waiting at the same time into one call: a call
//! costs the server a fixed price (reading and parsing the request, calling the function,
//! building and writing the reply) besides what each case costs, and a batch pays it once.
//! Nothing waits for a batch to fill: an append alone goes out at once, as a batch of one.
//! At most [`OUT`] calls are out at a time, so that the server has the next call queued
//! while the engine reads the last reply; what arrives meanwhile goes in the next call.
//! An append whose caller stops waiting still goes out, as a request already sent would:
//! the expected version keeps a retry from appending twice.
//!
//! In the shape of greenlane's long-running parts (`greenlane_runtime::service`): the
//! options are [`OUT`] and [`MOST`], the handle is the [`Batcher`] (`append`), and each
//! sender is a `run` started on demand by `append` that ends by itself once nothing waits,
//! so none needs a shutdown and none is aborted; a call it sends is awaited whole.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::conn::Conn;
use crate::scripts::{Args, SCRIPTS};
use crate::Error;

/// Why a call failed, shared by every append it carried.
pub(crate) type Failure = Arc<Error>;

/// What `append_effects.lua` answers for one case: status (1 appended, 0 conflict, -1
/// failed), version, previous status, what failed, the claimed entry's key and value.
pub(crate) type Reply = (i64, u64, String, String, String, Vec<u8>);

/// Calls out at once.
const OUT: usize = 2;

/// Cases in one call at most: a call is one script run, during which the server serves
/// nobody else (64 cases of workload A take it about 2 ms).
const MOST: usize = 64;

/// Gathers the appends of one backend (one connection, one prefix) into calls.
pub(crate) struct Batcher {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Conn,
    prefix: String,
    state: Mutex<State>,
}

/// One case's keys and arguments, and where its reply goes.
type Waiting = (Args, oneshot::Sender<Result<Reply, Failure>>);

#[derive(Default)]
struct State {
    waiting: Vec<Waiting>,
    out: usize,
}

impl Batcher {
    pub(crate) fn new(conn: Conn, prefix: &str) -> Batcher {
        Batcher {
            inner: Arc::new(Inner {
                conn,
                prefix: prefix.to_string(),
                state: Mutex::default(),
            }),
        }
    }

    /// Sends one case's append (its three keys and its arguments, see the script) with
    /// whatever else is waiting; its reply, or what failed (the whole call, or its case).
    pub(crate) async fn append(&self, item: Args) -> Result<Reply, Failure> {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut state = self.inner.lock();
            state.waiting.push((item, reply));
            let start = state.out < OUT;
            if start {
                state.out += 1;
            }
            start
        };
        if start {
            tokio::spawn(self.inner.clone().send_all());
        }
        answer.await.unwrap_or_else(|_| {
            Err(Arc::new(Error::corrupt(
                "append reply",
                "the call carrying this append was dropped",
            )))
        })
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing in here panics while holding the lock; a poisoned one still holds
        // valid waiting appends.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends calls until nothing waits.
    async fn send_all(self: Arc<Self>) {
        let mut out = Out(Some(self.clone()));
        loop {
            let batch: Vec<Waiting> = {
                let mut state = self.lock();
                if state.waiting.is_empty() {
                    // Under the lock that appends take: none is left waiting unseen.
                    state.out -= 1;
                    out.0 = None;
                    return;
                }
                let take = state.waiting.len().min(MOST);
                state.waiting.drain(..take).collect()
            };
            self.send(batch).await;
        }
    }

    async fn send(&self, batch: Vec<Waiting>) {
        let mut call = SCRIPTS.append_effects.call();
        call.arg(&self.prefix);
        for (item, _) in &batch {
            call.item(item);
        }
        let mut conn = self.conn.clone();
        let replies: Result<Vec<Reply>, Failure> = match call.invoke::<Vec<Reply>>(&mut conn).await
        {
            Ok(replies) if replies.len() == batch.len() => Ok(replies),
            Ok(replies) => Err(Arc::new(Error::corrupt(
                "append reply",
                format!(
                    "append_effects answered {} replies for {} cases",
                    replies.len(),
                    batch.len()
                ),
            ))),
            Err(error) => Err(Arc::new(Error::Redis(error))),
        };
        match replies {
            Ok(replies) => {
                for ((_, answer), reply) in batch.into_iter().zip(replies) {
                    // A caller that gave up does not take its answer; nothing to do.
                    let _ = answer.send(Ok(reply));
                }
            }
            Err(error) => {
                for (_, answer) in batch {
                    let _ = answer.send(Err(error.clone()));
                }
            }
        }
    }
}

/// A sender's place among the calls out: given back if the sender stops other than by
/// finding nothing to send (a panic, or its runtime shutting down), so that the next
/// append starts another one instead of waiting for good.
struct Out(Option<Arc<Inner>>);

impl Drop for Out {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            inner.lock().out -= 1;
        }
    }
}
