//! A real crash of the whole engine: `greenlane bench` on a SQLite file is killed with
//! SIGKILL in the middle of workload A, then `greenlane recover` restarts on the same file
//! and the test drains it (`greenlane_testkit::drain`: approve every open task). Every
//! approval acknowledged before the kill must be in the file, every case must complete,
//! and every task must be approved exactly once.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use std::sync::Arc;

use greenlane_engine::calendar::shipped::cn_calendars;
use greenlane_engine::case::Event;
use greenlane_runtime::ports::{Backend, CaseIndex, EventStream, LogNotifier, SystemClock};
use greenlane_runtime::{Runtime, RuntimeConfig};
use greenlane_sqlite::{EffectWrites, SqliteBackend, SqliteOptions};

/// The project folder whose calendars `greenlane recover` reads.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// The center `greenlane bench` serves.
const CENTER: &str = "bench";

/// Acknowledged approvals to wait for before the kill.
const ACKS_BEFORE_KILL: usize = 600;

#[test]
fn every_acknowledged_approval_survives_kill_9_and_recovery_finishes_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("greenlane.db");
    let db_arg = db.to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args([
            "bench",
            "--backend",
            "sqlite",
            "--db",
            db_arg,
            "--workload",
            "A",
            "--cases",
            "1500",
            "--workers",
            "4",
            "--launchers",
            "8",
            "--trace-acks",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("greenlane bench starts");
    let mut acknowledged = Vec::new();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines {
        let line = line.expect("a line");
        if let Some(rest) = line.strip_prefix("approved ") {
            let (case, task) = rest.split_once(' ').expect("case and task");
            acknowledged.push((case.to_string(), task.to_string()));
            if acknowledged.len() == ACKS_BEFORE_KILL {
                break;
            }
        }
    }
    assert_eq!(
        acknowledged.len(),
        ACKS_BEFORE_KILL,
        "the bench ran long enough"
    );
    child.kill().expect("SIGKILL");
    child.wait().unwrap();

    let recover = Command::new(env!("CARGO_BIN_EXE_greenlane"))
        .args([
            "--root", ROOT, "recover", "--db", db_arg, "--center", CENTER,
        ])
        .output()
        .expect("greenlane recover runs");
    let report = String::from_utf8_lossy(&recover.stdout);
    assert!(
        recover.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&recover.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(&report).expect("JSON summary");
    assert!(summary["open_cases_before"].as_u64() > Some(0), "{summary}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Finish every case as the CLI would open the file: queues rebuilt by recovery.
        let options = SqliteOptions::default().effect_writes(EffectWrites::Rebuilt);
        let backend = Arc::new(SqliteBackend::open_with(&db, options).expect("the file reopens"));
        let engine = Runtime::new(
            backend,
            Arc::new(SystemClock),
            Arc::new(LogNotifier),
            RuntimeConfig::new(CENTER, cn_calendars()),
        );
        engine.recover().await.expect("recovery");
        greenlane_testkit::drain::drain(&engine, CENTER)
            .await
            .expect("the drain approves every open task");
        assert_eq!(
            greenlane_testkit::drain::open_cases(&engine).await.unwrap(),
            0
        );
        drop(engine);

        let backend = SqliteBackend::open(&db).expect("the file reopens");
        let events = backend.events();
        let cases = events.cases(None, None, usize::MAX).await.unwrap();
        assert!(!cases.is_empty());
        let mut approvals: BTreeMap<(String, String), usize> = BTreeMap::new();
        for record in &cases {
            assert!(!record.status.is_open(), "{} still open", record.case);
            let history = events.load(&record.case).await.unwrap();
            assert!(
                history
                    .iter()
                    .any(|r| matches!(r.event, Event::CaseCompleted)),
                "{} completed",
                record.case
            );
            for r in &history {
                if let Event::TaskApproved { task, .. } = &r.event {
                    *approvals
                        .entry((record.case.to_string(), task.to_string()))
                        .or_default() += 1;
                }
            }
        }
        let twice: Vec<_> = approvals.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "approved more than once: {twice:?}");
        let acknowledged: BTreeSet<_> = acknowledged.into_iter().collect();
        for (case, task) in &acknowledged {
            assert!(
                approvals.contains_key(&(case.clone(), task.clone())),
                "acknowledged approval of {task} in {case} was lost"
            );
        }
    });
}
