//! What each role may do over HTTP. The engine checks roles again for every command (an
//! officer deciding another department's task is refused there); this table decides which
//! endpoints a role may call at all, and a 403 names the right that is missing.

use greenlane_engine::principal::Role;

/// A right an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Right {
    /// Launch a joint approval.
    LaunchCases,
    /// Read cases, their tasks and timelines.
    ReadCases,
    /// Withdraw, issue, rate, hand in supplements for the applicant.
    ActOnCases,
    /// Claim, release, approve, reject, ask for supplements, run special procedures.
    DecideTasks,
    /// Allow one more supplement request on a task.
    AllowSupplements,
    /// Read a department's inbox.
    ReadInbox,
    /// List and read workflow definitions; plan applications as a dry run.
    ReadDefinitions,
    /// Publish and roll back workflow definitions.
    PublishDefinitions,
    /// Read alerts and the KPI board.
    ReadSupervision,
    /// Subscribe to live events.
    SubscribeEvents,
    /// Send alert deliveries that failed their last attempt again.
    RetryNotifications,
    /// Urge a late or at-risk task (督办).
    UrgeTasks,
}

impl Right {
    /// The right's name as a 403 states it.
    pub fn as_str(self) -> &'static str {
        match self {
            Right::LaunchCases => "cases:launch",
            Right::ReadCases => "cases:read",
            Right::ActOnCases => "cases:act",
            Right::DecideTasks => "tasks:decide",
            Right::AllowSupplements => "tasks:allow-supplement",
            Right::ReadInbox => "inbox:read",
            Right::ReadDefinitions => "definitions:read",
            Right::PublishDefinitions => "definitions:publish",
            Right::ReadSupervision => "supervision:read",
            Right::SubscribeEvents => "events:subscribe",
            Right::RetryNotifications => "notifications:retry",
            Right::UrgeTasks => "tasks:urge",
        }
    }

    /// The roles that hold the right.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Right::LaunchCases | Right::ActOnCases => &[Coordinator],
            Right::ReadCases => &[Coordinator, Officer, Supervisor, Admin],
            Right::DecideTasks => &[Officer],
            Right::AllowSupplements => &[Supervisor],
            Right::ReadInbox => &[Officer, Supervisor, Admin],
            Right::ReadDefinitions => &[Coordinator, Officer, Policy, Supervisor, Admin],
            Right::PublishDefinitions => &[Policy, Admin],
            Right::ReadSupervision => &[Supervisor, Admin],
            Right::SubscribeEvents => &[Coordinator, Officer, Supervisor, Admin],
            Right::RetryNotifications | Right::UrgeTasks => &[Supervisor, Admin],
        }
    }

    /// Whether `role` holds the right.
    pub fn held_by(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// The roles holding the right, as text (`officer, supervisor`).
    pub fn roles_text(self) -> String {
        self.roles()
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
