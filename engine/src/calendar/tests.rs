//! Tests of the business calendar: hand-checked 2026 cases on the shipped `cn` data, the
//! diagnostics of bad year files, and properties of the arithmetic checked against a
//! day-by-day walk.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::testing::cn;
use super::{Calendar, DayKind, Error};
use crate::source::{Diagnostic, SourceText};

fn d(text: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => date,
        Err(e) => panic!("bad test date {text}: {e}"),
    }
}

fn source(name: &str, text: &str) -> SourceText {
    SourceText {
        name: name.to_owned(),
        text: text.to_owned(),
    }
}

fn build(files: &[(&str, &str)]) -> Result<Calendar, Vec<Diagnostic>> {
    let sources: Vec<_> = files.iter().map(|(n, t)| source(n, t)).collect();
    Calendar::from_sources("test".into(), &sources)
}

fn diagnostics(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    match build(files) {
        Ok(calendar) => panic!("expected diagnostics, got {calendar:?}"),
        Err(found) => found,
    }
}

fn add(calendar: &Calendar, start: &str, days: u32) -> NaiveDate {
    match calendar.add_working_days(d(start), days) {
        Ok(date) => date,
        Err(e) => panic!("add({start}, {days}) failed: {e}"),
    }
}

// ---------------------------------------------------------------------------------------
// The shipped data, 2026.

#[test]
fn shipped_calendar_covers_2024_to_2027() {
    let cal = cn();
    assert_eq!(cal.coverage(), (d("2024-01-01"), d("2027-12-31")));
    assert_eq!(cal.id().as_str(), "cn");
    let per_year =
        |y: i32| cal.working_days_between(d(&format!("{}-12-31", y - 1)), d(&format!("{y}-12-31")));
    // 2023-12-31 is not covered, so 2024 is counted from its first day, a holiday (元旦).
    assert_eq!(cal.is_working_day(d("2024-01-01")), Ok(false));
    assert_eq!(
        cal.working_days_between(d("2024-01-01"), d("2024-12-31")),
        Ok(251)
    );
    assert_eq!(per_year(2025), Ok(248));
    assert_eq!(per_year(2026), Ok(248));
    // 2027 is provisional: 261 weekdays less 13 weekdays off by law.
    assert_eq!(per_year(2027), Ok(248));
    assert_eq!(cal.official_until(), Some(d("2026-12-31")));
}

#[test]
fn spring_festival_2026() {
    let cal = cn();
    for day in 15..=23 {
        let date = NaiveDate::from_ymd_opt(2026, 2, day).unwrap_or_default();
        assert_eq!(cal.is_working_day(date), Ok(false), "{date}");
        assert_eq!(cal.day_kind(date), Ok(DayKind::Holiday), "{date}");
        assert_eq!(cal.holiday_name(date), Some("春节"), "{date}");
    }
    // Both adjusted Saturdays are working days, tied to the Spring Festival.
    for sat in ["2026-02-14", "2026-02-28"] {
        assert_eq!(cal.is_working_day(d(sat)), Ok(true), "{sat}");
        assert_eq!(cal.day_kind(d(sat)), Ok(DayKind::AdjustedWorkday), "{sat}");
        assert_eq!(cal.holiday_name(d(sat)), Some("春节"));
    }
    assert_eq!(cal.day_kind(d("2026-02-24")), Ok(DayKind::Workday));
    assert_eq!(cal.day_kind(d("2026-03-01")), Ok(DayKind::Weekend));
    assert_eq!(cal.holiday_name(d("2026-02-24")), None);

    assert_eq!(add(&cal, "2026-02-13", 1), d("2026-02-14"));
    assert_eq!(add(&cal, "2026-02-14", 1), d("2026-02-24"));
    assert_eq!(add(&cal, "2026-02-12", 5), d("2026-02-26"));
    // 14, 24, 25, 26, 27, 28 (Saturday worked), 2, 3, 4, 5 March.
    assert_eq!(add(&cal, "2026-02-13", 10), d("2026-03-05"));
    // Accepted during the holiday: the period starts on the first working day after it.
    assert_eq!(add(&cal, "2026-02-21", 1), d("2026-02-24"));
    assert_eq!(
        cal.working_days_between(d("2026-02-13"), d("2026-02-24")),
        Ok(2)
    );
}

#[test]
fn national_day_and_mid_autumn_2026() {
    let cal = cn();
    for day in 1..=7 {
        let date = NaiveDate::from_ymd_opt(2026, 10, day).unwrap_or_default();
        assert_eq!(cal.is_working_day(date), Ok(false), "{date}");
        assert_eq!(cal.holiday_name(date), Some("国庆节"));
    }
    assert_eq!(cal.is_working_day(d("2026-09-20")), Ok(true));
    assert_eq!(cal.is_working_day(d("2026-10-10")), Ok(true));
    assert_eq!(cal.is_working_day(d("2026-10-11")), Ok(false));
    assert_eq!(cal.holiday_name(d("2026-09-26")), Some("中秋节"));

    assert_eq!(add(&cal, "2026-09-30", 1), d("2026-10-08"));
    assert_eq!(add(&cal, "2026-10-09", 1), d("2026-10-10"));
    assert_eq!(add(&cal, "2026-10-10", 1), d("2026-10-12"));
    assert_eq!(add(&cal, "2026-09-18", 1), d("2026-09-20"));
    assert_eq!(add(&cal, "2026-09-24", 1), d("2026-09-28"));
    // 20 working days from Tuesday 15 September: 16, 17, 18, 20 (Sunday worked), 21–24,
    // 28–30, 8, 9, 10 (Saturday worked), 12–16, 19 October.
    assert_eq!(add(&cal, "2026-09-15", 20), d("2026-10-19"));
    assert_eq!(
        cal.working_days_between(d("2026-09-15"), d("2026-10-19")),
        Ok(20)
    );
    assert_eq!(
        cal.working_days_between(d("2026-10-19"), d("2026-09-15")),
        Ok(-20)
    );
}

#[test]
fn across_new_year() {
    let cal = cn();
    // 1–3 January 2026 are off and Sunday 4 January is worked.
    assert_eq!(add(&cal, "2025-12-31", 1), d("2026-01-04"));
    assert_eq!(add(&cal, "2024-12-31", 1), d("2025-01-02"));
    assert_eq!(add(&cal, "2024-01-01", 1), d("2024-01-02"));
    assert_eq!(cal.holiday_name(d("2026-01-04")), Some("元旦"));
}

#[test]
fn zero_days_end_on_the_start_even_on_a_day_off() {
    let cal = cn();
    for start in [
        "2026-02-21",
        "2026-03-01",
        "2026-03-02",
        "2026-12-31",
        "2024-01-01",
    ] {
        assert_eq!(cal.add_working_days(d(start), 0), Ok(d(start)));
        assert_eq!(cal.subtract_working_days(d(start), 0), Ok(d(start)));
        assert_eq!(cal.working_days_between(d(start), d(start)), Ok(0));
    }
}

#[test]
fn next_previous_and_subtract() {
    let cal = cn();
    assert_eq!(cal.next_working_day(d("2026-09-30")), Ok(d("2026-10-08")));
    assert_eq!(cal.next_working_day(d("2026-10-03")), Ok(d("2026-10-08")));
    assert_eq!(
        cal.previous_working_day(d("2026-10-08")),
        Ok(d("2026-09-30"))
    );
    assert_eq!(
        cal.previous_working_day(d("2026-02-24")),
        Ok(d("2026-02-14"))
    );
    assert_eq!(
        cal.subtract_working_days(d("2026-10-19"), 20),
        Ok(d("2026-09-15"))
    );
    assert_eq!(cal.add_signed(d("2026-10-19"), -20), Ok(d("2026-09-15")));
    assert_eq!(cal.add_signed(d("2026-09-15"), 20), Ok(d("2026-10-19")));
}

#[test]
fn out_of_range_on_both_ends() {
    let cal = cn();
    let err = |date: &str| Error::OutOfRange {
        calendar: "cn".into(),
        date: d(date),
        first: d("2024-01-01"),
        last: d("2027-12-31"),
    };
    assert_eq!(cal.is_working_day(d("2023-12-31")), Err(err("2023-12-31")));
    assert_eq!(cal.is_working_day(d("2028-01-01")), Err(err("2028-01-01")));
    assert_eq!(
        cal.add_working_days(d("2023-12-31"), 0),
        Err(err("2023-12-31"))
    );
    assert_eq!(cal.day_kind(d("2028-01-04")), Err(err("2028-01-04")));
    assert_eq!(cal.holiday_name(d("2028-01-01")), None);
    assert_eq!(
        cal.working_days_between(d("2027-06-01"), d("2028-02-01")),
        Err(err("2028-02-01"))
    );
    // The last covered week: 24, 27, 28, 29, 30, 31 December 2027 are working days.
    assert_eq!(add(&cal, "2027-12-24", 5), d("2027-12-31"));
    assert_eq!(
        cal.add_working_days(d("2027-12-24"), 6),
        Err(err("2028-01-01"))
    );
    assert_eq!(
        cal.add_working_days(d("2024-06-01"), u32::MAX),
        Err(err("2028-01-01"))
    );
    assert_eq!(
        cal.next_working_day(d("2027-12-31")),
        Err(err("2028-01-01"))
    );
    // 1 January 2024 is a holiday, so nothing covered lies before 2 January.
    assert_eq!(
        cal.previous_working_day(d("2024-01-02")),
        Err(err("2023-12-31"))
    );
    assert_eq!(cal.add_signed(d("2024-01-03"), -1), Ok(d("2024-01-02")));
    assert_eq!(
        cal.add_signed(d("2024-06-01"), i64::MIN),
        Err(err("2023-12-31"))
    );

    let message = err("2028-01-01").to_string();
    assert_eq!(
        message,
        "calendar `cn` covers 2024-01-01 to 2027-12-31 only; 2028-01-01 is outside it, so \
         its working days are unknown"
    );
}

#[test]
fn kinds_agree_with_working_days_on_every_covered_day() {
    let cal = cn();
    let (first, last) = cal.coverage();
    for date in first.iter_days().take_while(|x| *x <= last) {
        let kind = cal.day_kind(date);
        assert_eq!(
            cal.is_working_day(date),
            kind.map(DayKind::is_working),
            "{date}"
        );
    }
}

#[test]
fn debug_is_short() {
    let text = format!("{:?}", cn());
    assert!(text.contains("working_days: 995"), "{text}");
    assert!(text.len() < 200, "{text}");
}

// ---------------------------------------------------------------------------------------
// Reading year files.

const Y2025: &str = "year: 2025\noff:\n  - { date: 2025-10-01, name: 国庆节 }\nwork: []\n";

#[test]
fn files_are_read_together_in_any_order() {
    let y2026 = "year: 2026\n\
                 off:\n  - { date: 2026-01-01, name: 元旦 }\n\
                 work:\n  - date: '2026-01-03'\n    name: 元旦\n";
    let cal = match build(&[("cn/2026.yaml", y2026), ("cn/2025.yaml", Y2025)]) {
        Ok(cal) => cal,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(cal.coverage(), (d("2025-01-01"), d("2026-12-31")));
    assert_eq!(cal.is_working_day(d("2026-01-01")), Ok(false));
    assert_eq!(cal.is_working_day(d("2026-01-03")), Ok(true));
    assert_eq!(cal.is_working_day(d("2025-10-01")), Ok(false));
    assert_eq!(add(&cal, "2025-12-31", 1), d("2026-01-02"));
    // `off:` and `work:` may be empty or absent.
    assert!(build(&[("2027.yaml", "year: 2027\noff:\n")]).is_ok());
    assert!(build(&[("x.yaml", "year: 2027\n")]).is_ok());
}

#[test]
fn yaml_errors_carry_their_location() {
    let found = diagnostics(&[("2026.yaml", "year: 2026\noff: [\n")]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].file, "2026.yaml");
    assert!(found[0].line >= 2, "{found:?}");
    assert!(!found[0].message.contains(" at line "), "{found:?}");

    let found = diagnostics(&[(
        "2026.yaml",
        "year: 2026\nof:\n  - { date: 2026-01-01, name: 元旦 }\n",
    )]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].line, found[0].column), (2, 1), "{found:?}");
    assert!(found[0].message.contains("unknown field `of`"), "{found:?}");

    let found = diagnostics(&[("2026.yaml", "off: []\n")]);
    assert!(
        found[0].message.contains("missing field `year`"),
        "{found:?}"
    );
    assert_eq!(
        found[0].to_string(),
        format!("2026.yaml:1:1: {}", found[0].message)
    );
}

#[test]
fn every_entry_problem_is_reported_at_its_line() {
    let text = "\
year: 2026
off:
  - { date: 2026-02-30, name: 春节 }
  - { date: 2026-2-3, name: 春节 }
  - { date: 2026-10-01, name: ' ' }
  - { date: 2026-10-03, name: 国庆节 }
work:
  - { date: 2026-10-03, name: 国庆节 }
  - { date: 2026-10-09, name: 国庆节 }   # a Friday
  - { date: 2026-10-10, name: 国庆节 }
  - { date: 2026-10-10, name: 国庆节 }
";
    let found = diagnostics(&[("cn/2026.yaml", text)]);
    let at: Vec<_> = found.iter().map(|f| (f.line, f.column)).collect();
    assert_eq!(
        at,
        vec![
            (3, 13),
            (4, 13),
            (5, 13),
            (6, 13),
            (8, 13),
            (9, 13),
            (11, 13)
        ],
        "{found:#?}"
    );
    assert!(found[0]
        .message
        .contains("`2026-02-30` in `off` is not a valid date"));
    assert!(found[1].message.contains("`2026-2-3`"));
    assert!(found[2].message.contains("empty name"));
    // A Saturday off on its own, with no weekday of its holiday beside it.
    assert!(found[3].message.contains("already a rest day"));
    assert!(found[4]
        .message
        .contains("2026-10-03 is listed both in `off` (at cn/2026.yaml:6:13) and in `work`"));
    assert!(found[5]
        .message
        .contains("is a Friday, already a working day"));
    assert!(found[6]
        .message
        .contains("2026-10-10 is listed twice in `work`; it is already at cn/2026.yaml:10:13"));
}

#[test]
fn duplicate_and_missing_years() {
    let y2024 = "year: 2024\n";
    let y2027 = "# 2027\nyear:   2027\n";
    let found = diagnostics(&[
        ("a/2024.yaml", y2024),
        ("b/2024.yaml", y2024),
        ("2027.yaml", y2027),
    ]);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0].to_string(),
        "b/2024.yaml:1:7: year 2024 is already described by a/2024.yaml:1:7"
    );
    assert_eq!(
        found[1].to_string(),
        "2027.yaml:2:9: no file for 2025–2026: the years of a calendar must be contiguous, \
         and this one jumps from 2024 to 2027"
    );
}

#[test]
fn year_checks() {
    let found = diagnostics(&[("cn/2026.yaml", Y2025)]);
    assert_eq!(
        found[0].to_string(),
        "cn/2026.yaml:1:7: year 2025 does not match the file name, which says 2026"
    );
    let found = diagnostics(&[("cn/x.yaml", "year: 20026\n")]);
    assert!(
        found[0].message.contains("out of the supported range"),
        "{found:?}"
    );
    let found = Calendar::from_sources("cn".into(), &[])
        .err()
        .unwrap_or_default();
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("has no year files"), "{found:?}");
}

#[test]
fn dates_outside_their_year_are_rejected() {
    let text = "year: 2025\noff:\n  - { date: 2026-01-01, name: 元旦 }\n  - { date: 2024-12-31, name: 元旦 }\n";
    let found = diagnostics(&[("2025.yaml", text)]);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0].to_string(),
        "2025.yaml:3:13: 2026-01-01 lies outside the year of this file (2025); list each date \
         in the file of its own year"
    );
    assert_eq!(found[1].line, 4);
}

#[test]
fn a_weekend_day_off_alone_is_rejected_and_one_joined_to_a_weekday_is_not() {
    // 2028: 元旦 on Saturday, made up on Monday 3 January: fine.
    let joined = "year: 2028\noff:\n  - { date: 2028-01-01, name: 元旦 }\n  - { date: 2028-01-03, name: 元旦 }\n";
    assert!(build(&[("2028.yaml", joined)]).is_ok());
    let alone = "year: 2028\noff:\n  - { date: 2028-03-04, name: 元旦 }\n";
    let found = diagnostics(&[("2028.yaml", alone)]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].line, found[0].column), (3, 13));
    assert!(found[0]
        .message
        .contains("2028-03-04 in `off` is a Saturday, already a rest day"));
}

#[test]
fn a_broken_file_does_not_hide_problems_in_the_others() {
    let bad = "year: 2026\nwork:\n  - { date: 2026-10-09, name: 国庆节 }\n";
    let found = diagnostics(&[("2024.yaml", "year: [\n"), ("2026.yaml", bad)]);
    // The syntax error and the weekday under `work`; no "missing 2025" guessed from the
    // broken file.
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].file, "2024.yaml");
    assert_eq!((found[1].file.as_str(), found[1].line), ("2026.yaml", 3));
}

// ---------------------------------------------------------------------------------------
// Properties, checked against a day-by-day walk over the shipped data.

/// The `n`-th working day after `start` by walking one day at a time.
fn walk(cal: &Calendar, start: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut date = start;
    let mut left = n;
    while left > 0 {
        date = date.succ_opt()?;
        if cal.day_kind(date).ok()?.is_working() {
            left -= 1;
        }
    }
    Some(date)
}

fn covered_date() -> impl Strategy<Value = NaiveDate> {
    // 1096 days: 2024 (leap), 2025, 2026.
    (0u64..1096).prop_map(|i| d("2024-01-01") + chrono::Days::new(i))
}

proptest! {
    #[test]
    fn add_matches_a_walk(start in covered_date(), n in 0u32..800) {
        let cal = cn();
        prop_assert_eq!(cal.add_working_days(start, n).ok(), walk(&cal, start, n));
    }

    #[test]
    fn between_inverts_add(start in covered_date(), n in 0u32..800) {
        let cal = cn();
        if let Ok(end) = cal.add_working_days(start, n) {
            prop_assert_eq!(cal.working_days_between(start, end), Ok(i64::from(n)));
            prop_assert_eq!(cal.working_days_between(end, start), Ok(-i64::from(n)));
        }
    }

    #[test]
    fn add_lands_on_a_working_day(start in covered_date(), n in 1u32..800) {
        let cal = cn();
        if let Ok(end) = cal.add_working_days(start, n) {
            prop_assert!(end > start);
            prop_assert_eq!(cal.is_working_day(end), Ok(true));
            prop_assert!(cal.day_kind(end).is_ok_and(DayKind::is_working));
        }
    }

    #[test]
    fn add_is_strictly_increasing_in_n(start in covered_date(), n in 0u32..800) {
        let cal = cn();
        if let Ok(later) = cal.add_working_days(start, n + 1) {
            prop_assert!(cal.add_working_days(start, n).is_ok_and(|earlier| earlier < later));
        }
    }

    #[test]
    fn between_is_antisymmetric_and_additive(
        a in covered_date(), b in covered_date(), c in covered_date()
    ) {
        let cal = cn();
        let between = |x, y| cal.working_days_between(x, y).unwrap_or(i64::MIN);
        prop_assert_eq!(between(a, b), -between(b, a));
        prop_assert_eq!(between(a, c), between(a, b) + between(b, c));
        prop_assert_eq!(between(a, b) >= 0, a <= b || between(a, b) == 0);
    }

    #[test]
    fn subtract_undoes_add_on_working_days(start in covered_date(), n in 0u32..800) {
        let cal = cn();
        if let Ok(end) = cal.add_working_days(start, n) {
            if cal.is_working_day(start) == Ok(true) {
                prop_assert_eq!(cal.subtract_working_days(end, n), Ok(start));
            }
            prop_assert_eq!(cal.add_signed(start, i64::from(n)), Ok(end));
        }
        if let Ok(earlier) = cal.subtract_working_days(start, n) {
            let expected = i64::from(n) - i64::from(cal.is_working_day(start) == Ok(false));
            let expected = if n == 0 { 0 } else { expected };
            prop_assert_eq!(cal.working_days_between(earlier, start), Ok(expected));
            prop_assert!(n == 0 || earlier < start);
        }
    }
}
