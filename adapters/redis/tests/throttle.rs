//! The access-code throttle on Redis: the conformance parts on one server and on a
//! three-master cluster (each script touches one key, so one slot), and counts that
//! survive a restart of `redis-server` (AOF, `appendfsync always`).

mod support;

use std::sync::Arc;

use greenlane_engine::ids::CaseId;
use greenlane_runtime::ports::{AccessThrottle, Backend, ThrottlePolicy};
use greenlane_testkit::conformance;
use support::{RedisCluster, RedisServer};

#[tokio::test]
async fn access_throttle() {
    let server = RedisServer::start();
    conformance::access_throttle(server.backend("gl").await.throttle()).await;
}

#[tokio::test]
async fn access_codes_throttled() {
    let server = RedisServer::start();
    conformance::access_codes_throttled(Arc::new(server.backend("gl").await)).await;
}

#[tokio::test]
async fn access_throttle_on_a_cluster() {
    let cluster = RedisCluster::start(3);
    conformance::access_throttle(cluster.backend("gl").await.throttle()).await;
}

#[tokio::test]
async fn the_counts_survive_a_restart_of_the_server() {
    let mut server = RedisServer::start();
    let policy = ThrottlePolicy::default();
    let now = chrono::DateTime::from_timestamp(1_772_413_200, 0).unwrap();
    let window = policy.window_start(now);
    let case = CaseId::new("jilin-city-1");
    {
        let backend = server.backend("gl").await;
        for _ in 0..5 {
            backend
                .throttle()
                .record_failure(&case, "192.0.2.1", window, now)
                .await
                .unwrap();
        }
    }
    server.restart();
    let backend = server.backend("gl").await;
    let read = backend
        .throttle()
        .failures(&case, "192.0.2.1", window, now)
        .await
        .unwrap();
    assert_eq!((read.case, read.case_last, read.client), (5, Some(now), 5));
}
