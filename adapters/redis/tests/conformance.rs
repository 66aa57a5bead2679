//! The conformance suite against one Redis server: each test starts its own
//! `redis-server` (AOF on, `appendfsync always`) on a free port and stops it afterwards.

mod support;

use greenlane_runtime::ports::Backend;
use greenlane_testkit::conformance;
use support::{fresh_backends, RedisServer};

#[tokio::test]
async fn event_store() {
    let server = RedisServer::start();
    conformance::event_store(server.backend("gl").await.events()).await;
}

#[tokio::test]
async fn task_queue() {
    let server = RedisServer::start();
    conformance::task_queue(server.backend("gl").await.queue()).await;
}

#[tokio::test]
async fn deadline_index() {
    let server = RedisServer::start();
    conformance::deadline_index(server.backend("gl").await.deadlines()).await;
}

#[tokio::test]
async fn definition_store() {
    let server = RedisServer::start();
    conformance::definition_store(server.backend("gl").await.definitions()).await;
}

#[tokio::test]
async fn fan_out_and_join() {
    let server = RedisServer::start();
    conformance::fan_out_and_join(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn rejections_change_nothing() {
    let server = RedisServer::start();
    conformance::rejections_change_nothing(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn leases() {
    let server = RedisServer::start();
    conformance::leases(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn deferred_claims() {
    let server = RedisServer::start();
    conformance::deferred_claims(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn deadlines_and_alerts() {
    let server = RedisServer::start();
    conformance::deadlines_and_alerts(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn append_with_effects() {
    let server = RedisServer::start();
    conformance::append_with_effects(&server.backend("gl").await).await;
}

#[tokio::test]
async fn supplements_and_rejection() {
    let server = RedisServer::start();
    conformance::supplements_and_rejection(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn restart_mid_case() {
    let server = RedisServer::start();
    conformance::restart_mid_case(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn crash_recovery() {
    let server = RedisServer::start();
    conformance::crash_recovery(fresh_backends(server.backend("gl").await)).await;
}

#[tokio::test]
async fn calendar_years() {
    let server = RedisServer::start();
    conformance::calendar_years(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn failing_check_backs_off() {
    let server = RedisServer::start();
    conformance::failing_check_backs_off(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn audit_trail() {
    let server = RedisServer::start();
    conformance::audit_trail(server.backend("gl").await.into()).await;
}

#[tokio::test]
async fn delivery_outbox() {
    let server = RedisServer::start();
    conformance::delivery_outbox(server.backend("gl").await.deliveries()).await;
}

#[tokio::test]
async fn alerts_delivered() {
    let server = RedisServer::start();
    conformance::alerts_delivered(server.backend("gl").await.into()).await;
}
