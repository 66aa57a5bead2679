//! Table-driven tests of `decide` and `apply` (to be filled).
