//! What a Redis server reports about itself, for benchmarks: commands executed (INFO
//! commandstats, which counts the commands a script runs as well as the script call),
//! CPU used, and the persistence settings that decide how durable an acknowledgement is.
//! On a cluster, the counters of every master (found with `CLUSTER NODES`) are summed.

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
    /// The server's counters now; on a cluster, the sum over its masters.
    pub async fn server_stats(&self) -> Result<ServerStats, Error> {
        let mut total = ServerStats::default();
        for url in self.masters().await? {
            let mut conn = direct(&url).await?;
            let info: String = redis::cmd("INFO")
                .arg("commandstats")
                .arg("cpu")
                .query_async(&mut conn)
                .await?;
            let stats = parse(&info);
            for (name, n) in stats.calls {
                *total.calls.entry(name).or_default() += n;
            }
            total.cpu_s += stats.cpu_s;
        }
        Ok(total)
    }

    /// The server's persistence settings, as `appendonly=… appendfsync=…`, and the
    /// stream node size the queues' speed depends on.
    pub async fn durability(&self) -> Result<String, Error> {
        let first = self.masters().await?.into_iter().next();
        let url = first.ok_or_else(|| Error::Config("no Redis node to ask".into()))?;
        let mut conn = direct(&url).await?;
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

    /// The URL of each master: the server itself, or a cluster's masters as `CLUSTER
    /// NODES` lists them (the nodes given when that cannot be read).
    async fn masters(&self) -> Result<Vec<String>, Error> {
        match &self.target {
            Target::Single(url) => Ok(vec![url.clone()]),
            Target::Cluster(seeds) => {
                let Some(seed) = seeds.first() else {
                    return Ok(Vec::new());
                };
                let mut conn = direct(seed).await?;
                let nodes: String = redis::cmd("CLUSTER")
                    .arg("NODES")
                    .query_async(&mut conn)
                    .await?;
                let masters = cluster_masters(&nodes);
                Ok(if masters.is_empty() {
                    seeds.clone()
                } else {
                    masters
                })
            }
        }
    }
}

async fn direct(url: &str) -> Result<redis::aio::MultiplexedConnection, Error> {
    Ok(redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await?)
}

/// `redis://host:port/` of each master line of `CLUSTER NODES` (`<id> <host:port@bus>
/// <flags> …`, flags holding `master`, not `fail`).
fn cluster_masters(nodes: &str) -> Vec<String> {
    nodes
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let address = fields.nth(1)?;
            let flags = fields.next()?;
            let flags: Vec<&str> = flags.split(',').collect();
            if !flags.contains(&"master") || flags.iter().any(|f| f.starts_with("fail")) {
                return None;
            }
            let host_port = address.split('@').next()?;
            Some(format!("redis://{host_port}/"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_masters_are_the_master_lines_that_have_not_failed() {
        let nodes = "07c3 127.0.0.1:30004@40004 slave e7d1 0 1426238317239 4 connected\n\
                     67ed 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922\n\
                     292f 127.0.0.1:30003@40003 master,fail - 0 1426238318243 3 connected\n\
                     e7d1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460\n";
        assert_eq!(
            cluster_masters(nodes),
            ["redis://127.0.0.1:30002/", "redis://127.0.0.1:30001/"]
        );
    }

    #[test]
    fn commandstats_and_cpu_are_parsed() {
        let info = "# Commandstats\r\ncmdstat_evalsha:calls=10,usec=50,usec_per_call=5.00\r\ncmdstat_hset:calls=4,usec=1\r\n# CPU\r\nused_cpu_sys:1.5\r\nused_cpu_user:2.25\r\n";
        let stats = parse(info);
        assert_eq!(stats.calls["evalsha"], 10);
        assert_eq!(stats.total_calls(), 14);
        assert!((stats.cpu_s - 3.75).abs() < 1e-9);
    }
}
