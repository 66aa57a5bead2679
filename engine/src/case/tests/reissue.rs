//! `ReissueAccessCode`: the coordinator gives the applicant a new code (its hash passed in),
//! the case then holds the new hash; refused to others, with an empty hash, and once rated.

use super::fixture::*;
use crate::case::command::Command;
use crate::case::event::{Event, Rating};
use crate::case::rejection::Rejection;

fn reissue(hash: &str) -> Command {
    Command::ReissueAccessCode {
        access_code_hash: hash.to_string(),
    }
}

#[test]
fn the_coordinator_reissues_and_the_case_holds_the_new_hash_until_rated() {
    let mut case = Case::standard("2026-03-02 09:00");
    let now = at("2026-03-02 11:00");
    assert_eq!(
        case.ok(&coordinator(), reissue("new-hash"), now),
        vec![Event::AccessCodeReissued {
            access_code_hash: "new-hash".into()
        }]
    );
    assert_eq!(case.state().access_code_hash, "new-hash");
    assert!(matches!(
        case.err(&officer("o", "dept-1"), reissue("other"), now),
        Rejection::Forbidden { .. }
    ));
    assert!(matches!(
        case.err(&applicant(), reissue("other"), now),
        Rejection::Forbidden { .. }
    ));
    assert_eq!(
        case.err(&coordinator(), reissue("  "), now),
        Rejection::Empty("access_code_hash")
    );
    assert_eq!(case.state().access_code_hash, "new-hash");
}

#[test]
fn a_rated_case_gets_no_new_code() {
    let mut case = Case::standard("2026-03-02 09:00");
    let now = at("2026-03-02 11:00");
    case.ok(
        &coordinator(),
        Command::Withdraw {
            reason: "撤回".into(),
        },
        now,
    );
    case.ok(&coordinator(), reissue("after-withdrawal"), now);
    case.ok(&applicant(), rate(Rating::Satisfied), now);
    assert_eq!(
        case.err(&coordinator(), reissue("late"), now),
        Rejection::CaseClosed {
            command: "reissue_access_code",
            status: "rated"
        }
    );
}
