//! The yearly dialogue of a municipality and its welfare region (hyvinvointialueen ja
//! kunnan vuosittainen neuvottelu): joint goals and their follow-up, needs for
//! support, participants and date. Either side's coordinator records it; both read it.
//!
//! The rules and the changes are the application layer's (`hyte_app::dialogue`),
//! shared with `api::coefficient`; this module reads forms and renders pages.

use super::coefficient::parse_org;
use super::process::{render_refusable, DoneQuery};
use super::render;
use crate::auth::{actor, Viewer};
use crate::extract::{SignedForm, SignedIn};
use crate::i18n::Tr;
use crate::pages::reports::FormData;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use hyte_app::model::dialogue::{Dialogue, DialogueInput, Goal, GOAL_STATUSES};
use hyte_app::model::orgs::Region;
use hyte_domain::{RegionCategory, RegionKey};

pub use hyte_app::dialogue::{can_create_here, dialogue_access, may_record, DialogueAccess};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{org}/dialogue", get(list_page).post(create_form))
        .route("/org/{org}/dialogue/new", get(new_page))
        .route("/org/{org}/dialogue/{id}", get(edit_page).post(update_form))
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

/// A dialogue in the list.
pub struct DialogueRow {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Other party's name.
    pub party: String,
    /// Date or "–".
    pub held_on: String,
    /// Goals with translated status.
    pub goals: Vec<(String, String, String)>,
    /// Needs for support.
    pub support_needs: String,
    /// Participants.
    pub participants: String,
}

#[derive(Template)]
#[template(path = "dialogue_list.html")]
struct ListTpl {
    page: Page,
    org: Region,
    rows: Vec<DialogueRow>,
    can_create: bool,
    message: Option<String>,
}

/// A select option.
pub struct Opt {
    /// Value.
    pub value: String,
    /// Text.
    pub text: String,
    /// Selected.
    pub selected: bool,
}

/// A goal row of the form.
pub struct GoalRow {
    /// Index.
    pub n: usize,
    /// Goal text.
    pub goal: String,
    /// Status options.
    pub statuses: Vec<Opt>,
    /// Note.
    pub note: String,
}

#[derive(Template)]
#[template(path = "dialogue_form.html")]
struct FormTpl {
    page: Page,
    org: Region,
    action: String,
    heading: String,
    municipalities: Vec<Opt>,
    party_text: String,
    year: String,
    held_on: String,
    participants: String,
    support_needs: String,
    goals: Vec<GoalRow>,
    can_edit: bool,
    error: Option<String>,
    meta: Option<String>,
}

/// An organisation's name in `lang` (the key itself for one Hyte does not know).
async fn name_of(state: &AppState, key: &str, lang: &str) -> AppResult<String> {
    let Ok(k) = key.parse::<RegionKey>() else {
        return Ok(key.to_string());
    };
    match state.app.organisation(&k).await {
        Ok(r) => Ok(r.name(lang).to_string()),
        Err(hyte_app::AppError::NotFound(_)) => Ok(key.to_string()),
        Err(e) => Err(e.into()),
    }
}

/// `GET /org/{org}/dialogue`: the organisation's dialogues.
pub async fn list_page(
    State(state): State<AppState>,
    SignedIn { viewer, actor }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let (region, list) = state.app.dialogues(&actor, &parse_org(&org)?).await?;
    let tr = Tr::new(viewer.lang);
    let lang = viewer.lang.code();
    let mut rows = Vec::new();
    for (d, _) in list {
        let other = if d.municipality == region.key.to_string() {
            &d.welfare_region
        } else {
            &d.municipality
        };
        rows.push(DialogueRow {
            id: d.id,
            year: d.year,
            party: name_of(&state, other, lang).await?,
            held_on: d.held_on.clone().unwrap_or_else(|| "–".into()),
            goals: d
                .goals
                .iter()
                .map(|g| {
                    (
                        g.goal.clone(),
                        tr.t(&format!("dlg-status-{}", g.status)),
                        g.note.clone(),
                    )
                })
                .collect(),
            support_needs: d.support_needs.clone(),
            participants: d.participants.clone(),
        });
    }
    let message = match q.done.as_deref() {
        Some("created") => Some(tr.t("dlg-done-created")),
        Some("saved") => Some(tr.t("dlg-done-saved")),
        _ => None,
    };
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("dlg-title"), region.name(lang)),
        &uri.to_string(),
    );
    render(&ListTpl {
        page,
        can_create: can_create_here(&actor.user, &region),
        org: region,
        rows,
        message,
    })
}

fn goal_rows(tr: &Tr, goals: &[Goal]) -> Vec<GoalRow> {
    let mut rows: Vec<GoalRow> = goals
        .iter()
        .chain(std::iter::repeat_n(
            &Goal {
                goal: String::new(),
                status: "not_started".into(),
                note: String::new(),
            },
            3,
        ))
        .enumerate()
        .map(|(n, g)| GoalRow {
            n,
            goal: g.goal.clone(),
            statuses: GOAL_STATUSES
                .iter()
                .map(|s| Opt {
                    value: s.to_string(),
                    text: tr.t(&format!("dlg-status-{s}")),
                    selected: *s == g.status,
                })
                .collect(),
            note: g.note.clone(),
        })
        .collect();
    rows.truncate(53);
    rows
}

/// Form contents, kept when a save is refused.
#[derive(Default)]
struct Draft {
    municipality: String,
    year: String,
    held_on: String,
    participants: String,
    support_needs: String,
    goals: Vec<Goal>,
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    state: &AppState,
    viewer: &Viewer,
    uri: &str,
    org: Region,
    existing: Option<&Dialogue>,
    can_edit: bool,
    draft: Draft,
    error: Option<String>,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = viewer.lang.code();
    let municipalities =
        if existing.is_none() && org.key.category() == RegionCategory::Hyvinvointialue {
            state
                .app
                .dialogue_municipalities(&org)
                .await?
                .iter()
                .map(|m| Opt {
                    value: m.key.to_string(),
                    text: m.name(lang).to_string(),
                    selected: m.key.to_string() == draft.municipality,
                })
                .collect()
        } else {
            vec![]
        };
    let party_text = match existing {
        Some(d) => format!(
            "{} – {}",
            name_of(state, &d.municipality, lang).await?,
            name_of(state, &d.welfare_region, lang).await?
        ),
        None => match org.key.category() {
            RegionCategory::Kunta => format!(
                "{} – {}",
                org.name(lang),
                match &org.welfare_region {
                    Some(w) => name_of(state, &w.to_string(), lang).await?,
                    None => "–".into(),
                }
            ),
            _ => org.name(lang).to_string(),
        },
    };
    let (action, heading) = match existing {
        Some(d) => (
            format!("/org/{}/dialogue/{}", org.key, d.id),
            tr.ta("dlg-edit-title", &[("year", d.year.to_string())]),
        ),
        None => (format!("/org/{}/dialogue", org.key), tr.t("dlg-new-title")),
    };
    let meta = existing.map(|d| {
        tr.ta(
            "dlg-meta",
            &[
                ("created", format!("{} {}", d.created_by, d.created_at)),
                ("updated", format!("{} {}", d.updated_by, d.updated_at)),
            ],
        )
    });
    let page = Page::new(viewer, heading.clone(), uri);
    let tpl = FormTpl {
        page,
        org,
        action,
        heading,
        municipalities,
        party_text,
        year: draft.year,
        held_on: draft.held_on,
        participants: draft.participants,
        support_needs: draft.support_needs,
        goals: goal_rows(&tr, &draft.goals),
        can_edit,
        meta,
        error: error.clone(),
    };
    render_refusable(&tpl, error.is_some())
}

/// `GET /org/{org}/dialogue/new`.
pub async fn new_page(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    let region = state
        .app
        .dialogue_recorder(&actor(&viewer)?, &parse_org(&org)?)
        .await?;
    let draft = Draft {
        year: super::current_year().to_string(),
        ..Default::default()
    };
    render_form(
        &state,
        &viewer,
        &uri.to_string(),
        region,
        None,
        true,
        draft,
        None,
    )
    .await
}

/// Reads the form into a draft and an input (the input's parse error, if any).
fn read_form(f: &[(String, String)]) -> (Draft, Result<DialogueInput, ()>) {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut goals = Vec::new();
    for n in 0..53 {
        let goal = get(&format!("goal_{n}"));
        let note = get(&format!("note_{n}"));
        if goal.trim().is_empty() && note.trim().is_empty() {
            continue;
        }
        goals.push(Goal {
            goal,
            status: get(&format!("status_{n}")),
            note,
        });
    }
    let draft = Draft {
        municipality: get("municipality"),
        year: get("year"),
        held_on: get("held_on"),
        participants: get("participants"),
        support_needs: get("support_needs"),
        goals: goals.clone(),
    };
    let input = match draft.year.trim().parse::<i64>() {
        Ok(year) => Ok(DialogueInput {
            year,
            held_on: Some(draft.held_on.clone()),
            participants: draft.participants.clone(),
            support_needs: draft.support_needs.clone(),
            goals,
        }),
        Err(_) => Err(()),
    };
    (draft, input)
}

/// A refused save in the UI language: "not saved" and the reason.
fn refusal(tr: &Tr, e: &hyte_app::AppError) -> String {
    let reason = e.refusal().map(|r| tr.refusal(r)).unwrap_or_default();
    format!("{} {reason}", tr.t("dlg-error-not-saved"))
}

/// The refusal of a year that is not a number, as the rule words it.
fn bad_year() -> hyte_app::AppError {
    hyte_app::AppError::Refused(hyte_app::Refusal::new(
        "dlg-error-year",
        "the year must be from 2020 to 2100",
    ))
}

/// Whether a use case refused the form's content (shown in the form), rather than
/// the request (an error page).
fn refused_content(e: &hyte_app::AppError) -> bool {
    matches!(
        e,
        hyte_app::AppError::Refused(_) | hyte_app::AppError::Invalid { .. }
    )
}

/// `POST /org/{org}/dialogue`: records a new dialogue.
pub async fn create_form(
    State(state): State<AppState>,
    Path(org): Path<String>,
    SignedForm {
        viewer,
        actor,
        form: FormData(f),
    }: SignedForm,
) -> AppResult<Response> {
    let region = state
        .app
        .dialogue_recorder(&actor, &parse_org(&org)?)
        .await?;
    let (draft, input) = read_form(&f);
    let result = match input {
        Ok(input) => {
            state
                .app
                .create_dialogue(
                    &actor,
                    &region.key,
                    Some(draft.municipality.as_str()),
                    input,
                )
                .await
        }
        Err(()) => Err(bad_year()),
    };
    after_save(&state, &viewer, region, None, draft, result, "created").await
}

/// Where a saved form goes: back to the list at the dialogue; content a use case
/// refused re-renders the form (new or existing) with the reason.
async fn after_save(
    state: &AppState,
    viewer: &Viewer,
    region: Region,
    existing: Option<&Dialogue>,
    draft: Draft,
    result: Result<Dialogue, hyte_app::AppError>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Ok(d) => Ok(Redirect::to(&format!(
            "/org/{}/dialogue?done={done}#dialogue-{}",
            region.key, d.id
        ))
        .into_response()),
        Err(e) if refused_content(&e) => {
            let msg = refusal(&Tr::new(viewer.lang), &e);
            let uri = match existing {
                Some(d) => format!("/org/{}/dialogue/{}", region.key, d.id),
                None => format!("/org/{}/dialogue/new", region.key),
            };
            render_form(
                state,
                viewer,
                &uri,
                region,
                existing,
                true,
                draft,
                Some(msg),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn parse_id(id: &str) -> AppResult<i64> {
    id.parse()
        .map_err(|_| AppError::bad_request(format!("'{id}' is not a dialogue id")))
}

async fn org_and_dialogue(
    state: &AppState,
    viewer: &Viewer,
    org: &str,
    id: &str,
) -> AppResult<(Region, Dialogue, DialogueAccess)> {
    let id = parse_id(id)?;
    let key = parse_org(org)?;
    Ok(state.app.dialogue_of(&actor(viewer)?, &key, id).await?)
}

/// `GET /org/{org}/dialogue/{id}`: the dialogue, as a form for its coordinators.
pub async fn edit_page(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path((org, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (region, d, acc) = org_and_dialogue(&state, &viewer, &org, &id).await?;
    let draft = Draft {
        municipality: d.municipality.clone(),
        year: d.year.to_string(),
        held_on: d.held_on.clone().unwrap_or_default(),
        participants: d.participants.clone(),
        support_needs: d.support_needs.clone(),
        goals: d.goals.clone(),
    };
    render_form(
        &state,
        &viewer,
        &uri.to_string(),
        region,
        Some(&d),
        acc == DialogueAccess::Edit,
        draft,
        None,
    )
    .await
}

/// `POST /org/{org}/dialogue/{id}`: saves the dialogue.
pub async fn update_form(
    State(state): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    SignedForm {
        viewer,
        form: FormData(f),
        ..
    }: SignedForm,
) -> AppResult<Response> {
    let (region, d, _) = org_and_dialogue(&state, &viewer, &org, &id).await?;
    let (draft, input) = read_form(&f);
    let result = match input {
        Ok(input) => {
            state
                .app
                .update_dialogue(&actor(&viewer)?, d.id, input)
                .await
        }
        Err(()) => Err(bad_year()),
    };
    after_save(&state, &viewer, region, Some(&d), draft, result, "saved").await
}
