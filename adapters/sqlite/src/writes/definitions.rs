//! The definitions store's writes: its changes to the `definitions` and `calendars` tables,
//! sent to the writer thread with the SQL that carries each out inside a batch's
//! transaction.

use greenlane_engine::ids::{CalendarId, WorkflowId};
use rusqlite::{params, Connection};

/// A change to the `definitions` or `calendars` table.
#[derive(Debug)]
pub(crate) enum Write {
    /// A new workflow version, as JSON.
    Insert {
        workflow: WorkflowId,
        version: u32,
        json: String,
    },
    /// A new calendar version, as JSON.
    InsertCalendar {
        calendar: CalendarId,
        version: u32,
        json: String,
    },
}

impl Write {
    pub(crate) fn run(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            Write::Insert {
                workflow,
                version,
                json,
            } => {
                conn.prepare_cached(
                    "INSERT INTO definitions (workflow, version, json) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![workflow.as_str(), version, json])?;
            }
            Write::InsertCalendar {
                calendar,
                version,
                json,
            } => {
                conn.prepare_cached(
                    "INSERT INTO calendars (calendar, version, json) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![calendar.as_str(), version, json])?;
            }
        }
        Ok(())
    }
}
