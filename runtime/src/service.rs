//! The one shape of every long-running part of greenlane (the ticker, the `worker run`
//! loop, the Redis mark flusher and batch senders, the SQLite writer thread).
//!
//! - **Options**: a plain struct (`TickerOptions`, …) with what the part needs to run.
//! - **`run(shutdown)`**: a future (or, for the SQLite writer, a thread) that does the work
//!   until [`Shutdown::requested`], then finishes the unit of work in progress (a whole
//!   tick, a whole decision, a whole batch) and returns. Nothing is stopped by aborting its
//!   task: an abort could cut a tick between two commands, or a command between its append
//!   and its effects (recovery would repair it, but a clean stop should not need recovery).
//!   Parts that are started on demand and end by themselves when nothing waits (the Redis
//!   mark flusher and batch senders) have no shutdown: they stop when their work is done.
//! - **Handle**: a cheap, cloneable value where callers need to talk to a running part (the
//!   SQLite writer's `send`/`close`); a part nobody talks to has none.
//!
//! The owner keeps the [`ShutdownTrigger`], hands the [`Shutdown`] to the parts, triggers
//! it when it stops (after the HTTP server stopped, say) and then awaits them:
//!
//! ```
//! # async fn example() {
//! use greenlane_runtime::service::Shutdown;
//! let (trigger, shutdown) = Shutdown::new();
//! let part = tokio::spawn(async move {
//!     while !shutdown.is_requested() {
//!         // One whole unit of work, then wait for the next one or the stop.
//!         tokio::select! {
//!             () = shutdown.requested() => {}
//!             () = tokio::time::sleep(std::time::Duration::from_millis(10)) => {}
//!         }
//!     }
//! });
//! trigger.trigger();
//! part.await.unwrap();
//! # }
//! ```

use tokio::sync::watch;

/// The owner's side of a [`Shutdown`]: [`ShutdownTrigger::trigger`] asks every part that
/// holds one of its [`Shutdown`]s to stop. Dropping it asks the same, so a part never
/// outlives an owner that forgot to trigger.
#[derive(Debug)]
pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    /// Asks every part to stop after the unit of work in progress.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Another [`Shutdown`] of this trigger, for a part started later.
    pub fn shutdown(&self) -> Shutdown {
        Shutdown(self.0.subscribe())
    }
}

/// A part's side: whether it was asked to stop. Cheap to clone (one per part).
#[derive(Debug, Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// A trigger and the shutdown it triggers.
    pub fn new() -> (ShutdownTrigger, Shutdown) {
        let (sender, receiver) = watch::channel(false);
        (ShutdownTrigger(sender), Shutdown(receiver))
    }

    /// A shutdown triggered when `signal` resolves (Ctrl-C, SIGTERM, a test's go-ahead);
    /// the future is run on a task of the current tokio runtime.
    pub fn on<F>(signal: F) -> Shutdown
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (trigger, shutdown) = Shutdown::new();
        tokio::spawn(async move {
            signal.await;
            trigger.trigger();
        });
        shutdown
    }

    /// Whether a stop was asked for (or the trigger dropped).
    pub fn is_requested(&self) -> bool {
        *self.0.borrow() || self.0.has_changed().is_err()
    }

    /// Resolves once a stop is asked for (at once if it already was). Cancel-safe: meant
    /// for `tokio::select!` around a wait, never around a unit of work.
    pub async fn requested(&self) {
        let mut receiver = self.0.clone();
        // An error means the trigger was dropped: a stop as well.
        let _ = receiver.wait_for(|stop| *stop).await;
    }
}

#[cfg(test)]
mod tests {
    use super::Shutdown;

    #[tokio::test]
    async fn a_trigger_reaches_every_clone_and_a_dropped_trigger_stops_too() {
        let (trigger, shutdown) = Shutdown::new();
        let other = shutdown.clone();
        assert!(!shutdown.is_requested());
        trigger.trigger();
        assert!(shutdown.is_requested() && other.is_requested());
        other.requested().await;

        let (trigger, shutdown) = Shutdown::new();
        let later = trigger.shutdown();
        drop(trigger);
        assert!(shutdown.is_requested() && later.is_requested());
        shutdown.requested().await;
    }

    #[tokio::test]
    async fn a_shutdown_on_a_signal_is_requested_once_the_signal_resolves() {
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let shutdown = Shutdown::on(async move {
            let _ = wait.await;
        });
        assert!(!shutdown.is_requested());
        go.send(()).unwrap();
        shutdown.requested().await;
        assert!(shutdown.is_requested());
    }
}
