//! The benchmark's result line and the figures behind it.

use serde::Serialize;

/// One run's figures.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BenchReport {
    /// `sqlite`, `memory` or `redis`.
    pub backend: &'static str,
    /// `A` or `B`.
    pub workload: &'static str,
    /// Cases launched and completed.
    pub cases: usize,
    /// Tasks approved.
    pub tasks: usize,
    /// First launch to last completion, seconds.
    pub wall_s: f64,
    /// Cases completed per second.
    pub cases_per_s: f64,
    /// Tasks approved per second.
    pub tasks_per_s: f64,
    /// Median case latency (launch → completed), milliseconds.
    pub p50_ms: f64,
    /// 99th percentile case latency, milliseconds.
    pub p99_ms: f64,
    /// Launch latency p99 (plan + events + dispatch), milliseconds.
    pub launch_p99_ms: f64,
    /// Fixed launch rate, if one was set.
    pub rate: Option<f64>,
    /// Workers per department, over every node.
    pub workers: usize,
    /// Engine nodes the work was spread over.
    pub nodes: usize,
    /// With several nodes: whether each case's commands went to the node that launched it.
    pub routed: bool,
    /// How workers claimed: `deferred` or `recorded`.
    pub claims: &'static str,
    /// Peak resident memory of this process, MiB (VmHWM).
    pub peak_rss_mib: Option<f64>,
    /// How durable each acknowledged step was.
    pub durability: String,
    /// What Redis did for the run, when the backend is Redis.
    pub redis: Option<RedisFigures>,
}

/// Redis's own counters over one run, per approved task.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RedisFigures {
    /// Commands Redis executed per task (INFO commandstats: script calls and every
    /// command inside the scripts).
    pub commands_per_task: f64,
    /// Requests the engine sent per task (a script call counts once).
    pub requests_per_task: f64,
    /// Redis CPU (user + system) per task, microseconds.
    pub cpu_us_per_task: f64,
    /// The commands executed most, per task.
    pub top_commands: Vec<(String, f64)>,
    /// The key prefix the run used.
    pub prefix: String,
    /// How long a published definition took to reach another node.
    pub publish_reach: Option<PublishReach>,
}

/// Published versions timed from the publish call until another node was told of them
/// (pub/sub) and read them.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct PublishReach {
    /// Median, milliseconds.
    pub p50_ms: f64,
    /// Slowest, milliseconds.
    pub max_ms: f64,
}

impl BenchReport {
    /// The one-line form of `bench/WORKLOADS.md`, with the extra figures after it.
    pub(crate) fn line(&self) -> String {
        let mut line = format!(
            "backend={} workload={} cases={} wall_s={:.2} cases_per_s={:.0} tasks_per_s={:.0} p50_ms={:.1} p99_ms={:.1}",
            self.backend,
            self.workload,
            self.cases,
            self.wall_s,
            self.cases_per_s,
            self.tasks_per_s,
            self.p50_ms,
            self.p99_ms
        );
        line.push_str(&format!(" launch_p99_ms={:.2}", self.launch_p99_ms));
        if let Some(rate) = self.rate {
            line.push_str(&format!(" rate={rate}"));
        }
        if let Some(rss) = self.peak_rss_mib {
            line.push_str(&format!(" peak_rss_mib={rss:.0}"));
        }
        line.push_str(&format!(
            " workers_per_dept={} claims={} nodes={}{} durability={}",
            self.workers,
            self.claims,
            self.nodes,
            match (self.nodes, self.routed) {
                (0 | 1, _) => "",
                (_, true) => " routed=by-case",
                (_, false) => " routed=no",
            },
            self.durability
        ));
        if let Some(redis) = &self.redis {
            line.push_str(&format!(
                " redis_commands_per_task={:.1} redis_requests_per_task={:.1} redis_cpu_us_per_task={:.1}",
                redis.commands_per_task, redis.requests_per_task, redis.cpu_us_per_task
            ));
            if let Some(reach) = redis.publish_reach {
                line.push_str(&format!(
                    " publish_reach_p50_ms={:.2} publish_reach_max_ms={:.2}",
                    reach.p50_ms, reach.max_ms
                ));
            }
        }
        line
    }
}

/// The value at `quantile` (0–1) of sorted `values`.
pub(crate) fn percentile(sorted: &[f64], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * quantile).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Peak resident set size of this process in MiB, from `/proc/self/status` (Linux).
pub(crate) fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.5), 51.0);
        assert_eq!(percentile(&values, 0.99), 99.0);
        assert_eq!(percentile(&values, 1.0), 100.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
