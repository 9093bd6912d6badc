//! Roles a user holds within one organisation.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a signed-in user may do. Roles are ordered by power within an organisation;
/// [`Role::Admin`] is system-wide.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Board and council members: read the organisation's non-public work.
    Reader,
    /// May comment.
    Commenter,
    /// A sector's expert: edits the sections and plan rows of their sector.
    Editor,
    /// Welfare coordinator: owns the work, manages users and moves the workflow.
    Coordinator,
    /// System administrator: every organisation.
    Admin,
}

impl Role {
    /// All roles, weakest first.
    pub const ALL: [Role; 5] = [
        Role::Reader,
        Role::Commenter,
        Role::Editor,
        Role::Coordinator,
        Role::Admin,
    ];

    /// Storage and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Commenter => "commenter",
            Role::Editor => "editor",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }

    /// Whether this role includes everything `other` may do.
    pub fn at_least(self, other: Role) -> bool {
        self >= other
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reader" => Ok(Role::Reader),
            "commenter" => Ok(Role::Commenter),
            "editor" => Ok(Role::Editor),
            "coordinator" => Ok(Role::Coordinator),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role '{other}' (expected admin, coordinator, editor, commenter or reader)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_and_parse() {
        assert!(Role::Coordinator.at_least(Role::Editor));
        assert!(!Role::Reader.at_least(Role::Commenter));
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("boss".parse::<Role>().is_err());
    }
}
