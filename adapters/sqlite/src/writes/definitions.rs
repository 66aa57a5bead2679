//! The definitions store's writes: its changes to the `definitions` table, sent to the writer
//! thread with the SQL that carries each out inside a batch's transaction.

use greenlane_engine::ids::WorkflowId;
use rusqlite::{params, Connection};

/// A change to the `definitions` table.
#[derive(Debug)]
pub(crate) enum Write {
    /// A new version, as JSON.
    Insert {
        workflow: WorkflowId,
        version: u32,
        json: String,
    },
}

impl Write {
    pub(crate) fn run(&self, conn: &Connection) -> rusqlite::Result<()> {
        let Write::Insert {
            workflow,
            version,
            json,
        } = self;
        conn.prepare_cached(
            "INSERT INTO definitions (workflow, version, json) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![workflow.as_str(), version, json])?;
        Ok(())
    }
}
