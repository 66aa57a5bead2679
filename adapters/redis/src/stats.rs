//! What a Redis server reports about itself, for benchmarks: commands executed (INFO
//! commandstats, which counts the commands a script runs as well as the script call),
//! CPU used, and the persistence settings that decide how durable an acknowledgement is.

use std::collections::BTreeMap;

use crate::{Error, RedisBackend, Target};

/// Counters of one server at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerStats {
    /// Calls per command (`evalsha`, `hset`, …), including those made inside scripts.
    pub calls: BTreeMap<String, u64>,
    /// CPU seconds the server used (user + system).
    pub cpu_s: f64,
}

impl ServerStats {
    /// Every call counted.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    /// The counters since `earlier`.
    pub fn since(&self, earlier: &ServerStats) -> ServerStats {
        ServerStats {
            calls: self
                .calls
                .iter()
                .map(|(name, n)| {
                    let before = earlier.calls.get(name).copied().unwrap_or(0);
                    (name.clone(), n.saturating_sub(before))
                })
                .filter(|(_, n)| *n > 0)
                .collect(),
            cpu_s: self.cpu_s - earlier.cpu_s,
        }
    }
}

/// Parses `INFO commandstats` and `INFO cpu` text.
fn parse(info: &str) -> ServerStats {
    let mut stats = ServerStats::default();
    for line in info.lines() {
        if let Some(rest) = line.strip_prefix("cmdstat_") {
            let Some((name, fields)) = rest.split_once(':') else {
                continue;
            };
            let calls = fields
                .split(',')
                .find_map(|f| f.strip_prefix("calls="))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
            stats.calls.insert(name.to_string(), calls);
        } else if let Some(v) = line
            .strip_prefix("used_cpu_user:")
            .or_else(|| line.strip_prefix("used_cpu_sys:"))
        {
            stats.cpu_s += v.trim().parse::<f64>().unwrap_or(0.0);
        }
    }
    stats
}

impl RedisBackend {
    /// The server's counters now (a single server only).
    pub async fn server_stats(&self) -> Result<ServerStats, Error> {
        let mut conn = self.direct().await?;
        let info: String = redis::cmd("INFO")
            .arg("commandstats")
            .arg("cpu")
            .query_async(&mut conn)
            .await?;
        Ok(parse(&info))
    }

    /// The server's persistence settings, as `appendonly=… appendfsync=…`, and the
    /// stream node size the queues' speed depends on.
    pub async fn durability(&self) -> Result<String, Error> {
        let mut conn = self.direct().await?;
        let mut described = Vec::new();
        for setting in [
            "appendonly",
            "appendfsync",
            "save",
            "stream-node-max-entries",
        ] {
            let pair: Vec<String> = redis::cmd("CONFIG")
                .arg("GET")
                .arg(setting)
                .query_async(&mut conn)
                .await?;
            let value = pair.get(1).cloned().unwrap_or_default();
            described.push(format!("{setting}={value:?}"));
        }
        Ok(described.join(" "))
    }

    /// Requests this backend's connection has sent (script calls count one each).
    pub fn requests_sent(&self) -> u64 {
        self.store.conn.requests()
    }

    async fn direct(&self) -> Result<redis::aio::MultiplexedConnection, Error> {
        match &self.target {
            Target::Single(url) => Ok(redis::Client::open(url.as_str())?
                .get_multiplexed_async_connection()
                .await?),
            Target::Cluster(_) => Err(Error::Config(
                "server statistics are read from a single server only".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commandstats_and_cpu_are_parsed() {
        let info = "# Commandstats\r\ncmdstat_evalsha:calls=10,usec=50,usec_per_call=5.00\r\ncmdstat_hset:calls=4,usec=1\r\n# CPU\r\nused_cpu_sys:1.5\r\nused_cpu_user:2.25\r\n";
        let stats = parse(info);
        assert_eq!(stats.calls["evalsha"], 10);
        assert_eq!(stats.total_calls(), 14);
        assert!((stats.cpu_s - 3.75).abs() < 1e-9);
    }
}
