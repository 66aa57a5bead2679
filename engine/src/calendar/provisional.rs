//! Provisional years of the `cn` calendar: what the law alone fixes before the State
//! Council's notice for the year is out.
//!
//! 《全国年节及纪念日放假办法》 as revised in 2024 (in force from 1 January 2025), article 2,
//! gives every citizen these holidays: 元旦 1 day (1 January); 春节 4 days (农历除夕 to 正月初三);
//! 清明节 1 day (the day of the 清明 solar term); 劳动节 2 days (1 and 2 May); 端午节 1 day
//! (农历五月初五); 中秋节 1 day (农历八月十五); 国庆节 3 days (1 to 3 October). Article 6: a
//! holiday for all citizens that falls on a Saturday or Sunday is made up on a working day
//! (补假); a provisional year puts the make-up day on the first working day after the
//! holiday, and treats a holiday day that falls on another holiday the same way. The notice
//! may add rest days and adjusted working days (调休上班) around these; only it can, so a
//! provisional year has none, and every date that depends on it is marked provisional.
//!
//! The lunar dates come from the table below: for each year, the Gregorian dates of 正月初一,
//! 五月初五 and 八月十五 and the April day of 清明, as the Chinese calendar standard (GB/T
//! 33661-2017 《农历的编算和颁行》) computes them in Beijing time. The table was computed
//! with an astronomical implementation of that standard; the tests check it against the
//! official notices shipped in `rules/calendars/cn/`, and `scripts/test.sh` checks every
//! year against an independent lunar-calendar implementation.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The first and last year a provisional year can be computed for: the revised rules are
/// in force from 2025, and the table ends in 2100.
pub const YEARS: std::ops::RangeInclusive<i32> = 2025..=2100;

/// Why no provisional year can be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The year lies outside [`YEARS`].
    #[error(
        "no provisional year for {0}: provisional years follow the holiday rules in force from \
         2025 and the lunar table ends in 2100 ({first}–{last})",
        first = YEARS.start(),
        last = YEARS.end()
    )]
    OutOfRange(i32),
}

/// One day off of a provisional year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOff {
    /// The date.
    pub date: NaiveDate,
    /// The holiday it belongs to (`春节`).
    pub name: &'static str,
    /// Whether it is a make-up day (补假) for a holiday day that fell on a rest day.
    pub make_up: bool,
}

/// The days off of `year` as the law alone fixes them, in date order.
pub fn cn_days_off(year: i32) -> Result<Vec<DayOff>, Error> {
    let (spring, dragon_boat, mid_autumn, qingming) = lunar_dates(year)?;
    let date = |month: u32, day: u32| {
        NaiveDate::from_ymd_opt(year, month, day).expect("the table holds valid dates")
    };
    let eve = spring - Duration::days(1);
    let holidays: [(&'static str, Vec<NaiveDate>); 7] = [
        ("元旦", vec![date(1, 1)]),
        (
            "春节",
            (0..4).map(|i| eve + Duration::days(i)).collect::<Vec<_>>(),
        ),
        ("清明节", vec![qingming]),
        ("劳动节", vec![date(5, 1), date(5, 2)]),
        ("端午节", vec![dragon_boat]),
        ("中秋节", vec![mid_autumn]),
        ("国庆节", vec![date(10, 1), date(10, 2), date(10, 3)]),
    ];
    let mut off: Vec<DayOff> = Vec::new();
    let is_off = |off: &[DayOff], day: NaiveDate| off.iter().any(|d| d.date == day);
    // Every holiday day first, so a make-up day never lands on a later holiday.
    let mut order: Vec<&(&'static str, Vec<NaiveDate>)> = holidays.iter().collect();
    order.sort_by_key(|(_, days)| days[0]);
    let mut owed: Vec<(&'static str, NaiveDate, usize)> = Vec::new();
    for (name, days) in &order {
        let mut missed = 0;
        for &day in days {
            if is_weekend(day) || is_off(&off, day) {
                missed += 1;
            }
            if !is_off(&off, day) {
                off.push(DayOff {
                    date: day,
                    name,
                    make_up: false,
                });
            }
        }
        if missed > 0 {
            owed.push((name, *days.last().expect("a holiday has days"), missed));
        }
    }
    for (name, last, missed) in owed {
        let mut day = last;
        for _ in 0..missed {
            day = day.succ_opt().expect("a make-up day exists");
            while is_weekend(day) || is_off(&off, day) {
                day = day.succ_opt().expect("a make-up day exists");
            }
            off.push(DayOff {
                date: day,
                name,
                make_up: true,
            });
        }
    }
    off.sort_by_key(|d| d.date);
    Ok(off)
}

/// The year file of the provisional `cn` year `year`, as `greenlane calendar provisional`
/// prints it and `rules/calendars/cn/` ships it.
pub fn cn_year_file(year: i32) -> Result<String, Error> {
    let days = cn_days_off(year)?;
    let mut text = format!(
        "# 中国法定节假日（暂定）/ Chinese public holidays, {year}: PROVISIONAL\n\
         # 依据《全国年节及纪念日放假办法》（2024年修订）第二条、第六条计算，未含国务院办公厅通知的调休安排。\n\
         # Computed by greenlane from the holiday rules alone (articles 2 and 6): the holidays and\n\
         # their make-up days (补假), no adjusted working days. Replace it with the official year\n\
         # (kind: official, source: the notice's URL) as soon as the State Council's notice is out;\n\
         # publishing it re-dates the open cases whose dates change.\n\
         # Regenerate: greenlane calendar provisional --year {year}\n\
         year: {year}\n\
         kind: provisional\n\
         basis: 《全国年节及纪念日放假办法》（2024年修订）第二条、第六条\n\
         off:    # 放假\n"
    );
    for day in &days {
        let note = if day.make_up {
            "   # 补假 make-up day"
        } else {
            ""
        };
        text.push_str(&format!(
            "  - {{ date: {}, name: {} }}{note}\n",
            day.date, day.name
        ));
    }
    text.push_str("work: []   # 调休上班: only the notice sets them\n");
    Ok(text)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// 正月初一, 五月初五, 八月十五 and 清明 of `year`.
fn lunar_dates(year: i32) -> Result<(NaiveDate, NaiveDate, NaiveDate, NaiveDate), Error> {
    let &(_, spring, dragon_boat, mid_autumn, qingming) = LUNAR
        .iter()
        .find(|row| row.0 == year)
        .ok_or(Error::OutOfRange(year))?;
    let date = |(month, day): (u32, u32)| {
        NaiveDate::from_ymd_opt(year, month, day).expect("the table holds valid dates")
    };
    Ok((
        date(spring),
        date(dragon_boat),
        date(mid_autumn),
        date((4, qingming)),
    ))
}

/// Year; (month, day) of 正月初一, 五月初五 and 八月十五; the April day of 清明.
type LunarRow = (i32, (u32, u32), (u32, u32), (u32, u32), u32);

#[rustfmt::skip]
const LUNAR: &[LunarRow] = &[
    (2025, (1, 29), (5, 31), (10, 6), 4),
    (2026, (2, 17), (6, 19), (9, 25), 5),
    (2027, (2, 6), (6, 9), (9, 15), 5),
    (2028, (1, 26), (5, 28), (10, 3), 4),
    (2029, (2, 13), (6, 16), (9, 22), 4),
    (2030, (2, 3), (6, 5), (9, 12), 5),
    (2031, (1, 23), (6, 24), (10, 1), 5),
    (2032, (2, 11), (6, 12), (9, 19), 4),
    (2033, (1, 31), (6, 1), (9, 8), 4),
    (2034, (2, 19), (6, 20), (9, 27), 5),
    (2035, (2, 8), (6, 10), (9, 16), 5),
    (2036, (1, 28), (5, 30), (10, 4), 4),
    (2037, (2, 15), (6, 18), (9, 24), 4),
    (2038, (2, 4), (6, 7), (9, 13), 5),
    (2039, (1, 24), (5, 27), (10, 2), 5),
    (2040, (2, 12), (6, 14), (9, 20), 4),
    (2041, (2, 1), (6, 3), (9, 10), 4),
    (2042, (1, 22), (6, 22), (9, 28), 4),
    (2043, (2, 10), (6, 11), (9, 17), 5),
    (2044, (1, 30), (5, 31), (10, 5), 4),
    (2045, (2, 17), (6, 19), (9, 25), 4),
    (2046, (2, 6), (6, 8), (9, 15), 4),
    (2047, (1, 26), (5, 29), (10, 4), 5),
    (2048, (2, 14), (6, 15), (9, 22), 4),
    (2049, (2, 2), (6, 4), (9, 11), 4),
    (2050, (1, 23), (6, 23), (9, 30), 4),
    (2051, (2, 11), (6, 13), (9, 19), 5),
    (2052, (2, 1), (6, 1), (9, 7), 4),
    (2053, (2, 19), (6, 20), (9, 26), 4),
    (2054, (2, 8), (6, 10), (9, 16), 4),
    (2055, (1, 28), (5, 30), (10, 5), 5),
    (2056, (2, 15), (6, 17), (9, 24), 4),
    (2057, (2, 4), (6, 6), (9, 13), 4),
    (2058, (1, 24), (6, 25), (10, 2), 4),
    (2059, (2, 12), (6, 14), (9, 21), 5),
    (2060, (2, 2), (6, 3), (9, 9), 4),
    (2061, (1, 21), (6, 22), (9, 28), 4),
    (2062, (2, 9), (6, 11), (9, 17), 4),
    (2063, (1, 29), (6, 1), (10, 6), 5),
    (2064, (2, 17), (6, 19), (9, 25), 4),
    (2065, (2, 5), (6, 8), (9, 15), 4),
    (2066, (1, 26), (5, 28), (10, 3), 4),
    (2067, (2, 14), (6, 16), (9, 23), 5),
    (2068, (2, 3), (6, 4), (9, 11), 4),
    (2069, (1, 23), (6, 23), (9, 29), 4),
    (2070, (2, 11), (6, 13), (9, 19), 4),
    (2071, (1, 31), (6, 2), (9, 8), 5),
    (2072, (2, 19), (6, 20), (9, 26), 4),
    (2073, (2, 7), (6, 10), (9, 16), 4),
    (2074, (1, 27), (5, 30), (10, 5), 4),
    (2075, (2, 15), (6, 17), (9, 24), 4),
    (2076, (2, 5), (6, 6), (9, 12), 4),
    (2077, (1, 24), (6, 24), (10, 1), 4),
    (2078, (2, 12), (6, 14), (9, 20), 4),
    (2079, (2, 2), (6, 4), (9, 10), 4),
    (2080, (1, 22), (6, 22), (9, 28), 4),
    (2081, (2, 9), (6, 11), (9, 17), 4),
    (2082, (1, 29), (6, 1), (10, 6), 4),
    (2083, (2, 17), (6, 19), (9, 26), 4),
    (2084, (2, 6), (6, 7), (9, 14), 4),
    (2085, (1, 26), (5, 27), (10, 3), 4),
    (2086, (2, 14), (6, 15), (9, 22), 4),
    (2087, (2, 3), (6, 5), (9, 11), 4),
    (2088, (1, 24), (6, 23), (9, 29), 4),
    (2089, (2, 10), (6, 13), (9, 18), 4),
    (2090, (1, 30), (6, 2), (9, 8), 4),
    (2091, (2, 18), (6, 21), (9, 27), 4),
    (2092, (2, 7), (6, 9), (9, 16), 4),
    (2093, (1, 27), (5, 29), (10, 5), 4),
    (2094, (2, 15), (6, 17), (9, 24), 4),
    (2095, (2, 5), (6, 6), (9, 13), 4),
    (2096, (1, 25), (6, 24), (9, 30), 4),
    (2097, (2, 12), (6, 14), (9, 20), 4),
    (2098, (2, 1), (6, 4), (9, 9), 4),
    (2099, (1, 21), (6, 23), (9, 29), 4),
    (2100, (2, 9), (6, 12), (9, 18), 5),
];

#[cfg(test)]
mod tests;
