//! Key names. Every key starts with the backend's prefix, and every key carries a hash tag
//! so that each Lua script touches keys of one Redis Cluster slot only:
//!
//! | keys | tag | scripts |
//! |---|---|---|
//! | a case's events `c:{case}:ev`, summary `c:{case}:m`, task → department `c:{case}:t` | `{case-id}` | `append`, `mark_applied` (cluster) |
//! | a department's stream (its pending entries are the leases), entries, free set `q:{dept}:s|e|f` | `{dept-id}` | `queue_*` |
//! | a workflow's versions `w:{workflow}:v` | `{workflow-id}` | `publish` |
//! | the case index: all cases, one set per status, `lag` | `{prefix/idx}` | `index_intent`, `index_settle` (cluster) |
//! | the deadline index | `{prefix/deadlines}` | `take_due` |
//! | the audit trail's checkpoints | `{prefix/audit}` | none (single commands) |
//! | the delivery outbox: deliveries, states, due, dead, done | `{prefix/deliveries}` | `deliveries_*` |
//! | a case's wrong access codes `c:{case}:th` | `{case-id}` | `throttle_case` |
//! | a client's wrong access codes `th:{client}` | `{client}` | `throttle_client` |
//! | known departments, known workflows | their own tags | none (single commands) |
//!
//! On a cluster no script spans two of these groups; where one operation needs two (an append and the
//! case index), the adapter orders its steps so that a crash between them leaves an index
//! that is a superset of the truth, and readers check members against the case's own keys.
//! On one server, `append_effects`, `append_indexed` and `applied_many` span the groups on
//! purpose (`append_effects` also the queues and the deadline index): one request per
//! command, and an exact index. `append_effects` names the keys every case shares from the
//! prefix alone (`shared_keys` in `lua/case.lua`, which mirrors the names below).

use greenlane_engine::ids::{CalendarId, CaseId, DepartmentId, WorkflowId};
use greenlane_runtime::ports::TaskKey;

use crate::Error;

/// Separates case and task in a queue member: ids never contain control characters.
const KEY_SEPARATOR: char = '\u{1f}';

/// Key names under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    /// Keys under `prefix`, which must not contain a hash tag of its own.
    pub(crate) fn new(prefix: &str) -> Result<Keys, Error> {
        if prefix.contains(['{', '}']) {
            return Err(Error::Config(format!(
                "the key prefix `{prefix}` must not contain `{{` or `}}`: keys carry their own hash tags"
            )));
        }
        Ok(Keys {
            prefix: prefix.to_string(),
        })
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    pub(crate) fn case_events(&self, case: &CaseId) -> String {
        format!("{}:c:{{{case}}}:ev", self.prefix)
    }

    pub(crate) fn case_meta(&self, case: &CaseId) -> String {
        format!("{}:c:{{{case}}}:m", self.prefix)
    }

    /// Task → department of a case's dispatched tasks (never changes once written).
    pub(crate) fn case_homes(&self, case: &CaseId) -> String {
        format!("{}:c:{{{case}}}:t", self.prefix)
    }

    /// A case's wrong access codes (the throttle).
    pub(crate) fn throttle_case(&self, case: &CaseId) -> String {
        format!("{}:c:{{{case}}}:th", self.prefix)
    }

    /// A client's wrong access codes (the throttle); `client` is an address, never a
    /// hash tag of its own.
    pub(crate) fn throttle_client(&self, client: &str) -> String {
        let client = client.replace(['{', '}'], "_");
        format!("{}:th:{{{client}}}", self.prefix)
    }

    pub(crate) fn index_cases(&self) -> String {
        format!("{}:{{{}/idx}}:cases", self.prefix, self.prefix)
    }

    pub(crate) fn index_status(&self, status: &str) -> String {
        format!("{}{status}", self.index_status_prefix())
    }

    /// What every status set's key starts with (the status follows).
    pub(crate) fn index_status_prefix(&self) -> String {
        format!("{}:{{{}/idx}}:st:", self.prefix, self.prefix)
    }

    /// The audit trail's signed checkpoints: a hash, field `center␟seq`, value its JSON.
    pub(crate) fn audit_checkpoints(&self) -> String {
        format!("{}:{{{}/audit}}:checkpoints", self.prefix, self.prefix)
    }

    /// The delivery outbox: deliveries, states, due, dead, done, in that order.
    pub(crate) fn deliveries(&self) -> [String; 5] {
        let base = format!("{}:{{{}/deliveries}}", self.prefix, self.prefix);
        ["d", "s", "due", "dead", "done"].map(|part| format!("{base}:{part}"))
    }

    pub(crate) fn index_lag(&self) -> String {
        format!("{}:{{{}/idx}}:lag", self.prefix, self.prefix)
    }

    /// Stream, entries and free set of a department's queue, in the order the queue
    /// scripts take them.
    pub(crate) fn queue(&self, department: &DepartmentId) -> [String; 3] {
        let base = format!("{}{department}}}", self.queue_prefix());
        [
            format!("{base}:s"),
            format!("{base}:e"),
            format!("{base}:f"),
        ]
    }

    /// What every queue key starts with: the department, `}` and the part follow.
    pub(crate) fn queue_prefix(&self) -> String {
        format!("{}:q:{{", self.prefix)
    }

    pub(crate) fn departments(&self) -> String {
        format!("{}:{{{}/queues}}:departments", self.prefix, self.prefix)
    }

    pub(crate) fn deadlines(&self) -> String {
        format!("{}:{{{}/deadlines}}:due", self.prefix, self.prefix)
    }

    pub(crate) fn workflow_versions(&self, workflow: &WorkflowId) -> String {
        format!("{}:w:{{{workflow}}}:v", self.prefix)
    }

    pub(crate) fn workflows(&self) -> String {
        format!("{}:{{{}/workflows}}:all", self.prefix, self.prefix)
    }

    pub(crate) fn calendar_versions(&self, calendar: &CalendarId) -> String {
        format!("{}:c:{{{calendar}}}:v", self.prefix)
    }

    pub(crate) fn calendars(&self) -> String {
        format!("{}:{{{}/calendars}}:all", self.prefix, self.prefix)
    }

    /// The pub/sub channel on which new calendar versions are announced.
    pub(crate) fn calendars_channel(&self) -> String {
        format!("{}:calendars", self.prefix)
    }

    /// The pub/sub channel on which new definition versions are announced.
    pub(crate) fn definitions_channel(&self) -> String {
        format!("{}:definitions", self.prefix)
    }
}

/// A task key as one queue member.
pub(crate) fn task_member(key: &TaskKey) -> String {
    format!("{}{KEY_SEPARATOR}{}", key.case, key.task)
}

/// The task key of a queue member.
pub(crate) fn parse_task_member(member: &str) -> Result<TaskKey, Error> {
    let (case, task) = member
        .split_once(KEY_SEPARATOR)
        .ok_or_else(|| Error::corrupt("queue member", format!("no separator in {member:?}")))?;
    Ok(TaskKey {
        case: CaseId::new(case),
        task: greenlane_engine::ids::TaskId::new(task),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slot-relevant part of a key: what its first `{…}` holds.
    fn tag(key: &str) -> &str {
        let open = key.find('{').expect("a tag");
        let close = key[open..].find('}').expect("closed") + open;
        &key[open + 1..close]
    }

    #[test]
    fn keys_of_one_case_share_its_tag() {
        let keys = Keys::new("gl").unwrap();
        let case = CaseId::new("city-0001");
        assert_eq!(tag(&keys.case_events(&case)), "city-0001");
        assert_eq!(tag(&keys.case_meta(&case)), "city-0001");
        assert_eq!(tag(&keys.case_homes(&case)), "city-0001");
        let queue = keys.queue(&DepartmentId::new("tax"));
        assert!(queue.iter().all(|k| tag(k) == "tax"));
        let index = [
            keys.index_cases(),
            keys.index_status("open"),
            keys.index_lag(),
        ];
        assert!(index.iter().all(|k| tag(k) == "gl/idx"));
    }

    #[test]
    fn a_prefix_with_a_tag_is_refused() {
        assert!(matches!(Keys::new("a{b}"), Err(Error::Config(_))));
    }

    #[test]
    fn members_round_trip() {
        let key = TaskKey::new(
            &CaseId::new("c-1"),
            &greenlane_engine::ids::TaskId::new("t"),
        );
        assert_eq!(parse_task_member(&task_member(&key)).unwrap(), key);
    }
}
