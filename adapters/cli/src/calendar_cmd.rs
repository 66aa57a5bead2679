//! `greenlane calendar add|between|show|provisional`: lets policy staff check working-day
//! arithmetic, look at a year, and compute a provisional year from the holiday rules.

use std::process::ExitCode;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use greenlane_engine::calendar::{provisional, Calendar, DayKind, YearKind};
use greenlane_engine::ids::CalendarId;
use greenlane_fs::Project;

/// `greenlane calendar` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// The day a period of N working days starting on DATE ends (DATE itself not counted).
    Add {
        /// Calendar id (a folder under rules/calendars/).
        #[arg(long, default_value = "cn")]
        calendar: String,
        /// Start date, YYYY-MM-DD.
        #[arg(long)]
        date: NaiveDate,
        /// Number of working days.
        #[arg(long)]
        days: u32,
    },
    /// The number of working days in (FROM, TO].
    Between {
        /// Calendar id (a folder under rules/calendars/).
        #[arg(long, default_value = "cn")]
        calendar: String,
        /// First date, YYYY-MM-DD (not counted).
        #[arg(long)]
        from: NaiveDate,
        /// Last date, YYYY-MM-DD (counted).
        #[arg(long)]
        to: NaiveDate,
    },
    /// The days off and adjusted working days of one year, with its kind and source.
    Show {
        /// Calendar id (a folder under rules/calendars/).
        #[arg(long, default_value = "cn")]
        calendar: String,
        /// The year.
        #[arg(long)]
        year: i32,
    },
    /// Prints the provisional `cn` year file for YEAR, computed from the holiday rules
    /// (《全国年节及纪念日放假办法》) alone: save it as rules/calendars/cn/YEAR.yaml until the
    /// State Council's notice is out.
    Provisional {
        /// The year (2025–2100).
        #[arg(long)]
        year: i32,
    },
}

pub(crate) fn run(project: &Project, command: Command) -> anyhow::Result<ExitCode> {
    if let Command::Provisional { year } = command {
        print!("{}", provisional::cn_year_file(year)?);
        return Ok(ExitCode::SUCCESS);
    }
    let calendars = project.calendars()?;
    let lookup = |id: &str| {
        calendars.get(&CalendarId::new(id)).with_context(|| {
            let known: Vec<_> = calendars.keys().map(|k| k.to_string()).collect();
            format!(
                "no calendar `{id}` under rules/calendars/ (known: {})",
                known.join(", ")
            )
        })
    };
    match command {
        Command::Add {
            calendar,
            date,
            days,
        } => {
            let calendar = lookup(&calendar)?;
            let end = calendar.add_working_days(date, days)?;
            println!("{end}");
            provisional_note(calendar, date, end);
        }
        Command::Between { calendar, from, to } => {
            let calendar = lookup(&calendar)?;
            let days = calendar.working_days_between(from, to)?;
            println!("{days}");
            provisional_note(calendar, from, to);
        }
        Command::Show { calendar, year } => show(lookup(&calendar)?, year)?,
        Command::Provisional { .. } => unreachable!("answered above"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Says on standard error when an answer depends on a provisional year, so nobody takes it
/// for a firm date.
fn provisional_note(calendar: &Calendar, from: NaiveDate, to: NaiveDate) {
    if calendar.depends_on_provisional(from, to) {
        let years: Vec<String> = calendar
            .years()
            .iter()
            .filter(|(year, info)| {
                info.kind == YearKind::Provisional
                    && (from.min(to).year()..=from.max(to).year()).contains(year)
            })
            .map(|(year, _)| year.to_string())
            .collect();
        eprintln!(
            "暂定 provisional: counted on {} of calendar `{}`, computed from the holiday rules \
             before the State Council's notice; adjusted working days may still change it",
            years.join(", "),
            calendar.id()
        );
    }
}

/// Prints one year: its kind and source, then every listed day.
fn show(calendar: &Calendar, year: i32) -> anyhow::Result<()> {
    let info = calendar.years().get(&year).with_context(|| {
        let (first, last) = calendar.coverage();
        format!(
            "calendar `{}` has no year {year}; it covers {first} to {last}",
            calendar.id()
        )
    })?;
    let kind = match info.kind {
        YearKind::Official => "official 正式",
        YearKind::Provisional => "provisional 暂定",
    };
    println!("calendar {} {year}: {kind}", calendar.id());
    if let Some(source) = &info.source {
        println!("source 依据: {source}");
    }
    let first = NaiveDate::from_ymd_opt(year, 1, 1).context("year out of range")?;
    let mut working = 0;
    for day in first.iter_days().take_while(|d| d.year() == year) {
        let kind = calendar.day_kind(day)?;
        if kind.is_working() {
            working += 1;
        }
        let label = match kind {
            DayKind::Holiday => "放假 off",
            DayKind::AdjustedWorkday => "调休上班 work",
            DayKind::Workday | DayKind::Weekend => continue,
        };
        let name = calendar.holiday_name(day).unwrap_or_default();
        println!("{day} {:<3} {label:<14} {name}", weekday(day));
    }
    println!("working days 工作日: {working}");
    Ok(())
}

fn weekday(day: NaiveDate) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [day.weekday().num_days_from_monday() as usize]
}
