//! Cross-crate tests live under `tests/tests/`; this library is empty.
