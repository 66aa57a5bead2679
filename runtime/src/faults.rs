//! Failure injection for crash tests: placeholder replaced below.
