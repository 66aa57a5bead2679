//! The principals file: centers (a tree, city → county) and the principals who may call the
//! API, each with a role, a center, a department for officers, and the SHA-256 of its token.
//!
//! ```yaml
//! centers:
//!   - { id: jilin-city, name: 吉林市政务服务中心 / Jilin City service center }
//!   - { id: jilin-city/fengman, name: 丰满区分中心 / Fengman sub-center, parent: jilin-city }
//! principals:
//!   - id: officer-market
//!     role: officer
//!     department: market-regulation
//!     center: jilin-city
//!     token_sha256: 5e88…   # sha256 of the token, hex; the token itself is never stored
//! ```
//!
//! Parsed raw (unknown fields refused), then validated with every problem reported at once.
//! Tokens are looked up by comparing the presented token's hash with every stored hash in
//! constant time.

use std::collections::{BTreeMap, BTreeSet};

use greenlane_engine::ids::{CenterId, DepartmentId, PrincipalId};
use greenlane_engine::principal::{Principal, Role};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::centers::Centers;

/// Why a principals file was refused; every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not YAML of the expected shape.
    #[error("{file}: {message}")]
    Parse {
        /// The file as the user named it.
        file: String,
        /// What serde said, with line and column.
        message: String,
    },
    /// The file parsed but is inconsistent.
    #[error("{file}:\n  {}", problems.join("\n  "))]
    Invalid {
        /// The file as the user named it.
        file: String,
        /// Every problem, one sentence each.
        problems: Vec<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    centers: Vec<RawCenter>,
    principals: Vec<RawPrincipal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCenter {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrincipal {
    id: String,
    role: String,
    center: String,
    #[serde(default)]
    department: Option<String>,
    token_sha256: String,
}

/// One configured principal.
#[derive(Debug, Clone)]
struct Entry {
    principal: Principal,
    token_hash: [u8; 32],
}

/// The validated principals file.
#[derive(Debug, Clone)]
pub struct Principals {
    entries: Vec<Entry>,
    centers: Centers,
}

impl Principals {
    /// Parses and validates the text of a principals file named `file`.
    pub fn parse(file: &str, text: &str) -> Result<Principals, ConfigError> {
        let raw: RawFile = serde_yaml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let mut problems = Vec::new();

        let mut parents = BTreeMap::new();
        let mut names = BTreeMap::new();
        for c in &raw.centers {
            if c.id.trim().is_empty() {
                problems.push("a center has an empty `id`".to_string());
                continue;
            }
            if parents.insert(c.id.clone(), c.parent.clone()).is_some() {
                problems.push(format!("center `{}` is listed twice", c.id));
            }
            if let Some(name) = &c.name {
                names.insert(c.id.clone(), name.clone());
            }
        }
        for (id, parent) in &parents {
            if let Some(parent) = parent {
                if !parents.contains_key(parent) {
                    problems.push(format!(
                        "center `{id}`: `parent` names `{parent}`, which is not a listed center"
                    ));
                }
            }
            // Walk up: a chain longer than the number of centers has a cycle.
            let mut at = parent.as_ref();
            let mut steps = 0;
            while let Some(p) = at {
                steps += 1;
                if p == id || steps > parents.len() {
                    problems.push(format!("center `{id}`: its `parent` chain loops"));
                    break;
                }
                at = parents.get(p).and_then(Option::as_ref);
            }
        }

        let mut entries = Vec::new();
        let mut ids = BTreeSet::new();
        let mut hashes = BTreeSet::new();
        for (i, p) in raw.principals.iter().enumerate() {
            let at = if p.id.is_empty() {
                format!("principal #{}", i + 1)
            } else {
                format!("principal `{}`", p.id)
            };
            if p.id.trim().is_empty() {
                problems.push(format!("{at}: `id` is empty"));
            } else if !ids.insert(p.id.clone()) {
                problems.push(format!("{at}: listed twice"));
            }
            let role = match parse_role(&p.role) {
                Some(role) => Some(role),
                None => {
                    problems.push(format!(
                        "{at}: `role` is `{}`; use coordinator, officer, policy, supervisor or admin",
                        p.role
                    ));
                    None
                }
            };
            if !parents.contains_key(&p.center) {
                problems.push(format!(
                    "{at}: `center` names `{}`, which is not a listed center",
                    p.center
                ));
            }
            match (role, &p.department) {
                (Some(Role::Officer), None) => {
                    problems.push(format!("{at}: an officer needs a `department`"))
                }
                (Some(role), Some(_)) if role != Role::Officer => problems.push(format!(
                    "{at}: only an officer has a `department`; this principal is {}",
                    role.as_str()
                )),
                _ => {}
            }
            let hash = match parse_hash(&p.token_sha256) {
                Some(hash) => {
                    if !hashes.insert(hash) {
                        problems.push(format!("{at}: `token_sha256` is another principal's"));
                    }
                    Some(hash)
                }
                None => {
                    problems.push(format!(
                        "{at}: `token_sha256` must be 64 hexadecimal digits (the SHA-256 of the token)"
                    ));
                    None
                }
            };
            if let (Some(role), Some(token_hash)) = (role, hash) {
                entries.push(Entry {
                    principal: Principal {
                        id: PrincipalId::new(p.id.as_str()),
                        role,
                        department: p.department.as_deref().map(DepartmentId::new),
                        center: CenterId::new(p.center.as_str()),
                    },
                    token_hash,
                });
            }
        }
        if raw.principals.is_empty() {
            problems.push("`principals` is empty: nobody could call the API".to_string());
        }
        if !problems.is_empty() {
            return Err(ConfigError::Invalid {
                file: file.to_string(),
                problems,
            });
        }
        let centers = Centers::new(
            parents
                .into_iter()
                .map(|(id, parent)| (CenterId::new(id), parent.map(CenterId::new)))
                .collect(),
            names
                .into_iter()
                .map(|(id, name)| (CenterId::new(id), name))
                .collect(),
        );
        Ok(Principals { entries, centers })
    }

    /// The principal whose token is `token`, comparing its hash with every stored hash in
    /// constant time.
    pub fn authenticate(&self, token: &str) -> Option<&Principal> {
        let presented: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for entry in &self.entries {
            if constant_time_eq(&presented, &entry.token_hash) {
                found = Some(&entry.principal);
            }
        }
        found
    }

    /// The centers' tree.
    pub fn centers(&self) -> &Centers {
        &self.centers
    }

    /// The principal `id`.
    pub fn get(&self, id: &PrincipalId) -> Option<&Principal> {
        self.entries
            .iter()
            .map(|e| &e.principal)
            .find(|p| &p.id == id)
    }

    /// Whether some principal's token is its public demo token `demo-<id>` (the example
    /// principals file): such a server is for trying greenlane, never for a real center.
    pub fn uses_demo_tokens(&self) -> bool {
        self.entries.iter().any(|e| {
            let demo: [u8; 32] =
                Sha256::digest(format!("demo-{}", e.principal.id).as_bytes()).into();
            constant_time_eq(&demo, &e.token_hash)
        })
    }

    /// Every configured principal.
    pub fn principals(&self) -> impl Iterator<Item = &Principal> {
        self.entries.iter().map(|e| &e.principal)
    }
}

/// The hex SHA-256 of `token`, as the principals file stores it.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_role(text: &str) -> Option<Role> {
    Some(match text {
        "coordinator" => Role::Coordinator,
        "officer" => Role::Officer,
        "policy" => Role::Policy,
        "supervisor" => Role::Supervisor,
        "admin" => Role::Admin,
        _ => return None,
    })
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(principals: &str) -> String {
        format!(
            "centers:\n  - {{ id: city }}\n  - {{ id: city/east, parent: city }}\nprincipals:\n{principals}"
        )
    }

    #[test]
    fn a_token_finds_its_principal_and_nothing_else() {
        let text = file(&format!(
            "  - {{ id: c1, role: coordinator, center: city, token_sha256: {} }}\n  - {{ id: o1, role: officer, department: tax, center: city/east, token_sha256: {} }}\n",
            hash_token("secret-c1"),
            hash_token("secret-o1")
        ));
        let principals = Principals::parse("p.yaml", &text).unwrap();
        assert_eq!(
            principals.authenticate("secret-c1").unwrap().id.as_str(),
            "c1"
        );
        let officer = principals.authenticate("secret-o1").unwrap();
        assert_eq!(officer.department.as_ref().unwrap().as_str(), "tax");
        assert!(principals.authenticate("secret-c2").is_none());
        assert!(principals.authenticate("").is_none());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = "centers:\n  - { id: city, parent: nowhere }\nprincipals:\n  - { id: a, role: king, center: city, token_sha256: xyz }\n  - { id: b, role: officer, center: town, token_sha256: 0000000000000000000000000000000000000000000000000000000000000000 }\n  - { id: b, role: policy, department: tax, center: city, token_sha256: 0000000000000000000000000000000000000000000000000000000000000000 }\n";
        let Err(ConfigError::Invalid { problems, .. }) = Principals::parse("p.yaml", text) else {
            panic!("refused");
        };
        let all = problems.join("\n");
        for expected in [
            "`parent` names `nowhere`",
            "`role` is `king`",
            "64 hexadecimal digits",
            "`center` names `town`",
            "an officer needs a `department`",
            "listed twice",
            "only an officer has a `department`",
            "another principal's",
        ] {
            assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
        }
    }

    #[test]
    fn unknown_fields_and_center_loops_are_refused() {
        let text =
            "principals:\n  - { id: a, role: admin, center: x, token_sha256: 00, password: x }\n";
        assert!(matches!(
            Principals::parse("p.yaml", text),
            Err(ConfigError::Parse { .. })
        ));
        let text = "centers:\n  - { id: a, parent: b }\n  - { id: b, parent: a }\nprincipals: []\n";
        let Err(ConfigError::Invalid { problems, .. }) = Principals::parse("p.yaml", text) else {
            panic!("refused");
        };
        assert!(problems.iter().any(|p| p.contains("loops")), "{problems:?}");
    }
}
