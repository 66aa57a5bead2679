//! Published definitions in the `definitions` table and calendars in the `calendars` table.
//! The latest version of each workflow and calendar is kept in memory (loaded at open) so
//! a publish checks and claims its version number under one lock, like an append; versions
//! are read back from the file.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use greenlane_engine::ids::{CalendarId, WorkflowId};
use greenlane_runtime::ports::{DefinitionStore, Fut, PublishedCalendar, PublishedDefinition};
use greenlane_runtime::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{sql, Error, Fault};
use crate::readers::Readers;
use crate::sync::lock;
use crate::writer::{Op, Ticket, Writer};
use crate::writes::definitions::Write;

/// Versioned workflow definitions in the SQLite file.
#[derive(Debug)]
pub struct SqliteDefinitions {
    /// The latest version of each workflow, including publishes not yet committed.
    latest: Mutex<BTreeMap<WorkflowId, u32>>,
    /// The latest version of each calendar, including publishes not yet committed.
    calendars: Mutex<BTreeMap<CalendarId, u32>>,
    writer: Arc<Writer>,
    readers: Arc<Readers>,
}

impl SqliteDefinitions {
    /// Loads the latest version of every workflow.
    pub(crate) fn load(
        conn: &Connection,
        writer: Arc<Writer>,
        readers: Arc<Readers>,
    ) -> Result<SqliteDefinitions, Error> {
        let path = readers.path();
        let doing = "loading definition versions";
        let mut stmt = conn
            .prepare("SELECT workflow, MAX(version) FROM definitions GROUP BY workflow")
            .map_err(sql(path, doing))?;
        let latest = stmt
            .query_map([], |row| {
                Ok((
                    WorkflowId::from(row.get::<_, String>(0)?),
                    row.get::<_, u32>(1)?,
                ))
            })
            .and_then(Iterator::collect)
            .map_err(sql(path, doing))?;
        drop(stmt);
        let doing = "loading calendar versions";
        let mut stmt = conn
            .prepare("SELECT calendar, MAX(version) FROM calendars GROUP BY calendar")
            .map_err(sql(path, doing))?;
        let calendars = stmt
            .query_map([], |row| {
                Ok((
                    CalendarId::from(row.get::<_, String>(0)?),
                    row.get::<_, u32>(1)?,
                ))
            })
            .and_then(Iterator::collect)
            .map_err(sql(path, doing))?;
        drop(stmt);
        Ok(SqliteDefinitions {
            latest: Mutex::new(latest),
            calendars: Mutex::new(calendars),
            writer,
            readers,
        })
    }

    fn send_publish(&self, definition: &PublishedDefinition) -> Result<Ticket, StoreError> {
        let json = serde_json::to_string(definition).map_err(|e| Error::Encode {
            path: self.readers.path().to_path_buf(),
            what: format!(
                "version {} of workflow {}",
                definition.version, definition.workflow
            ),
            detail: e.to_string(),
        })?;
        let mut latest = lock(&self.latest);
        let found = latest.get(&definition.workflow).copied().unwrap_or(0);
        if u64::from(definition.version) != u64::from(found) + 1 {
            return Err(StoreError::Conflict {
                what: definition.workflow.to_string(),
                expected: u64::from(definition.version).saturating_sub(1),
                actual: u64::from(found),
            });
        }
        let ticket = self.writer.send(Op::Definitions(Write::Insert {
            workflow: definition.workflow.clone(),
            version: definition.version,
            json,
        }))?;
        latest.insert(definition.workflow.clone(), definition.version);
        Ok(ticket)
    }

    fn read(
        &self,
        workflow: &WorkflowId,
        version: u32,
    ) -> Result<Option<PublishedDefinition>, Error> {
        self.readers.read("reading a definition", |conn| {
            let json: Option<String> = conn
                .prepare_cached(
                    "SELECT json FROM definitions WHERE workflow = ?1 AND version = ?2",
                )?
                .query_row(params![workflow.as_str(), version], |row| row.get(0))
                .optional()?;
            json.map(|json| {
                serde_json::from_str(&json).map_err(|e| {
                    Fault::Corrupt(
                        format!("version {version} of workflow {workflow}"),
                        e.to_string(),
                    )
                })
            })
            .transpose()
        })
    }
}

impl SqliteDefinitions {
    fn send_calendar(&self, calendar: &PublishedCalendar) -> Result<Ticket, StoreError> {
        let json = serde_json::to_string(calendar).map_err(|e| Error::Encode {
            path: self.readers.path().to_path_buf(),
            what: format!(
                "version {} of calendar {}",
                calendar.version, calendar.calendar
            ),
            detail: e.to_string(),
        })?;
        let mut latest = lock(&self.calendars);
        let found = latest.get(&calendar.calendar).copied().unwrap_or(0);
        if u64::from(calendar.version) != u64::from(found) + 1 {
            return Err(StoreError::Conflict {
                what: format!("calendar {}", calendar.calendar),
                expected: u64::from(calendar.version).saturating_sub(1),
                actual: u64::from(found),
            });
        }
        let ticket = self.writer.send(Op::Definitions(Write::InsertCalendar {
            calendar: calendar.calendar.clone(),
            version: calendar.version,
            json,
        }))?;
        latest.insert(calendar.calendar.clone(), calendar.version);
        Ok(ticket)
    }

    fn read_calendar(
        &self,
        calendar: &CalendarId,
        version: u32,
    ) -> Result<Option<PublishedCalendar>, Error> {
        self.readers.read("reading a calendar", |conn| {
            let json: Option<String> = conn
                .prepare_cached("SELECT json FROM calendars WHERE calendar = ?1 AND version = ?2")?
                .query_row(params![calendar.as_str(), version], |row| row.get(0))
                .optional()?;
            json.map(|json| {
                serde_json::from_str(&json).map_err(|e| {
                    Fault::Corrupt(
                        format!("version {version} of calendar {calendar}"),
                        e.to_string(),
                    )
                })
            })
            .transpose()
        })
    }
}

impl DefinitionStore for SqliteDefinitions {
    fn publish(&self, definition: &PublishedDefinition) -> impl Fut<()> {
        let sent = self.send_publish(definition);
        async move { sent?.wait().await }
    }

    async fn get(
        &self,
        workflow: &WorkflowId,
        version: u32,
    ) -> Result<Option<PublishedDefinition>, StoreError> {
        if let Some(found) = self.read(workflow, version)? {
            return Ok(Some(found));
        }
        // `latest` may name a version whose publish is not committed yet: wait for it.
        let known = lock(&self.latest).get(workflow).copied().unwrap_or(0);
        if version == 0 || version > known {
            return Ok(None);
        }
        self.writer.barrier().wait().await?;
        Ok(self.read(workflow, version)?)
    }

    async fn latest(&self, workflow: &WorkflowId) -> Result<u32, StoreError> {
        Ok(lock(&self.latest).get(workflow).copied().unwrap_or(0))
    }

    async fn workflows(&self) -> Result<Vec<(WorkflowId, u32)>, StoreError> {
        Ok(lock(&self.latest)
            .iter()
            .map(|(workflow, version)| (workflow.clone(), *version))
            .collect())
    }

    fn publish_calendar(&self, calendar: &PublishedCalendar) -> impl Fut<()> {
        let sent = self.send_calendar(calendar);
        async move { sent?.wait().await }
    }

    async fn calendar(
        &self,
        calendar: &CalendarId,
        version: u32,
    ) -> Result<Option<PublishedCalendar>, StoreError> {
        if let Some(found) = self.read_calendar(calendar, version)? {
            return Ok(Some(found));
        }
        let known = lock(&self.calendars).get(calendar).copied().unwrap_or(0);
        if version == 0 || version > known {
            return Ok(None);
        }
        self.writer.barrier().wait().await?;
        Ok(self.read_calendar(calendar, version)?)
    }

    async fn calendars(&self) -> Result<Vec<(CalendarId, u32)>, StoreError> {
        Ok(lock(&self.calendars)
            .iter()
            .map(|(calendar, version)| (calendar.clone(), *version))
            .collect())
    }
}
