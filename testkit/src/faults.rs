//! Failure injection for crash tests: a backend and a notifier that wrap real ones and fail
//! a chosen call, the way a crash or a lost connection would stop the runtime between two
//! steps. A test arms a fault, runs a command, then "restarts" (a new runtime over the same
//! backend) and checks that recovery completes what was cut off.

use greenlane_engine::case::CaseStatusKind;
use std::future::Future;
use std::sync::{Arc, Mutex};

use greenlane_engine::audit::chain::StoredRecord;
use greenlane_engine::audit::checkpoint::Checkpoint;
use greenlane_engine::case::{Recorded, Timestamp};
use greenlane_engine::ids::{CalendarId, CaseId, DepartmentId, PrincipalId, WorkflowId};
use greenlane_runtime::ports::{
    AuditLog, Backend, CaseIndex, CaseRecord, DeadlineIndex, DefinitionStore, EventStream, Fut,
    Notification, Notifier, NotifyError, NotifyFuture, OutboxCursor, PublishedCalendar,
    PublishedDefinition, QueueEntry, TaskKey, TaskQueue, Unapplied,
};
use greenlane_runtime::StoreError;

/// A port call that can be made to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `EventStream::append`.
    Append,
    /// `OutboxCursor::mark_applied`.
    MarkApplied,
    /// `TaskQueue::dispatch`.
    Dispatch,
    /// `TaskQueue::lease`.
    Lease,
    /// `TaskQueue::hold` and `TaskQueue::release`.
    HoldOrRelease,
    /// `TaskQueue::ack`.
    Ack,
    /// `DeadlineIndex::schedule` and `DeadlineIndex::cancel`.
    Schedule,
    /// `Notifier::notify`.
    Notify,
}

/// Armed faults: each fails the n-th next call of its op, once.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<Vec<(Op, usize)>>,
    fired: Mutex<Vec<Op>>,
}

impl Faults {
    /// Fails the `nth` (1 = the next) call of `op`.
    pub fn arm(&self, op: Op, nth: usize) {
        lock(&self.armed).push((op, nth.max(1)));
    }

    /// Faults that fired so far.
    pub fn fired(&self) -> Vec<Op> {
        lock(&self.fired).clone()
    }

    /// Disarms everything.
    pub fn clear(&self) {
        lock(&self.armed).clear();
    }

    fn check(&self, op: Op) -> Result<(), StoreError> {
        let mut armed = lock(&self.armed);
        let mut hit = false;
        armed.retain_mut(|(armed_op, nth)| {
            if *armed_op != op || hit {
                return true;
            }
            *nth -= 1;
            if *nth == 0 {
                hit = true;
                false
            } else {
                true
            }
        });
        if hit {
            lock(&self.fired).push(op);
            Err(StoreError::Backend(format!("injected failure at {op:?}")))
        } else {
            Ok(())
        }
    }
}

/// A port of `B` with faults.
#[derive(Debug)]
pub struct Faulty<B> {
    inner: Arc<B>,
    faults: Arc<Faults>,
}

/// A backend whose calls fail where [`Faults`] says.
#[derive(Debug)]
pub struct FaultyBackend<B>(Faulty<B>);

impl<B: Backend> FaultyBackend<B> {
    /// Wraps `inner`; the faults are shared with the caller.
    pub fn new(inner: Arc<B>, faults: Arc<Faults>) -> FaultyBackend<B> {
        FaultyBackend(Faulty { inner, faults })
    }
}

impl<B: Backend> Backend for FaultyBackend<B> {
    type Events = Faulty<B>;
    type Queue = Faulty<B>;
    type Deadlines = Faulty<B>;
    type Definitions = Faulty<B>;
    type Throttle = B::Throttle;
    type Deliveries = B::Deliveries;

    fn throttle(&self) -> &B::Throttle {
        self.0.inner.throttle()
    }
    fn deliveries(&self) -> &B::Deliveries {
        self.0.inner.deliveries()
    }
    fn events(&self) -> &Faulty<B> {
        &self.0
    }
    fn queue(&self) -> &Faulty<B> {
        &self.0
    }
    fn deadlines(&self) -> &Faulty<B> {
        &self.0
    }
    fn definitions(&self) -> &Faulty<B> {
        &self.0
    }
}

impl<B: Backend> Faulty<B> {
    /// Fails with the armed fault before calling the real port, so a failed call does
    /// nothing at all (as if the process had stopped just before it).
    fn guarded<T, F>(
        &self,
        op: Op,
        call: impl FnOnce() -> F,
    ) -> impl Future<Output = Result<T, StoreError>> + Send
    where
        F: Future<Output = Result<T, StoreError>> + Send,
    {
        let checked = self.faults.check(op);
        let call = checked.is_ok().then(call);
        async move {
            checked?;
            match call {
                Some(call) => call.await,
                None => unreachable!("checked above"),
            }
        }
    }
}

impl<B: Backend> EventStream for Faulty<B> {
    fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Recorded],
        status: CaseStatusKind,
    ) -> impl Fut<u64> {
        self.guarded(Op::Append, move || {
            self.inner.events().append(case, expected, events, status)
        })
    }

    fn load(&self, case: &CaseId) -> impl Fut<Vec<Recorded>> {
        self.inner.events().load(case)
    }
}

impl<B: Backend> CaseIndex for Faulty<B> {
    fn record(&self, case: &CaseId) -> impl Fut<Option<CaseRecord>> {
        self.inner.events().record(case)
    }

    fn cases(
        &self,
        status: Option<CaseStatusKind>,
        after: Option<&CaseId>,
        limit: usize,
    ) -> impl Fut<Vec<CaseRecord>> {
        self.inner.events().cases(status, after, limit)
    }
}

impl<B: Backend> OutboxCursor for Faulty<B> {
    fn mark_applied(&self, case: &CaseId, from: u64, version: u64) -> impl Fut<()> {
        self.guarded(Op::MarkApplied, move || {
            self.inner.events().mark_applied(case, from, version)
        })
    }

    fn unapplied(&self, limit: usize) -> impl Fut<Vec<Unapplied>> {
        self.inner.events().unapplied(limit)
    }
}

impl<B: Backend> AuditLog for Faulty<B> {
    fn chain(&self, case: &CaseId) -> impl Fut<Vec<StoredRecord>> {
        self.inner.events().chain(case)
    }

    fn add_checkpoint(&self, checkpoint: &Checkpoint) -> impl Fut<()> {
        self.inner.events().add_checkpoint(checkpoint)
    }

    fn checkpoints(&self) -> impl Fut<Vec<Checkpoint>> {
        self.inner.events().checkpoints()
    }
}

impl<B: Backend> TaskQueue for Faulty<B> {
    fn dispatch(&self, entries: &[QueueEntry]) -> impl Fut<()> {
        self.guarded(Op::Dispatch, move || self.inner.queue().dispatch(entries))
    }
    fn restore(&self, entry: &QueueEntry) -> impl Fut<()> {
        self.inner.queue().restore(entry)
    }
    fn claim_next(
        &self,
        department: &DepartmentId,
        officer: &PrincipalId,
        until: Timestamp,
    ) -> impl Fut<Option<QueueEntry>> {
        self.inner.queue().claim_next(department, officer, until)
    }
    fn lease(&self, key: &TaskKey, officer: &PrincipalId, until: Timestamp) -> impl Fut<bool> {
        self.guarded(Op::Lease, move || {
            self.inner.queue().lease(key, officer, until)
        })
    }
    fn hold(&self, key: &TaskKey, officer: &PrincipalId) -> impl Fut<bool> {
        self.guarded(Op::HoldOrRelease, move || {
            self.inner.queue().hold(key, officer)
        })
    }
    fn release(&self, key: &TaskKey) -> impl Fut<bool> {
        self.guarded(Op::HoldOrRelease, move || self.inner.queue().release(key))
    }
    fn ack(&self, keys: &[TaskKey]) -> impl Fut<()> {
        self.guarded(Op::Ack, move || self.inner.queue().ack(keys))
    }
    fn expired(&self, now: Timestamp, limit: usize) -> impl Fut<Vec<QueueEntry>> {
        self.inner.queue().expired(now, limit)
    }
    fn inbox(&self, department: &DepartmentId) -> impl Fut<Vec<QueueEntry>> {
        self.inner.queue().inbox(department)
    }
    fn get(&self, key: &TaskKey) -> impl Fut<Option<QueueEntry>> {
        self.inner.queue().get(key)
    }
    fn depth(&self, department: &DepartmentId) -> impl Fut<usize> {
        self.inner.queue().depth(department)
    }
}

impl<B: Backend> DeadlineIndex for Faulty<B> {
    fn schedule(&self, case: &CaseId, at: Timestamp) -> impl Fut<()> {
        self.guarded(Op::Schedule, move || {
            self.inner.deadlines().schedule(case, at)
        })
    }
    fn cancel(&self, case: &CaseId) -> impl Fut<()> {
        self.guarded(Op::Schedule, move || self.inner.deadlines().cancel(case))
    }
    fn take_due(&self, now: Timestamp, limit: usize) -> impl Fut<Vec<(CaseId, Timestamp)>> {
        self.inner.deadlines().take_due(now, limit)
    }
    fn get(&self, case: &CaseId) -> impl Fut<Option<Timestamp>> {
        self.inner.deadlines().get(case)
    }
    fn len(&self) -> impl Fut<usize> {
        self.inner.deadlines().len()
    }
}

impl<B: Backend> DefinitionStore for Faulty<B> {
    fn publish(&self, definition: &PublishedDefinition) -> impl Fut<()> {
        self.inner.definitions().publish(definition)
    }
    fn get(&self, workflow: &WorkflowId, version: u32) -> impl Fut<Option<PublishedDefinition>> {
        self.inner.definitions().get(workflow, version)
    }
    fn latest(&self, workflow: &WorkflowId) -> impl Fut<u32> {
        self.inner.definitions().latest(workflow)
    }
    fn workflows(&self) -> impl Fut<Vec<(WorkflowId, u32)>> {
        self.inner.definitions().workflows()
    }
    fn publish_calendar(&self, calendar: &PublishedCalendar) -> impl Fut<()> {
        self.inner.definitions().publish_calendar(calendar)
    }
    fn calendar(&self, calendar: &CalendarId, version: u32) -> impl Fut<Option<PublishedCalendar>> {
        self.inner.definitions().calendar(calendar, version)
    }
    fn calendars(&self) -> impl Fut<Vec<(CalendarId, u32)>> {
        self.inner.definitions().calendars()
    }
}

/// A notifier that fails where [`Faults`] says and otherwise passes on.
pub struct FaultyNotifier {
    inner: Arc<dyn Notifier>,
    faults: Arc<Faults>,
}

impl FaultyNotifier {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Notifier>, faults: Arc<Faults>) -> FaultyNotifier {
        FaultyNotifier { inner, faults }
    }
}

impl Notifier for FaultyNotifier {
    fn notify<'a>(&'a self, notification: &'a Notification) -> NotifyFuture<'a> {
        if let Err(error) = self.faults.check(Op::Notify) {
            let error = NotifyError {
                id: notification.id.clone(),
                message: error.to_string(),
            };
            return Box::pin(std::future::ready(Err(error)));
        }
        self.inner.notify(notification)
    }
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves its data valid.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
