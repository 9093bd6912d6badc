//! An organisation's append-only audit log, read by its coordinators and the admins,
//! with the data imports that change every organisation's numbers. Nothing here
//! changes it.

use super::group::ManagedOrg;
use crate::{App, AppResult};
use hyte_store::audit::AuditEntry;
use hyte_store::process::AuditFilter;

/// Rows per page of the audit log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// One page of the audit log.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The page number, from 1.
    pub page: i64,
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Whether older entries follow.
    pub more: bool,
}

impl App {
    /// One page (from 1) of the organisation's audit log under the filters.
    pub async fn audit_log(
        &self,
        g: &ManagedOrg,
        filter: &AuditFilter,
        page: i64,
    ) -> AppResult<AuditPage> {
        let page = page.max(1);
        let (entries, more) = self
            .store
            .audit_page(
                &g.org.key,
                filter,
                (page - 1) * AUDIT_PAGE_SIZE,
                AUDIT_PAGE_SIZE,
            )
            .await?;
        Ok(AuditPage {
            page,
            entries,
            more,
        })
    }

    /// The action names that occur in the organisation's audit log (for the filter).
    pub async fn audit_actions(&self, g: &ManagedOrg) -> AppResult<Vec<String>> {
        Ok(self.store.audit_actions(&g.org.key).await?)
    }
}
