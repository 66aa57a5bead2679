//! The alerts file: its YAML shape and its checks. Every problem names the file and, for
//! a parse error, the line and column; for a check, the field (`routes[2].channels[0]`).
//!
//! ```yaml
//! channels:
//!   - name: supervision-platform      # 监察平台
//!     kind: webhook
//!     url: http://10.0.0.5:8080/greenlane
//!     secret_env: GREENLANE_WEBHOOK_SECRET   # or secret_file: webhook.secret
//!     timeout_seconds: 5
//!   - name: department-systems
//!     kind: redis_stream
//!     stream: greenlane:alerts
//!   - name: log
//!     kind: log
//! routes:
//!   - to: department_head
//!     center: jilin
//!     department: natural-resources
//!     channels: [supervision-platform]
//!     people:
//!       - { name: 王主任, address: "13800000001" }
//!   - to: any
//!     channels: [log]
//! retry: { max_attempts: 8, base_seconds: 2, cap_seconds: 600, lease_seconds: 60 }
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::Duration;
use greenlane_runtime::delivery::RetryPolicy;
use serde::Deserialize;

/// What is wrong with an alerts file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// It cannot be read.
    #[error("{file}: cannot read the alerts file: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not an alerts file.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A field is wrong.
    #[error("{file}: {field}: {message}")]
    Field {
        /// The file.
        file: PathBuf,
        /// The field, as a path (`routes[2].channels[0]`).
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// What a channel is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// POST JSON, signed with HMAC-SHA256.
    Webhook,
    /// XADD to a Redis stream.
    RedisStream,
    /// A log line (target `greenlane::alert`).
    Log,
}

/// One channel as the file declares it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// Its name, used by routes (and in delivery ids).
    pub name: String,
    /// What it is.
    pub kind: ChannelKind,
    /// Webhook: where to POST. Redis stream: the server (else the store's Redis).
    #[serde(default)]
    pub url: Option<String>,
    /// Webhook: the environment variable holding the signing secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Webhook: a file holding the signing secret (relative to the alerts file).
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// Webhook: how long a call may take (5 s).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// Redis stream: its key.
    #[serde(default)]
    pub stream: Option<String>,
    /// Redis stream: the length it is trimmed to, approximately (100,000).
    #[serde(default)]
    pub max_len: Option<usize>,
}

impl std::fmt::Debug for ChannelSpec {
    /// Names where the secret comes from, never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelSpec")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("secret_env", &self.secret_env)
            .field("secret_file", &self.secret_file)
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

/// Who a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// The officer holding the task.
    Officer,
    /// The coordinator who launched the case.
    Coordinator,
    /// A department's head.
    DepartmentHead,
    /// A center's management (中心办公室).
    Center,
    /// A center's supervision office (监察室).
    SupervisionOffice,
    /// The applicant, told when the case is at risk.
    Applicant,
    /// Every recipient.
    Any,
}

/// A named person a route reaches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The name (sent with the notification).
    pub name: String,
    /// Where the receiver reaches them (a phone number, an account), sent as is.
    #[serde(default)]
    pub address: Option<String>,
}

/// Which channels a recipient's notifications go to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// The recipient.
    pub to: RecipientKind,
    /// Only in this center.
    #[serde(default)]
    pub center: Option<String>,
    /// Only about tasks of (or heads of) this department.
    #[serde(default)]
    pub department: Option<String>,
    /// The channels, by name.
    pub channels: Vec<String>,
    /// Named people: one delivery per channel and person instead of one per channel.
    #[serde(default)]
    pub people: Vec<Person>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetrySpec {
    max_attempts: Option<u32>,
    base_seconds: Option<i64>,
    cap_seconds: Option<i64>,
    lease_seconds: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    channels: Vec<ChannelSpec>,
    #[serde(default)]
    routes: Vec<RouteSpec>,
    #[serde(default)]
    retry: RetrySpec,
}

/// A checked alerts file.
#[derive(Debug, Clone)]
pub struct AlertsFile {
    /// Where it was read from (`None` for the default).
    pub path: Option<PathBuf>,
    /// The channels.
    pub channels: Vec<ChannelSpec>,
    /// The routes, in the file's order.
    pub routes: Vec<RouteSpec>,
    /// Attempts and waits.
    pub retry: RetryPolicy,
}

impl AlertsFile {
    /// Every notification to the log: what `serve` does without `--alerts`.
    pub fn log_only() -> AlertsFile {
        AlertsFile {
            path: None,
            channels: vec![ChannelSpec {
                name: "log".into(),
                kind: ChannelKind::Log,
                url: None,
                secret_env: None,
                secret_file: None,
                timeout_seconds: None,
                stream: None,
                max_len: None,
            }],
            routes: vec![RouteSpec {
                to: RecipientKind::Any,
                center: None,
                department: None,
                channels: vec!["log".into()],
                people: Vec::new(),
            }],
            retry: RetryPolicy::default(),
        }
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<AlertsFile, FileError> {
        let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
            file: path.to_path_buf(),
            source,
        })?;
        AlertsFile::parse(path, &text)
    }

    /// Parses and checks `text`, read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<AlertsFile, FileError> {
        let raw: Raw = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            FileError::Parse {
                file: path.to_path_buf(),
                line,
                column,
                message: e.to_string(),
            }
        })?;
        let field = |field: String, message: String| FileError::Field {
            file: path.to_path_buf(),
            field,
            message,
        };
        let mut names = BTreeSet::new();
        for (i, channel) in raw.channels.iter().enumerate() {
            let at = |name: &str| format!("channels[{i}].{name}");
            let name = channel.name.trim();
            if name.is_empty() || name.contains(['/', '#']) || name != channel.name {
                return Err(field(
                    at("name"),
                    format!(
                        "`{}`: a name is not blank and has no `/`, `#` or spaces around it",
                        channel.name
                    ),
                ));
            }
            if !names.insert(name.to_string()) {
                return Err(field(at("name"), format!("`{name}` is declared twice")));
            }
            match channel.kind {
                ChannelKind::Webhook => {
                    let url = channel
                        .url
                        .as_deref()
                        .ok_or_else(|| field(at("url"), "a webhook needs a url".into()))?;
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        return Err(field(at("url"), format!("`{url}` is not an http(s) URL")));
                    }
                    match (&channel.secret_env, &channel.secret_file) {
                        (Some(_), None) | (None, Some(_)) => {}
                        _ => return Err(field(
                            at("secret_env"),
                            "a webhook is signed: give exactly one of secret_env or secret_file"
                                .into(),
                        )),
                    }
                }
                ChannelKind::RedisStream => {
                    if channel.stream.as_deref().is_none_or(str::is_empty) {
                        return Err(field(
                            at("stream"),
                            "a Redis stream channel needs a stream key".into(),
                        ));
                    }
                }
                ChannelKind::Log => {}
            }
        }
        for (i, route) in raw.routes.iter().enumerate() {
            if route.channels.is_empty() {
                return Err(field(
                    format!("routes[{i}].channels"),
                    "a route names at least one channel".into(),
                ));
            }
            for (j, name) in route.channels.iter().enumerate() {
                if !names.contains(name) {
                    return Err(field(
                        format!("routes[{i}].channels[{j}]"),
                        format!(
                            "no channel named `{name}` (declared: {})",
                            names.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
            for (j, person) in route.people.iter().enumerate() {
                if person.name.trim().is_empty() || person.name.contains(['/', '#']) {
                    return Err(field(
                        format!("routes[{i}].people[{j}].name"),
                        "a person's name is not blank and has no `/` or `#`".into(),
                    ));
                }
            }
        }
        let defaults = RetryPolicy::default();
        let seconds = |value: Option<i64>, name: &str, default: Duration| match value {
            Some(s) if s > 0 => Ok(Duration::seconds(s)),
            Some(s) => Err(field(
                format!("retry.{name}"),
                format!("{s}: a positive number of seconds"),
            )),
            None => Ok(default),
        };
        let retry = RetryPolicy {
            max_attempts: match raw.retry.max_attempts {
                Some(0) => return Err(field("retry.max_attempts".into(), "at least 1".into())),
                Some(n) => n,
                None => defaults.max_attempts,
            },
            base: seconds(raw.retry.base_seconds, "base_seconds", defaults.base)?,
            cap: seconds(raw.retry.cap_seconds, "cap_seconds", defaults.cap)?,
            lease: seconds(raw.retry.lease_seconds, "lease_seconds", defaults.lease)?,
            ..defaults
        };
        if let Some(slowest) = raw.channels.iter().filter_map(|c| c.timeout_seconds).max() {
            if retry.lease <= Duration::seconds(slowest as i64) {
                return Err(field(
                    "retry.lease_seconds".into(),
                    format!(
                        "{}: a lease outlasts the slowest channel's timeout ({slowest} s)",
                        retry.lease.num_seconds()
                    ),
                ));
            }
        }
        Ok(AlertsFile {
            path: Some(path.to_path_buf()),
            channels: raw.channels,
            routes: raw.routes,
            retry,
        })
    }

    /// Where a relative path in the file is read from: beside the file.
    pub(crate) fn beside(&self, path: &Path) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AlertsFile, FileError> {
        AlertsFile::parse(Path::new("alerts.yaml"), text)
    }

    #[test]
    fn a_route_to_an_unknown_channel_names_the_field() {
        let error = parse(
            "channels:\n  - { name: log, kind: log }\nroutes:\n  - { to: any, channels: [log] }\n  - { to: officer, channels: [sms] }\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "alerts.yaml: routes[1].channels[0]: no channel named `sms` (declared: log)"
        );
    }

    #[test]
    fn a_malformed_file_names_its_line() {
        let error = parse("channels:\n  - name: log\n    kind: pager\n").unwrap_err();
        match error {
            FileError::Parse { line, .. } => assert_eq!(line, 3, "{error}"),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_webhook_needs_exactly_one_secret_and_an_http_url() {
        let unsigned = parse("channels:\n  - { name: hook, kind: webhook, url: 'http://x' }\n");
        assert!(unsigned
            .unwrap_err()
            .to_string()
            .contains("channels[0].secret_env"));
        let ftp =
            parse("channels:\n  - { name: hook, kind: webhook, url: 'ftp://x', secret_env: S }\n");
        assert!(ftp.unwrap_err().to_string().contains("channels[0].url"));
        let fine = parse("channels:\n  - { name: hook, kind: webhook, url: 'http://x', secret_env: S }\nretry: { max_attempts: 3 }\n").unwrap();
        assert_eq!(fine.retry.max_attempts, 3);
    }

    #[test]
    fn the_shipped_example_checks() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/alerts.yaml");
        let file = AlertsFile::load(&path).unwrap();
        assert!(file.channels.iter().any(|c| c.kind == ChannelKind::Webhook));
        assert!(file.routes.iter().any(|r| r.to == RecipientKind::Applicant));
    }
}
