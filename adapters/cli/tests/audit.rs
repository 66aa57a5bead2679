//! The tamper-evident audit trail as an operator meets it: a simulated center's store is
//! checkpointed and verifies; then one event row is changed, one deleted, two reordered,
//! and the last one deleted with the case's version "fixed" — with the `sqlite3` CLI on
//! SQLite and with `redis-cli` on Redis — and `greenlane audit verify` names the case,
//! the record and what is wrong each time. An export verifies offline with the public
//! key, and an edited export does not.

#[path = "../../redis/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn greenlane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("the binary runs")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sqlite(db: &Path, sql: &str) -> String {
    let output = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 CLI runs");
    ok(&output).trim().to_string()
}

/// `audit verify` fails and its output names each of `needles`.
fn broken(args: &[&str], needles: &[&str]) {
    let output = greenlane(args);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "verify must fail: {text}");
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` not in: {text}");
    }
}

/// A fresh copy of the checkpointed store `source` (no WAL: the demo closed it).
fn copy(source: &Path, to: &Path) -> String {
    std::fs::copy(source, to).unwrap();
    to.to_str().unwrap().to_string()
}

#[test]
fn sqlite_audit_verify_names_every_kind_of_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let key = dir.path().join("audit.key");
    let (db_s, key_s) = (db.to_str().unwrap(), key.to_str().unwrap());
    ok(&greenlane(&[
        "demo", "--cases", "6", "--days", "3", "--db", db_s,
    ]));
    let made = ok(&greenlane(&[
        "audit",
        "checkpoint",
        "--db",
        db_s,
        "--key",
        key_s,
    ]));
    assert!(made.contains("checkpoint 1 of"), "{made}");
    let intact = ok(&greenlane(&[
        "audit", "verify", "--db", db_s, "--key", key_s,
    ]));
    assert!(intact.contains("audit trail intact"), "{intact}");
    // Make sure the file holds everything (no WAL left) before copies are made.
    sqlite(&db, "PRAGMA wal_checkpoint(TRUNCATE);");

    let case = sqlite(
        &db,
        "SELECT case_id FROM events WHERE seq = 6 ORDER BY case_id LIMIT 1",
    );
    let verify = |file: &str| {
        vec!["audit", "verify", "--db", file, "--key", key_s]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let run = |file: &str, needles: &[&str]| {
        let args = verify(file);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        broken(&args, needles);
    };

    // One row changed.
    let changed = copy(&db, &dir.path().join("changed.db"));
    sqlite(Path::new(&changed), &format!(
        "UPDATE events SET json = replace(json, '\"by\":\"', '\"by\":\"x') WHERE case_id = '{case}' AND seq = 4"
    ));
    run(&changed, &[&format!("case {case}, record 4"), "changed"]);

    // One row deleted.
    let deleted = copy(&db, &dir.path().join("deleted.db"));
    sqlite(
        Path::new(&deleted),
        &format!("DELETE FROM events WHERE case_id = '{case}' AND seq = 3"),
    );
    run(&deleted, &[&format!("case {case}, record 3"), "deleted"]);

    // Two rows reordered.
    let reordered = copy(&db, &dir.path().join("reordered.db"));
    sqlite(
        Path::new(&reordered),
        &format!(
            "UPDATE events SET seq = -2 WHERE case_id = '{case}' AND seq = 2;
         UPDATE events SET seq = 2 WHERE case_id = '{case}' AND seq = 3;
         UPDATE events SET seq = 3 WHERE case_id = '{case}' AND seq = -2;"
        ),
    );
    run(
        &reordered,
        &[&format!("case {case}, record 2"), "reordered"],
    );

    // The last row deleted and the case's version lowered to match: the checkpoint knows.
    let truncated = copy(&db, &dir.path().join("truncated.db"));
    let last = sqlite(
        Path::new(&truncated),
        &format!("SELECT MAX(seq) FROM events WHERE case_id = '{case}'"),
    );
    sqlite(
        Path::new(&truncated),
        &format!(
            "DELETE FROM events WHERE case_id = '{case}' AND seq = {last};
         UPDATE cases SET version = version - 1 WHERE id = '{case}';"
        ),
    );
    run(
        &truncated,
        &[&format!("case {case}, record {last}"), "deleted at the end"],
    );

    // An export verifies offline with the public key alone; an edited one does not.
    let public = ok(&greenlane(&["audit", "public-key", "--key", key_s]));
    for format in ["jsonl", "csv"] {
        let text = ok(&greenlane(&[
            "audit", "export", "--db", db_s, "--key", key_s, "--format", format,
        ]));
        let file = dir.path().join(format!("trail.{format}"));
        std::fs::write(&file, &text).unwrap();
        let checked = ok(&greenlane(&[
            "audit",
            "verify-export",
            file.to_str().unwrap(),
            "--public-key",
            public.trim(),
        ]));
        assert!(checked.contains("export intact"), "{checked}");
        assert!(!checked.contains(" 0 records signed"), "{checked}");
        let edited = text.replace("task_approved", "task_rejected");
        assert_ne!(edited, text);
        std::fs::write(&file, &edited).unwrap();
        let output = greenlane(&[
            "audit",
            "verify-export",
            file.to_str().unwrap(),
            "--public-key",
            public.trim(),
        ]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("changed"));
    }
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli runs");
    ok(&output).trim().to_string()
}

#[test]
fn redis_audit_verify_names_every_kind_of_tampering() {
    let server = support::RedisServer::start();
    let port = server.port();
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("audit.key");
    let key_s = key.to_str().unwrap();
    let store = ["--redis", url.as_str(), "--redis-prefix", "audit-test"];
    let mut args = vec!["demo", "--cases", "4", "--days", "3"];
    args.extend(store);
    ok(&greenlane(&args));
    let mut checkpoint = vec!["audit", "checkpoint", "--key", key_s];
    checkpoint.extend(store);
    ok(&greenlane(&checkpoint));
    let mut verify = vec!["audit", "verify", "--key", key_s];
    verify.extend(store);
    assert!(ok(&greenlane(&verify)).contains("audit trail intact"));

    let lists = redis_cli(port, &["--scan", "--pattern", "audit-test:c:*:ev"]);
    let list = lists
        .lines()
        .next()
        .expect("a case's event list")
        .to_string();
    let case = list
        .split_once('{')
        .and_then(|(_, rest)| rest.split_once('}'))
        .map(|(case, _)| case.to_string())
        .unwrap();

    // One item changed: record 4 (index 3).
    let original = redis_cli(port, &["LINDEX", &list, "3"]);
    let changed = original.replacen("\"by\":\"", "\"by\":\"x", 1);
    redis_cli(port, &["LSET", &list, "3", &changed]);
    broken(&verify, &[&format!("case {case}, record 4"), "changed"]);
    redis_cli(port, &["LSET", &list, "3", &original]);
    assert!(ok(&greenlane(&verify)).contains("intact"), "restored");

    // Two items reordered: records 2 and 3.
    let (two, three) = (
        redis_cli(port, &["LINDEX", &list, "1"]),
        redis_cli(port, &["LINDEX", &list, "2"]),
    );
    redis_cli(port, &["LSET", &list, "1", &three]);
    redis_cli(port, &["LSET", &list, "2", &two]);
    broken(&verify, &[&format!("case {case}, record 2"), "reordered"]);
    redis_cli(port, &["LSET", &list, "1", &two]);
    redis_cli(port, &["LSET", &list, "2", &three]);

    // One item deleted: record 3.
    redis_cli(port, &["LREM", &list, "1", &three]);
    broken(&verify, &[&format!("case {case}, record 3")]);
}
