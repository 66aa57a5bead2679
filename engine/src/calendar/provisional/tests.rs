//! Tests of provisional years: the shipped official notices agree with the law's holidays,
//! the lunar table agrees with dates published by the Hong Kong Observatory, make-up days
//! follow article 6, and the shipped 2027 file is what the code computes.

use chrono::{Datelike, NaiveDate};

use super::{cn_days_off, cn_year_file, Error, YEARS};
use crate::calendar::shipped;
use crate::calendar::{Calendar, DayKind, YearKind};
use crate::source::SourceText;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

#[test]
fn every_holiday_the_law_fixes_is_off_in_the_official_notices() {
    let cn = shipped::cn();
    for year in [2025, 2026] {
        assert_eq!(cn.years()[&year].kind, YearKind::Official);
        for day in cn_days_off(year).unwrap().iter().filter(|d| !d.make_up) {
            assert_eq!(
                cn.day_kind(day.date).unwrap(),
                DayKind::Holiday,
                "{} ({}) is a holiday by law but not off in the {year} notice",
                day.date,
                day.name
            );
            let name = cn.holiday_name(day.date).unwrap_or_default();
            assert!(name.contains(day.name), "{}: {name}", day.date);
        }
    }
}

/// 农历新年, 端午节 and 中秋节 as the Hong Kong Observatory's Gregorian–Lunar calendar
/// conversion tables give them.
#[test]
fn lunar_festivals_agree_with_the_observatory() {
    let published = [
        (2027, d(2027, 2, 6), d(2027, 6, 9), d(2027, 9, 15)),
        (2028, d(2028, 1, 26), d(2028, 5, 28), d(2028, 10, 3)),
        (2029, d(2029, 2, 13), d(2029, 6, 16), d(2029, 9, 22)),
        (2030, d(2030, 2, 3), d(2030, 6, 5), d(2030, 9, 12)),
    ];
    for (year, spring, dragon_boat, mid_autumn) in published {
        let (s, db, ma, _) = super::lunar_dates(year).unwrap();
        assert_eq!((s, db, ma), (spring, dragon_boat, mid_autumn), "{year}");
    }
}

#[test]
fn the_table_has_every_year_once_in_order() {
    let years: Vec<i32> = super::LUNAR.iter().map(|row| row.0).collect();
    let expected: Vec<i32> = YEARS.collect();
    assert_eq!(years, expected);
    for year in YEARS {
        let (spring, dragon_boat, mid_autumn, qingming) = super::lunar_dates(year).unwrap();
        assert!(
            spring >= d(year, 1, 21) && spring <= d(year, 2, 20),
            "{year}"
        );
        assert!(
            qingming >= d(year, 4, 4) && qingming <= d(year, 4, 6),
            "{year}"
        );
        assert!(dragon_boat > spring && mid_autumn > dragon_boat, "{year}");
        assert!(cn_days_off(year).unwrap().len() >= 13, "{year}");
    }
}

#[test]
fn the_2027_year_by_law_with_make_up_days() {
    let off: Vec<(NaiveDate, &str, bool)> = cn_days_off(2027)
        .unwrap()
        .into_iter()
        .map(|day| (day.date, day.name, day.make_up))
        .collect();
    let expected = vec![
        (d(2027, 1, 1), "元旦", false),
        // 除夕 Friday 5 February to 初三 Monday 8 February; Saturday and Sunday are made up
        // on Tuesday and Wednesday.
        (d(2027, 2, 5), "春节", false),
        (d(2027, 2, 6), "春节", false),
        (d(2027, 2, 7), "春节", false),
        (d(2027, 2, 8), "春节", false),
        (d(2027, 2, 9), "春节", true),
        (d(2027, 2, 10), "春节", true),
        (d(2027, 4, 5), "清明节", false),
        // 1 and 2 May are a Saturday and a Sunday.
        (d(2027, 5, 1), "劳动节", false),
        (d(2027, 5, 2), "劳动节", false),
        (d(2027, 5, 3), "劳动节", true),
        (d(2027, 5, 4), "劳动节", true),
        (d(2027, 6, 9), "端午节", false),
        (d(2027, 9, 15), "中秋节", false),
        // 2 and 3 October are a Saturday and a Sunday.
        (d(2027, 10, 1), "国庆节", false),
        (d(2027, 10, 2), "国庆节", false),
        (d(2027, 10, 3), "国庆节", false),
        (d(2027, 10, 4), "国庆节", true),
        (d(2027, 10, 5), "国庆节", true),
    ];
    assert_eq!(off, expected);
}

#[test]
fn a_holiday_on_another_holiday_is_made_up_too() {
    // 2028: 中秋 falls on 3 October, inside 国庆; 1 October is a Sunday.
    let off: Vec<NaiveDate> = cn_days_off(2028)
        .unwrap()
        .into_iter()
        .filter(|day| day.date.month0() == 9)
        .map(|day| day.date)
        .collect();
    assert_eq!(
        off,
        vec![
            d(2028, 10, 1),
            d(2028, 10, 2),
            d(2028, 10, 3),
            d(2028, 10, 4),
            d(2028, 10, 5)
        ]
    );
}

#[test]
fn years_outside_the_rules_are_refused() {
    assert_eq!(cn_days_off(2024), Err(Error::OutOfRange(2024)));
    assert_eq!(cn_days_off(2101), Err(Error::OutOfRange(2101)));
}

#[test]
fn the_shipped_2027_file_is_what_the_code_computes() {
    let shipped = shipped::CN_YEARS
        .iter()
        .find(|(name, _)| name.ends_with("2027.yaml"))
        .map(|(_, text)| *text)
        .expect("2027 is shipped");
    assert_eq!(shipped, cn_year_file(2027).unwrap());
}

#[test]
fn a_provisional_file_builds_a_calendar_marked_provisional() {
    let mut years = shipped::cn_sources();
    years.retain(|s| !s.name.ends_with("2027.yaml"));
    years.push(SourceText {
        name: "2028.yaml".into(),
        text: cn_year_file(2028).unwrap(),
    });
    // 2027 missing: the years must be contiguous.
    assert!(Calendar::from_sources("cn".into(), &years).is_err());
    years.push(SourceText {
        name: "2027.yaml".into(),
        text: cn_year_file(2027).unwrap(),
    });
    let cn = Calendar::from_sources("cn".into(), &years).unwrap();
    assert_eq!(cn.years()[&2027].kind, YearKind::Provisional);
    assert!(cn.is_provisional(d(2027, 3, 1)));
    assert!(!cn.is_provisional(d(2026, 12, 31)));
    assert!(cn.depends_on_provisional(d(2026, 12, 20), d(2027, 1, 4)));
    assert!(!cn.depends_on_provisional(d(2026, 1, 20), d(2026, 12, 4)));
    assert_eq!(cn.official_until(), Some(d(2026, 12, 31)));
    assert_eq!(cn.day_kind(d(2027, 2, 9)).unwrap(), DayKind::Holiday);
    // A provisional year lists no adjusted working day.
    let text = cn_year_file(2027)
        .unwrap()
        .replace("work: []", "work:\n  - { date: 2027-02-20, name: 春节 }");
    let bad = vec![SourceText {
        name: "2027.yaml".into(),
        text,
    }];
    let found = Calendar::from_sources("cn".into(), &bad).unwrap_err();
    assert!(found[0]
        .message
        .contains("a provisional year has no adjusted working days"));
}
