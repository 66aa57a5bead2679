//! Prometheus metrics, kept in process and written in the text exposition format.
//!
//! - `greenlane_http_requests_total{method,route,status}` and
//!   `greenlane_http_request_duration_seconds{method,route}`: every request, by the route
//!   pattern it matched (never the raw path, so case ids do not explode the label set).
//! - `greenlane_commands_total{command,outcome}` and `greenlane_command_duration_seconds
//!   {command}`: every command the API carried out, by kind and outcome (`ok`, `rejected`,
//!   `not_found`, `conflict`, `error`).
//! - `greenlane_events_total{kind}`: every event the runtime records, the ticker's alerts and
//!   lease expiries included (counted from `Runtime::subscribe` by [`crate::serve`]).
//! - Gauges read at scrape time (by `routes::health`): queue depth per department, open
//!   alerts by level, open cases, the outbox's pending and dead deliveries.
//! - `greenlane_deliveries_total{channel,outcome}` and `greenlane_delivery_duration_seconds
//!   {channel}`: what this process's alert deliverer did per channel (`delivered`,
//!   `retried`, `dead`) and how long each send took.
//!
//! One mutex guards the maps; a request holds it for a few map operations only.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// A latency histogram.
#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, count) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in BUCKETS.iter().zip(self.counts) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Maps {
    requests: BTreeMap<(String, String, u16), u64>,
    request_latency: BTreeMap<(String, String), Histogram>,
    commands: BTreeMap<(&'static str, &'static str), u64>,
    command_latency: BTreeMap<&'static str, Histogram>,
    events: BTreeMap<&'static str, u64>,
}

/// The API's counters and histograms.
#[derive(Debug, Default)]
pub(crate) struct Metrics(Mutex<Maps>);

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one request to `route` answered with `status` after `elapsed`.
    pub(crate) fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut maps = self.lock();
        *maps
            .requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        maps.request_latency
            .entry((method.to_string(), route.to_string()))
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one command of kind `command` with `outcome` after `elapsed`.
    pub(crate) fn command(&self, command: &'static str, outcome: &'static str, elapsed: Duration) {
        let mut maps = self.lock();
        *maps.commands.entry((command, outcome)).or_default() += 1;
        maps.command_latency
            .entry(command)
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Counts `n` recorded events of `kind` (`lagged` for events the counter missed).
    pub(crate) fn events(&self, kind: &'static str, n: u64) {
        *self.lock().events.entry(kind).or_default() += n;
    }

    /// The counters and histograms in the text exposition format.
    pub(crate) fn render(&self, out: &mut String) {
        let maps = self.lock();
        out.push_str("# HELP greenlane_http_requests_total HTTP requests by route pattern and status.\n# TYPE greenlane_http_requests_total counter\n");
        for ((method, route, status), n) in &maps.requests {
            let _ = writeln!(
                out,
                "greenlane_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP greenlane_http_request_duration_seconds HTTP request latency.\n# TYPE greenlane_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &maps.request_latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            h.write(out, "greenlane_http_request_duration_seconds", &labels);
        }
        out.push_str("# HELP greenlane_commands_total Commands carried out through the API, by kind and outcome.\n# TYPE greenlane_commands_total counter\n");
        for ((command, outcome), n) in &maps.commands {
            let _ = writeln!(
                out,
                "greenlane_commands_total{{command=\"{command}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        out.push_str("# HELP greenlane_events_total Events recorded by this server's runtime, by kind (API commands, lease expiry and deadline checks alike).\n# TYPE greenlane_events_total counter\n");
        for (kind, n) in &maps.events {
            let _ = writeln!(out, "greenlane_events_total{{kind=\"{kind}\"}} {n}");
        }
        out.push_str("# HELP greenlane_command_duration_seconds Command latency, decision to durable events and effects.\n# TYPE greenlane_command_duration_seconds histogram\n");
        for (command, h) in &maps.command_latency {
            h.write(
                out,
                "greenlane_command_duration_seconds",
                &format!("command=\"{command}\""),
            );
        }
    }
}

/// A label value with `\`, `"` and newlines escaped.
pub(crate) fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The deliverer's counters per channel in the text exposition format.
pub(crate) fn render_deliveries(
    channels: &BTreeMap<String, greenlane_runtime::delivery::ChannelStats>,
    out: &mut String,
) {
    use greenlane_runtime::delivery::LATENCY_BUCKETS_MS;
    out.push_str("# HELP greenlane_deliveries_total Alert delivery attempts by channel and how they ended.\n# TYPE greenlane_deliveries_total counter\n");
    for (channel, stats) in channels {
        let channel = escape(channel);
        for (outcome, n) in [
            ("delivered", stats.delivered),
            ("retried", stats.retried),
            ("dead", stats.dead),
        ] {
            let _ = writeln!(
                out,
                "greenlane_deliveries_total{{channel=\"{channel}\",outcome=\"{outcome}\"}} {n}"
            );
        }
    }
    out.push_str("# HELP greenlane_delivery_duration_seconds How long one send through a channel took.\n# TYPE greenlane_delivery_duration_seconds histogram\n");
    for (channel, stats) in channels {
        let channel = escape(channel);
        let mut cumulative = 0;
        for (bound, n) in LATENCY_BUCKETS_MS.iter().zip(stats.latency_buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "greenlane_delivery_duration_seconds_bucket{{channel=\"{channel}\",le=\"{}\"}} {cumulative}",
                *bound as f64 / 1000.0
            );
        }
        let _ = writeln!(
            out,
            "greenlane_delivery_duration_seconds_bucket{{channel=\"{channel}\",le=\"+Inf\"}} {}",
            stats.sends()
        );
        let _ = writeln!(
            out,
            "greenlane_delivery_duration_seconds_sum{{channel=\"{channel}\"}} {}",
            stats.latency_sum_ms as f64 / 1000.0
        );
        let _ = writeln!(
            out,
            "greenlane_delivery_duration_seconds_count{{channel=\"{channel}\"}} {}",
            stats.sends()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_labelled() {
        let metrics = Metrics::default();
        metrics.command("approve", "ok", Duration::from_micros(700));
        metrics.command("approve", "rejected", Duration::from_millis(20));
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(out.contains("greenlane_commands_total{command=\"approve\",outcome=\"ok\"} 1"));
        assert!(out.contains(
            "greenlane_command_duration_seconds_bucket{command=\"approve\",le=\"0.001\"} 1"
        ));
        assert!(out.contains(
            "greenlane_command_duration_seconds_bucket{command=\"approve\",le=\"0.025\"} 2"
        ));
        assert!(out.contains("greenlane_command_duration_seconds_count{command=\"approve\"} 2"));
    }
}
