//! The report as a process and the organisation's working group: THL's eight
//! phases as a task list, invitations and member roles, the filtered audit log, and
//! the welfare region's view of its municipalities.
//!
//! Who may: a report's coordinators change its task list, and a task's owner may
//! set its status ([`tasks`]); an organisation's coordinators and the admins manage
//! its working group and read its audit log ([`group`], [`audit_log`]); a welfare
//! region's users follow their member municipalities ([`region`]).

pub mod audit_log;
pub mod credentials;
pub mod group;
pub mod region;
pub mod tasks;

pub use audit_log::{AuditPage, AUDIT_PAGE_SIZE};
pub use credentials::{
    check_new_password, check_password, hash_password, new_token, MIN_PASSWORD_CHARS,
};
pub use group::{Joining, ManagedOrg, MemberChange, NewInvitation, OrgHome};
pub use region::{RegionMember, RegionOverview, RegionReport};
pub use tasks::{Process, ProcessPhase, ProcessTask, TaskInput};

/// Today as `YYYY-MM-DD` (UTC), for due dates.
pub fn today() -> String {
    hyte_store::now_rfc3339().chars().take(10).collect()
}
