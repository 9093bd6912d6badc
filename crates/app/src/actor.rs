//! Who acts: the one type every use case takes.

use hyte_domain::{RegionKey, Role};
use hyte_store::users::User;
use hyte_store::Audit;

/// The signed-in user a use case acts for (browser session, API token or the
/// command line's chosen account).
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user as stored.
    pub user: User,
}

impl Actor {
    /// Acts for a user.
    pub fn new(user: User) -> Self {
        Actor { user }
    }

    /// The user's e-mail, the name the history and the audit log record.
    pub fn email(&self) -> &str {
        &self.user.email
    }

    /// Whether the user is a system administrator.
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    /// The audit entry of a change made by this actor in `org`.
    pub fn audit(&self, org: &RegionKey, action: &str, detail: impl Into<String>) -> Audit {
        Audit {
            user_email: Some(self.user.email.clone()),
            org: Some(org.clone()),
            action: action.to_string(),
            detail: detail.into(),
        }
    }
}
