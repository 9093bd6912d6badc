//! The outline: sections, their order, content areas and owners.

use super::*;

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

pub(super) fn area_views(tr: &Tr, checked: &[ContentArea]) -> Vec<AreaView> {
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

pub(super) fn status_options(tr: &Tr) -> Vec<(&'static str, String)> {
    SectionStatus::ALL
        .iter()
        .map(|s| (s.as_str(), status_label(tr, *s)))
        .collect()
}

async fn names_of(state: &AppState, keys: &[RegionKey], lang: &str) -> AppResult<String> {
    let mut out = vec![];
    for k in keys {
        out.push(match state.app.region(k).await? {
            Some(r) => r.name(lang).to_string(),
            None => k.to_string(),
        });
    }
    Ok(out.join(", "))
}

/// The outline's rows: number, heading, areas, owner, status and assignees.
fn section_rows(tr: &Tr, sections: &[Section], names: &HashMap<i64, String>) -> Vec<SectionRow> {
    let n = sections.len();
    sections
        .iter()
        .enumerate()
        .map(|(i, s)| SectionRow {
            id: s.id,
            number: i + 1,
            heading: s.heading.clone(),
            areas: area_views(tr, &s.content_areas),
            sector: s.owner_sector.clone().unwrap_or_default(),
            sector_label: s
                .owner_sector
                .as_deref()
                .map(|x| sector_label(tr, x))
                .unwrap_or_default(),
            status: s.status.as_str(),
            status_label: status_label(tr, s.status),
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
        .collect()
}

/// The statutory content areas no section covers, and how many sections cover each.
fn coverage_views(tr: &Tr, sections: &[Section]) -> (Vec<AreaView>, Vec<(AreaView, String)>) {
    let uncovered = uncovered_areas(sections.iter().map(|s| s.content_areas.as_slice()))
        .into_iter()
        .map(|a| AreaView {
            key: a.as_str(),
            number: a.number(),
            label: area_label(tr, a),
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
                    label: area_label(tr, *a),
                    checked: n > 0,
                },
                tr.ta("rep-coverage-count", &[("count", n.to_string())]),
            )
        })
        .collect();
    (uncovered, coverage)
}

/// "3 of 12 sections done, 2 unresolved comments".
fn progress_text(tr: &Tr, sections: &[Section]) -> String {
    let done = sections
        .iter()
        .filter(|s| s.status == SectionStatus::Done)
        .count();
    let comments: i64 = sections.iter().map(|s| s.unresolved_comments).sum();
    tr.ta(
        "rep-progress-text",
        &[
            ("done", done.to_string()),
            ("total", sections.len().to_string()),
            ("comments", comments.to_string()),
        ],
    )
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
    let sections = state.app.sections(&ctx).await?;
    let users = state.app.assignable_users(&ctx).await?;
    let names: HashMap<i64, String> = users.iter().map(|u| (u.id, u.name.clone())).collect();
    let rows = section_rows(&tr, &sections, &names);
    let (uncovered, coverage) = coverage_views(&tr, &sections);
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
        progress: progress_text(&tr, &sections),
        rows,
        page,
        org: ctx.org,
        report: ctx.report,
    })
}

/// `POST /reports/{id}/agree`: the group agreed the outline at heading level.
pub async fn agree(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    state.app.agree_outline(&page.ctx).await?;
    Ok(to_report(&page, "#outline-status"))
}

/// `POST /reports/{id}/sections`: adds a section at the end of the outline.
pub async fn add_section(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let meta = SectionMeta {
        heading: f.get("heading").to_string(),
        areas: f.all("areas").iter().map(|s| s.to_string()).collect(),
        sector: f.opt("sector").map(str::to_string),
    };
    let (sid, _) = state.app.add_section(&page.ctx, &meta).await?;
    Ok(to_report(&page, format!("#s{sid}")))
}

/// `POST /reports/{id}/sections/{sid}/meta`: rename and re-tag a section.
pub async fn update_meta(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let (s, _) = state.app.section(&page.ctx, page.id_param("sid")?).await?;
    let patch = SectionPatch {
        heading: Some(f.get("heading").to_string()),
        areas: Some(f.all("areas").iter().map(|s| s.to_string()).collect()),
        sector: Some(f.opt("sector").map(str::to_string)),
        status: f.opt("status").map(str::to_string),
        assignees: None,
    };
    state.app.update_section(&page.ctx, &s, &patch).await?;
    Ok(to_report(&page, format!("#s{}", s.id)))
}

/// `POST /reports/{id}/sections/{sid}/move`: one place up or down.
pub async fn move_section(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let s = path_section(&state, &page).await?;
    let up = match f.get("direction") {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::unprocessable(page.tr.t("rep-err-direction"))),
    };
    state.app.move_section(&page.ctx, &s, up).await?;
    Ok(to_report(&page, format!("#s{}", s.id)))
}

/// `POST /reports/{id}/sections/{sid}/remove`: removes a section from the outline (its
/// history is kept).
pub async fn remove_section(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    let s = path_section(&state, &page).await?;
    state.app.remove_section(&page.ctx, &s).await?;
    Ok(to_report(&page, "#outline"))
}
