//! The yearly dialogue of a municipality and its welfare region (hyvinvointialueen ja
//! kunnan vuosittainen neuvottelu): joint goals and their follow-up, needs for
//! support, participants and date. Either side's coordinator records it; both read it.
//!
//! The permission rules and writes here are shared with `api::coefficient`.

use super::render;
use crate::auth::{readable_org, Viewer};
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use hyte_domain::{RegionCategory, RegionKey, Role};
use hyte_store::dialogue::{Dialogue, DialogueInput, Goal, GOAL_STATUSES};
use hyte_store::orgs::Region;
use hyte_store::users::User;
use serde::Deserialize;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{org}/dialogue", get(list_page).post(create_form))
        .route("/org/{org}/dialogue/new", get(new_page))
        .route("/org/{org}/dialogue/{id}", get(edit_page).post(update_form))
}

/// What a user may do with a dialogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogueAccess {
    /// Read only (a party's member below coordinator).
    Read,
    /// Read and edit (a party's coordinator, or an admin).
    Edit,
}

fn is_party(user: &User, municipality: &str, welfare_region: &str) -> bool {
    user.org
        .as_ref()
        .is_some_and(|o| o.to_string() == municipality || o.to_string() == welfare_region)
}

/// The user's access to a dialogue; `None` when the user's organisation is not a party.
pub fn dialogue_access(user: &User, d: &Dialogue) -> Option<DialogueAccess> {
    if user.role == Role::Admin {
        return Some(DialogueAccess::Edit);
    }
    if !is_party(user, &d.municipality, &d.welfare_region) {
        return None;
    }
    Some(if user.role.at_least(Role::Coordinator) {
        DialogueAccess::Edit
    } else {
        DialogueAccess::Read
    })
}

/// Whether the user may record a dialogue between these two.
pub fn may_record(user: &User, municipality: &Region, welfare_region: &RegionKey) -> bool {
    user.role == Role::Admin
        || (user.role.at_least(Role::Coordinator)
            && is_party(
                user,
                &municipality.key.to_string(),
                &welfare_region.to_string(),
            ))
}

/// Loads a dialogue the viewer may read: 404 unknown, 403 foreign.
pub async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> AppResult<(Dialogue, DialogueAccess)> {
    let user = viewer.user()?;
    let d = state
        .store
        .dialogue(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no dialogue {id}")))?;
    let acc = dialogue_access(user, &d).ok_or_else(|| {
        AppError::forbidden("only the municipality and its welfare region read this dialogue")
    })?;
    Ok((d, acc))
}

/// Resolves the municipality of a new dialogue: the organisation itself, or for a
/// welfare region one of its member municipalities. Returns (municipality, region).
pub async fn parties(
    state: &AppState,
    org: &Region,
    municipality: Option<&str>,
) -> AppResult<(Region, RegionKey)> {
    match org.key.category() {
        RegionCategory::Kunta => {
            let wr = org.welfare_region.clone().ok_or_else(|| {
                AppError::unprocessable(format!("{} belongs to no welfare region", org.key))
            })?;
            Ok((org.clone(), wr))
        }
        RegionCategory::Hyvinvointialue => {
            let m = municipality
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .ok_or_else(|| {
                    AppError::unprocessable("choose the municipality of the dialogue")
                })?;
            let key: RegionKey = m
                .parse()
                .map_err(|e: hyte_domain::RegionKeyError| AppError::unprocessable(e.to_string()))?;
            let region = state
                .store
                .region(&key)
                .await?
                .filter(|r| r.welfare_region.as_ref() == Some(&org.key) && r.is_current())
                .ok_or_else(|| {
                    AppError::unprocessable(format!("{key} is not a municipality of {}", org.key))
                })?;
            Ok((region, org.key.clone()))
        }
        _ => Err(AppError::not_found(format!("{} has no dialogues", org.key))),
    }
}

/// Records a dialogue with an audit entry on both parties.
pub async fn create(
    state: &AppState,
    user: &User,
    municipality: &Region,
    welfare_region: &RegionKey,
    input: DialogueInput,
) -> AppResult<i64> {
    if !may_record(user, municipality, welfare_region) {
        return Err(AppError::forbidden(
            "only coordinators of the municipality or its welfare region record the dialogue",
        ));
    }
    let year = input.year;
    let id = state
        .store
        .create_dialogue(&municipality.key, welfare_region, input, &user.email)
        .await?;
    audit_both(
        state,
        user,
        &municipality.key,
        welfare_region,
        "dialogue_create",
        &format!("dialogue {id} for {year}"),
    )
    .await?;
    Ok(id)
}

/// Updates a dialogue the user may edit, with an audit entry on both parties.
pub async fn update(
    state: &AppState,
    user: &User,
    d: &Dialogue,
    input: DialogueInput,
) -> AppResult<()> {
    if dialogue_access(user, d) != Some(DialogueAccess::Edit) {
        return Err(AppError::forbidden(
            "only coordinators of the parties edit the dialogue",
        ));
    }
    state
        .store
        .update_dialogue(d.id, input, &user.email)
        .await?;
    let (m, w) = keys(d)?;
    audit_both(
        state,
        user,
        &m,
        &w,
        "dialogue_update",
        &format!("dialogue {}", d.id),
    )
    .await
}

/// Deletes a dialogue the user may edit, with an audit entry on both parties.
pub async fn delete(state: &AppState, user: &User, d: &Dialogue) -> AppResult<()> {
    if dialogue_access(user, d) != Some(DialogueAccess::Edit) {
        return Err(AppError::forbidden(
            "only coordinators of the parties delete the dialogue",
        ));
    }
    state.store.delete_dialogue(d.id).await?;
    let (m, w) = keys(d)?;
    audit_both(
        state,
        user,
        &m,
        &w,
        "dialogue_delete",
        &format!("dialogue {} of {}", d.id, d.year),
    )
    .await
}

fn keys(d: &Dialogue) -> AppResult<(RegionKey, RegionKey)> {
    let p = |s: &str| s.parse::<RegionKey>().map_err(AppError::internal);
    Ok((p(&d.municipality)?, p(&d.welfare_region)?))
}

async fn audit_both(
    state: &AppState,
    user: &User,
    m: &RegionKey,
    w: &RegionKey,
    action: &str,
    detail: &str,
) -> AppResult<()> {
    for org in [m, w] {
        state
            .store
            .audit(
                Some(&user.email),
                Some(org),
                action,
                &format!("{detail} ({m} – {w})"),
            )
            .await?;
    }
    Ok(())
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

async fn name_of(state: &AppState, key: &str, lang: &str) -> AppResult<String> {
    Ok(match key.parse::<RegionKey>() {
        Ok(k) => state
            .store
            .region(&k)
            .await?
            .map(|r| r.name(lang).to_string())
            .unwrap_or_else(|| key.to_string()),
        Err(_) => key.to_string(),
    })
}

fn login(org: &str) -> Response {
    Redirect::to(&format!("/login?next=/org/{org}/dialogue")).into_response()
}

fn can_create_here(user: &User, org: &Region) -> bool {
    user.role == Role::Admin
        || (user.role.at_least(Role::Coordinator)
            && match org.key.category() {
                RegionCategory::Kunta => {
                    user.org.as_ref() == Some(&org.key)
                        || (user.org.is_some() && user.org == org.welfare_region)
                }
                RegionCategory::Hyvinvointialue => user.org.as_ref() == Some(&org.key),
                _ => false,
            })
}

/// Query of the list page.
#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    /// `created`, `saved`.
    pub done: Option<String>,
}

/// `GET /org/{org}/dialogue`: the organisation's dialogues.
pub async fn list_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login(&org));
    }
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?;
    let tr = Tr::new(viewer.lang);
    let lang = viewer.lang.code();
    let mut rows = Vec::new();
    for d in state.store.dialogues_of(&region.key).await? {
        // A welfare region's coordinator reading one municipality sees only what
        // that municipality is a party of, which dialogues_of already ensures.
        if dialogue_access(user, &d).is_none() {
            continue;
        }
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
        can_create: can_create_here(user, &region),
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
                .store
                .members_of(&org.key)
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
    let mut res = render(&FormTpl {
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
    })?;
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `GET /org/{org}/dialogue/new`.
pub async fn new_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login(&org));
    }
    let region = readable_org(&state, &viewer, &org).await?;
    if !can_create_here(viewer.user()?, &region) {
        return Err(AppError::forbidden(
            "only coordinators of the municipality or its welfare region record the dialogue",
        ));
    }
    let draft = Draft {
        year: (i64::from(time::OffsetDateTime::now_utc().year())).to_string(),
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
fn read_form(f: &[(String, String)]) -> (Draft, Result<DialogueInput, String>) {
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
        Err(_) => Err("the year must be from 2020 to 2100".to_string()),
    };
    (draft, input)
}

/// A refusal in the UI language where the reason is known.
fn refusal(tr: &Tr, message: &str) -> String {
    let key = if message.starts_with("the year must be") {
        "dlg-error-year"
    } else if message.starts_with("the date must be") {
        "dlg-error-date"
    } else if message.starts_with("a dialogue needs at least one") {
        "dlg-error-goal-required"
    } else if message.starts_with("every goal with a follow-up note") {
        "dlg-error-goal-text"
    } else if message.starts_with("choose the municipality")
        || message.contains("is not a municipality of")
    {
        "dlg-error-municipality"
    } else {
        return format!("{} {message}", tr.t("dlg-error-not-saved"));
    };
    format!("{} {}", tr.t("dlg-error-not-saved"), tr.t(key))
}

/// `POST /org/{org}/dialogue`: records a new dialogue.
pub async fn create_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login(&org));
    }
    let csrf = f
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    viewer.check_csrf(csrf)?;
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?.clone();
    if !can_create_here(&user, &region) {
        return Err(AppError::forbidden(
            "only coordinators of the municipality or its welfare region record the dialogue",
        ));
    }
    let (draft, input) = read_form(&f);
    let uri = format!("/org/{}/dialogue/new", region.key);
    let result = async {
        let input = input.map_err(AppError::unprocessable)?;
        let (m, w) = parties(&state, &region, Some(draft.municipality.as_str())).await?;
        create(&state, &user, &m, &w, input).await
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!(
            "/org/{}/dialogue?done=created#dialogue-{id}",
            region.key
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let msg = refusal(&Tr::new(viewer.lang), &e.message);
            render_form(&state, &viewer, &uri, region, None, true, draft, Some(msg)).await
        }
        Err(e) => Err(e),
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
    let region = readable_org(state, viewer, org).await?;
    let (d, acc) = load(state, viewer, id).await?;
    if !d.involves(&region.key) {
        return Err(AppError::not_found(format!(
            "{} has no dialogue {id}",
            region.key
        )));
    }
    Ok((region, d, acc))
}

/// `GET /org/{org}/dialogue/{id}`: the dialogue, as a form for its coordinators.
pub async fn edit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((org, id)): Path<(String, String)>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login(&org));
    }
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
    viewer: Viewer,
    Path((org, id)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login(&org));
    }
    let csrf = f
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    viewer.check_csrf(csrf)?;
    let (region, d, _) = org_and_dialogue(&state, &viewer, &org, &id).await?;
    let user = viewer.user()?.clone();
    let (draft, input) = read_form(&f);
    let result = async {
        let input = input.map_err(AppError::unprocessable)?;
        update(&state, &user, &d, input).await
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/org/{}/dialogue?done=saved#dialogue-{}",
            region.key, d.id
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let msg = refusal(&Tr::new(viewer.lang), &e.message);
            let uri = format!("/org/{}/dialogue/{}", region.key, d.id);
            render_form(
                &state,
                &viewer,
                &uri,
                region,
                Some(&d),
                true,
                draft,
                Some(msg),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
