//! [`AuditLog`]: the event store's audit capability — each case's records as stored with
//! the chain hashes they carry (`greenlane_engine::audit::chain`), and the signed
//! checkpoints of the chain heads. Stores hash every event as they append it; this port
//! reads the chains back as stored (for `audit verify` and exports) and keeps checkpoints.

use greenlane_engine::audit::chain::StoredRecord;
use greenlane_engine::audit::checkpoint::Checkpoint;
use greenlane_engine::ids::CaseId;

use super::Fut;

/// The audit trail of an event store.
pub trait AuditLog: Send + Sync + 'static {
    /// Every record of `case` as stored, in storage order, with the hashes it carries;
    /// a record stored without hashes (written around the store) carries zeros. Records
    /// are read raw: a record that is not valid JSON is returned as it is.
    fn chain(&self, case: &CaseId) -> impl Fut<Vec<StoredRecord>>;

    /// Stores a signed checkpoint. A checkpoint of the same center and number already
    /// stored is a conflict and stores nothing.
    fn add_checkpoint(&self, checkpoint: &Checkpoint) -> impl Fut<()>;

    /// Every checkpoint, ordered by center, then number.
    fn checkpoints(&self) -> impl Fut<Vec<Checkpoint>>;
}
