//! A section: its text with live indicator blocks, the editor, saving and comments.

use super::*;

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
            can_resolve: ctx.can_comment() && (can_edit || c.author_email == ctx.actor.user.email),
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

/// Indicators to insert as blocks: id and "title (id)", by title.
async fn indicator_options(state: &AppState, lang: &str) -> AppResult<Vec<(i64, String)>> {
    let mut v: Vec<(i64, String)> = state
        .app
        .indicators()
        .await?
        .into_iter()
        .map(|i| (i.id.0, format!("{} ({})", i.title.get(lang), i.id)))
        .collect();
    v.sort_by_key(|a| a.1.to_lowercase());
    Ok(v)
}

type Neighbour = Option<(i64, String)>;

/// The sections before and after the one at `pos` in the outline.
fn neighbours(outline: &[Section], pos: Option<usize>) -> (Neighbour, Neighbour) {
    let prev = pos
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| outline.get(p))
        .map(|x| (x.id, x.heading.clone()));
    let next = pos
        .and_then(|p| outline.get(p + 1))
        .map(|x| (x.id, x.heading.clone()));
    (prev, next)
}

/// Who can be assigned: id, "name (role)", whether assigned now.
fn people_options(tr: &Tr, users: &[User], s: &Section) -> Vec<(i64, String, bool)> {
    users
        .iter()
        .map(|u| {
            (
                u.id,
                format!("{} ({})", u.name, tr.t(&format!("role-{}", u.role))),
                s.assignees.contains(&u.id),
            )
        })
        .collect()
}

/// The section's text rendered with its comment threads in place, the threads on the
/// whole section, and a preview of an edited text.
async fn rendered_parts(
    state: &AppState,
    tr: &Tr,
    ctx: &ReportCtx,
    s: &Section,
    comments: &[Comment],
    preview_body: Option<&str>,
) -> AppResult<(Vec<ThreadView>, Vec<PartView>, Option<Vec<PartView>>)> {
    let rendered =
        blocks::render_section(state, &ctx.org, &s.body, tr, &format!("s{}", s.id)).await?;
    let block_lines: Vec<usize> = rendered
        .iter()
        .filter(|p| p.is_block)
        .filter_map(|p| p.line)
        .collect();
    let (threads, mut by_line) = threads_of(tr, ctx, s, comments, &block_lines);
    let parts = parts_view(rendered, &mut by_line);
    let preview = match preview_body {
        Some(b) => {
            let r = blocks::render_section(state, &ctx.org, b, tr, &format!("p{}", s.id)).await?;
            Some(parts_view(r, &mut HashMap::new()))
        }
        None => None,
    };
    Ok((threads, parts, preview))
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
    let comments = state.app.comments(&ctx).await?;
    let (threads, parts, preview) = rendered_parts(
        state,
        &tr,
        &ctx,
        &s,
        &comments,
        extras.preview_body.as_deref(),
    )
    .await?;
    let unresolved = comments
        .iter()
        .filter(|c| c.section_id == Some(s.id) && c.parent_id.is_none() && c.resolved_at.is_none())
        .count();
    let users = state.app.assignable_users(&ctx).await?;
    let names: HashMap<i64, String> = users.iter().map(|u| (u.id, u.name.clone())).collect();
    let can_edit = current && ctx.can_edit(&s);
    let can_manage = current && ctx.can_manage();
    let indicators = if can_edit {
        indicator_options(state, lang).await?
    } else {
        vec![]
    };
    let outline = state.app.sections(&ctx).await?;
    let pos = outline.iter().position(|x| x.id == s.id);
    let (prev, next) = neighbours(&outline, pos);
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
        people: people_options(&tr, &users, &s),
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
    let Some((ctx, s, current)) = open_section(&state, &viewer, &id, &sid).await? else {
        return Ok(login_redirect_from(&uri));
    };
    let tr = Tr::new(viewer.lang);
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

/// `POST /reports/{id}/sections/{sid}`: saves the text as a new revision based on
/// `base_revision` (409 with both texts when someone saved first). `action=preview`
/// shows the text without saving; `action=insert` appends the helper's block line. A
/// refused save comes back with the typed text and the reason.
pub async fn save_section(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let sid = page.id_param("sid")?;
    let ReportPage {
        viewer, ctx, tr, ..
    } = page;
    let tr = &tr;
    let (s, _) = state.app.section(&ctx, sid).await?;
    let base: i64 = f
        .get("base_revision")
        .trim()
        .parse()
        .map_err(|_| AppError::bad_request(tr.t("sec-err-base")))?;
    let body = f.get("body").replace("\r\n", "\n");
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
    let mut extras = PageExtras::default();
    let status = match f.get("action") {
        "insert" => match block_from_form(tr, &f) {
            Ok(line) => {
                let trimmed = body.trim_end();
                edit.body = if trimmed.is_empty() {
                    format!("{line}\n")
                } else {
                    format!("{trimmed}\n\n{line}\n")
                };
                extras.message = Some(tr.ta("sec-inserted", &[("line", line)]));
                extras.preview_body = Some(edit.body.clone());
                StatusCode::OK
            }
            Err(e) => {
                extras.error = Some(e.message);
                StatusCode::UNPROCESSABLE_ENTITY
            }
        },
        "preview" => {
            extras.preview_body = Some(body);
            StatusCode::OK
        }
        _ => {
            let save = TextSave {
                base_revision: base,
                body,
                note: Some(note),
            };
            match state.app.save_section_text(&ctx, &s, &save).await {
                Ok(Saved::Revision(rev)) => {
                    return Ok(see_other(format!(
                        "/reports/{}/sections/{}?saved={}#text",
                        ctx.report.id, s.id, rev.number
                    )))
                }
                Ok(Saved::Conflict {
                    current_revision,
                    current_body,
                    current_author,
                }) => {
                    let current = (current_revision, current_body, current_author);
                    return conflict_response(&state, &viewer, ctx, s.id, edit, current).await;
                }
                Err(e)
                    if matches!(
                        e,
                        hyte_app::AppError::Invalid { .. }
                            | hyte_app::AppError::Refused(_)
                            | hyte_app::AppError::Locked(_)
                    ) =>
                {
                    extras.error = e.refusal().map(|r| tr.refusal(r));
                    AppError::from(e).status
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    extras.edit = Some(edit);
    section_response(&state, &viewer, ctx, s, true, extras, status).await
}

/// The editor again after a refused save: the typed text, the current text and the
/// difference between them (HTTP 409).
pub(super) async fn conflict_response(
    state: &AppState,
    viewer: &Viewer,
    ctx: ReportCtx,
    sid: i64,
    mut edit: EditView,
    (current_revision, current_body, current_author): (i64, String, String),
) -> AppResult<Response> {
    let (s, current) = state.app.section(&ctx, sid).await?;
    edit.base_revision = current_revision;
    edit.insert_indicator = String::new();
    edit.insert_chart = "trend".into();
    let extras = PageExtras {
        conflict: Some(ConflictView {
            revision: current_revision,
            author: current_author,
            diff: line_diff(&current_body, &edit.body),
            body: current_body,
        }),
        edit: Some(edit),
        ..Default::default()
    };
    section_response(state, viewer, ctx, s, current, extras, StatusCode::CONFLICT).await
}

/// `POST /reports/{id}/sections/{sid}/status`.
pub async fn set_status(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let s = path_section(&state, &page).await?;
    let patch = SectionPatch {
        status: Some(f.get("status").to_string()),
        ..Default::default()
    };
    patch_section(&state, &page, &s, patch).await
}

/// `POST /reports/{id}/sections/{sid}/assignees`: coordinators assign users of the
/// report's organisations.
pub async fn set_assignees(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let s = path_section(&state, &page).await?;
    let mut ids = vec![];
    for v in f.all("assignees") {
        let id = crate::pages::parse_id(v)
            .ok_or_else(|| AppError::unprocessable(page.tr.t("sec-err-assignee")))?;
        ids.push(id);
    }
    let patch = SectionPatch {
        assignees: Some(ids),
        ..Default::default()
    };
    patch_section(&state, &page, &s, patch).await
}

// ---------------------------------------------------------------------------
// Comments

/// `POST /reports/{id}/sections/{sid}/comments`: a new thread on the section or on an
/// indicator block (`block_line`), or a reply (`parent_id`).
pub async fn add_comment(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let sid = page.id_param("sid")?;
    let number = |name: &str| -> AppResult<Option<i64>> {
        match f.opt(name) {
            Some(v) => Ok(Some(v.parse::<i64>().map_err(|_| {
                AppError::unprocessable(page.tr.t(if name == "block_line" {
                    "com-err-line"
                } else {
                    "com-err-no-comment"
                }))
            })?)),
            None => Ok(None),
        }
    };
    let c = NewComment {
        section_id: Some(sid),
        block_line: number("block_line")?,
        parent_id: number("parent_id")?,
        body: f.get("body").to_string(),
    };
    let (comment, _) = state.app.add_comment(&page.ctx, &c).await?;
    Ok(to_report(
        &page,
        format!(
            "/sections/{sid}#c{}",
            comment.parent_id.unwrap_or(comment.id)
        ),
    ))
}

async fn set_resolved(state: AppState, page: ReportPage, resolve: bool) -> AppResult<Response> {
    let sid = page.id_param("sid")?;
    let cid = page.id_param("cid")?;
    state.app.section(&page.ctx, sid).await?;
    state
        .app
        .resolve_comment(&page.ctx, cid, Some(sid), resolve)
        .await?;
    Ok(to_report(&page, format!("/sections/{sid}#c{cid}")))
}

/// `POST /reports/{id}/sections/{sid}/comments/{cid}/resolve`.
pub async fn resolve_comment(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    set_resolved(state, page, true).await
}

/// `POST /reports/{id}/sections/{sid}/comments/{cid}/reopen`.
pub async fn reopen_comment(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    set_resolved(state, page, false).await
}
