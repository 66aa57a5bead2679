//! Benchmarks of working-day arithmetic on the shipped `cn` calendar, 2024–2026.
//!
//! Deadlines are recomputed for every task of every case whenever a task finishes, so
//! `add_working_days` and `working_days_between` must stay O(1); the target is at most
//! 100 ns per call. The inputs are random dates across the whole coverage, drawn once from a
//! fixed seed so that runs compare, and the calendar is read from the repository's data at
//! compile time.

use std::hint::black_box;
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate};
use criterion::{criterion_main, Criterion};
use greenlane_engine::calendar::Calendar;

mod support;

/// How many prepared inputs a benchmark cycles through; a power of two.
const INPUTS: usize = 1024;

fn shipped() -> Calendar {
    support::cn()
}

/// A small xorshift generator, so the inputs need no extra dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

fn bench(c: &mut Criterion) {
    let calendar = shipped();
    let (first, last) = calendar.coverage();
    let span = u64::try_from((last - first).num_days()).unwrap_or(0) + 1;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut date = || first + Days::new(rng.below(span));
    // Start dates and limits (0–60 working days) whose results stay inside the coverage, as
    // a deadline computation's do; the out-of-range path is measured on its own.
    let mut adds: Vec<(NaiveDate, u32)> = Vec::with_capacity(INPUTS);
    while adds.len() < INPUTS {
        let start = date();
        let days = start.ordinal() % 61;
        if calendar.add_working_days(start, days).is_ok() {
            adds.push((start, days));
        }
    }
    let pairs: Vec<(NaiveDate, NaiveDate)> = (0..INPUTS).map(|_| (date(), date())).collect();

    let mut group = c.benchmark_group("calendar");
    let mut i = 0;
    group.bench_function("add_working_days", |b| {
        b.iter(|| {
            i = (i + 1) % INPUTS;
            let (start, days) = adds[i];
            calendar.add_working_days(black_box(start), black_box(days))
        })
    });
    group.bench_function("working_days_between", |b| {
        b.iter(|| {
            i = (i + 1) % INPUTS;
            let (from, to) = pairs[i];
            calendar.working_days_between(black_box(from), black_box(to))
        })
    });
    group.bench_function("is_working_day", |b| {
        b.iter(|| {
            i = (i + 1) % INPUTS;
            calendar.is_working_day(black_box(pairs[i].0))
        })
    });
    group.bench_function("add_working_days_out_of_range", |b| {
        let start = last - Days::new(3);
        b.iter(|| calendar.add_working_days(black_box(start), black_box(30)))
    });
    group.finish();
}

/// Runs the benchmarks with short runs: the machine is shared, and these functions take
/// nanoseconds. (Written out instead of `criterion_group!`, whose function has no doc.)
fn benches() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .configure_from_args();
    bench(&mut criterion);
}

criterion_main!(benches);
