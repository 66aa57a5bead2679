//! The access-code throttle (`AccessThrottle`): counts per case and per client that every
//! node on a store shares, and the runtime's code check over them on the manual clock
//! (`Runtime::check_access_code`): free wrong codes, then doubling waits, a right code
//! starting the count again, the per-client limit, and counts that survive a restart.

use std::sync::Arc;

use chrono::Duration;
use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{AccessThrottle, Backend, Clock, Failures, ThrottlePolicy};
use greenlane_runtime::AccessCheck;

use super::Harness;
use crate::access::access_code;

/// The port alone: counting, windows, forgetting, resets, concurrent failures.
pub async fn access_throttle<T: AccessThrottle>(throttle: &T) {
    let policy = ThrottlePolicy::default();
    let now = chrono::DateTime::from_timestamp(1_772_413_200, 0).expect("an instant");
    let window = policy.window_start(now);
    let (a, b) = (CaseId::new("throttle-a"), CaseId::new("throttle-b"));
    assert_eq!(
        throttle
            .failures(&a, "10.0.0.1", window, now)
            .await
            .unwrap(),
        Failures::default(),
        "nothing is counted before a wrong code"
    );
    for n in 1..=3 {
        let after = throttle
            .record_failure(&a, "10.0.0.1", window, now)
            .await
            .unwrap();
        assert_eq!((after.case, after.client), (n, n), "each wrong code counts");
        assert_eq!(after.case_last, Some(now));
    }
    let read = throttle
        .failures(&a, "10.0.0.1", window, now)
        .await
        .unwrap();
    assert_eq!((read.case, read.case_last, read.client), (3, Some(now), 3));
    assert_eq!(
        throttle
            .failures(&b, "10.0.0.2", window, now)
            .await
            .unwrap(),
        Failures::default(),
        "another case and another client count apart"
    );
    // Another case from the same client: the client's count goes on.
    let other = throttle
        .record_failure(&b, "10.0.0.1", window, now)
        .await
        .unwrap();
    assert_eq!((other.case, other.client), (1, 4));
    // The next window starts the client's count again; the case's stays.
    let later = now + policy.client_window;
    let next = policy.window_start(later);
    let read = throttle
        .failures(&a, "10.0.0.1", next, later)
        .await
        .unwrap();
    assert_eq!((read.case, read.client), (3, 0));
    let after = throttle
        .record_failure(&a, "10.0.0.1", next, later)
        .await
        .unwrap();
    assert_eq!((after.case, after.client), (4, 1));
    // A right code forgets the case's count, not the client's.
    throttle.reset(&a).await.unwrap();
    let read = throttle
        .failures(&a, "10.0.0.1", next, later)
        .await
        .unwrap();
    assert_eq!((read.case, read.case_last, read.client), (0, None, 1));
    // A day after its last wrong code a case's count is forgotten.
    let day = later + Duration::hours(24);
    let read = throttle
        .failures(&b, "10.0.0.1", policy.window_start(day), day)
        .await
        .unwrap();
    assert_eq!(read.case, 0, "forgotten a day after the last wrong code");
    let after = throttle
        .record_failure(&b, "10.0.0.1", policy.window_start(day), day)
        .await
        .unwrap();
    assert_eq!(after.case, 1, "counting starts again after a day");
    // Wrong codes at the same time from four clients, all counted.
    let c = CaseId::new("throttle-c");
    let at = |client: &'static str| throttle.record_failure(&c, client, window, now);
    let (w, x, y, z) = tokio::join!(
        at("10.0.1.1"),
        at("10.0.1.2"),
        at("10.0.1.3"),
        at("10.0.1.4")
    );
    for counted in [w, x, y, z] {
        counted.unwrap();
    }
    let read = throttle
        .failures(&c, "10.0.1.1", window, now)
        .await
        .unwrap();
    assert_eq!(read.case, 4, "four wrong codes at once, four counted");
}

/// The runtime's check over the port: free wrong codes, waits, the right code, the
/// per-client limit, and the counts kept across a restart of the runtime.
pub async fn access_codes_throttled<B: Backend>(backend: Arc<B>) {
    let mut h = Harness::new(backend).await;
    let case = h.launch().await;
    let right = access_code().reveal().to_string();
    let wrong = if right == "000000" {
        "000001"
    } else {
        "000000"
    };
    let check = |code: &str| {
        let code = code.to_string();
        let (runtime, case) = (&h.runtime, case.clone());
        async move {
            runtime
                .check_access_code(&case, "192.0.2.7", &code)
                .await
                .unwrap()
        }
    };
    for _ in 0..4 {
        assert_eq!(check(wrong).await, AccessCheck::Wrong);
    }
    let now = h.clock.now();
    assert_eq!(
        check(&right).await,
        AccessCheck::Throttled {
            retry_at: now + Duration::seconds(2)
        },
        "the fourth wrong code makes the case wait 2 s before any code is checked"
    );
    // A restart of the runtime keeps the count: it is in the store.
    h.restart(h.notifier.clone()).await;
    let check = |code: &str| {
        let code = code.to_string();
        let (runtime, case) = (&h.runtime, case.clone());
        async move {
            runtime
                .check_access_code(&case, "192.0.2.7", &code)
                .await
                .unwrap()
        }
    };
    assert!(matches!(check(&right).await, AccessCheck::Throttled { .. }));
    h.clock.advance(Duration::seconds(2));
    assert!(
        matches!(check(&right).await, AccessCheck::Admitted { .. }),
        "the right code after the wait"
    );
    for _ in 0..3 {
        assert_eq!(
            check(wrong).await,
            AccessCheck::Wrong,
            "the right code started the count again"
        );
    }
    // An unknown case counts as a wrong code, for the case and for the client.
    let unknown = CaseId::new("no-such-case");
    for _ in 0..4 {
        let check = h.runtime.check_access_code(&unknown, "192.0.2.9", "123456");
        assert_eq!(check.await.unwrap(), AccessCheck::Wrong);
    }
    let check = h.runtime.check_access_code(&unknown, "192.0.2.9", "123456");
    assert!(
        matches!(check.await.unwrap(), AccessCheck::Throttled { .. }),
        "an unknown case is throttled like a known one"
    );
    // A client trying case after case: 30 wrong codes, then every case waits.
    let limit = ThrottlePolicy::default().client_limit;
    for n in 0..limit {
        let guessed = CaseId::new(format!("guessed-{n}"));
        let check = h.runtime.check_access_code(&guessed, "192.0.2.8", "123456");
        assert_eq!(check.await.unwrap(), AccessCheck::Wrong);
    }
    let client_limited = h
        .runtime
        .check_access_code(&case, "192.0.2.8", &right)
        .await
        .unwrap();
    assert!(
        matches!(client_limited, AccessCheck::Throttled { .. }),
        "a client past its limit waits on every case: {client_limited:?}"
    );
}
