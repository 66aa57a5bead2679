//! The conformance suite: what every backend must do, written once. Each function takes a
//! fresh backend (or port) and panics with a message naming the broken rule.
//!
//! Backends run it from their own tests, e.g. the in-memory one in `tests/conformance.rs`
//! and SQLite in `adapters/sqlite/tests/conformance.rs`.
