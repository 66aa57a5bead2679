//! greenlane's runtime: it carries out what the pure core decides.
//!
//! A command is handled as: load the case (cached) → [`greenlane_engine::case::decide`] →
//! append the events with the expected version (durable before anything else happens) →
//! carry out their effects (dispatch newly ready tasks to department queues, move leases,
//! index the next deadline check, deliver escalations) → advance the case's outbox cursor.
//! A crash between any two steps leaves the cursor behind the events, and
//! [`Runtime::recover`] completes the effects; every effect is idempotent.
//!
//! - [`ports`]: the traits backends implement; [`memory`]: in-memory adapters.
//! - [`Runtime`]: commands, claims, ticks (lease expiry, deadlines), recovery.
//! - [`service`]: the shape of every long-running part (options, `run(shutdown)`, handle).
//! - [`delivery`]: alert deliveries from the store's outbox, outside the commands.
//! - [`audit`]: checkpoints of the audit chain, checking a store, exports.
//! - [`department`]: [`DepartmentClient`], one officer of one department over a shared
//!   store, as a department's own system embeds it.
//!
//! The conformance suite every backend runs, fault injection and test workflows are in the
//! `greenlane-testkit` crate, outside the product.

pub mod audit;
pub mod delivery;
pub mod department;
mod error;
pub mod memory;
pub mod ports;
mod runtime;
pub mod service;

pub use department::{Assignment, DepartmentClient, DepartmentError, MarkedEntry};
pub use error::{Cause, RuntimeError, StoreError};
pub use runtime::{
    access, AccessCheck, Admit, CalendarPublished, CaseEvent, ClaimedTask, Coverage,
    InstalledCalendar, LaunchRequest, Launched, Outcome, Publication, PublishRequest,
    RecoveryReport, Runtime, RuntimeConfig, SampleFailure, TickReport, TickerOptions,
    LIVE_CAPACITY,
};
