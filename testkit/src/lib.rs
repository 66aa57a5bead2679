//! Test scaffolding shared by every backend's tests, kept out of the product crates.
//!
//! - [`conformance`]: the one suite every backend runs (`conformance_tests!` makes one test
//!   per part for a backend).
//! - [`faults`]: wrappers that fail a chosen port call, for crash tests.
//! - [`workloads`]: staged test workflows (intake → parallel stages → issuance) to publish.
//! - [`drain`]: approve every open task of a store until no case is open.
//! - [`access`]: one access code hashed once, shared by every launch of a test process.
//!
//! The calendar these run on is the engine's one embedded copy,
//! `greenlane_engine::calendar::shipped`.

pub mod access;
pub mod conformance;
pub mod drain;
pub mod faults;
pub mod workloads;

#[doc(hidden)]
pub mod __macro {
    //! What `conformance_tests!` names, so its callers need not import it.
    pub use greenlane_runtime::ports::Backend;
}
