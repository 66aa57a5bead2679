//! Deadline index with 1,000,000 open entries: one tick that finds and takes the due ones
//! (none, or 100) and reschedules them, as the runtime does after each check.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_main, BatchSize, Criterion};
use greenlane_engine::ids::CaseId;
use greenlane_runtime::memory::DeadlineSet;

const OPEN: usize = 1_000_000;

fn index() -> (DeadlineSet, chrono::DateTime<Utc>) {
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap();
    let mut set = DeadlineSet::default();
    for i in 0..OPEN {
        // Spread over 50 working days at one-second steps within each day.
        let at = start + Duration::days((i % 50) as i64) + Duration::seconds((i / 50) as i64);
        set.schedule(&CaseId::new(format!("case-{i:07}")), at);
    }
    (set, start)
}

fn tick(c: &mut Criterion) {
    let (mut set, start) = index();
    let mut group = c.benchmark_group("deadline_index_1m");
    group.bench_function("tick_nothing_due", |b| {
        b.iter(|| set.take_due(start - Duration::seconds(1), 512))
    });
    group.bench_function("tick_100_due_and_reschedule", |b| {
        b.iter_batched(
            || (),
            |()| {
                let due = set.take_due(start + Duration::seconds(1_999), 100);
                for (case, at) in &due {
                    set.schedule(case, *at);
                }
                due.len()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Runs the benchmark (written out instead of `criterion_group!`, whose function has no
/// doc).
fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    tick(&mut criterion);
    criterion.final_summary();
}

criterion_main!(benches);
