//! A real crash: a child process appends and dispatches as fast as it can, printing each
//! acknowledgment, and is killed (SIGKILL) mid-stream. Reopening the file must show every
//! acknowledged write. (This checks that acknowledgments follow commits; surviving a power
//! cut also rests on `synchronous=FULL` and the disk honouring fsync.)
//!
//! The child is this same test binary, run with `GREENLANE_CRASH_CHILD` naming the file.

use greenlane_engine::case::CaseStatusKind;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use greenlane_engine::case::{Event, Recorded};
use greenlane_engine::ids::{CaseId, DepartmentId, PrincipalId, TaskId};
use greenlane_runtime::ports::{
    Backend, CaseIndex, EventStream, Holder, QueueEntry, TaskKey, TaskQueue,
};
use greenlane_sqlite::{EffectWrites, SqliteBackend, SqliteOptions};

const CHILD: &str = "GREENLANE_CRASH_CHILD";
/// Set (to anything) to open the child's store with `EffectWrites::Ordered`.
const ORDERED: &str = "GREENLANE_CRASH_ORDERED";
/// Acknowledgments the parent waits for before killing the child.
const ACKS: usize = 400;

fn recorded(n: u64) -> Recorded {
    Recorded {
        at: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::seconds(n as i64),
        by: PrincipalId::new("officer-1"),
        event: Event::TaskApproved {
            task: TaskId::new(format!("t{n}")),
            opinion: None,
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
    let mut options = SqliteOptions::default();
    if std::env::var_os(ORDERED).is_some() {
        options = options.effect_writes(EffectWrites::Ordered);
    }
    let store = Arc::new(SqliteBackend::open_with(path, options).expect("open"));
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..32 {
        let store = store.clone();
        tasks.spawn(async move {
            let case = CaseId::new(format!("case-{w:02}"));
            for n in 0.. {
                let version = store
                    .events()
                    .append(&case, n, &[recorded(n)], CaseStatusKind::Open)
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

/// Acknowledgments read from the child: `(case, number)`.
type Acks = Vec<(String, u64)>;

/// Runs the child until it has printed [`ACKS`] acknowledgments, kills it, and returns
/// them: `(case, version)` appended and `(case, n)` queued.
fn run_and_kill(path: &std::path::Path, ordered: bool) -> (Acks, Acks) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if ordered {
        command.env(ORDERED, "1");
    }
    let mut child = command.spawn().expect("the child starts");
    let stdout = child.stdout.take().unwrap();
    let mut appended: Acks = Vec::new();
    let mut queued: Acks = Vec::new();
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
    (appended, queued)
}

async fn check_appends(store: &SqliteBackend, appended: &[(String, u64)]) {
    for (case, version) in appended {
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
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_kill() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let (appended, queued) = run_and_kill(&path, false);
    let store = SqliteBackend::open(&path).expect("the killed file opens");
    check_appends(&store, &appended).await;
    for (case, n) in &queued {
        let key = entry(&CaseId::new(case.as_str()), *n).key;
        let found = store.queue().get(&key).await.unwrap();
        assert!(
            found.is_some(),
            "{case}: acknowledged dispatch {n} is queued"
        );
    }
}

/// With ordered effect writes a dispatch may be lost in a crash, but not one that an
/// acknowledged append followed: the writer commits in order.
#[tokio::test]
async fn ordered_effect_writes_are_never_lost_behind_an_acknowledged_append() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let (appended, queued) = run_and_kill(&path, true);
    let store = SqliteBackend::open(&path).expect("the killed file opens");
    check_appends(&store, &appended).await;
    let mut followed = 0;
    for (case, n) in &queued {
        // Dispatch `n` was sent before append `n + 2` (version n + 2) of the same case.
        if !appended.contains(&(case.clone(), n + 2)) {
            continue;
        }
        followed += 1;
        let key = entry(&CaseId::new(case.as_str()), *n).key;
        let found = store.queue().get(&key).await.unwrap();
        assert!(
            found.is_some(),
            "{case}: dispatch {n} came before an acknowledged append"
        );
    }
    assert!(
        followed > 0,
        "some dispatches were followed by an acknowledged append"
    );
}
