//! Every command in every state: one table of 13 states × 15 commands, each cell the exact
//! events (summarised) or the exact rejection variant. A rejection must leave the state
//! unchanged, which the harness asserts on every call.

use chrono::Duration;

use super::fixture::*;
use crate::case::{Command, Rating};
use crate::principal::Principal;

/// When every command of the table is decided: 2026-03-02 (Mon) 10:00 in Shanghai.
const NOW: &str = "2026-03-02 10:00";
/// The launch of every state but `new`.
const LAUNCHED: &str = "2026-03-02 09:00";

/// The 15 commands of the table and who sends them; every task command targets `a`
/// (market) and is sent by the market officer `m1`.
fn columns() -> Vec<(Principal, Command)> {
    let m1 = officer("m1", "market");
    vec![
        (coordinator(), launch(application())),
        (m1.clone(), claim("a", 8)),
        (m1.clone(), Command::Release { task: "a".into() }),
        (system(), Command::ExpireLease { task: "a".into() }),
        (m1.clone(), approve("a")),
        (
            m1.clone(),
            Command::Reject {
                task: "a".into(),
                reason: "经营范围不符 / business scope not allowed".into(),
            },
        ),
        (m1.clone(), request("a", &["营业执照副本 / licence copy"])),
        (
            supervisor(),
            Command::AllowSupplement {
                task: "a".into(),
                reason: "new regulation".into(),
            },
        ),
        (coordinator(), submit("a")),
        (m1.clone(), start_special("a", 5)),
        (m1, end_special("a")),
        (
            applicant(),
            Command::Withdraw {
                reason: "项目取消 / project cancelled".into(),
            },
        ),
        (coordinator(), Command::Issue),
        (applicant(), rate(Rating::Stars(5))),
        (system(), Command::CheckDeadlines),
    ]
}

/// The standard case with `a` claimed by `who` from 09:40 for `lease`.
fn claimed(who: &str, lease: Duration) -> Case {
    let mut case = Case::standard(LAUNCHED);
    let command = Command::Claim {
        task: "a".into(),
        lease,
    };
    case.ok(&officer(who, "market"), command, at("2026-03-02 09:40"));
    case
}

fn state_new() -> Case {
    Case::new(standard())
}

fn state_ready() -> Case {
    Case::standard(LAUNCHED)
}

fn state_mine() -> Case {
    claimed("m1", Duration::hours(8))
}

fn state_others() -> Case {
    claimed("m2", Duration::hours(8))
}

fn state_mine_expired() -> Case {
    claimed("m1", Duration::minutes(10))
}

fn state_others_expired() -> Case {
    claimed("m2", Duration::minutes(10))
}

fn state_supplement() -> Case {
    let mut case = state_mine();
    case.ok(
        &officer("m1", "market"),
        request("a", &["章程 / articles"]),
        at("2026-03-02 09:45"),
    );
    case
}

fn state_special() -> Case {
    let mut case = state_mine();
    case.ok(
        &officer("m1", "market"),
        start_special("a", 3),
        at("2026-03-02 09:45"),
    );
    case
}

fn state_approved() -> Case {
    let mut case = state_mine();
    case.ok(
        &officer("m1", "market"),
        approve("a"),
        at("2026-03-02 09:45"),
    );
    case
}

fn state_completed() -> Case {
    let mut case = state_approved();
    let f1 = officer("f1", "fire");
    case.ok(&f1, claim("b", 1), at("2026-03-02 09:46"));
    case.ok(&f1, approve("b"), at("2026-03-02 09:47"));
    let window = officer("window", "center");
    case.ok(&window, claim("issue", 1), at("2026-03-02 09:48"));
    let events = case.ok(&window, approve("issue"), at("2026-03-02 09:49"));
    assert_eq!(summary(&events), "approved:issue completed");
    case
}

fn state_issued() -> Case {
    let mut case = state_completed();
    case.ok(&coordinator(), Command::Issue, at("2026-03-02 09:55"));
    case
}

fn state_rejected() -> Case {
    let mut case = state_mine();
    let reject = Command::Reject {
        task: "a".into(),
        reason: "材料不实 / false statements".into(),
    };
    case.ok(&officer("m1", "market"), reject, at("2026-03-02 09:45"));
    case
}

fn state_withdrawn() -> Case {
    let mut case = state_ready();
    let withdraw = Command::Withdraw {
        reason: "改日再办 / another day".into(),
    };
    case.ok(&applicant(), withdraw, at("2026-03-02 09:45"));
    case
}

type Setup = fn() -> Case;

const WITHDRAW_OPEN: &str = "withdrawn:a withdrawn:b withdrawn:issue case_withdrawn";
const CLOSED: &str = "!CaseClosed";

/// Rows: the state, its setup, and per column of [`columns`]: the summarised events, or
/// `!Variant` for a rejection.
#[rustfmt::skip]
fn table() -> Vec<(&'static str, Setup, [&'static str; 15])> {
    vec![
        ("new", state_new, [
            "launched ready:intake", "!NotLaunched", "!NotLaunched", "!NotLaunched",
            "!NotLaunched", "!NotLaunched", "!NotLaunched", "!NotLaunched", "!NotLaunched",
            "!NotLaunched", "!NotLaunched", "!NotLaunched", "!NotLaunched", "!NotLaunched",
            "!NotLaunched",
        ]),
        ("ready", state_ready, [
            "!AlreadyLaunched", "claimed:a", "!TaskState", "!TaskState", "!TaskState",
            "!TaskState", "!TaskState", "!SupplementNotUsed", "!TaskState", "!TaskState",
            "!TaskState", WITHDRAW_OPEN, "!NotCompleted", CLOSED, "",
        ]),
        ("claimed by me", state_mine, [
            "!AlreadyLaunched", "claimed:a", "released:a", "!LeaseNotExpired", "approved:a",
            "rejected:a withdrawn:b withdrawn:issue case_rejected", "supplement_requested:a",
            "!SupplementNotUsed", "!TaskState", "special_started:a", "!TaskState",
            WITHDRAW_OPEN, "!NotCompleted", CLOSED, "",
        ]),
        ("claimed by other", state_others, [
            "!AlreadyLaunched", "!ClaimedByOther", "!ClaimedByOther", "!LeaseNotExpired",
            "!ClaimedByOther", "!ClaimedByOther", "!ClaimedByOther", "!SupplementNotUsed",
            "!TaskState", "!ClaimedByOther", "!TaskState", WITHDRAW_OPEN, "!NotCompleted",
            CLOSED, "",
        ]),
        ("claimed by me, lease expired", state_mine_expired, [
            "!AlreadyLaunched", "claimed:a", "!LeaseExpired", "lease_expired:a",
            "!LeaseExpired", "!LeaseExpired", "!LeaseExpired", "!SupplementNotUsed",
            "!TaskState", "!LeaseExpired", "!TaskState", WITHDRAW_OPEN, "!NotCompleted",
            CLOSED, "",
        ]),
        ("claimed by other, lease expired", state_others_expired, [
            "!AlreadyLaunched", "lease_expired:a claimed:a", "!TaskState", "lease_expired:a",
            "!TaskState", "!TaskState", "!TaskState", "!SupplementNotUsed", "!TaskState",
            "!TaskState", "!TaskState", WITHDRAW_OPEN, "!NotCompleted", CLOSED, "",
        ]),
        ("suspended for supplements", state_supplement, [
            "!AlreadyLaunched", "!TaskState", "!TaskState", "!TaskState", "!TaskState",
            "!TaskState", "!TaskState", "supplement_allowed:a", "supplement_submitted:a",
            "!TaskState", "!TaskState", WITHDRAW_OPEN, "!NotCompleted", CLOSED, "",
        ]),
        ("suspended for a special procedure", state_special, [
            "!AlreadyLaunched", "!TaskState", "!TaskState", "!TaskState", "!TaskState",
            "!TaskState", "!TaskState", "!SupplementNotUsed", "!TaskState", "!TaskState",
            "special_ended:a", WITHDRAW_OPEN, "!NotCompleted", CLOSED, "",
        ]),
        ("task approved", state_approved, [
            "!AlreadyLaunched", "!TaskState", "!TaskState", "!TaskState", "!TaskState",
            "!TaskState", "!TaskState", "!TaskState", "!TaskState", "!TaskState",
            "!TaskState", "withdrawn:b withdrawn:issue case_withdrawn", "!NotCompleted",
            CLOSED, "",
        ]),
        ("completed", state_completed, [
            "!AlreadyLaunched", CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED,
            CLOSED, CLOSED, "case_withdrawn", "issued", "rated", "",
        ]),
        ("issued", state_issued, [
            "!AlreadyLaunched", CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED,
            CLOSED, CLOSED, CLOSED, CLOSED, "rated", "",
        ]),
        ("rejected", state_rejected, [
            "!AlreadyLaunched", CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED,
            CLOSED, CLOSED, CLOSED, CLOSED, "rated", "",
        ]),
        ("withdrawn", state_withdrawn, [
            "!AlreadyLaunched", CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED,
            CLOSED, CLOSED, CLOSED, CLOSED, "rated", "",
        ]),
    ]
}

#[test]
fn every_command_in_every_state() {
    let now = at(NOW);
    let mut mismatches = Vec::new();
    let mut cells = 0;
    for (state, setup, expected) in table() {
        for ((by, command), expected) in columns().into_iter().zip(expected) {
            cells += 1;
            let mut case = setup();
            let name = command.name();
            let actual = match case.run(&by, command, now) {
                Ok(events) => summary(&events),
                Err(rejection) => format!("!{}", variant(&rejection)),
            };
            if actual != expected {
                mismatches.push(format!(
                    "{state} / {name}: expected `{expected}`, got `{actual}`"
                ));
            }
        }
    }
    assert_eq!(cells, 13 * 15);
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

/// Accepted commands fold into the state they describe.
#[test]
fn accepted_commands_change_the_state_they_describe() {
    use crate::case::{CaseStatus, TaskStatus};
    let now = at(NOW);
    let m1 = officer("m1", "market");

    let mut case = state_ready();
    case.ok(&m1, claim("a", 2), now);
    assert_eq!(
        case.state().task("a").unwrap().status,
        TaskStatus::Claimed {
            officer: m1.id.clone(),
            lease_until: now + Duration::hours(2)
        }
    );

    let mut case = state_others_expired();
    case.ok(&m1, claim("a", 2), now);
    assert!(matches!(
        &case.state().task("a").unwrap().status,
        TaskStatus::Claimed { officer, .. } if officer == &m1.id
    ));

    let mut case = state_mine();
    case.ok(&m1, approve("a"), now);
    let a = case.state().task("a").unwrap();
    assert_eq!(
        a.status,
        TaskStatus::Approved {
            at: now,
            by: m1.id.clone()
        }
    );
    assert_eq!(a.finished_at, Some(now));
    assert_eq!(case.state().status, CaseStatus::Open);

    let mut case = state_mine();
    let reason = "材料不实 / false statements";
    case.ok(
        &m1,
        Command::Reject {
            task: "a".into(),
            reason: format!("  {reason} "),
        },
        now,
    );
    assert_eq!(
        case.state().status,
        CaseStatus::Rejected {
            at: now,
            task: "a".into(),
            reason: reason.into()
        }
    );
    // The other departments see why their tasks were withdrawn.
    for other in ["b", "issue"] {
        assert_eq!(
            case.state().task(other).unwrap().status,
            TaskStatus::Withdrawn {
                reason: format!("task `a` was rejected: {reason}")
            }
        );
    }
    assert!(matches!(
        case.state().task("intake").unwrap().status,
        TaskStatus::Approved { .. }
    ));

    let mut case = state_completed();
    case.ok(&coordinator(), Command::Issue, now);
    assert_eq!(case.state().status, CaseStatus::Issued { at: now });
    case.ok(&applicant(), rate(Rating::Satisfied), now);
    assert_eq!(case.state().rating, Some(Rating::Satisfied));
}
