//! A section's history: revisions, differences, restoring.

use super::*;

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
    let Some((ctx, s, current)) = open_section(&state, &viewer, &id, &sid).await? else {
        return Ok(login_redirect_from(&uri));
    };
    let tr = Tr::new(viewer.lang);
    let revs = state.app.revisions(&ctx, &s).await?;
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

/// `POST /reports/{id}/sections/{sid}/restore`: an earlier revision becomes the
/// newest (409 with both texts when someone saved in between).
pub async fn restore(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let tr = page.tr;
    let s = path_section(&state, &page).await?;
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
    match state
        .app
        .restore_revision(&page.ctx, &s, number, base)
        .await?
    {
        (Saved::Revision(_), _) => Ok(to_report(
            &page,
            format!("/sections/{}/history?restored={number}", s.id),
        )),
        (
            Saved::Conflict {
                current_revision,
                current_body,
                current_author,
            },
            old_body,
        ) => {
            let edit = EditView {
                body: old_body,
                base_revision: base,
                note: format!("restored from revision {number}"),
                insert_indicator: String::new(),
                insert_chart: "trend".into(),
            };
            let current = (current_revision, current_body, current_author);
            conflict_response(&state, &page.viewer, page.ctx, s.id, edit, current).await
        }
    }
}
