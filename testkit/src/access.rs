//! One access code and its argon2id hash for every launch a test makes: the suite exercises
//! orchestration, not hashing, so the code is hashed once per test process (at the default
//! parameters) and the hash reused for every case.

use std::sync::OnceLock;

use greenlane_engine::ids::WorkflowId;
use greenlane_runtime::access::{AccessCode, AccessCodeHash, HashParams};
use greenlane_runtime::LaunchRequest;

fn shared() -> &'static (AccessCode, AccessCodeHash) {
    static SHARED: OnceLock<(AccessCode, AccessCodeHash)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let code = AccessCode::generate();
        let hash = HashParams::default()
            .hash(&code)
            .expect("the default parameters hash");
        (code, hash)
    })
}

/// The shared access code (what the applicant of every test case types).
pub fn access_code() -> &'static AccessCode {
    &shared().0
}

/// The shared access code's hash.
pub fn access_code_hash() -> AccessCodeHash {
    shared().1.clone()
}

/// A launch of `workflow` for `application` with the shared access code.
pub fn launch_request(workflow: &WorkflowId, application: serde_json::Value) -> LaunchRequest {
    LaunchRequest::new(workflow, application, access_code_hash())
}
