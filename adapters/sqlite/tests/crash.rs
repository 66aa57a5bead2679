//! A real crash: a child process appends and dispatches as fast as it can, printing each
//! acknowledgment, and is killed (SIGKILL) mid-stream. Reopening the file must show every
//! acknowledged write. (This checks that acknowledgments follow commits; surviving a power
//! cut also rests on `synchronous=FULL` and the disk honouring fsync.)
//!
//! The child is this same test binary, run with `GREENLANE_CRASH_CHILD` naming the file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use greenlane_engine::case::{Event, Recorded};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId};
use greenlane_runtime::ports::{Backend, EventStore, Holder, QueueEntry, TaskKey, TaskQueue};
use greenlane_sqlite::SqliteBackend;

const CHILD: &str = "GREENLANE_CRASH_CHILD";
/// Acknowledgments the parent waits for before killing the child.
const ACKS: usize = 400;

fn recorded(n: u64) -> Recorded {
    Recorded {
        at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::seconds(n as i64),
        by: PrincipalId::new("officer-1"),
        event: Event::TaskApproved {
            task: TaskId::new(format!("t{n}")),
        },
    }
}

fn entry(case: &CaseId, n: u64) -> QueueEntry {
    QueueEntry {
        key: TaskKey::new(case, &TaskId::new(format!("t{n}"))),
        department: DepartmentId::new("tax"),
        due: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
        dispatched_at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
        holder: Holder::Free,
    }
}

/// The child: 32 writers, each appending to its own case and dispatching a task per
/// event, printing `appended <case> <version>` and `queued <case> <n>` as each call is
/// acknowledged. Runs until killed; does nothing in a normal test run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    let Some(path) = std::env::var_os(CHILD) else {
        return;
    };
    let store = Arc::new(SqliteBackend::open(path).expect("open"));
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..32 {
        let store = store.clone();
        tasks.spawn(async move {
            let case = CaseId::new(format!("case-{w:02}"));
            for n in 0.. {
                let version = store
                    .events()
                    .append(&case, n, &[recorded(n)], "open")
                    .await
                    .expect("append");
                println!("appended {case} {version}");
                store
                    .queue()
                    .dispatch(&[entry(&case, n)])
                    .await
                    .expect("dispatch");
                println!("queued {case} {n}");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("writer");
    }
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_kill() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().unwrap();
    let mut appended: Vec<(String, u64)> = Vec::new();
    let mut queued: Vec<(String, u64)> = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let mut words = line.split(' ');
        let (Some(kind), Some(case), Some(n)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match kind {
            "appended" => appended.push((case.to_string(), n)),
            "queued" => queued.push((case.to_string(), n)),
            _ => continue,
        }
        if appended.len() + queued.len() == ACKS {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert_eq!(
        appended.len() + queued.len(),
        ACKS,
        "the child acknowledged writes before it was killed"
    );

    let store = SqliteBackend::open(&path).expect("the killed file opens");
    for (case, version) in &appended {
        let case = CaseId::new(case.as_str());
        let events = store.events().load(&case).await.unwrap();
        assert!(
            events.len() as u64 >= *version,
            "{case}: acknowledged version {version}, found {}",
            events.len()
        );
        assert_eq!(events[*version as usize - 1], recorded(version - 1));
        let record = store.events().record(&case).await.unwrap().unwrap();
        assert_eq!(
            record.version,
            events.len() as u64,
            "case row and events agree"
        );
    }
    for (case, n) in &queued {
        let key = entry(&CaseId::new(case.as_str()), *n).key;
        let found = store.queue().get(&key).await.unwrap();
        assert!(
            found.is_some(),
            "{case}: acknowledged dispatch {n} is queued"
        );
    }
}
