//! Calendar year files: their YAML schema, parsing and validation.
//!
//! A calendar is read from one YAML file per year (`rules/calendars/<id>/<year>.yaml`), each
//! listing the days off (`off`, 放假) and the adjusted working days (`work`, 调休上班) of one
//! State Council notice. Input is handled in two stages: serde_yaml parses each text into raw
//! structs, then [`read`] checks all files together and reports *every* problem as a
//! [`Diagnostic`], so policy staff fix the data in one round.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::locate::{self, LineColumn};
use crate::ids::CalendarId;
use crate::source::{Diagnostic, SourceText};

/// The oldest year a calendar file may describe; an older one is taken as a typing error.
const MIN_YEAR: i32 = 1900;
/// The newest year a calendar file may describe; a newer one is taken as a typing error.
const MAX_YEAR: i32 = 9999;

/// One year file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    /// The year of the notice.
    year: i32,
    /// `official` (from the State Council's notice; the default) or `provisional` (what the
    /// law alone fixes before the notice is out).
    #[serde(default)]
    kind: YearKind,
    /// Where the data comes from: the notice's URL for an official year.
    #[serde(default)]
    source: Option<String>,
    /// The legal basis of a provisional year.
    #[serde(default)]
    basis: Option<String>,
    /// Days off; an empty `off:` is allowed and means none.
    #[serde(default)]
    off: Option<Vec<RawDay>>,
    /// Adjusted working days; an empty `work:` is allowed and means none.
    #[serde(default)]
    work: Option<Vec<RawDay>>,
}

/// One entry of `off` or `work` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    /// The date, `YYYY-MM-DD`; kept as text so that a malformed date is reported with the
    /// others instead of stopping the parse.
    date: String,
    /// The holiday the day belongs to, e.g. `春节`.
    name: String,
}

/// Where a year's days come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearKind {
    /// From the State Council's notice for the year (国务院办公厅关于部分节假日安排的通知).
    #[default]
    Official,
    /// What the law alone fixes before the notice is out (《全国年节及纪念日放假办法》): the
    /// holidays and their make-up days, no adjusted working days. Dates that depend on such
    /// a year are marked provisional wherever they are shown.
    Provisional,
}

impl YearKind {
    /// The name used in files and views.
    pub fn as_str(self) -> &'static str {
        match self {
            YearKind::Official => "official",
            YearKind::Provisional => "provisional",
        }
    }
}

/// What a calendar knows about one covered year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearInfo {
    /// Official or provisional.
    pub kind: YearKind,
    /// The notice's URL, or another statement of where the data comes from.
    pub source: Option<String>,
}

/// The list a date is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Section {
    /// `off`: a statutory holiday or a rest day joined to one.
    Off,
    /// `work`: a Saturday or Sunday worked in exchange.
    Work,
}

impl Section {
    /// The YAML key of the list.
    fn key(self) -> &'static str {
        match self {
            Section::Off => "off",
            Section::Work => "work",
        }
    }
}

/// A date the data lists, with the list it is in and its holiday's name.
#[derive(Debug, Clone)]
pub(super) struct Listed {
    /// `off` or `work`.
    pub(super) section: Section,
    /// The holiday's name, e.g. `国庆节`.
    pub(super) name: Box<str>,
}

/// The validated content of all year files of one calendar.
#[derive(Debug)]
pub(super) struct Listing {
    /// The first covered day, 1 January of the first year.
    pub(super) first: NaiveDate,
    /// The last covered day, 31 December of the last year.
    pub(super) last: NaiveDate,
    /// Every listed date.
    pub(super) days: BTreeMap<NaiveDate, Listed>,
    /// Every covered year.
    pub(super) years: BTreeMap<i32, YearInfo>,
}

/// A place in one of the source files: its index in the input and a line and column.
#[derive(Debug, Clone, Copy)]
struct Place {
    file: usize,
    line: usize,
    column: usize,
}

/// One entry that passed the per-file checks.
struct Entry {
    date: NaiveDate,
    section: Section,
    name: String,
    place: Place,
}

/// One file that parsed.
struct Parsed {
    year: i32,
    info: YearInfo,
    /// 1 January and 31 December of `year`.
    span: (NaiveDate, NaiveDate),
    year_place: Place,
    entries: Vec<Entry>,
}

/// Collects diagnostics with their file index, so they can be ordered by file and line.
struct Report<'a> {
    sources: &'a [SourceText],
    found: Vec<(usize, Diagnostic)>,
}

impl<'a> Report<'a> {
    fn push(&mut self, place: Place, message: String) {
        let name = self.sources[place.file].name.clone();
        self.found.push((
            place.file,
            Diagnostic::new(name, place.line, place.column, message),
        ));
    }

    fn describe(&self, place: Place) -> String {
        format!(
            "{}:{}:{}",
            self.sources[place.file].name, place.line, place.column
        )
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        self.found
            .sort_by_key(|(file, d)| (*file, d.line, d.column));
        self.found.into_iter().map(|(_, d)| d).collect()
    }
}

/// Parses and validates the year files of calendar `id`, read together.
///
/// Checks, each reported where it occurs: YAML syntax and unknown or missing fields; a year
/// outside 1900–9999 or different from the year in the file's name; a malformed date or an
/// empty name; a `work` date that is not a Saturday or Sunday; a date listed twice (in one
/// list or in both); two files for the same year; a year missing between two others
/// (coverage must be contiguous); and a date outside the coverage.
pub(super) fn read(id: &CalendarId, sources: &[SourceText]) -> Result<Listing, Vec<Diagnostic>> {
    if sources.is_empty() {
        return Err(vec![Diagnostic::new(
            format!("calendar `{id}`"),
            1,
            1,
            format!("calendar `{id}` has no year files; add at least one, e.g. `2026.yaml`"),
        )]);
    }
    let mut report = Report {
        sources,
        found: Vec::new(),
    };
    let mut parsed = Vec::new();
    let mut all_parsed = true;
    for (file, source) in sources.iter().enumerate() {
        match parse_file(file, source, &mut report) {
            Some(p) => parsed.push(p),
            None => all_parsed = false,
        }
    }
    check_duplicate_dates(&parsed, &mut report);
    check_weekend_only_holidays(&parsed, &mut report);
    // A file that did not parse has an unknown year, so the coverage checks would only add
    // noise (a "missing" year that is in fact the broken file); they wait for the next round.
    let coverage = check_years(&parsed, all_parsed, &mut report);
    if all_parsed {
        if let Some((first, last)) = coverage {
            check_coverage(id, &parsed, first, last, &mut report);
        }
    }
    let diagnostics = report.finish();
    match coverage {
        Some((first, last)) if diagnostics.is_empty() => {
            let years = parsed.iter().map(|p| (p.year, p.info.clone())).collect();
            let days = parsed
                .into_iter()
                .flat_map(|p| p.entries)
                .map(|e| {
                    let listed = Listed {
                        section: e.section,
                        name: e.name.into_boxed_str(),
                    };
                    (e.date, listed)
                })
                .collect();
            Ok(Listing {
                first,
                last,
                days,
                years,
            })
        }
        _ => Err(diagnostics),
    }
}

/// Parses one file and runs the checks that need only that file. Returns `None` when the
/// YAML does not parse or its year is unusable.
fn parse_file(file: usize, source: &SourceText, report: &mut Report<'_>) -> Option<Parsed> {
    let text = source.text.as_str();
    let raw: RawYear = match serde_yaml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let (line, column) = e
                .location()
                .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
            report.push(Place { file, line, column }, yaml_message(&e));
            return None;
        }
    };
    let at = |(line, column): LineColumn| Place { file, line, column };
    let year_place = at(locate::top_level_value(text, "year").unwrap_or((1, 1)));
    let span =
        NaiveDate::from_ymd_opt(raw.year, 1, 1).zip(NaiveDate::from_ymd_opt(raw.year, 12, 31));
    let span = span.filter(|_| (MIN_YEAR..=MAX_YEAR).contains(&raw.year));
    if span.is_none() {
        report.push(
            year_place,
            format!(
                "year {} is out of the supported range {MIN_YEAR}–{MAX_YEAR}",
                raw.year
            ),
        );
    } else if let Some(named) = year_in_file_name(&source.name) {
        if named != raw.year {
            report.push(
                year_place,
                format!(
                    "year {} does not match the file name, which says {named}",
                    raw.year
                ),
            );
        }
    }

    let mut entries = Vec::new();
    let mut occurrences: HashMap<(Section, &str), usize> = HashMap::new();
    let lists = [
        (Section::Off, raw.off.as_deref().unwrap_or_default()),
        (Section::Work, raw.work.as_deref().unwrap_or_default()),
    ];
    for (section, days) in lists {
        for day in days {
            let seen = occurrences.entry((section, day.date.as_str())).or_default();
            let place =
                at(locate::entry_date(text, section.key(), &day.date, *seen).unwrap_or((1, 1)));
            *seen += 1;
            if let Some(entry) = check_entry(section, day, place, report) {
                if entry.date.year() != raw.year {
                    report.push(
                        place,
                        format!(
                            "{} lies outside the year of this file ({}); list each date in the \
                             file of its own year",
                            entry.date, raw.year
                        ),
                    );
                    continue;
                }
                if section == Section::Work && raw.kind == YearKind::Provisional {
                    report.push(
                        place,
                        format!(
                            "{} in `work`: a provisional year has no adjusted working days \
                             (调休上班), since only the State Council's notice sets them; \
                             publish the year as `kind: official` with the notice's `source`",
                            entry.date
                        ),
                    );
                    continue;
                }
                entries.push(entry);
            }
        }
    }
    let info = YearInfo {
        kind: raw.kind,
        source: raw
            .source
            .or(raw.basis)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
    };
    Some(Parsed {
        year: raw.year,
        info,
        span: span?,
        year_place,
        entries,
    })
}

/// Checks one entry on its own: date format, name, and that `work` holds only weekend days.
fn check_entry(
    section: Section,
    day: &RawDay,
    place: Place,
    report: &mut Report<'_>,
) -> Option<Entry> {
    let key = section.key();
    let Some(date) = parse_date(&day.date) else {
        report.push(
            place,
            format!(
                "`{}` in `{key}` is not a valid date; write dates as YYYY-MM-DD, e.g. 2026-10-01",
                day.date
            ),
        );
        return None;
    };
    let mut ok = true;
    if day.name.trim().is_empty() {
        report.push(
            place,
            format!("{date} in `{key}` has an empty name; give the holiday's name, e.g. 春节"),
        );
        ok = false;
    }
    if section == Section::Work && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        report.push(
            place,
            format!(
                "{date} in `work` is a {}, already a working day; `work` lists only \
                 Saturdays and Sundays worked in exchange (调休上班)",
                weekday_name(date.weekday())
            ),
        );
        ok = false;
    }
    ok.then(|| Entry {
        date,
        section,
        name: day.name.trim().to_owned(),
        place,
    })
}

/// Reports every date listed more than once, in any list of any file.
fn check_duplicate_dates(parsed: &[Parsed], report: &mut Report<'_>) {
    let mut first_seen: HashMap<NaiveDate, (Section, Place)> = HashMap::new();
    for entry in parsed.iter().flat_map(|p| &p.entries) {
        match first_seen.get(&entry.date) {
            None => {
                first_seen.insert(entry.date, (entry.section, entry.place));
            }
            Some(&(section, place)) => {
                let message = if section == entry.section {
                    format!(
                        "{} is listed twice in `{}`; it is already at {}",
                        entry.date,
                        section.key(),
                        report.describe(place)
                    )
                } else {
                    format!(
                        "{} is listed both in `{}` (at {}) and in `{}`; a day is either off or \
                         worked",
                        entry.date,
                        section.key(),
                        report.describe(place),
                        entry.section.key()
                    )
                };
                report.push(entry.place, message);
            }
        }
    }
}

/// Reports every Saturday or Sunday listed in `off` that no weekday off joins: a weekend
/// day is a rest day already, so listing it alone is a typing error. A weekend day belongs
/// in `off` only inside a holiday that also takes a weekday off, reached through days that
/// are off or ordinary weekend days (元旦 on a Saturday made up on the Monday is fine).
fn check_weekend_only_holidays(parsed: &[Parsed], report: &mut Report<'_>) {
    let off: BTreeMap<NaiveDate, &Entry> = parsed
        .iter()
        .flat_map(|p| &p.entries)
        .filter(|e| e.section == Section::Off)
        .map(|e| (e.date, e))
        .collect();
    let rests = |day: NaiveDate| off.contains_key(&day) || is_weekend_day(day);
    let joined_to_weekday = |start: NaiveDate| {
        let mut steps = [NaiveDate::pred_opt, NaiveDate::succ_opt].into_iter();
        steps.any(|step| {
            let mut day = start;
            while let Some(next) = step(&day).filter(|d| rests(*d)) {
                if off.contains_key(&next) && !is_weekend_day(next) {
                    return true;
                }
                day = next;
            }
            false
        })
    };
    for (date, entry) in &off {
        if is_weekend_day(*date) && !joined_to_weekday(*date) {
            report.push(
                entry.place,
                format!(
                    "{date} in `off` is a {}, already a rest day, and no weekday of the holiday \
                     is off beside it; list a weekend day under `off` only inside a holiday that \
                     also takes a weekday off",
                    weekday_name(date.weekday())
                ),
            );
        }
    }
}

/// Whether `date` is a Saturday or Sunday.
fn is_weekend_day(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Reports duplicate years, and missing years when `check_gaps` is set, and returns the
/// covered days, first and last, if any file parsed.
fn check_years(
    parsed: &[Parsed],
    check_gaps: bool,
    report: &mut Report<'_>,
) -> Option<(NaiveDate, NaiveDate)> {
    let mut by_year: BTreeMap<i32, &Parsed> = BTreeMap::new();
    for p in parsed {
        if let Some(other) = by_year.get(&p.year) {
            let message = format!(
                "year {} is already described by {}",
                p.year,
                report.describe(other.year_place)
            );
            report.push(p.year_place, message);
        } else {
            by_year.insert(p.year, p);
        }
    }
    let years: Vec<_> = by_year.values().collect();
    for pair in years.windows(2).filter(|_| check_gaps) {
        let (before, after) = (pair[0].year, pair[1].year);
        if after > before + 1 {
            let missing = if after == before + 2 {
                format!("{}", before + 1)
            } else {
                format!("{}–{}", before + 1, after - 1)
            };
            report.push(
                pair[1].year_place,
                format!(
                    "no file for {missing}: the years of a calendar must be contiguous, \
                     and this one jumps from {before} to {after}"
                ),
            );
        }
    }
    let first = by_year.values().next()?.span.0;
    let last = by_year.values().next_back()?.span.1;
    Some((first, last))
}

/// Reports every entry whose date lies outside the calendar's coverage.
fn check_coverage(
    id: &CalendarId,
    parsed: &[Parsed],
    first: NaiveDate,
    last: NaiveDate,
    report: &mut Report<'_>,
) {
    for entry in parsed.iter().flat_map(|p| &p.entries) {
        if entry.date < first || entry.date > last {
            report.push(
                entry.place,
                format!(
                    "{} lies outside calendar `{id}`, which covers {first} to {last}; add the \
                     file for {} or correct the date",
                    entry.date,
                    entry.date.year()
                ),
            );
        }
    }
}

/// Parses a date written strictly as `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().ok();
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

/// The year a file's name gives, when its stem is a four-digit number (`2026.yaml`).
fn year_in_file_name(name: &str) -> Option<i32> {
    let stem = Path::new(name).file_stem()?.to_str()?;
    if stem.len() == 4 && stem.bytes().all(|b| b.is_ascii_digit()) {
        stem.parse().ok()
    } else {
        None
    }
}

/// serde_yaml's message without the ` at line L column C` it appends, since the diagnostic
/// already carries the position.
fn yaml_message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}

/// The English name of a weekday, for messages.
fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
