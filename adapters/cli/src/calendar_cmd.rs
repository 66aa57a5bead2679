//! `greenlane calendar add|between`: lets policy staff check working-day arithmetic.

use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
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
}

pub(crate) fn run(project: &Project, command: Command) -> anyhow::Result<ExitCode> {
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
            let end = lookup(&calendar)?.add_working_days(date, days)?;
            println!("{end}");
        }
        Command::Between { calendar, from, to } => {
            let days = lookup(&calendar)?.working_days_between(from, to)?;
            println!("{days}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
