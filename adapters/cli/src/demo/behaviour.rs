//! How the simulated people behave, drawn from the seeded random generator: how fast an
//! officer decides a task (most early, some on the due day so warnings fire, some late so
//! yellow and red cards fire), what the decision is (approve; ask for supplements once;
//! start a special procedure; reject), how long applicants take to hand in materials, and
//! how they rate the service. Every probability is a named constant here.

use chrono::NaiveDate;
use greenlane_engine::case::{Rating, SpecialProcedure};
use rand::seq::IndexedRandom;
use rand::Rng;

use super::hours::Hours;

/// Share of commitment tasks decided before their due day (ordinary / green channel).
const EARLY: [f64; 2] = [0.80, 0.90];
/// Share decided on the due day itself: on time, but after the warning.
const ON_DUE_DAY: [f64; 2] = [0.13, 0.08];
/// Share decided a few working days late, before the statutory limit (yellow card).
const LATE: [f64; 2] = [0.055, 0.018];
// The rest is decided after the statutory limit (red card).

/// Share of instant items (即办件) not decided on the day they arrive.
const INSTANT_LATE: f64 = 0.01;
/// Chance that an officer asks for supplements (一次性告知) on a commitment task, once.
const SUPPLEMENT: f64 = 0.03;
/// Chance that an officer of an industrial project task starts a special procedure, once.
const SPECIAL_INDUSTRIAL: f64 = 0.035;
/// The same for enterprise registration (a hygiene test, a hearing), rarer.
const SPECIAL_OTHER: f64 = 0.01;
/// Chance that a special procedure overruns its granted days (counted against the office).
const SPECIAL_OVERRUN: f64 = 0.2;
/// Chance that an officer claims a task and leaves it, so the lease runs out.
const FORGET: f64 = 0.03;
/// Share of cases rejected at one of their commitment tasks.
pub(crate) const REJECT: f64 = 0.035;
/// Share of cases the applicant withdraws while they are open.
pub(crate) const WITHDRAW: f64 = 0.03;
/// Share of issued cases the applicant rates.
const RATE_ISSUED: f64 = 0.85;
/// Share of rejected cases the applicant rates.
const RATE_REJECTED: f64 = 0.4;
/// Chance that the coordinator issues the result on the day the case completes.
const ISSUE_SAME_DAY: f64 = 0.8;

/// How an officer paces one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pace {
    /// Before the due day.
    Early,
    /// On the due day.
    OnDueDay,
    /// After the committed limit, within the statutory one.
    Late,
    /// After the statutory limit.
    VeryLate,
}

/// The pace of a task with `committed_days`, in a case in the green channel or not.
pub(crate) fn pace(committed_days: u32, green: bool, rng: &mut impl Rng) -> Pace {
    if committed_days == 0 {
        return if rng.random_bool(INSTANT_LATE) {
            Pace::Late
        } else {
            Pace::OnDueDay
        };
    }
    let g = usize::from(green);
    let draw: f64 = rng.random();
    if draw < EARLY[g] {
        Pace::Early
    } else if draw < EARLY[g] + ON_DUE_DAY[g] {
        Pace::OnDueDay
    } else if draw < EARLY[g] + ON_DUE_DAY[g] + LATE[g] {
        Pace::Late
    } else {
        Pace::VeryLate
    }
}

/// The day an officer decides a task at `pace`, counted from `today` with the task's due
/// dates; never before `today`.
pub(crate) fn decision_day(
    hours: &Hours<'_>,
    pace: Pace,
    today: NaiveDate,
    committed_due: NaiveDate,
    statutory_due: NaiveDate,
    rng: &mut impl Rng,
) -> anyhow::Result<NaiveDate> {
    let day = match pace {
        Pace::Early => {
            let left = hours.between(today, committed_due)?;
            if left <= 0 {
                today
            } else {
                hours.add(today, rng.random_range(0..left) as u32)?
            }
        }
        Pace::OnDueDay => committed_due,
        Pace::Late => {
            // A yellow card only, where the statutory limit leaves room for it.
            let room = hours.between(committed_due, statutory_due)?.clamp(1, 3);
            hours.add(committed_due, rng.random_range(1..=room) as u32)?
        }
        Pace::VeryLate => hours.add(statutory_due, rng.random_range(1..=2))?,
    };
    Ok(day.max(today))
}

/// Whether the officer claims the task and then leaves it until the lease runs out.
pub(crate) fn forgets(rng: &mut impl Rng) -> bool {
    rng.random_bool(FORGET)
}

/// Whether the officer asks for supplements on this task.
pub(crate) fn asks_supplement(committed_days: u32, rng: &mut impl Rng) -> bool {
    committed_days > 0 && rng.random_bool(SUPPLEMENT)
}

/// The missing materials of a supplement request: one to three of the task's materials,
/// all listed at once (一次性告知).
pub(crate) fn missing_materials(materials: &[String], rng: &mut impl Rng) -> Vec<String> {
    if materials.is_empty() {
        return vec!["补充说明材料 / additional explanation".to_string()];
    }
    let count = rng.random_range(1..=materials.len().min(3));
    let mut picked: Vec<String> = materials.choose_multiple(rng, count).cloned().collect();
    picked.sort();
    picked
        .into_iter()
        .map(|m| format!("{m}（补正 / to complete）"))
        .collect()
}

/// Working days until the applicant hands in the missing materials.
pub(crate) fn supplement_days(rng: &mut impl Rng) -> u32 {
    *[1, 1, 2, 2, 3, 4, 6].choose(rng).unwrap_or(&2)
}

/// A special procedure to start on this task, with its granted days, if any.
pub(crate) fn special_procedure(
    industrial: bool,
    committed_days: u32,
    task: &str,
    rng: &mut impl Rng,
) -> Option<(SpecialProcedure, u32)> {
    let chance = if industrial {
        SPECIAL_INDUSTRIAL
    } else {
        SPECIAL_OTHER
    };
    if committed_days == 0 || !rng.random_bool(chance) {
        return None;
    }
    let procedure = if task.starts_with("eia") || task.starts_with("land") {
        *[
            SpecialProcedure::PublicNotice,
            SpecialProcedure::ExpertReview,
        ]
        .choose(rng)
        .unwrap_or(&SpecialProcedure::PublicNotice)
    } else if task.contains("hygiene") || task.contains("food") {
        SpecialProcedure::Testing
    } else {
        *[
            SpecialProcedure::ExpertReview,
            SpecialProcedure::Hearing,
            SpecialProcedure::Appraisal,
            SpecialProcedure::Testing,
        ]
        .choose(rng)
        .unwrap_or(&SpecialProcedure::ExpertReview)
    };
    let granted = match procedure {
        SpecialProcedure::PublicNotice => 5,
        SpecialProcedure::Hearing => 10,
        _ => *[5, 8, 10].choose(rng).unwrap_or(&5),
    };
    Some((procedure, granted))
}

/// Working days a special procedure with `granted` days actually takes.
pub(crate) fn special_days(granted: u32, rng: &mut impl Rng) -> u32 {
    if rng.random_bool(SPECIAL_OVERRUN) {
        granted + rng.random_range(1..=3)
    } else {
        rng.random_range(granted.saturating_sub(2).max(1)..=granted)
    }
}

/// Why a case is rejected.
pub(crate) fn rejection_reason(industrial: bool, rng: &mut impl Rng) -> String {
    let reasons: &[&str] = if industrial {
        &[
            "不符合国家产业政策 / against national industrial policy",
            "选址不符合国土空间规划 / the site conflicts with the spatial plan",
            "环境影响评价结论不可行 / the EIA concludes the project is not acceptable",
        ]
    } else {
        &[
            "经营场所不符合要求 / the premises do not meet the requirements",
            "申请材料存在虚假内容 / the application contains false statements",
            "经营范围涉及禁止类项目 / the business scope includes prohibited activities",
        ]
    };
    reasons
        .choose(rng)
        .copied()
        .unwrap_or(reasons[0])
        .to_string()
}

/// Why an applicant withdraws.
pub(crate) fn withdrawal_reason(rng: &mut impl Rng) -> String {
    [
        "申请人调整投资计划 / the applicant changed its investment plans",
        "申请人决定暂缓开业 / the applicant postponed opening",
        "申请人将另行申请 / the applicant will apply again later",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("申请人撤回 / withdrawn by the applicant")
    .to_string()
}

/// Working days after launch at which an applicant who withdraws does so.
pub(crate) fn withdrawal_day(rng: &mut impl Rng) -> u32 {
    rng.random_range(1..=8)
}

/// Working days after completion until the result is issued at one window.
pub(crate) fn issue_days(rng: &mut impl Rng) -> u32 {
    if rng.random_bool(ISSUE_SAME_DAY) {
        0
    } else {
        1
    }
}

/// The applicant's rating, if they rate: mostly satisfied, rejected applicants less so.
pub(crate) fn rating(issued: bool, rng: &mut impl Rng) -> Option<Rating> {
    let chance = if issued { RATE_ISSUED } else { RATE_REJECTED };
    if !rng.random_bool(chance) {
        return None;
    }
    let draw: f64 = rng.random();
    Some(if issued {
        match draw {
            d if d < 0.62 => Rating::Stars(5),
            d if d < 0.84 => Rating::Stars(4),
            d if d < 0.94 => Rating::Satisfied,
            d if d < 0.97 => Rating::Stars(3),
            d if d < 0.99 => Rating::Unsatisfied,
            _ => Rating::Stars(2),
        }
    } else {
        match draw {
            d if d < 0.3 => Rating::Stars(4),
            d if d < 0.6 => Rating::Stars(3),
            d if d < 0.85 => Rating::Stars(2),
            _ => Rating::Unsatisfied,
        }
    })
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn most_commitment_tasks_are_early_and_some_are_late() {
        let mut rng = StdRng::seed_from_u64(1);
        let paces: Vec<Pace> = (0..10_000).map(|_| pace(5, false, &mut rng)).collect();
        let share = |p: Pace| paces.iter().filter(|&&x| x == p).count() as f64 / 10_000.0;
        assert!((share(Pace::Early) - EARLY[0]).abs() < 0.02);
        assert!(share(Pace::Late) > 0.04);
        assert!(share(Pace::VeryLate) > 0.005);
        let instant: Vec<Pace> = (0..1000).map(|_| pace(0, false, &mut rng)).collect();
        assert!(instant
            .iter()
            .all(|p| matches!(p, Pace::OnDueDay | Pace::Late)));
    }

    #[test]
    fn decision_days_fall_where_the_pace_says() {
        let calendars = greenlane_engine::calendar::shipped::cn_calendars();
        let calendar = calendars.values().next().unwrap();
        let hours = Hours::new(calendar, "Asia/Shanghai").unwrap();
        let mut rng = StdRng::seed_from_u64(2);
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Ready Monday 2026-03-02, committed due Monday 03-09, statutory due 03-30.
        let (today, due, statutory) = (day(2026, 3, 2), day(2026, 3, 9), day(2026, 3, 30));
        for _ in 0..200 {
            let early = decision_day(&hours, Pace::Early, today, due, statutory, &mut rng);
            let early = early.unwrap();
            assert!(early >= today && early < due, "{early}");
            let late = decision_day(&hours, Pace::Late, today, due, statutory, &mut rng);
            let late = late.unwrap();
            assert!(late > due && late <= statutory, "{late}");
            let very = decision_day(&hours, Pace::VeryLate, today, due, statutory, &mut rng);
            assert!(very.unwrap() > statutory);
        }
        assert_eq!(
            decision_day(&hours, Pace::OnDueDay, today, due, statutory, &mut rng).unwrap(),
            due
        );
    }
}
