//! Report pages: list and creation, outline, sections with live indicator blocks,
//! history and comments.
//!
//! Permissions (checked on the server for every route, see [`ReportCtx`]): admins and
//! the owner's (or a partner's) coordinators edit everything; editors edit the sections
//! of their sector and those they are assigned to; commenters comment; readers and a
//! welfare region following its municipalities read. Everyone else gets 403, the
//! anonymous a redirect to the sign-in page.

use super::render;
use crate::auth::{access, readable_org, Access, Viewer};
use crate::blocks::{self, RenderedPart};
use crate::i18n::Tr;
use crate::pages::login_redirect_from;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_domain::document::{ChartKind, Comparator, IndicatorBlock, MAX_SECTION_CHARS};
use hyte_domain::report::{
    parse_outline_template, uncovered_areas, ContentArea, ReportKind, SectionStatus,
    THL_OUTLINE_CSV,
};
use hyte_domain::{IndicatorId, RegionKey, Role};
use hyte_store::orgs::Region;
use hyte_store::reports::{Comment, NewReport, Report, SaveOutcome, Section};
use hyte_store::users::User;
use serde::Deserialize;
use std::collections::HashMap;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{org}/reports", get(list).post(create))
        .route("/reports/{id}", get(outline))
        .route("/reports/{id}/agree", post(agree))
        .route("/reports/{id}/sections", post(add_section))
        .route(
            "/reports/{id}/sections/{sid}",
            get(section_page).post(save_section),
        )
        .route("/reports/{id}/sections/{sid}/meta", post(update_meta))
        .route("/reports/{id}/sections/{sid}/move", post(move_section))
        .route("/reports/{id}/sections/{sid}/remove", post(remove_section))
        .route("/reports/{id}/sections/{sid}/status", post(set_status))
        .route(
            "/reports/{id}/sections/{sid}/assignees",
            post(set_assignees),
        )
        .route("/reports/{id}/sections/{sid}/history", get(history))
        .route("/reports/{id}/sections/{sid}/restore", post(restore))
        .route("/reports/{id}/sections/{sid}/comments", post(add_comment))
        .route(
            "/reports/{id}/sections/{sid}/comments/{cid}/resolve",
            post(resolve_comment),
        )
        .route(
            "/reports/{id}/sections/{sid}/comments/{cid}/reopen",
            post(reopen_comment),
        )
}

/// Longest revision note accepted.
const MAX_NOTE_CHARS: usize = 500;

/// Sectors offered in pickers besides those already used (DOMAIN.md section 10; sectors
/// are data, so any other word is accepted too).
pub const DEFAULT_SECTORS: [&str; 8] = [
    "central_administration",
    "education",
    "leisure",
    "youth",
    "technical_environment",
    "vitality_employment",
    "elderly_services",
    "welfare_region",
];

// ---------------------------------------------------------------------------
// Form data and small helpers

/// An urlencoded form as pairs, so that repeated names (checkboxes) are kept.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The trimmed first value, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    /// Every value of a field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn see_other(to: String) -> Response {
    Redirect::to(&to).into_response()
}

fn parse_id(s: &str, what: &str) -> AppResult<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::not_found(format!("no {what} '{s}'")))
}

/// `2025-03-01T10:11:12Z` → `2025-03-01 10:11`.
pub fn short_time(s: &str) -> String {
    s.get(..16).unwrap_or(s).replace('T', " ")
}

/// The sector's name in the UI language; unknown sectors as written.
pub fn sector_label(tr: &Tr, sector: &str) -> String {
    let key = format!("rep-sector-{sector}");
    match tr.t(&key) {
        t if t == key => sector.to_string(),
        t => t,
    }
}

fn area_label(tr: &Tr, a: ContentArea) -> String {
    tr.t(&format!("rep-area-{}", a.as_str()))
}

fn status_label(tr: &Tr, s: SectionStatus) -> String {
    tr.t(&format!("sec-status-{}", s.as_str()))
}

fn kind_label(tr: &Tr, k: ReportKind) -> String {
    tr.t(&format!("rep-kind-{}", k.as_str()))
}

fn parse_areas(tr: &Tr, values: &[&str]) -> AppResult<Vec<ContentArea>> {
    let mut out = vec![];
    for v in values {
        let a: ContentArea = v.parse().map_err(|_| {
            AppError::unprocessable(tr.ta("rep-err-area", &[("area", v.to_string())]))
        })?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out.sort();
    Ok(out)
}

fn check_heading(tr: &Tr, h: &str) -> AppResult<String> {
    let h = h.trim();
    if h.is_empty() || h.chars().count() > 300 {
        return Err(AppError::unprocessable(tr.t("rep-err-heading")));
    }
    Ok(h.to_string())
}

fn check_sector(tr: &Tr, s: &str) -> AppResult<Option<String>> {
    let s = s.trim();
    if s.chars().count() > 100 {
        return Err(AppError::unprocessable(tr.t("rep-err-sector")));
    }
    Ok(Some(s.to_string()).filter(|s| !s.is_empty()))
}

// ---------------------------------------------------------------------------
// Permissions

/// A report as one signed-in user may use it.
pub struct ReportCtx {
    /// The report.
    pub report: Report,
    /// The owning organisation.
    pub org: Region,
    /// The user.
    pub user: User,
    /// The user's access: the strongest over the owner and the partners.
    pub access: Access,
}

impl ReportCtx {
    /// The role the user acts with, if a member.
    pub fn role(&self) -> Option<Role> {
        match self.access {
            Access::Member(r) => Some(r),
            _ => None,
        }
    }

    /// Coordinators and admins: the outline, assignees, every section.
    pub fn can_manage(&self) -> bool {
        self.role().is_some_and(|r| r.at_least(Role::Coordinator))
    }

    /// Commenters and above.
    pub fn can_comment(&self) -> bool {
        self.role().is_some_and(|r| r.at_least(Role::Commenter))
    }

    /// Whether the user may edit a section's text and status (the one rule in
    /// `report_data::can_edit_section`).
    pub fn can_edit(&self, s: &Section) -> bool {
        super::report_data::can_edit_section(self.report_access(), &self.user, s)
    }

    /// The caller's access in the terms of the shared rules in `report_data`.
    pub fn report_access(&self) -> super::report_data::ReportAccess {
        match self.access {
            Access::Member(r) => super::report_data::ReportAccess::Member(r),
            _ => super::report_data::ReportAccess::Read,
        }
    }
}

/// Loads a report by the id in a path and checks that the viewer may read it: 404 for
/// an unknown id, 401 when not signed in, 403 for another organisation.
pub async fn load_report(state: &AppState, viewer: &Viewer, id: &str) -> AppResult<ReportCtx> {
    let user = viewer.user()?.clone();
    let id = parse_id(id, "report")?;
    let tr = Tr::new(viewer.lang);
    let report = state.store.report(id).await?.ok_or_else(|| {
        AppError::not_found(tr.ta("rep-err-no-report", &[("id", id.to_string())]))
    })?;
    let org = state
        .store
        .region(&report.org)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {}", report.org)))?;
    // The strongest access over the owner and the partners: one rule, shared with
    // the indicator-list and observation pages.
    let best = match super::report_data::report_access(state, &user, &report).await? {
        Some(super::report_data::ReportAccess::Member(r)) => Access::Member(r),
        Some(super::report_data::ReportAccess::Read) => Access::Read,
        None => Access::None,
    };
    if best == Access::None {
        return Err(AppError::forbidden(tr.t("rep-err-forbidden")));
    }
    Ok(ReportCtx {
        report,
        org,
        user,
        access: best,
    })
}

/// Loads a section of the report: 404 when it does not exist or belongs to another
/// report. `current` is false for a section removed from the outline.
pub async fn load_section(
    state: &AppState,
    ctx: &ReportCtx,
    sid: &str,
    tr: &Tr,
) -> AppResult<(Section, bool)> {
    let sid = parse_id(sid, "section")?;
    let not_found = || AppError::not_found(tr.ta("rep-err-no-section", &[("id", sid.to_string())]));
    let s = state.store.section(sid).await?.ok_or_else(not_found)?;
    if s.report_id != ctx.report.id {
        return Err(not_found());
    }
    let current = state
        .store
        .sections(ctx.report.id)
        .await?
        .iter()
        .any(|x| x.id == s.id);
    Ok((s, current))
}

async fn audit(state: &AppState, ctx: &ReportCtx, action: &str, detail: String) -> AppResult<()> {
    state
        .store
        .audit(
            Some(&ctx.user.email),
            Some(&ctx.report.org),
            action,
            &detail,
        )
        .await?;
    Ok(())
}

fn forbid(tr: &Tr, key: &str) -> AppError {
    AppError::forbidden(tr.t(key))
}

/// Users who can be assigned: those of the owner and of the partners.
async fn report_users(state: &AppState, report: &Report) -> AppResult<Vec<User>> {
    let mut users = state.store.users_of(&report.org).await?;
    for p in &report.partners {
        users.extend(state.store.users_of(p).await?);
    }
    Ok(users)
}

// ---------------------------------------------------------------------------
// Report list and creation

/// A report in a list.
pub struct ReportRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Kind, translated.
    pub kind: String,
    /// Council term, e.g. `2025–2029`.
    pub term: String,
    /// Year of a yearly report.
    pub year: String,
    /// Owner and partners of a joint report.
    pub partners: String,
}

/// Values of the creation form.
#[derive(Default, Clone)]
pub struct CreateValues {
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Term start.
    pub term_start: String,
    /// Term end.
    pub term_end: String,
    /// Year of a yearly report.
    pub year: String,
    /// Partner ids as typed.
    pub partners: String,
    /// `thl` or `empty`.
    pub outline: String,
    /// Checked languages.
    pub languages: Vec<String>,
}

/// The reports card of the dashboard and of the report list page.
pub struct ReportsCard {
    /// Organisation id.
    pub org_key: String,
    /// Reports.
    pub rows: Vec<ReportRow>,
    /// Whether the viewer may create reports.
    pub can_create: bool,
    /// Whether the creation form starts open.
    pub open: bool,
    /// Error of a refused creation.
    pub error: Option<String>,
    /// Form values.
    pub form: CreateValues,
    /// Kinds: value and label.
    pub kinds: Vec<(String, String)>,
    /// Languages: code and label.
    pub languages: Vec<(String, String)>,
}

impl ReportsCard {
    /// Whether a language box is checked.
    pub fn lang_checked(&self, code: &str) -> bool {
        self.form.languages.iter().any(|l| l == code)
    }
}

fn default_term() -> (i64, i64) {
    let year = i64::from(time::OffsetDateTime::now_utc().year());
    let start = 2021 + ((year - 2021).max(0) / 4) * 4;
    (start, start + 4)
}

/// Builds the reports card for an organisation the viewer may read.
pub async fn reports_card(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
) -> AppResult<ReportsCard> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let user = viewer.user()?;
    let can_create =
        matches!(access(user, region), Access::Member(r) if r.at_least(Role::Coordinator));
    let mut rows = vec![];
    for r in state.store.reports_of(&region.key).await? {
        let mut partners = vec![];
        for k in std::iter::once(&r.org).chain(r.partners.iter()) {
            if r.partners.is_empty() {
                break;
            }
            partners.push(match state.store.region(k).await? {
                Some(x) => x.name(lang).to_string(),
                None => k.to_string(),
            });
        }
        rows.push(ReportRow {
            id: r.id,
            title: r.title.clone(),
            kind: kind_label(&tr, r.kind),
            term: format!("{}–{}", r.term_start, r.term_end),
            year: r.year.map(|y| y.to_string()).unwrap_or_default(),
            partners: partners.join(", "),
        });
    }
    let (start, end) = default_term();
    let kind = if region.key.category() == hyte_domain::RegionCategory::Hyvinvointialue {
        ReportKind::RegionalReport
    } else {
        ReportKind::TermReport
    };
    Ok(ReportsCard {
        org_key: region.key.to_string(),
        open: rows.is_empty(),
        rows,
        can_create,
        error: None,
        form: CreateValues {
            kind: kind.as_str().to_string(),
            title: String::new(),
            term_start: start.to_string(),
            term_end: end.to_string(),
            year: String::new(),
            partners: String::new(),
            outline: "thl".into(),
            languages: region.languages().iter().map(|l| l.to_string()).collect(),
        },
        kinds: ReportKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), kind_label(&tr, *k)))
            .collect(),
        languages: ["fi", "sv", "en"]
            .iter()
            .map(|l| (l.to_string(), tr.t(&format!("lang-{l}"))))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "report_list.html")]
struct ListTpl {
    page: Page,
    org: Region,
    card: ReportsCard,
}

/// `GET /org/{org}/reports`: the organisation's reports and, for coordinators, the
/// creation form.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let region = readable_org(&state, &viewer, &org).await?;
    let card = reports_card(&state, &viewer, &region).await?;
    let tr = Tr::new(viewer.lang);
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("org-reports"), region.name(tr.code())),
        &uri.to_string(),
    );
    render(&ListTpl {
        page,
        org: region,
        card,
    })
}

/// `POST /org/{org}/reports`: a coordinator creates a report.
pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    viewer.check_csrf(f.get("csrf"))?;
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?.clone();
    let tr = Tr::new(viewer.lang);
    if !matches!(access(&user, &region), Access::Member(r) if r.at_least(Role::Coordinator)) {
        return Err(forbid(&tr, "rep-err-create-forbidden"));
    }
    let values = CreateValues {
        kind: f.get("kind").trim().to_string(),
        title: f.get("title").trim().to_string(),
        term_start: f.get("term_start").trim().to_string(),
        term_end: f.get("term_end").trim().to_string(),
        year: f.get("year").trim().to_string(),
        partners: f.get("partners").trim().to_string(),
        outline: f.get("outline").trim().to_string(),
        languages: f.all("languages").iter().map(|s| s.to_string()).collect(),
    };
    match validate_new_report(&state, &tr, &region, &user, &values).await {
        Ok((new, template)) => {
            let report = state
                .store
                .create_report(&new, &template, tr.code())
                .await?;
            state
                .store
                .audit(
                    Some(&user.email),
                    Some(&region.key),
                    "report_created",
                    &format!(
                        "report {} '{}' ({}, {}–{}), {} sections, partners [{}]",
                        report.id,
                        report.title,
                        report.kind,
                        report.term_start,
                        report.term_end,
                        template.len(),
                        report
                            .partners
                            .iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .await?;
            Ok(see_other(format!("/reports/{}", report.id)))
        }
        Err(message) => {
            let mut card = reports_card(&state, &viewer, &region).await?;
            card.form = values;
            card.error = Some(message);
            card.open = true;
            let page = Page::new(
                &viewer,
                format!("{} – {}", tr.t("org-reports"), region.name(tr.code())),
                &format!("/org/{}/reports", region.key),
            );
            let mut res = render(&ListTpl {
                page,
                org: region,
                card,
            })?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

async fn validate_new_report(
    state: &AppState,
    tr: &Tr,
    region: &Region,
    user: &User,
    v: &CreateValues,
) -> Result<(NewReport, Vec<hyte_domain::report::TemplateSection>), String> {
    let kind: ReportKind = v.kind.parse().map_err(|_| tr.t("rep-err-kind"))?;
    if v.title.is_empty() || v.title.chars().count() > 300 {
        return Err(tr.t("rep-err-title"));
    }
    let year_of = |s: &str| s.parse::<i64>().ok().filter(|y| (2000..=2100).contains(y));
    let (Some(start), Some(end)) = (year_of(&v.term_start), year_of(&v.term_end)) else {
        return Err(tr.t("rep-err-term"));
    };
    if end < start {
        return Err(tr.t("rep-err-term"));
    }
    let year = match kind {
        ReportKind::YearlyReport => Some(year_of(&v.year).ok_or_else(|| tr.t("rep-err-year"))?),
        _ if v.year.is_empty() => None,
        _ => Some(year_of(&v.year).ok_or_else(|| tr.t("rep-err-year"))?),
    };
    let mut partners = vec![];
    for p in v
        .partners
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let err = || tr.ta("rep-err-partner", &[("id", p.to_string())]);
        let key: RegionKey = p.parse().map_err(|_| err())?;
        if !key.category().is_organisation() || key.category() == hyte_domain::RegionCategory::Maa {
            return Err(err());
        }
        match state.store.region(&key).await {
            Ok(Some(_)) => {}
            Ok(None) => return Err(err()),
            Err(e) => return Err(AppError::from(e).message),
        }
        if key != region.key && !partners.contains(&key) {
            partners.push(key);
        }
    }
    let mut languages: Vec<String> = vec![];
    for l in &v.languages {
        if !["fi", "sv", "en"].contains(&l.as_str()) {
            return Err(tr.t("rep-err-languages"));
        }
        if !languages.contains(l) {
            languages.push(l.clone());
        }
    }
    if languages.is_empty() {
        return Err(tr.t("rep-err-languages"));
    }
    let template = match v.outline.as_str() {
        "thl" => parse_outline_template(THL_OUTLINE_CSV).map_err(|e| {
            tracing::error!("the shipped THL outline does not parse: {e}");
            tr.t("rep-err-outline")
        })?,
        "empty" => vec![],
        _ => return Err(tr.t("rep-err-outline")),
    };
    Ok((
        NewReport {
            org: region.key.clone(),
            partners,
            kind,
            title: v.title.clone(),
            term_start: start,
            term_end: end,
            year,
            languages,
            created_by: user.email.clone(),
        },
        template,
    ))
}

// ---------------------------------------------------------------------------
// Outline

/// A content area with its statutory number.
pub struct AreaView {
    /// Storage word.
    pub key: &'static str,
    /// Number 1..=6.
    pub number: usize,
    /// Label.
    pub label: String,
    /// Whether checked (in forms).
    pub checked: bool,
}

fn area_views(tr: &Tr, checked: &[ContentArea]) -> Vec<AreaView> {
    ContentArea::ALL
        .iter()
        .map(|a| AreaView {
            key: a.as_str(),
            number: a.number(),
            label: area_label(tr, *a),
            checked: checked.contains(a),
        })
        .collect()
}

/// A section row of the outline.
pub struct SectionRow {
    /// Id.
    pub id: i64,
    /// 1-based number in the outline.
    pub number: usize,
    /// Heading.
    pub heading: String,
    /// Covered areas (all six, with `checked`).
    pub areas: Vec<AreaView>,
    /// Owner sector as stored.
    pub sector: String,
    /// Owner sector, translated.
    pub sector_label: String,
    /// Status.
    pub status: &'static str,
    /// Status, translated.
    pub status_label: String,
    /// Assignees' names.
    pub assignees: String,
    /// Unresolved comment threads.
    pub unresolved: i64,
    /// Current revision.
    pub revision: i64,
    /// First in the outline.
    pub first: bool,
    /// Last in the outline.
    pub last: bool,
}

#[derive(Template)]
#[template(path = "report_outline.html")]
struct OutlineTpl {
    page: Page,
    report: Report,
    org: Region,
    kind: String,
    partners: String,
    languages: String,
    rows: Vec<SectionRow>,
    uncovered: Vec<AreaView>,
    coverage: Vec<(AreaView, String)>,
    new_areas: Vec<AreaView>,
    sectors: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    can_manage: bool,
    agreed: Option<String>,
    progress: String,
}

fn sector_options(tr: &Tr, sections: &[Section], users: &[User]) -> Vec<(String, String)> {
    let mut keys: Vec<String> = DEFAULT_SECTORS.iter().map(|s| s.to_string()).collect();
    for s in sections.iter().filter_map(|s| s.owner_sector.clone()) {
        if !keys.contains(&s) {
            keys.push(s);
        }
    }
    for s in users.iter().filter_map(|u| u.sector.clone()) {
        if !keys.contains(&s) {
            keys.push(s);
        }
    }
    keys.into_iter()
        .map(|k| {
            let l = sector_label(tr, &k);
            (k, l)
        })
        .collect()
}

fn status_options(tr: &Tr) -> Vec<(&'static str, String)> {
    SectionStatus::ALL
        .iter()
        .map(|s| (s.as_str(), status_label(tr, *s)))
        .collect()
}

async fn names_of(state: &AppState, keys: &[RegionKey], lang: &str) -> AppResult<String> {
    let mut out = vec![];
    for k in keys {
        out.push(match state.store.region(k).await? {
            Some(r) => r.name(lang).to_string(),
            None => k.to_string(),
        });
    }
    Ok(out.join(", "))
}

/// `GET /reports/{id}`: the outline with coverage check and, for coordinators, the
/// forms to change it.
pub async fn outline(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> AppResult<Response> {
    // `/reports/{id}.pdf` shares this route (the router has no suffix parameters); a
    // published report's PDF needs no sign-in.
    if let Some(num) = id.strip_suffix(".pdf") {
        return crate::pages::public::private_pdf(&state, &viewer, num).await;
    }
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let ctx = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let sections = state.store.sections(ctx.report.id).await?;
    let users = report_users(&state, &ctx.report).await?;
    let names: HashMap<i64, String> = users.iter().map(|u| (u.id, u.name.clone())).collect();
    let n = sections.len();
    let rows = sections
        .iter()
        .enumerate()
        .map(|(i, s)| SectionRow {
            id: s.id,
            number: i + 1,
            heading: s.heading.clone(),
            areas: area_views(&tr, &s.content_areas),
            sector: s.owner_sector.clone().unwrap_or_default(),
            sector_label: s
                .owner_sector
                .as_deref()
                .map(|x| sector_label(&tr, x))
                .unwrap_or_default(),
            status: s.status.as_str(),
            status_label: status_label(&tr, s.status),
            assignees: s
                .assignees
                .iter()
                .filter_map(|u| names.get(u).cloned())
                .collect::<Vec<_>>()
                .join(", "),
            unresolved: s.unresolved_comments,
            revision: s.revision,
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    let uncovered = uncovered_areas(sections.iter().map(|s| s.content_areas.as_slice()))
        .into_iter()
        .map(|a| AreaView {
            key: a.as_str(),
            number: a.number(),
            label: area_label(&tr, a),
            checked: false,
        })
        .collect();
    let coverage = ContentArea::ALL
        .iter()
        .map(|a| {
            let n = sections
                .iter()
                .filter(|s| s.content_areas.contains(a))
                .count();
            (
                AreaView {
                    key: a.as_str(),
                    number: a.number(),
                    label: area_label(&tr, *a),
                    checked: n > 0,
                },
                tr.ta("rep-coverage-count", &[("count", n.to_string())]),
            )
        })
        .collect();
    let lang = tr.code();
    let page = Page::new(&viewer, ctx.report.title.clone(), &uri.to_string());
    render(&OutlineTpl {
        kind: kind_label(&tr, ctx.report.kind),
        partners: names_of(&state, &ctx.report.partners, lang).await?,
        languages: ctx
            .report
            .languages
            .iter()
            .map(|l| tr.t(&format!("lang-{l}")))
            .collect::<Vec<_>>()
            .join(", "),
        uncovered,
        coverage,
        new_areas: area_views(&tr, &[]),
        sectors: sector_options(&tr, &sections, &users),
        statuses: status_options(&tr),
        can_manage: ctx.can_manage(),
        agreed: ctx
            .report
            .outline_agreed_at
            .as_deref()
            .map(|at| tr.ta("rep-agreed-at", &[("when", short_time(at))])),
        progress: tr.ta(
            "rep-progress-text",
            &[
                (
                    "done",
                    sections
                        .iter()
                        .filter(|s| s.status == SectionStatus::Done)
                        .count()
                        .to_string(),
                ),
                ("total", sections.len().to_string()),
                (
                    "comments",
                    sections
                        .iter()
                        .map(|s| s.unresolved_comments)
                        .sum::<i64>()
                        .to_string(),
                ),
            ],
        ),
        rows,
        page,
        org: ctx.org,
        report: ctx.report,
    })
}

async fn manager_ctx(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    f: &FormData,
) -> AppResult<(ReportCtx, Tr)> {
    viewer.check_csrf(f.get("csrf"))?;
    let ctx = load_report(state, viewer, id).await?;
    let tr = Tr::new(viewer.lang);
    if !ctx.can_manage() {
        return Err(forbid(&tr, "rep-err-manage-forbidden"));
    }
    Ok((ctx, tr))
}

/// `POST /reports/{id}/agree`: the group agreed the outline at heading level.
pub async fn agree(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, _) = manager_ctx(&state, &viewer, &id, &f).await?;
    state.store.agree_outline(ctx.report.id).await?;
    audit(
        &state,
        &ctx,
        "outline_agreed",
        format!("report {}", ctx.report.id),
    )
    .await?;
    Ok(see_other(format!(
        "/reports/{}#outline-status",
        ctx.report.id
    )))
}

/// `POST /reports/{id}/sections`: adds a section at the end of the outline.
pub async fn add_section(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, tr) = manager_ctx(&state, &viewer, &id, &f).await?;
    let heading = check_heading(&tr, f.get("heading"))?;
    let areas = parse_areas(&tr, &f.all("areas"))?;
    let sector = check_sector(&tr, f.get("sector"))?;
    let sid = state
        .store
        .add_section(
            ctx.report.id,
            &heading,
            &areas,
            sector.as_deref(),
            &ctx.user.email,
        )
        .await?;
    audit(
        &state,
        &ctx,
        "section_added",
        format!("report {}, section {sid} '{heading}'", ctx.report.id),
    )
    .await?;
    Ok(see_other(format!("/reports/{}#s{sid}", ctx.report.id)))
}

/// `POST /reports/{id}/sections/{sid}/meta`: rename and re-tag a section.
pub async fn update_meta(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, tr) = manager_ctx(&state, &viewer, &id, &f).await?;
    let (s, _) = load_section(&state, &ctx, &sid, &tr).await?;
    let heading = check_heading(&tr, f.get("heading"))?;
    let areas = parse_areas(&tr, &f.all("areas"))?;
    let sector = check_sector(&tr, f.get("sector"))?;
    let status: SectionStatus = match f.opt("status") {
        Some(v) => v
            .parse()
            .map_err(|_| AppError::unprocessable(tr.t("rep-err-status")))?,
        None => s.status,
    };
    state
        .store
        .update_section_meta(s.id, &heading, &areas, sector.as_deref(), status)
        .await?;
    audit(
        &state,
        &ctx,
        "section_updated",
        format!(
            "report {}, section {}: '{}' → '{heading}', areas [{}], sector {}, status {status}",
            ctx.report.id,
            s.id,
            s.heading,
            areas
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(","),
            sector.as_deref().unwrap_or("-"),
        ),
    )
    .await?;
    Ok(see_other(format!("/reports/{}#s{}", ctx.report.id, s.id)))
}

/// `POST /reports/{id}/sections/{sid}/move`: one place up or down.
pub async fn move_section(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, tr) = manager_ctx(&state, &viewer, &id, &f).await?;
    let (s, current) = load_section(&state, &ctx, &sid, &tr).await?;
    if !current {
        return Err(AppError::not_found(tr.t("rep-err-removed")));
    }
    let direction = match f.get("direction") {
        "up" => -1,
        "down" => 1,
        _ => return Err(AppError::unprocessable(tr.t("rep-err-direction"))),
    };
    state.store.move_section(s.id, direction).await?;
    audit(
        &state,
        &ctx,
        "section_moved",
        format!(
            "report {}, section {} moved {}",
            ctx.report.id,
            s.id,
            f.get("direction")
        ),
    )
    .await?;
    Ok(see_other(format!("/reports/{}#s{}", ctx.report.id, s.id)))
}

/// `POST /reports/{id}/sections/{sid}/remove`: removes a section from the outline (its
/// history is kept).
pub async fn remove_section(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, tr) = manager_ctx(&state, &viewer, &id, &f).await?;
    let (s, current) = load_section(&state, &ctx, &sid, &tr).await?;
    if !current {
        return Err(AppError::not_found(tr.t("rep-err-removed")));
    }
    state.store.remove_section(s.id).await?;
    audit(
        &state,
        &ctx,
        "section_removed",
        format!("report {}, section {} '{}'", ctx.report.id, s.id, s.heading),
    )
    .await?;
    Ok(see_other(format!("/reports/{}#outline", ctx.report.id)))
}

// ---------------------------------------------------------------------------
// Section page

/// One comment in a thread.
pub struct CommentView {
    /// Id.
    pub id: i64,
    /// Author's name.
    pub author: String,
    /// When.
    pub at: String,
    /// Raw timestamp.
    pub at_raw: String,
    /// Text.
    pub body: String,
}

/// A comment thread.
pub struct ThreadView {
    /// The opening comment.
    pub first: CommentView,
    /// Replies.
    pub replies: Vec<CommentView>,
    /// Whether resolved.
    pub resolved: bool,
    /// Resolution text ("Resolved by X at T").
    pub resolved_text: String,
    /// A note when the thread is on a block line that is no longer a block.
    pub line_label: Option<String>,
    /// Whether the viewer may resolve or reopen it.
    pub can_resolve: bool,
}

/// A piece of the rendered text with the comment threads on it.
pub struct PartView {
    /// Safe HTML.
    pub html: String,
    /// Block line.
    pub line: Option<usize>,
    /// Whether an indicator block.
    pub is_block: bool,
    /// Threads on the block.
    pub threads: Vec<ThreadView>,
}

/// The other text of a refused save.
pub struct ConflictView {
    /// Current revision number (the new base).
    pub revision: i64,
    /// Who saved it.
    pub author: String,
    /// Their text.
    pub body: String,
    /// Line diff from theirs to yours.
    pub diff: Vec<DiffRow>,
}

/// The editor's state.
pub struct EditView {
    /// Text in the textarea.
    pub body: String,
    /// Base revision.
    pub base_revision: i64,
    /// Note.
    pub note: String,
    /// Values of the block helper.
    pub insert_indicator: String,
    /// Chart of the block helper.
    pub insert_chart: String,
}

#[derive(Template)]
#[template(path = "section_page.html")]
struct SectionTpl {
    page: Page,
    report: Report,
    section: Section,
    heading_number: usize,
    removed: bool,
    sector: String,
    status_label: String,
    areas: Vec<AreaView>,
    assignee_names: String,
    updated: String,
    parts: Vec<PartView>,
    threads: Vec<ThreadView>,
    unresolved: usize,
    can_edit: bool,
    can_manage: bool,
    can_comment: bool,
    edit: EditView,
    message: Option<String>,
    error: Option<String>,
    conflict: Option<ConflictView>,
    preview: Option<Vec<PartView>>,
    indicators: Vec<(i64, String)>,
    charts: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    people: Vec<(i64, String, bool)>,
    max_chars: usize,
    prev: Option<(i64, String)>,
    next: Option<(i64, String)>,
}

/// Query of the section page.
#[derive(Deserialize, Default)]
pub struct SectionQuery {
    saved: Option<i64>,
}

fn comment_view(c: &Comment) -> CommentView {
    CommentView {
        id: c.id,
        author: if c.author_name.is_empty() {
            c.author_email.clone()
        } else {
            c.author_name.clone()
        },
        at: short_time(&c.created_at),
        at_raw: c.created_at.clone(),
        body: c.body.clone(),
    }
}

fn threads_of(
    tr: &Tr,
    ctx: &ReportCtx,
    s: &Section,
    comments: &[Comment],
    block_lines: &[usize],
) -> (Vec<ThreadView>, HashMap<usize, Vec<ThreadView>>) {
    let mut section_threads = vec![];
    let mut by_line: HashMap<usize, Vec<ThreadView>> = HashMap::new();
    let can_edit = ctx.can_edit(s);
    for c in comments
        .iter()
        .filter(|c| c.section_id == Some(s.id) && c.parent_id.is_none())
    {
        let replies = comments
            .iter()
            .filter(|r| r.parent_id == Some(c.id))
            .map(comment_view)
            .collect();
        let line = c.block_line.and_then(|l| usize::try_from(l).ok());
        let on_block = line.filter(|l| block_lines.contains(l));
        let t = ThreadView {
            first: comment_view(c),
            replies,
            resolved: c.resolved_at.is_some(),
            resolved_text: match (&c.resolved_by, &c.resolved_at) {
                (Some(by), Some(at)) => tr.ta(
                    "com-resolved-by",
                    &[("who", by.clone()), ("when", short_time(at))],
                ),
                _ => String::new(),
            },
            line_label: match (line, on_block) {
                (Some(l), None) => Some(tr.ta("com-on-line", &[("line", l.to_string())])),
                _ => None,
            },
            can_resolve: ctx.can_comment() && (can_edit || c.author_email == ctx.user.email),
        };
        match on_block {
            Some(l) => by_line.entry(l).or_default().push(t),
            None => section_threads.push(t),
        }
    }
    (section_threads, by_line)
}

fn parts_view(
    parts: Vec<RenderedPart>,
    by_line: &mut HashMap<usize, Vec<ThreadView>>,
) -> Vec<PartView> {
    parts
        .into_iter()
        .map(|p| PartView {
            threads: p.line.and_then(|l| by_line.remove(&l)).unwrap_or_default(),
            html: p.html,
            line: p.line,
            is_block: p.is_block,
        })
        .collect()
}

/// What the section page shows besides the stored state.
#[derive(Default)]
struct PageExtras {
    edit: Option<EditView>,
    message: Option<String>,
    error: Option<String>,
    conflict: Option<ConflictView>,
    preview_body: Option<String>,
}

async fn section_response(
    state: &AppState,
    viewer: &Viewer,
    ctx: ReportCtx,
    s: Section,
    current: bool,
    extras: PageExtras,
    status: StatusCode,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let comments = state.store.comments(ctx.report.id).await?;
    let rendered =
        blocks::render_section(state, &ctx.org, &s.body, &tr, &format!("s{}", s.id)).await?;
    let block_lines: Vec<usize> = rendered
        .iter()
        .filter(|p| p.is_block)
        .filter_map(|p| p.line)
        .collect();
    let (threads, mut by_line) = threads_of(&tr, &ctx, &s, &comments, &block_lines);
    let parts = parts_view(rendered, &mut by_line);
    let preview = match &extras.preview_body {
        Some(b) => {
            let r = blocks::render_section(state, &ctx.org, b, &tr, &format!("p{}", s.id)).await?;
            Some(parts_view(r, &mut HashMap::new()))
        }
        None => None,
    };
    let unresolved = comments
        .iter()
        .filter(|c| c.section_id == Some(s.id) && c.parent_id.is_none() && c.resolved_at.is_none())
        .count();
    let users = report_users(state, &ctx.report).await?;
    let names: HashMap<i64, String> = users.iter().map(|u| (u.id, u.name.clone())).collect();
    let can_edit = current && ctx.can_edit(&s);
    let can_manage = current && ctx.can_manage();
    let indicators = if can_edit {
        let mut v: Vec<(i64, String)> = state
            .store
            .indicators()
            .await?
            .into_iter()
            .map(|i| (i.id.0, format!("{} ({})", i.title.get(lang), i.id)))
            .collect();
        v.sort_by_key(|a| a.1.to_lowercase());
        v
    } else {
        vec![]
    };
    let outline = state.store.sections(ctx.report.id).await?;
    let pos = outline.iter().position(|x| x.id == s.id);
    let prev = pos
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| outline.get(p))
        .map(|x| (x.id, x.heading.clone()));
    let next = pos
        .and_then(|p| outline.get(p + 1))
        .map(|x| (x.id, x.heading.clone()));
    let edit = extras.edit.unwrap_or_else(|| EditView {
        body: s.body.clone(),
        base_revision: s.revision,
        note: String::new(),
        insert_indicator: String::new(),
        insert_chart: "trend".into(),
    });
    let page = Page::new(
        viewer,
        format!("{} – {}", s.heading, ctx.report.title),
        &format!("/reports/{}/sections/{}", ctx.report.id, s.id),
    );
    let tpl = SectionTpl {
        page,
        heading_number: pos.map(|p| p + 1).unwrap_or(0),
        removed: !current,
        sector: s
            .owner_sector
            .as_deref()
            .map(|x| sector_label(&tr, x))
            .unwrap_or_default(),
        status_label: status_label(&tr, s.status),
        areas: area_views(&tr, &s.content_areas)
            .into_iter()
            .filter(|a| a.checked)
            .collect(),
        assignee_names: s
            .assignees
            .iter()
            .filter_map(|u| names.get(u).cloned())
            .collect::<Vec<_>>()
            .join(", "),
        updated: short_time(&s.updated_at),
        parts,
        threads,
        unresolved,
        can_edit,
        can_manage,
        can_comment: current && ctx.can_comment(),
        edit,
        message: extras.message,
        error: extras.error,
        conflict: extras.conflict,
        preview,
        indicators,
        charts: ChartKind::ALL
            .iter()
            .map(|k| (k.as_str(), tr.t(&format!("blk-chart-{}", k.as_str()))))
            .collect(),
        statuses: status_options(&tr),
        people: users
            .iter()
            .map(|u| {
                (
                    u.id,
                    format!("{} ({})", u.name, tr.t(&format!("role-{}", u.role))),
                    s.assignees.contains(&u.id),
                )
            })
            .collect(),
        max_chars: MAX_SECTION_CHARS,
        prev,
        next,
        report: ctx.report,
        section: s,
    };
    let mut res = render(&tpl)?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /reports/{id}/sections/{sid}`: the section's text with live indicator blocks,
/// comments and, for those who may, the editor.
pub async fn section_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<SectionQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let ctx = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (s, current) = load_section(&state, &ctx, &sid, &tr).await?;
    let extras = PageExtras {
        message: q
            .saved
            .map(|n| tr.ta("sec-saved", &[("revision", n.to_string())])),
        ..Default::default()
    };
    section_response(&state, &viewer, ctx, s, current, extras, StatusCode::OK).await
}

/// Builds the block line of the insert helper from the form.
fn block_from_form(tr: &Tr, f: &FormData) -> AppResult<String> {
    let id: i64 = f
        .get("insert_indicator")
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::unprocessable(tr.t("sec-err-pick-indicator")))?;
    let chart = ChartKind::ALL
        .into_iter()
        .find(|k| k.as_str() == f.get("insert_chart"))
        .ok_or_else(|| AppError::unprocessable(tr.t("sec-err-chart")))?;
    let mut compare = vec![];
    for c in f.all("insert_compare") {
        match c {
            "region" => compare.push(Comparator::WelfareRegion),
            "country" => compare.push(Comparator::Country),
            _ => return Err(AppError::unprocessable(tr.t("sec-err-compare"))),
        }
    }
    for a in f
        .get("insert_areas")
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|a| !a.is_empty())
    {
        let k: RegionKey = a.parse().map_err(|_| {
            AppError::unprocessable(tr.ta("rep-err-partner", &[("id", a.to_string())]))
        })?;
        compare.push(Comparator::Area(k));
    }
    let year = match f.opt("insert_year") {
        Some(y) => Some(
            y.parse::<i64>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
                .ok_or_else(|| AppError::unprocessable(tr.t("rep-err-year")))?,
        ),
        None => None,
    };
    let empty = compare.is_empty();
    let line = IndicatorBlock {
        indicator: IndicatorId(id),
        chart,
        compare,
        year,
        level: None,
    }
    .to_line();
    // An empty list must be written out: a block without `compare` means the default.
    Ok(if empty {
        line.replacen(
            &format!("chart={}", chart.as_str()),
            &format!("chart={} compare=", chart.as_str()),
            1,
        )
    } else {
        line
    })
}

async fn editable_section(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    sid: &str,
    f: &FormData,
) -> AppResult<(ReportCtx, Section, Tr)> {
    viewer.check_csrf(f.get("csrf"))?;
    let ctx = load_report(state, viewer, id).await?;
    let tr = Tr::new(viewer.lang);
    let (s, current) = load_section(state, &ctx, sid, &tr).await?;
    if !current {
        return Err(AppError::not_found(tr.t("rep-err-removed")));
    }
    if !ctx.can_edit(&s) {
        return Err(forbid(&tr, "sec-err-edit-forbidden"));
    }
    Ok((ctx, s, tr))
}

/// `POST /reports/{id}/sections/{sid}`: saves the text as a new revision based on
/// `base_revision` (409 with both texts when someone saved first). `action=preview`
/// shows the text without saving; `action=insert` appends the helper's block line.
pub async fn save_section(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, s, tr) = editable_section(&state, &viewer, &id, &sid, &f).await?;
    let base: i64 = f
        .get("base_revision")
        .trim()
        .parse()
        .map_err(|_| AppError::bad_request(tr.t("sec-err-base")))?;
    let mut body = f.get("body").replace("\r\n", "\n");
    let note = f.get("note").trim().to_string();
    let mut edit = EditView {
        body: body.clone(),
        base_revision: base,
        note: note.clone(),
        insert_indicator: f.get("insert_indicator").to_string(),
        insert_chart: Some(f.get("insert_chart"))
            .filter(|c| !c.is_empty())
            .unwrap_or("trend")
            .to_string(),
    };
    let too_long = body.chars().count() > MAX_SECTION_CHARS;
    let bad_note = note.chars().count() > MAX_NOTE_CHARS;
    if too_long || bad_note {
        let error = if too_long {
            tr.ta(
                "sec-err-too-long",
                &[("max", MAX_SECTION_CHARS.to_string())],
            )
        } else {
            tr.ta("sec-err-note", &[("max", MAX_NOTE_CHARS.to_string())])
        };
        let extras = PageExtras {
            edit: Some(edit),
            error: Some(error),
            ..Default::default()
        };
        return section_response(
            &state,
            &viewer,
            ctx,
            s,
            true,
            extras,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match f.get("action") {
        "insert" => {
            let line = match block_from_form(&tr, &f) {
                Ok(l) => l,
                Err(e) => {
                    let extras = PageExtras {
                        edit: Some(edit),
                        error: Some(e.message),
                        ..Default::default()
                    };
                    return section_response(
                        &state,
                        &viewer,
                        ctx,
                        s,
                        true,
                        extras,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await;
                }
            };
            let trimmed = body.trim_end().to_string();
            body = if trimmed.is_empty() {
                format!("{line}\n")
            } else {
                format!("{trimmed}\n\n{line}\n")
            };
            edit.body = body.clone();
            let extras = PageExtras {
                edit: Some(edit),
                message: Some(tr.ta("sec-inserted", &[("line", line)])),
                preview_body: Some(body),
                ..Default::default()
            };
            section_response(&state, &viewer, ctx, s, true, extras, StatusCode::OK).await
        }
        "preview" => {
            let extras = PageExtras {
                edit: Some(edit),
                preview_body: Some(body),
                ..Default::default()
            };
            section_response(&state, &viewer, ctx, s, true, extras, StatusCode::OK).await
        }
        _ => {
            let note_opt = Some(note.as_str()).filter(|n| !n.is_empty());
            match state
                .store
                .save_section(s.id, base, &body, &ctx.user.email, note_opt)
                .await?
            {
                SaveOutcome::Saved(rev) => {
                    audit(
                        &state,
                        &ctx,
                        "section_saved",
                        format!(
                            "report {}, section {} revision {} ({} characters){}",
                            ctx.report.id,
                            s.id,
                            rev.number,
                            body.chars().count(),
                            note_opt.map(|n| format!(": {n}")).unwrap_or_default()
                        ),
                    )
                    .await?;
                    Ok(see_other(format!(
                        "/reports/{}/sections/{}?saved={}#text",
                        ctx.report.id, s.id, rev.number
                    )))
                }
                SaveOutcome::Conflict {
                    current_revision,
                    current_body,
                    current_author,
                } => {
                    conflict_response(
                        &state,
                        &viewer,
                        ctx,
                        s.id,
                        body,
                        note,
                        current_revision,
                        current_body,
                        current_author,
                    )
                    .await
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn conflict_response(
    state: &AppState,
    viewer: &Viewer,
    ctx: ReportCtx,
    sid: i64,
    mine: String,
    note: String,
    current_revision: i64,
    current_body: String,
    current_author: String,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    audit(
        state,
        &ctx,
        "section_save_conflict",
        format!(
            "report {}, section {sid}: save refused, revision {current_revision} by {current_author} was saved first",
            ctx.report.id
        ),
    )
    .await?;
    // Reload: the section changed under us.
    let (s, current) = load_section(state, &ctx, &sid.to_string(), &tr).await?;
    let extras = PageExtras {
        edit: Some(EditView {
            body: mine.clone(),
            base_revision: current_revision,
            note,
            insert_indicator: String::new(),
            insert_chart: "trend".into(),
        }),
        conflict: Some(ConflictView {
            revision: current_revision,
            author: current_author,
            diff: line_diff(&current_body, &mine),
            body: current_body,
        }),
        ..Default::default()
    };
    section_response(state, viewer, ctx, s, current, extras, StatusCode::CONFLICT).await
}

/// `POST /reports/{id}/sections/{sid}/status`.
pub async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, s, tr) = editable_section(&state, &viewer, &id, &sid, &f).await?;
    let status: SectionStatus = f
        .get("status")
        .parse()
        .map_err(|_| AppError::unprocessable(tr.t("rep-err-status")))?;
    state.store.set_section_status(s.id, status).await?;
    audit(
        &state,
        &ctx,
        "section_status",
        format!(
            "report {}, section {}: {} → {status}",
            ctx.report.id, s.id, s.status
        ),
    )
    .await?;
    Ok(see_other(format!(
        "/reports/{}/sections/{}#work",
        ctx.report.id, s.id
    )))
}

/// `POST /reports/{id}/sections/{sid}/assignees`: coordinators assign users of the
/// report's organisations.
pub async fn set_assignees(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, tr) = manager_ctx(&state, &viewer, &id, &f).await?;
    let (s, current) = load_section(&state, &ctx, &sid, &tr).await?;
    if !current {
        return Err(AppError::not_found(tr.t("rep-err-removed")));
    }
    let users = report_users(&state, &ctx.report).await?;
    let mut ids = vec![];
    for v in f.all("assignees") {
        let uid: i64 = v
            .parse()
            .ok()
            .filter(|u| users.iter().any(|x| x.id == *u))
            .ok_or_else(|| AppError::unprocessable(tr.t("sec-err-assignee")))?;
        if !ids.contains(&uid) {
            ids.push(uid);
        }
    }
    state.store.set_assignees(s.id, &ids).await?;
    audit(
        &state,
        &ctx,
        "section_assignees",
        format!(
            "report {}, section {}: [{}]",
            ctx.report.id,
            s.id,
            users
                .iter()
                .filter(|u| ids.contains(&u.id))
                .map(|u| u.email.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .await?;
    Ok(see_other(format!(
        "/reports/{}/sections/{}#work",
        ctx.report.id, s.id
    )))
}

// ---------------------------------------------------------------------------
// History

/// A line of a diff.
pub struct DiffRow {
    /// `ins`, `del`, `eq` or `gap`.
    pub kind: &'static str,
    /// Line number in the old text.
    pub old_no: String,
    /// Line number in the new text.
    pub new_no: String,
    /// The line.
    pub text: String,
}

/// A line diff with three lines of context around each change.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffRow> {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    let mut out = vec![];
    for (i, group) in diff.grouped_ops(3).iter().enumerate() {
        if i > 0 {
            out.push(DiffRow {
                kind: "gap",
                old_no: String::new(),
                new_no: String::new(),
                text: "…".into(),
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Delete => "del",
                    ChangeTag::Insert => "ins",
                    ChangeTag::Equal => "eq",
                };
                out.push(DiffRow {
                    kind,
                    old_no: change
                        .old_index()
                        .map(|n| (n + 1).to_string())
                        .unwrap_or_default(),
                    new_no: change
                        .new_index()
                        .map(|n| (n + 1).to_string())
                        .unwrap_or_default(),
                    text: change.value().trim_end_matches(['\n', '\r']).to_string(),
                });
            }
        }
    }
    out
}

/// A revision in the history list.
pub struct RevView {
    /// Number.
    pub number: i64,
    /// Author.
    pub author: String,
    /// When.
    pub at: String,
    /// Raw timestamp.
    pub at_raw: String,
    /// Note, translated where it is a restore note.
    pub note: String,
    /// Characters.
    pub chars: usize,
    /// Whether it is the current revision.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "section_history.html")]
struct HistoryTpl {
    page: Page,
    report: Report,
    section: Section,
    revisions: Vec<RevView>,
    from: i64,
    to: i64,
    diff: Vec<DiffRow>,
    added: usize,
    removed: usize,
    can_edit: bool,
    message: Option<String>,
}

/// Query of the history page.
#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    from: Option<String>,
    to: Option<String>,
    restored: Option<i64>,
}

fn note_text(tr: &Tr, note: &str) -> String {
    match note
        .strip_prefix("restored from revision ")
        .and_then(|n| n.parse::<i64>().ok())
    {
        Some(n) => tr.ta("hist-restored-note", &[("revision", n.to_string())]),
        None => note.to_string(),
    }
}

/// `GET /reports/{id}/sections/{sid}/history?from=N&to=M`: revisions and a line diff.
pub async fn history(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Query(q): Query<HistoryQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let ctx = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (s, current) = load_section(&state, &ctx, &sid, &tr).await?;
    let revs = state.store.revisions(s.id).await?;
    let pick = |v: Option<&str>, default: i64| -> AppResult<i64> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| revs.iter().any(|r| r.number == *n))
                .ok_or_else(|| {
                    AppError::not_found(
                        tr.ta("hist-err-no-revision", &[("revision", v.to_string())]),
                    )
                }),
        }
    };
    let to = pick(q.to.as_deref(), s.revision)?;
    let from = pick(q.from.as_deref(), (to - 1).max(0))?;
    let body_of = |n: i64| {
        revs.iter()
            .find(|r| r.number == n)
            .map(|r| r.body.clone())
            .unwrap_or_default()
    };
    let diff = line_diff(&body_of(from), &body_of(to));
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("hist-title"), s.heading),
        &uri.to_string(),
    );
    let revisions = revs
        .iter()
        .map(|r| RevView {
            number: r.number,
            author: r.author_email.clone(),
            at: short_time(&r.created_at),
            at_raw: r.created_at.clone(),
            note: r
                .note
                .as_deref()
                .map(|n| note_text(&tr, n))
                .unwrap_or_default(),
            chars: r.body.chars().count(),
            current: r.number == s.revision,
        })
        .collect();
    render(&HistoryTpl {
        page,
        added: diff.iter().filter(|d| d.kind == "ins").count(),
        removed: diff.iter().filter(|d| d.kind == "del").count(),
        can_edit: current && ctx.can_edit(&s),
        message: q
            .restored
            .map(|n| tr.ta("hist-restored", &[("revision", n.to_string())])),
        report: ctx.report,
        section: s,
        revisions,
        from,
        to,
        diff,
    })
}

/// `POST /reports/{id}/sections/{sid}/restore`: saves an old revision's text as a new
/// revision, based on the current one (so it is conflict-checked too).
pub async fn restore(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    let (ctx, s, tr) = editable_section(&state, &viewer, &id, &sid, &f).await?;
    let number: i64 = f.get("revision").trim().parse().map_err(|_| {
        AppError::unprocessable(tr.ta(
            "hist-err-no-revision",
            &[("revision", f.get("revision").to_string())],
        ))
    })?;
    let base: i64 = f
        .get("base_revision")
        .trim()
        .parse()
        .map_err(|_| AppError::bad_request(tr.t("sec-err-base")))?;
    let old = state.store.revision(s.id, number).await?.ok_or_else(|| {
        AppError::not_found(tr.ta("hist-err-no-revision", &[("revision", number.to_string())]))
    })?;
    let note = format!("restored from revision {number}");
    match state
        .store
        .save_section(s.id, base, &old.body, &ctx.user.email, Some(&note))
        .await?
    {
        SaveOutcome::Saved(rev) => {
            audit(
                &state,
                &ctx,
                "section_restored",
                format!(
                    "report {}, section {}: revision {} restored from revision {number}",
                    ctx.report.id, s.id, rev.number
                ),
            )
            .await?;
            Ok(see_other(format!(
                "/reports/{}/sections/{}/history?restored={number}",
                ctx.report.id, s.id
            )))
        }
        SaveOutcome::Conflict {
            current_revision,
            current_body,
            current_author,
        } => {
            conflict_response(
                &state,
                &viewer,
                ctx,
                s.id,
                old.body,
                note,
                current_revision,
                current_body,
                current_author,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------
// Comments

/// `POST /reports/{id}/sections/{sid}/comments`: a new thread on the section or on an
/// indicator block (`block_line`), or a reply (`parent_id`).
pub async fn add_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    viewer.check_csrf(f.get("csrf"))?;
    let ctx = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (s, current) = load_section(&state, &ctx, &sid, &tr).await?;
    if !current {
        return Err(AppError::not_found(tr.t("rep-err-removed")));
    }
    if !ctx.can_comment() {
        return Err(forbid(&tr, "com-err-forbidden"));
    }
    let body = f.get("body").replace("\r\n", "\n").trim().to_string();
    if body.is_empty() || body.chars().count() > 5000 {
        return Err(AppError::unprocessable(tr.t("com-err-body")));
    }
    let block_line = match f.opt("block_line") {
        Some(l) => Some(
            l.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::unprocessable(tr.t("com-err-line")))?,
        ),
        None => None,
    };
    let parent = match f.opt("parent_id") {
        Some(p) => {
            let pid: i64 = p
                .parse()
                .map_err(|_| AppError::not_found(tr.t("com-err-no-comment")))?;
            let comments = state.store.comments(ctx.report.id).await?;
            let c = comments
                .iter()
                .find(|c| c.id == pid && c.section_id == Some(s.id) && c.parent_id.is_none())
                .ok_or_else(|| AppError::not_found(tr.t("com-err-no-comment")))?;
            Some(c.id)
        }
        None => None,
    };
    let cid = state
        .store
        .add_comment(
            ctx.report.id,
            Some(s.id),
            block_line,
            parent,
            &ctx.user.email,
            &ctx.user.name,
            &body,
        )
        .await?;
    audit(
        &state,
        &ctx,
        "comment_added",
        format!(
            "report {}, section {}, comment {cid}{}{}",
            ctx.report.id,
            s.id,
            parent
                .map(|p| format!(", reply to {p}"))
                .unwrap_or_default(),
            block_line
                .map(|l| format!(", on block line {l}"))
                .unwrap_or_default()
        ),
    )
    .await?;
    Ok(see_other(format!(
        "/reports/{}/sections/{}#c{}",
        ctx.report.id,
        s.id,
        parent.unwrap_or(cid)
    )))
}

#[allow(clippy::too_many_arguments)]
async fn set_resolved(
    state: AppState,
    viewer: Viewer,
    uri: Uri,
    id: String,
    sid: String,
    cid: String,
    pairs: Vec<(String, String)>,
    resolve: bool,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login_redirect_from(&uri));
    }
    let f = FormData(pairs);
    viewer.check_csrf(f.get("csrf"))?;
    let ctx = load_report(&state, &viewer, &id).await?;
    let tr = Tr::new(viewer.lang);
    let (s, _) = load_section(&state, &ctx, &sid, &tr).await?;
    let cid = parse_id(&cid, "comment")?;
    let comments = state.store.comments(ctx.report.id).await?;
    let c = comments
        .iter()
        .find(|c| c.id == cid && c.section_id == Some(s.id) && c.parent_id.is_none())
        .ok_or_else(|| AppError::not_found(tr.t("com-err-no-comment")))?;
    let acc = ctx.report_access();
    if !super::report_data::may_resolve_comment(acc, &ctx.user, Some(&s), &c.author_email) {
        return Err(forbid(&tr, "com-err-resolve-forbidden"));
    }
    state
        .store
        .resolve_comment(
            ctx.report.id,
            c.id,
            resolve.then_some(ctx.user.name.as_str()),
        )
        .await?;
    audit(
        &state,
        &ctx,
        if resolve {
            "comment_resolved"
        } else {
            "comment_reopened"
        },
        format!(
            "report {}, section {}, comment {}",
            ctx.report.id, s.id, c.id
        ),
    )
    .await?;
    Ok(see_other(format!(
        "/reports/{}/sections/{}#c{}",
        ctx.report.id, s.id, c.id
    )))
}

/// `POST /reports/{id}/sections/{sid}/comments/{cid}/resolve`.
pub async fn resolve_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid, cid)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    set_resolved(state, viewer, uri, id, sid, cid, pairs, true).await
}

/// `POST /reports/{id}/sections/{sid}/comments/{cid}/reopen`.
pub async fn reopen_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((id, sid, cid)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    set_resolved(state, viewer, uri, id, sid, cid, pairs, false).await
}
