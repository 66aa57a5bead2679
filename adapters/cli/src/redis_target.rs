//! Where a command finds its Redis: `--redis URL` (one server) or `--redis-cluster
//! URL[,URL…]` (a Redis Cluster, by one or more of its nodes; the rest are discovered).

use greenlane_redis::Target;

/// The target the two flags name, if either.
pub(crate) fn target(single: Option<&String>, cluster: &[String]) -> Option<Target> {
    match (single, cluster) {
        (Some(url), _) => Some(Target::Single(url.clone())),
        (None, []) => None,
        (None, nodes) => Some(Target::Cluster(nodes.to_vec())),
    }
}

/// The target as the log and errors name it.
pub(crate) fn describe(target: &Target) -> String {
    match target {
        Target::Single(url) => url.clone(),
        Target::Cluster(nodes) => format!("the cluster of {}", nodes.join(", ")),
    }
}

/// The one server a single-server feature (a Redis stream channel without its own URL)
/// may use: none on a cluster.
pub(crate) fn single(target: &Target) -> Option<&str> {
    match target {
        Target::Single(url) => Some(url),
        Target::Cluster(_) => None,
    }
}
