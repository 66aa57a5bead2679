//! Published definitions: each workflow's versions in a list under its own hash tag,
//! stored by `publish.lua`, which refuses any version but the next one and announces the
//! new version on the pub/sub channel `<prefix>:definitions` in the same script. Every
//! read goes to Redis, so a node sees a version as soon as it is stored; the announcement
//! lets nodes compile it ahead of the first case (see [`crate::Announcements`]).

use futures_util::future::try_join_all;
use greenlane_engine::ids::{CalendarId, WorkflowId};
use greenlane_runtime::ports::{DefinitionStore, PublishedCalendar, PublishedDefinition};
use greenlane_runtime::StoreError;
use redis::AsyncCommands;

use crate::codec::decode_json;
use crate::scripts::SCRIPTS;
use crate::{Error, Store};

/// The definition store on Redis.
#[derive(Clone)]
pub struct RedisDefinitions {
    pub(crate) store: Store,
}

impl std::fmt::Debug for RedisDefinitions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDefinitions")
            .field("prefix", &self.store.keys.prefix())
            .finish()
    }
}

/// The text of an announcement: `workflow version`.
pub(crate) fn announcement(workflow: &WorkflowId, version: u32) -> String {
    format!("{workflow} {version}")
}

impl DefinitionStore for RedisDefinitions {
    async fn publish(&self, definition: &PublishedDefinition) -> Result<(), StoreError> {
        let keys = &self.store.keys;
        let json = serde_json::to_vec(definition)
            .map_err(|e| StoreError::corrupt_with(format!("definition does not encode: {e}"), e))?;
        let mut conn = self.store.conn.clone();
        // Listed first, so that the list of workflows is never missing a stored one.
        conn.zadd::<_, _, _, ()>(keys.workflows(), definition.workflow.as_str(), 0)
            .await
            .map_err(Error::from)?;
        let mut call = SCRIPTS.publish.call();
        call.key(keys.workflow_versions(&definition.workflow))
            .arg(definition.version)
            .arg(json)
            .arg(keys.definitions_channel())
            .arg(announcement(&definition.workflow, definition.version));
        let (stored, latest): (i64, u64) = call.invoke(&mut conn).await.map_err(Error::from)?;
        if stored != 1 {
            return Err(StoreError::Conflict {
                what: definition.workflow.to_string(),
                expected: u64::from(definition.version.saturating_sub(1)),
                actual: latest,
            });
        }
        Ok(())
    }

    async fn get(
        &self,
        workflow: &WorkflowId,
        version: u32,
    ) -> Result<Option<PublishedDefinition>, StoreError> {
        if version == 0 {
            return Ok(None);
        }
        let mut conn = self.store.conn.clone();
        let json: Option<Vec<u8>> = conn
            .lindex(
                self.store.keys.workflow_versions(workflow),
                version as isize - 1,
            )
            .await
            .map_err(Error::from)?;
        Ok(json
            .map(|json| decode_json("definition", &json))
            .transpose()?)
    }

    async fn latest(&self, workflow: &WorkflowId) -> Result<u32, StoreError> {
        let mut conn = self.store.conn.clone();
        let len: u32 = conn
            .llen(self.store.keys.workflow_versions(workflow))
            .await
            .map_err(Error::from)?;
        Ok(len)
    }

    async fn workflows(&self) -> Result<Vec<(WorkflowId, u32)>, StoreError> {
        let mut conn = self.store.conn.clone();
        let ids: Vec<String> = conn
            .zrange(self.store.keys.workflows(), 0, -1)
            .await
            .map_err(Error::from)?;
        let latest = try_join_all(ids.into_iter().map(|id| async move {
            let workflow = WorkflowId::new(id);
            let latest = self.latest(&workflow).await?;
            Ok::<_, StoreError>((workflow, latest))
        }))
        .await?;
        Ok(latest.into_iter().filter(|(_, v)| *v > 0).collect())
    }

    async fn publish_calendar(&self, calendar: &PublishedCalendar) -> Result<(), StoreError> {
        let keys = &self.store.keys;
        let json = serde_json::to_vec(calendar)
            .map_err(|e| StoreError::corrupt_with(format!("calendar does not encode: {e}"), e))?;
        let mut conn = self.store.conn.clone();
        conn.zadd::<_, _, _, ()>(keys.calendars(), calendar.calendar.as_str(), 0)
            .await
            .map_err(Error::from)?;
        let mut call = SCRIPTS.publish.call();
        call.key(keys.calendar_versions(&calendar.calendar))
            .arg(calendar.version)
            .arg(json)
            .arg(keys.calendars_channel())
            .arg(format!("{} {}", calendar.calendar, calendar.version));
        let (stored, latest): (i64, u64) = call.invoke(&mut conn).await.map_err(Error::from)?;
        if stored != 1 {
            return Err(StoreError::Conflict {
                what: format!("calendar {}", calendar.calendar),
                expected: u64::from(calendar.version.saturating_sub(1)),
                actual: latest,
            });
        }
        Ok(())
    }

    async fn calendar(
        &self,
        calendar: &CalendarId,
        version: u32,
    ) -> Result<Option<PublishedCalendar>, StoreError> {
        if version == 0 {
            return Ok(None);
        }
        let mut conn = self.store.conn.clone();
        let json: Option<Vec<u8>> = conn
            .lindex(
                self.store.keys.calendar_versions(calendar),
                version as isize - 1,
            )
            .await
            .map_err(Error::from)?;
        Ok(json
            .map(|json| decode_json("calendar", &json))
            .transpose()?)
    }

    async fn calendars(&self) -> Result<Vec<(CalendarId, u32)>, StoreError> {
        let mut conn = self.store.conn.clone();
        let ids: Vec<String> = conn
            .zrange(self.store.keys.calendars(), 0, -1)
            .await
            .map_err(Error::from)?;
        let latest = try_join_all(ids.into_iter().map(|id| {
            let mut conn = conn.clone();
            async move {
                let calendar = CalendarId::new(id);
                let len: u32 = conn
                    .llen(self.store.keys.calendar_versions(&calendar))
                    .await
                    .map_err(Error::from)?;
                Ok::<_, StoreError>((calendar, len))
            }
        }))
        .await?;
        Ok(latest.into_iter().filter(|(_, v)| *v > 0).collect())
    }
}
