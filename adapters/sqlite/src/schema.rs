//! The file's schema and how a connection is set up: WAL journal, `synchronous=FULL`
//! (a commit returns only once it is on disk), and migrations keyed by SQLite's
//! `user_version`, each applied in one transaction with the version bump.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{sql, Error};

/// The migrations, in order: migration `i` brings `user_version` from `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    -- Every event of every case, in order: `seq` is the event's 1-based position in its
    -- case, `json` a serialized `Recorded`.
    CREATE TABLE events (
        case_id TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        json    TEXT NOT NULL,
        PRIMARY KEY (case_id, seq)
    );

    -- One row per case: its version (events stored), the outbox cursor (events whose
    -- effects were carried out) and its status after the last append.
    CREATE TABLE cases (
        id      TEXT NOT NULL PRIMARY KEY,
        version INTEGER NOT NULL,
        applied INTEGER NOT NULL DEFAULT 0,
        status  TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX cases_by_status ON cases (status, id);
    -- Only the cases whose effects lag behind: small, and what recovery reads.
    CREATE INDEX cases_unapplied ON cases (id) WHERE applied < version;

    -- Department queues: one row per dispatched task. `seq` keeps the dispatch order,
    -- which breaks ties between tasks due the same day.
    CREATE TABLE queue (
        case_id       TEXT NOT NULL,
        task_id       TEXT NOT NULL,
        department    TEXT NOT NULL,
        due           TEXT NOT NULL,
        dispatched_at TEXT NOT NULL,
        holder        TEXT NOT NULL CHECK (holder IN ('free', 'lease', 'held')),
        officer       TEXT,
        lease_until   TEXT,
        seq           INTEGER NOT NULL,
        PRIMARY KEY (case_id, task_id)
    ) WITHOUT ROWID;

    -- The next deadline check of each case.
    CREATE TABLE deadlines (
        case_id TEXT NOT NULL PRIMARY KEY,
        at      TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Published workflow versions; `json` is a serialized `PublishedDefinition`.
    CREATE TABLE definitions (
        workflow TEXT NOT NULL,
        version  INTEGER NOT NULL,
        json     TEXT NOT NULL,
        PRIMARY KEY (workflow, version)
    );
    ",
    // 2: published calendars.
    "
    -- Published calendar versions; `json` is a serialized `PublishedCalendar` (every year
    -- file of the calendar as it stood after one publication).
    CREATE TABLE calendars (
        calendar TEXT NOT NULL,
        version  INTEGER NOT NULL,
        json     TEXT NOT NULL,
        PRIMARY KEY (calendar, version)
    );
    ",
    // 3: the audit trail (`AUDIT_MIGRATION`; events stored before it are sealed by
    // `seal_stored` in the same transaction).
    "
    -- Each event's chain hashes: of the record before it and of itself
    -- (greenlane_engine::audit::chain).
    ALTER TABLE events ADD COLUMN prev BLOB;
    ALTER TABLE events ADD COLUMN hash BLOB;
    -- Each case's chain head: the hash of its last event.
    ALTER TABLE cases ADD COLUMN head BLOB;
    -- Signed checkpoints of the chain heads, per center; `json` is a serialized
    -- `greenlane_engine::audit::checkpoint::Checkpoint`.
    CREATE TABLE audit_checkpoints (
        center TEXT NOT NULL,
        seq    INTEGER NOT NULL,
        json   TEXT NOT NULL,
        PRIMARY KEY (center, seq)
    );
    ",
];

/// The migration (index into [`MIGRATIONS`]) that adds the audit trail's hashes.
const AUDIT_MIGRATION: usize = 2;

/// The schema version this build writes.
pub(crate) const VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a connection waits for a lock held by another connection before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the file for writing: WAL, `synchronous=FULL`, schema
/// brought up to [`VERSION`].
pub(crate) fn open_writer(path: &Path) -> Result<Connection, Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sql(path, "opening"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql(path, "setting the busy timeout"))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(sql(path, "switching to WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::NotWal {
            path: path.to_path_buf(),
            mode,
        });
    }
    // The page cache stays at SQLite's default (2 MiB): every commit scans it to drop
    // pages past the end of the file, and a 64 MiB cache measured ~10% slower end to end.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = OFF;
         PRAGMA mmap_size = 268435456;",
    )
    .map_err(sql(path, "setting pragmas"))?;
    // Enough for every statement the writer uses, so none is ever prepared twice.
    conn.set_prepared_statement_cache_capacity(64);
    migrate(&mut conn, path)?;
    ensure_tables(&conn, path)?;
    Ok(conn)
}

/// Tables created whenever they are missing, on a new file or an existing one, whatever
/// its `user_version`: what was added without a numbered migration.
const ENSURED: &str = "
    -- Wrong access codes per case since its last right code (the access-code throttle).
    CREATE TABLE IF NOT EXISTS throttle_cases (
        case_id  TEXT NOT NULL PRIMARY KEY,
        failures INTEGER NOT NULL,
        last     TEXT NOT NULL
    ) WITHOUT ROWID;
    -- Wrong access codes per client (remote address) in its current window.
    CREATE TABLE IF NOT EXISTS throttle_clients (
        client   TEXT NOT NULL PRIMARY KEY,
        window   TEXT NOT NULL,
        failures INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- Alert deliveries (the delivery outbox): pending (`at` = due), delivered (`at` = when)
    -- or dead (`at` = the last failure).
    CREATE TABLE IF NOT EXISTS deliveries (
        id           TEXT NOT NULL PRIMARY KEY,
        notification TEXT NOT NULL,
        channel      TEXT NOT NULL,
        recipient    TEXT NOT NULL,
        payload      TEXT NOT NULL,
        created      TEXT NOT NULL,
        state        TEXT NOT NULL,
        attempts     INTEGER NOT NULL,
        at           TEXT NOT NULL,
        error        TEXT
    ) WITHOUT ROWID;
";

fn ensure_tables(conn: &Connection, path: &Path) -> Result<(), Error> {
    conn.execute_batch(ENSURED)
        .map_err(sql(path, "creating the throttle's and the outbox's tables"))
}

/// Opens a connection that only reads (the file exists and is migrated by then).
pub(crate) fn open_reader(path: &Path) -> Result<Connection, Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sql(path, "opening a reader"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql(path, "setting the busy timeout"))?;
    conn.execute_batch("PRAGMA query_only = ON;")
        .map_err(sql(path, "setting reader pragmas"))?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// Applies the migrations the file lacks; refuses a file from a newer build.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sql(path, "reading the schema version"))?;
    if found > VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: VERSION,
        });
    }
    for (from, migration) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql(path, "starting a migration"))?;
        tx.execute_batch(migration)
            .map_err(sql(path, "migrating the schema"))?;
        if from == AUDIT_MIGRATION {
            seal_stored(&tx).map_err(sql(
                path,
                "sealing the events stored before the audit trail",
            ))?;
        }
        tx.pragma_update(None, "user_version", from as i64 + 1)
            .map_err(sql(path, "recording the schema version"))?;
        tx.commit().map_err(sql(path, "committing a migration"))?;
    }
    Ok(())
}

/// Chains the events stored before the audit trail existed, once, when the migration that
/// adds it runs: from then on every event is hashed as it is appended, and an event that
/// carries no hash was written around greenlane.
fn seal_stored(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    use greenlane_engine::audit::chain;
    let cases: Vec<String> = tx
        .prepare("SELECT id FROM cases ORDER BY id")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut read = tx.prepare("SELECT seq, json FROM events WHERE case_id = ?1 ORDER BY seq")?;
    let mut seal =
        tx.prepare("UPDATE events SET prev = ?3, hash = ?4 WHERE case_id = ?1 AND seq = ?2")?;
    let mut head = tx.prepare("UPDATE cases SET head = ?2 WHERE id = ?1")?;
    for case in cases {
        let rows: Vec<(i64, String)> = read
            .query_map([&case], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut prev = chain::GENESIS;
        for (seq, json) in rows {
            let hash = chain::seal_record(&case, seq.max(0) as u64, &prev, &json);
            seal.execute(rusqlite::params![case, seq, &prev[..], &hash[..]])?;
            prev = hash;
        }
        head.execute(rusqlite::params![case, &prev[..]])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_gets_the_current_schema_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let conn = open_writer(&path).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        drop(conn);
        // Opening again applies nothing and keeps the version.
        open_writer(&path).unwrap();
    }

    #[test]
    fn a_file_from_a_newer_build_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let conn = open_writer(&path).unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        drop(conn);
        let error = open_writer(&path).unwrap_err().to_string();
        assert!(error.contains("newer than this build"), "{error}");
        assert!(error.contains("g.db"), "{error}");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "this is not a database, just some text long enough").unwrap();
        let error = open_writer(&path).unwrap_err().to_string();
        assert!(error.contains("notes.txt"), "{error}");
    }
}
