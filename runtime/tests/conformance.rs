//! The conformance suite against the in-memory backend.

use std::sync::Arc;

use greenlane_runtime::memory::MemoryBackend;

fn fresh() -> Arc<MemoryBackend> {
    Arc::new(MemoryBackend::new())
}

greenlane_testkit::conformance_tests!(fresh);
