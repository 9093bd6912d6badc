//! The audit log page: the organisation's append-only log with filters and paging.

use super::{managed_org, Choice};
use crate::extract::SignedIn;
use crate::i18n::Tr;
use crate::pages::render;
use crate::pages::reports::short_time;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use hyte_app::model::audit::AuditEntry;
use hyte_app::model::orgs::Region;
use hyte_app::model::process::AuditFilter;
use hyte_domain::process::parse_due_date;
use serde::Deserialize;

/// Filters and page of the audit log (pages and API).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    /// Action name.
    pub action: Option<String>,
    /// User e-mail.
    pub user: Option<String>,
    /// From day `YYYY-MM-DD`.
    pub from: Option<String>,
    /// To day `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Page from 1.
    pub page: Option<String>,
}

/// Parses the filters of a query string: malformed dates or page are 400 (a bad
/// address, not a refused change).
pub fn audit_filter(q: &AuditQuery) -> AppResult<(AuditFilter, i64)> {
    let day = |s: &Option<String>, what: &str| -> AppResult<Option<String>> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => parse_due_date(d)
                .map(Some)
                .map_err(|e| AppError::bad_request(format!("{what}: {e}"))),
            None => Ok(None),
        }
    };
    let page =
        match q.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => p.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                AppError::bad_request(format!("page '{p}' is not a number from 1"))
            })?,
            None => 1,
        };
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok((
        AuditFilter {
            action: clean(&q.action),
            user: clean(&q.user),
            from: day(&q.from, "from")?,
            to: day(&q.to, "to")?,
        },
        page,
    ))
}

struct AuditRow {
    e: AuditEntry,
    at: String,
    action_text: String,
}

#[derive(Template)]
#[template(path = "group_audit.html")]
struct AuditTpl {
    page: Page,
    org: Region,
    rows: Vec<AuditRow>,
    actions: Vec<Choice>,
    f: AuditFilter,
    page_no: i64,
    prev: Option<String>,
    next: Option<String>,
}

fn action_text(tr: &Tr, action: &str) -> String {
    let key = format!("audit-action-{action}");
    match tr.t(&key) {
        t if t == key => action.to_string(),
        t => t,
    }
}

fn audit_href(org: &Region, f: &AuditFilter, page: i64) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let mut q = vec![];
    for (k, v) in [
        ("action", &f.action),
        ("user", &f.user),
        ("from", &f.from),
        ("to", &f.to),
    ] {
        if let Some(v) = v {
            q.push(format!("{k}={}", enc(v)));
        }
    }
    q.push(format!("page={page}"));
    format!("/org/{}/audit?{}", org.key, q.join("&"))
}

/// `GET /org/{org}/audit`: the organisation's append-only audit log with filters
/// and paging, for its coordinators and admins. There are no routes that change it.
pub async fn audit_page(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let g = managed_org(&state, &viewer, &org).await?;
    let (f, page_no) = audit_filter(&q)?;
    let log = state.app.audit_log(&g, &f, page_no).await?;
    let tr = Tr::new(viewer.lang);
    let mut actions = vec![Choice {
        value: String::new(),
        text: tr.t("audit-all-actions"),
    }];
    for a in state.app.audit_actions(&g).await? {
        actions.push(Choice {
            text: action_text(&tr, &a),
            value: a,
        });
    }
    let rows = log
        .entries
        .into_iter()
        .map(|e| AuditRow {
            at: short_time(&e.at),
            action_text: action_text(&tr, &e.action),
            e,
        })
        .collect();
    let region = g.org;
    let prev = (page_no > 1).then(|| audit_href(&region, &f, page_no - 1));
    let next = log.more.then(|| audit_href(&region, &f, page_no + 1));
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("org-audit"), region.name(tr.code())),
        &uri.to_string(),
    );
    render(&AuditTpl {
        page,
        org: region,
        rows,
        actions,
        f,
        page_no,
        prev,
        next,
    })
}
