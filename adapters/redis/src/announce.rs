//! Announcements of new definition versions, received over pub/sub on a connection of
//! their own. A node that listens compiles a new version as soon as it is published, so
//! the first case launched on it pays nothing; a node that does not listen still sees the
//! version at once, since every read of the definition store goes to Redis.

use futures_util::StreamExt;
use greenlane_engine::ids::WorkflowId;
use redis::aio::PubSubStream;

use crate::Error;

/// A version that was just published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The workflow.
    pub workflow: WorkflowId,
    /// Its new version.
    pub version: u32,
}

/// The stream of announcements of one backend's prefix.
pub struct Announcements {
    messages: PubSubStream,
}

impl std::fmt::Debug for Announcements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Announcements").finish_non_exhaustive()
    }
}

impl Announcements {
    pub(crate) async fn subscribe(url: &str, channel: &str) -> Result<Announcements, Error> {
        let client = redis::Client::open(url)?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok(Announcements {
            messages: pubsub.into_on_message(),
        })
    }

    /// The next announcement; `None` when the connection is gone (subscribe again).
    /// Malformed messages on the channel are skipped.
    pub async fn next(&mut self) -> Option<Announcement> {
        loop {
            let message = self.messages.next().await?;
            let Ok(text) = message.get_payload::<String>() else {
                continue;
            };
            let Some((workflow, version)) = text.rsplit_once(' ') else {
                continue;
            };
            if let Ok(version) = version.parse() {
                return Some(Announcement {
                    workflow: WorkflowId::new(workflow),
                    version,
                });
            }
        }
    }
}
