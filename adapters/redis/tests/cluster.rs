//! The conformance suite against a Redis Cluster of three masters that the test starts
//! itself (three `redis-server --cluster-enabled yes` on free ports, joined with
//! `redis-cli --cluster create`), through a cluster connection. Every script of the
//! adapter touches one slot, or the cluster would refuse it with CROSSSLOT.

mod support;

use greenlane_runtime::ports::Backend;
use greenlane_testkit::conformance;
use support::{fresh_backends, RedisCluster};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_a_three_master_cluster() {
    let cluster = RedisCluster::start(3);
    let fresh = fresh_backends(cluster.backend("glc").await);
    conformance::event_store(fresh().events()).await;
    conformance::task_queue(fresh().queue()).await;
    conformance::deadline_index(fresh().deadlines()).await;
    conformance::definition_store(fresh().definitions()).await;
    conformance::append_with_effects(&*fresh()).await;
    conformance::fan_out_and_join(fresh()).await;
    conformance::rejections_change_nothing(fresh()).await;
    conformance::leases(fresh()).await;
    conformance::deferred_claims(fresh()).await;
    conformance::deadlines_and_alerts(fresh()).await;
    conformance::supplements_and_rejection(fresh()).await;
    conformance::restart_mid_case(fresh()).await;
    conformance::calendar_years(fresh()).await;
    conformance::audit_trail(fresh()).await;
    conformance::delivery_outbox(fresh().deliveries()).await;
    conformance::alerts_delivered(fresh()).await;
    conformance::crash_recovery(&fresh).await;
}
