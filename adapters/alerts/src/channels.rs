//! [`FileChannels`]: the alerts file's channels, opened (secrets read, clients built),
//! sending each delivery through the channel it names.

use std::collections::HashMap;
use std::time::Duration;

use greenlane_runtime::delivery::{Channels, SendError, SendFuture};
use greenlane_runtime::ports::Delivery;

use crate::stream::{RedisStream, DEFAULT_MAX_LEN};
use crate::webhook::{Secret, Webhook};
use crate::{AlertsFile, ChannelKind, FileError};

/// A webhook call's time limit when the file does not say.
const DEFAULT_TIMEOUT_S: u64 = 5;

#[derive(Debug)]
enum Channel {
    Webhook(Webhook),
    Stream(RedisStream),
    Log,
}

/// The channels of an alerts file, by name.
#[derive(Debug)]
pub struct FileChannels {
    channels: HashMap<String, Channel>,
}

impl FileChannels {
    /// Opens the channels of `file`. A Redis stream without a `url` uses `store_redis`
    /// (the Redis the server stores on). Fails naming the channel whose secret cannot be
    /// read or whose Redis is not given.
    pub fn open(file: &AlertsFile, store_redis: Option<&str>) -> Result<FileChannels, FileError> {
        let mut channels = HashMap::new();
        for (i, spec) in file.channels.iter().enumerate() {
            let problem = |field: &str, message: String| FileError::Field {
                file: file.path.clone().unwrap_or_default(),
                field: format!("channels[{i}].{field}"),
                message,
            };
            let channel = match spec.kind {
                ChannelKind::Webhook => {
                    let secret = match (&spec.secret_env, &spec.secret_file) {
                        (Some(var), _) => std::env::var(var).map_err(|_| {
                            problem(
                                "secret_env",
                                format!("the environment variable `{var}` is not set"),
                            )
                        })?,
                        (None, Some(path)) => {
                            let path = file.beside(path);
                            std::fs::read_to_string(&path).map_err(|e| {
                                problem("secret_file", format!("{}: {e}", path.display()))
                            })?
                        }
                        (None, None) => return Err(problem("secret_env", "no secret".into())),
                    };
                    let secret = secret.trim().as_bytes().to_vec();
                    if secret.len() < 16 {
                        return Err(problem(
                            "secret_env",
                            "the secret is shorter than 16 bytes".into(),
                        ));
                    }
                    let timeout = Duration::from_secs(
                        spec.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_S).max(1),
                    );
                    let url = spec.url.clone().unwrap_or_default();
                    Channel::Webhook(
                        Webhook::new(url, Secret(secret), timeout)
                            .map_err(|e| problem("url", e))?,
                    )
                }
                ChannelKind::RedisStream => {
                    let url = spec.url.as_deref().or(store_redis).ok_or_else(|| {
                        problem(
                            "url",
                            "no url, and the server does not store on Redis".into(),
                        )
                    })?;
                    let stream = spec.stream.clone().unwrap_or_default();
                    let max_len = spec.max_len.unwrap_or(DEFAULT_MAX_LEN);
                    Channel::Stream(
                        RedisStream::open(url, stream, max_len).map_err(|e| problem("url", e))?,
                    )
                }
                ChannelKind::Log => Channel::Log,
            };
            channels.insert(spec.name.clone(), channel);
        }
        Ok(FileChannels { channels })
    }
}

impl Channels for FileChannels {
    fn send<'a>(&'a self, delivery: &'a Delivery) -> SendFuture<'a> {
        Box::pin(async move {
            match self.channels.get(&delivery.channel) {
                Some(Channel::Webhook(webhook)) => webhook.send(delivery).await,
                Some(Channel::Stream(stream)) => stream.send(delivery).await,
                Some(Channel::Log) => {
                    tracing::info!(
                        target: "greenlane::alert",
                        id = %delivery.id,
                        to = %delivery.to,
                        payload = %delivery.payload,
                        "alert"
                    );
                    Ok(())
                }
                // A delivery enqueued under an alerts file that named a channel this one
                // no longer has: it waits (and ends as a dead letter a supervisor sees).
                None => Err(SendError(format!(
                    "no channel named `{}` in the alerts file",
                    delivery.channel
                ))),
            }
        })
    }
}
