//! Newtype identifiers, so a task id can never be passed where a department id is meant.
//!
//! Ids are short strings chosen by policy staff in workflow YAML (`filing`,
//! `development-reform`); they are kept as `Arc<str>` so that cloning one into every event
//! and plan row is a reference-count bump, not an allocation.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Wraps a string as this kind of id.
            pub fn new(id: impl Into<Arc<str>>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self::new(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self::new(id)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

string_id!(
    /// Identifies a workflow definition, e.g. `industrial-project`.
    WorkflowId
);
string_id!(
    /// Identifies a task within a workflow (one approval item), e.g. `filing`.
    TaskId
);
string_id!(
    /// Identifies a department approval office (部门审批办), e.g. `development-reform`.
    DepartmentId
);
string_id!(
    /// Identifies a business calendar, e.g. `cn`.
    CalendarId
);
string_id!(
    /// Identifies a case (one joint approval), e.g. `C-20260302-0001`.
    CaseId
);
string_id!(
    /// Identifies a principal: a coordinator, an officer, a supervisor, …
    PrincipalId
);
string_id!(
    /// Identifies a service center (政务服务中心), e.g. `jilin-city` or `jilin-city/fengman`.
    CenterId
);
