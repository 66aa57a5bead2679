//! Test support: `redis-server` processes of the tests' own, on free loopback ports, with
//! their data in a temporary folder, stopped (SIGKILL, then reaped) when dropped — also
//! when a test panics. Never a server that happens to be running: each test gets its own.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use greenlane_redis::{RedisBackend, Target};
use tempfile::TempDir;

/// How long a server may take to answer PING or to form a cluster.
const STARTUP: Duration = Duration::from_secs(20);

/// One `redis-server` child process.
pub struct RedisServer {
    port: u16,
    dir: TempDir,
    extra: Vec<String>,
    child: Option<Child>,
}

/// A port that is free now, and (for cluster nodes) whose cluster bus port (+10000) is too.
fn free_port(with_bus: bool) -> u16 {
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        if !with_bus {
            return port;
        }
        if port < 55_000 && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

impl RedisServer {
    /// A server with AOF on (`appendfsync always`) and RDB snapshots off.
    pub fn start() -> RedisServer {
        RedisServer::start_with(Vec::new(), false)
    }

    fn start_with(extra: Vec<String>, cluster: bool) -> RedisServer {
        for _ in 0..5 {
            let mut server = RedisServer {
                port: free_port(cluster),
                dir: tempfile::tempdir().expect("a temporary folder"),
                extra: extra.clone(),
                child: None,
            };
            if server.spawn() {
                return server;
            }
        }
        panic!("redis-server did not start (is it installed? scripts/test.sh installs it)");
    }

    /// Starts the process; false when it exits or never answers (port taken meanwhile).
    fn spawn(&mut self) -> bool {
        let port = self.port.to_string();
        let dir = self.dir.path().to_string_lossy().to_string();
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .args(["--dir", &dir, "--daemonize", "no", "--logfile", "redis.log"])
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = match command.spawn() {
            Ok(child) => child,
            Err(error) => panic!("cannot run redis-server: {error}"),
        };
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(_)) = child.try_wait() {
                    self.child = None;
                    return false;
                }
            }
            if ping(&self.url()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        false
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A connection of the test's own, beside the backend's.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .expect("connect to the test server")
    }

    /// Entries in `department`'s stream under the key prefix `gl`.
    pub async fn stream_len(&self, department: &str) -> u64 {
        redis::cmd("XLEN")
            .arg(format!("gl:q:{{{department}}}:s"))
            .query_async(&mut self.connection().await)
            .await
            .unwrap()
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data folder (it reloads its AOF).
    pub fn restart(&mut self) {
        self.kill();
        let started = Instant::now();
        while !self.spawn() {
            assert!(
                started.elapsed() < STARTUP,
                "redis-server did not restart on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A backend on this server under `prefix`.
    pub async fn backend(&self, prefix: &str) -> RedisBackend {
        RedisBackend::connect(Target::Single(self.url()), prefix)
            .await
            .expect("connect to the test server")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn ping(url: &str) -> bool {
    let Ok(client) = redis::Client::open(url) else {
        return false;
    };
    let Ok(mut conn) = client.get_connection_with_timeout(Duration::from_millis(500)) else {
        return false;
    };
    redis::cmd("PING").query::<String>(&mut conn).is_ok()
}

fn info(url: &str, section: &str) -> String {
    let Ok(client) = redis::Client::open(url) else {
        return String::new();
    };
    let Ok(mut conn) = client.get_connection_with_timeout(Duration::from_millis(500)) else {
        return String::new();
    };
    redis::cmd(section)
        .arg("INFO")
        .query::<String>(&mut conn)
        .unwrap_or_default()
}

/// A Redis Cluster of masters only, each a [`RedisServer`] with `--cluster-enabled yes`,
/// joined by `redis-cli --cluster create`.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts `masters` nodes and waits until the cluster serves every slot.
    pub fn start(masters: usize) -> RedisCluster {
        let extra: Vec<String> = [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "5000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let nodes: Vec<RedisServer> = (0..masters)
            .map(|_| RedisServer::start_with(extra.clone(), true))
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let output = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let started = Instant::now();
        let cluster = RedisCluster { nodes };
        while !cluster
            .urls()
            .iter()
            .all(|url| info(url, "CLUSTER").contains("cluster_state:ok"))
        {
            assert!(started.elapsed() < STARTUP, "the cluster did not form");
            std::thread::sleep(Duration::from_millis(100));
        }
        cluster
    }

    /// Every node's URL.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// A backend on the cluster under `prefix`.
    pub async fn backend(&self, prefix: &str) -> RedisBackend {
        RedisBackend::connect(Target::Cluster(self.urls()), prefix)
            .await
            .expect("connect to the test cluster")
    }
}

/// Fresh backends that share one connection, each under a prefix of its own.
pub fn fresh_backends(base: RedisBackend) -> impl Fn() -> Arc<RedisBackend> {
    let next = AtomicUsize::new(0);
    move || {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let prefix = format!("{}-{n}", base.prefix());
        Arc::new(base.with_prefix(&prefix).expect("a valid prefix"))
    }
}
