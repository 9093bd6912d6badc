//! Reports through the JSON API: create and read reports, edit the outline, save
//! section text with its base revision, decide the indicator list, joys and concerns
//! with the data's verdict, comments and the indicator appendix. Same permissions as
//! the pages (`pages::report_data` holds the shared rules).

use super::{ApiError, ApiResult};
use crate::auth::{access, readable_org, Access, Viewer};
use crate::i18n::Tr;
use crate::pages::report_data::{
    add_observation, add_self_assessment, appendix, apply_selection, can_edit_section,
    collect_from_members, load_report, may_resolve_comment, observation_views, preset,
    propose_from_data, seed_preset, set_observation_links, set_observation_status,
    ObservationInput, ObservationView, ReportAccess, SelectionInput, PRESET_ID,
};
use crate::{AppError, AppState};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hyte_domain::report::{
    parse_outline_template, uncovered_areas, ContentArea, MeasureKind, ObservationKind,
    ObservationOrigin, ReportKind, SectionStatus, SelectionState, THL_OUTLINE_CSV,
};
use hyte_domain::{RegionKey, Role};
use hyte_store::reports::{NewReport, Report, SaveOutcome, Section};
use hyte_store::users::User;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations/{org}/reports",
            get(list_reports).post(create_report),
        )
        .route("/reports/{id}", get(report))
        .route("/reports/{id}/sections", post(add_section))
        .route(
            "/reports/{id}/sections/{sid}",
            axum::routing::patch(patch_section),
        )
        .route("/reports/{id}/sections/{sid}/text", put(save_text))
        .route("/reports/{id}/indicators", get(indicators))
        .route("/reports/{id}/indicators/seed", post(seed))
        .route("/reports/{id}/indicators/{item_key}", put(put_indicator))
        .route("/reports/{id}/self-assessments", post(self_assessment))
        .route(
            "/reports/{id}/observations",
            get(observations).post(create_observation),
        )
        .route("/reports/{id}/observations/propose", post(propose))
        .route("/reports/{id}/observations/collect", post(collect))
        .route(
            "/reports/{id}/observations/{oid}",
            axum::routing::patch(patch_observation),
        )
        .route("/reports/{id}/comments", get(comments).post(create_comment))
        .route(
            "/reports/{id}/comments/{cid}/resolve",
            post(resolve_comment),
        )
        .route("/reports/{id}/comments/{cid}/reopen", post(reopen_comment))
        .route("/reports/{id}/appendix", get(appendix_json))
}

/// A JSON body whose rejections (malformed JSON 400, wrong shape 422, missing
/// content type 415) answer as JSON errors like every other API error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(ApiError(AppError {
                status: rej.status(),
                message: rej.body_text(),
                json: true,
            })),
        }
    }
}

/// Query parameters whose rejections (a missing or malformed parameter, 400) answer
/// as JSON errors like every other API error.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(ApiError(AppError {
                status: rej.status(),
                message: rej.body_text(),
                json: true,
            })),
        }
    }
}

/// A UTF-8 text body (e.g. CSV) whose rejections (not UTF-8 400, too large 413)
/// answer as JSON errors like every other API error.
pub struct ApiText(pub String);

impl<S: Send + Sync> FromRequest<S> for ApiText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match String::from_request(req, state).await {
            Ok(s) => Ok(ApiText(s)),
            Err(rej) => Err(ApiError(AppError {
                status: rej.status(),
                message: rej.body_text(),
                json: true,
            })),
        }
    }
}

/// `Some(None)` for an explicit `null`, `None` when absent.
pub(crate) fn double<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub(crate) fn created(v: Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

fn require(ok: bool, message: &str) -> Result<(), AppError> {
    if ok {
        Ok(())
    } else {
        Err(AppError::forbidden(message.to_string()))
    }
}

async fn report_json(
    state: &AppState,
    r: &Report,
    acc: ReportAccess,
    user: &User,
) -> ApiResult<Value> {
    let sections = state.store.sections(r.id).await?;
    let uncovered: Vec<ContentArea> =
        uncovered_areas(sections.iter().map(|s| s.content_areas.as_slice()));
    let sections: Vec<Value> = sections
        .iter()
        .map(|s| section_json(s, can_edit_section(acc, user, s)))
        .collect();
    Ok(json!({
        "report": r,
        "access": acc.as_str(),
        "sections": sections,
        "coverage": { "uncovered": uncovered, "complete": uncovered.is_empty() },
    }))
}

fn section_json(s: &Section, editable: bool) -> Value {
    json!({
        "id": s.id, "position": s.position, "heading": s.heading,
        "content_areas": s.content_areas, "owner_sector": s.owner_sector,
        "status": s.status, "revision": s.revision, "body": s.body,
        "assignees": s.assignees, "unresolved_comments": s.unresolved_comments,
        "updated_at": s.updated_at, "editable": editable,
    })
}

/// `GET /api/v1/organisations/{org}/reports`.
pub async fn list_reports(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<Value>> {
    let region = readable_org(&state, &viewer, &org).await?;
    let items = state.store.reports_of(&region.key).await?;
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

/// Body of `POST /api/v1/organisations/{org}/reports`.
#[derive(Deserialize)]
pub struct NewReportBody {
    kind: String,
    title: String,
    term_start: i64,
    term_end: i64,
    #[serde(default)]
    year: Option<i64>,
    #[serde(default)]
    partners: Vec<String>,
    #[serde(default)]
    template: Option<String>,
}

/// `POST /api/v1/organisations/{org}/reports`: coordinators and admins create a
/// report from the THL outline or empty.
pub async fn create_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    ApiJson(b): ApiJson<NewReportBody>,
) -> ApiResult<Response> {
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?.clone();
    require(
        matches!(access(&user, &region), Access::Member(r) if r.at_least(Role::Coordinator)),
        "only the organisation's coordinators create reports",
    )?;
    let kind: ReportKind = b.kind.parse().map_err(AppError::unprocessable)?;
    if kind == ReportKind::YearlyReport && b.year.is_none() {
        return Err(AppError::unprocessable("a yearly report needs its year").into());
    }
    if let Some(y) = b.year {
        if !(2000..=2100).contains(&y) {
            return Err(AppError::unprocessable(format!("{y} is not a plausible year")).into());
        }
    }
    let mut partners: Vec<RegionKey> = vec![];
    for p in &b.partners {
        let key: RegionKey = p.parse().map_err(|e: hyte_domain::RegionKeyError| {
            AppError::unprocessable(format!("partner: {e}"))
        })?;
        let known = state.store.region(&key).await?;
        if known.is_none() || !key.category().is_organisation() {
            return Err(AppError::unprocessable(format!(
                "partner {key} is not an organisation in Hyte"
            ))
            .into());
        }
        if key != region.key && !partners.contains(&key) {
            partners.push(key);
        }
    }
    let template = match b.template.as_deref().unwrap_or("thl") {
        "thl" => parse_outline_template(THL_OUTLINE_CSV).map_err(AppError::internal)?,
        "empty" => vec![],
        other => {
            return Err(AppError::unprocessable(format!(
                "unknown template '{other}': use thl or empty"
            ))
            .into())
        }
    };
    let languages: Vec<String> = region.languages().iter().map(|l| l.to_string()).collect();
    let lang = languages.first().cloned().unwrap_or_else(|| "fi".into());
    let r = state
        .store
        .create_report(
            &NewReport {
                org: region.key.clone(),
                partners,
                kind,
                title: b.title,
                term_start: b.term_start,
                term_end: b.term_end,
                year: b.year,
                languages,
                created_by: user.email.clone(),
            },
            &template,
            &lang,
        )
        .await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&r.org),
            "report_created",
            &format!(
                "report {}: {} ({}–{})",
                r.id, r.title, r.term_start, r.term_end
            ),
        )
        .await?;
    let v = report_json(&state, &r, ReportAccess::Member(user.role), &user).await?;
    Ok(created(v))
}

/// `GET /api/v1/reports/{id}`: the report, its sections with text and revision, and
/// the statutory content areas no section covers yet.
pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?;
    Ok(Json(report_json(&state, &r, acc, user).await?))
}

fn parse_areas(areas: &[String]) -> Result<Vec<ContentArea>, AppError> {
    let mut out = vec![];
    for a in areas {
        let a: ContentArea = a.parse().map_err(AppError::unprocessable)?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out.sort();
    Ok(out)
}

/// Body of `POST /api/v1/reports/{id}/sections`.
#[derive(Deserialize)]
pub struct NewSectionBody {
    heading: String,
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default)]
    sector: Option<String>,
}

/// `POST /api/v1/reports/{id}/sections`: adds a section at the end (coordinators).
pub async fn add_section(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewSectionBody>,
) -> ApiResult<Response> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(
        acc.can_decide(),
        "only the report's coordinators edit the outline",
    )?;
    let user = viewer.user()?;
    let areas = parse_areas(&b.areas)?;
    let sid = state
        .store
        .add_section(r.id, &b.heading, &areas, b.sector.as_deref(), &user.email)
        .await?;
    let s = state
        .store
        .section(sid)
        .await?
        .ok_or_else(|| AppError::internal("a new section vanished"))?;
    Ok(created(section_json(&s, true)))
}

async fn section_of(state: &AppState, r: &Report, sid: &str) -> Result<Section, AppError> {
    let not_found = || AppError::not_found(format!("no section {sid} in this report"));
    let sid: i64 = sid.trim().parse().map_err(|_| not_found())?;
    state
        .store
        .sections(r.id)
        .await?
        .into_iter()
        .find(|s| s.id == sid)
        .ok_or_else(not_found)
}

/// Body of `PATCH /api/v1/reports/{id}/sections/{sid}`.
#[derive(Deserialize)]
pub struct PatchSectionBody {
    #[serde(default)]
    heading: Option<String>,
    #[serde(default)]
    areas: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double")]
    sector: Option<Option<String>>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    assignees: Option<Vec<String>>,
}

/// `PATCH /api/v1/reports/{id}/sections/{sid}`: heading, content areas, owner sector
/// and assignees (coordinators); status (coordinators and the section's editors).
pub async fn patch_section(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sid)): Path<(String, String)>,
    ApiJson(b): ApiJson<PatchSectionBody>,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?;
    let s = section_of(&state, &r, &sid).await?;
    let only_status =
        b.heading.is_none() && b.areas.is_none() && b.sector.is_none() && b.assignees.is_none();
    if only_status {
        require(
            can_edit_section(acc, user, &s),
            "only the report's coordinators and the section's editors change its status",
        )?;
    } else {
        require(
            acc.can_decide(),
            "only the report's coordinators edit the outline",
        )?;
    }
    let status: SectionStatus = match &b.status {
        Some(st) => st.parse().map_err(AppError::unprocessable)?,
        None => s.status,
    };
    let areas = match &b.areas {
        Some(a) => parse_areas(a)?,
        None => s.content_areas.clone(),
    };
    let sector = match &b.sector {
        Some(x) => x.clone(),
        None => s.owner_sector.clone(),
    };
    let heading = b.heading.clone().unwrap_or_else(|| s.heading.clone());
    let mut assignee_ids = None;
    if let Some(emails) = &b.assignees {
        let mut ids = vec![];
        for e in emails {
            let u = state.store.user_by_email(e).await?.filter(|u| {
                u.org
                    .as_ref()
                    .is_some_and(|o| *o == r.org || r.partners.contains(o))
            });
            match u {
                Some(u) => ids.push(u.id),
                None => {
                    return Err(AppError::unprocessable(format!(
                        "{e} is not a user of the report's organisations"
                    ))
                    .into())
                }
            }
        }
        assignee_ids = Some(ids);
    }
    state
        .store
        .update_section_meta(s.id, &heading, &areas, sector.as_deref(), status)
        .await?;
    if let Some(ids) = assignee_ids {
        state.store.set_assignees(s.id, &ids).await?;
    }
    let s = section_of(&state, &r, &s.id.to_string()).await?;
    Ok(Json(section_json(&s, can_edit_section(acc, user, &s))))
}

/// Body of `PUT /api/v1/reports/{id}/sections/{sid}/text`.
#[derive(Deserialize)]
pub struct TextBody {
    base_revision: i64,
    body: String,
    #[serde(default)]
    note: Option<String>,
}

/// `PUT /api/v1/reports/{id}/sections/{sid}/text`: saves the text as a new revision
/// if `base_revision` is still current; otherwise 409 with the current text.
pub async fn save_text(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sid)): Path<(String, String)>,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<Response> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?;
    let s = section_of(&state, &r, &sid).await?;
    require(
        can_edit_section(acc, user, &s),
        "you may not edit this section: it belongs to another sector and you are not assigned to it",
    )?;
    let note = b.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(
            AppError::unprocessable("the note is too long (at most 500 characters)").into(),
        );
    }
    match state
        .store
        .save_section(s.id, b.base_revision, &b.body, &user.email, note)
        .await?
    {
        SaveOutcome::Saved(rev) => Ok(Json(json!({
            "section_id": s.id,
            "revision": rev.number,
            "author": rev.author_email,
            "note": rev.note,
            "created_at": rev.created_at,
        }))
        .into_response()),
        SaveOutcome::Conflict {
            current_revision,
            current_body,
            current_author,
        } => Ok((
            StatusCode::CONFLICT,
            Json(json!({
                "error": {
                    "status": 409,
                    "message": format!(
                        "the section was saved by {current_author} after revision {} (now revision {current_revision}); nothing was written: merge your text with the current one and save again with base_revision {current_revision}",
                        b.base_revision
                    ),
                },
                "current_revision": current_revision,
                "current_body": current_body,
                "current_author": current_author,
            })),
        )
            .into_response()),
    }
}

/// `GET /api/v1/reports/{id}/indicators`: the indicator list, the self-assessment and
/// the preset it was seeded from.
pub async fn indicators(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, _) = load_report(&state, &viewer, &id).await?;
    let counts = state.store.value_counts().await?;
    let known: std::collections::HashSet<i64> = state
        .store
        .indicators()
        .await?
        .iter()
        .map(|i| i.id.0)
        .collect();
    let items: Vec<Value> = state
        .store
        .selections(r.id)
        .await?
        .into_iter()
        .map(|s| {
            let has_data = s
                .indicator_id
                .is_some_and(|i| known.contains(&i) && counts.get(&i).copied().unwrap_or(0) > 0);
            let mut v = serde_json::to_value(&s).unwrap_or(Value::Null);
            v["has_data"] = Value::Bool(has_data);
            v
        })
        .collect();
    let assessments = state.store.self_assessments(r.id).await?;
    Ok(Json(json!({
        "preset": {
            "id": PRESET_ID,
            "items": preset().len(),
            "note": "Example preset from real municipal reports; THL's official minimum list is not yet available as data (see data/presets/README.md).",
        },
        "count": items.len(),
        "items": items,
        "self_assessments": assessments,
    })))
}

/// `POST /api/v1/reports/{id}/indicators/seed`: adds the preset's missing items.
pub async fn seed(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(
        acc.can_decide(),
        "only the report's coordinators decide the indicator list",
    )?;
    let user = viewer.user()?;
    let added = seed_preset(&state, &r, user).await?;
    let total = state.store.selections(r.id).await?.len();
    Ok(Json(
        json!({ "preset": PRESET_ID, "added": added, "count": total }),
    ))
}

/// Body of `PUT /api/v1/reports/{id}/indicators/{item_key}`.
#[derive(Deserialize)]
pub struct SelectionBody {
    state: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default, deserialize_with = "double")]
    section_id: Option<Option<i64>>,
    #[serde(default)]
    measure_kind: Option<String>,
}

/// `PUT /api/v1/reports/{id}/indicators/{item_key}`: include, exclude (reason
/// required), reset, or add an indicator (`sotkanet:<id>`, reason and source
/// required). Refused input changes nothing.
pub async fn put_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, item_key)): Path<(String, String)>,
    ApiJson(b): ApiJson<SelectionBody>,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(
        acc.can_decide(),
        "only the report's coordinators decide the indicator list",
    )?;
    let user = viewer.user()?;
    let st: SelectionState = b.state.parse().map_err(AppError::unprocessable)?;
    let kind: Option<MeasureKind> = b
        .measure_kind
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(AppError::unprocessable)?;
    let s = apply_selection(
        &state,
        &r,
        &item_key,
        SelectionInput {
            state: st,
            reason: b.reason,
            source: b.source,
            section_id: b.section_id,
            measure_kind: kind,
        },
        user,
    )
    .await?;
    Ok(Json(serde_json::to_value(&s).map_err(AppError::internal)?))
}

/// Body of `POST /api/v1/reports/{id}/self-assessments`.
#[derive(Deserialize)]
pub struct SelfAssessmentBody {
    topic: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    score: Option<i64>,
}

/// `POST /api/v1/reports/{id}/self-assessments`: a qualitative self-assessment entry
/// (editors and up).
pub async fn self_assessment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SelfAssessmentBody>,
) -> ApiResult<Response> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(
        acc.can_write(),
        "only the report's editors and coordinators write self-assessments",
    )?;
    let user = viewer.user()?;
    let sid = add_self_assessment(&state, &r, &b.topic, &b.body, b.score, user).await?;
    Ok(created(json!({ "id": sid })))
}

/// `GET /api/v1/reports/{id}/observations`: joys and concerns, each with the evidence
/// of its linked indicators and the data's verdict.
pub async fn observations(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, _) = load_report(&state, &viewer, &id).await?;
    let obs = state.store.observations(r.id).await?;
    let views = observation_views(&state, &r, obs, viewer.lang.code()).await?;
    Ok(Json(json!({ "count": views.len(), "items": views })))
}

/// Body of `POST /api/v1/reports/{id}/observations`.
#[derive(Deserialize)]
pub struct ObservationBody {
    kind: String,
    #[serde(alias = "body")]
    text: String,
    #[serde(default)]
    sector: Option<String>,
    origin: String,
    #[serde(default)]
    population_group: Option<String>,
    #[serde(default)]
    indicators: Vec<i64>,
}

/// The report's joys and concerns of these ids with the data's verdict.
async fn views_of(
    state: &AppState,
    r: &Report,
    ids: &[i64],
    lang: &'static str,
) -> ApiResult<Vec<ObservationView>> {
    let obs: Vec<_> = state
        .store
        .observations(r.id)
        .await?
        .into_iter()
        .filter(|o| ids.contains(&o.id))
        .collect();
    Ok(observation_views(state, r, obs, lang).await?)
}

async fn one_view(state: &AppState, r: &Report, oid: i64, lang: &'static str) -> ApiResult<Value> {
    let v = views_of(state, r, &[oid], lang)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found(format!("no joy or concern {oid}")))?;
    Ok(serde_json::to_value(&v).map_err(AppError::internal)?)
}

/// `POST /api/v1/reports/{id}/observations`: a new joy or concern (commenters and up).
pub async fn create_observation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ObservationBody>,
) -> ApiResult<Response> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(acc.can_contribute(), "readers cannot add joys or concerns")?;
    let user = viewer.user()?;
    let kind: ObservationKind = b.kind.parse().map_err(AppError::unprocessable)?;
    let origin: ObservationOrigin = b.origin.parse().map_err(AppError::unprocessable)?;
    let oid = add_observation(
        &state,
        &r,
        ObservationInput {
            kind,
            text: b.text,
            sector: b.sector,
            origin,
            population_group: b.population_group,
            indicators: b.indicators,
        },
        user,
    )
    .await?;
    Ok(created(
        one_view(&state, &r, oid, viewer.lang.code()).await?,
    ))
}

/// `POST /api/v1/reports/{id}/observations/propose`: Hyte proposes joys and concerns
/// from the data (idempotent per indicator).
pub async fn propose(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(acc.can_contribute(), "readers cannot ask for proposals")?;
    let user = viewer.user()?;
    let tr = Tr::new(viewer.lang);
    let ids = propose_from_data(&state, &r, user, &tr).await?;
    let views = views_of(&state, &r, &ids, viewer.lang.code()).await?;
    Ok(Json(json!({ "proposed": views.len(), "items": views })))
}

/// `POST /api/v1/reports/{id}/observations/collect`: a welfare region's report
/// collects its member municipalities' joys and concerns as proposals (idempotent
/// per collected item).
pub async fn collect(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(
        acc.can_contribute(),
        "readers cannot collect joys and concerns",
    )?;
    let user = viewer.user()?;
    let c = collect_from_members(&state, &r, user).await?;
    let views = views_of(&state, &r, &c.ids, viewer.lang.code()).await?;
    Ok(Json(json!({
        "collected": views.len(),
        "members": c.members,
        "reports_read": c.reports_read,
        "items": views,
    })))
}

/// Body of `PATCH /api/v1/reports/{id}/observations/{oid}`.
#[derive(Deserialize)]
pub struct PatchObservationBody {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    indicators: Option<Vec<i64>>,
}

/// `PATCH /api/v1/reports/{id}/observations/{oid}`: accept or dismiss (editors and
/// up), change linked indicators (commenters and up).
pub async fn patch_observation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, oid)): Path<(String, String)>,
    ApiJson(b): ApiJson<PatchObservationBody>,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    let user = viewer.user()?;
    let oid: i64 = oid
        .trim()
        .parse()
        .map_err(|_| AppError::not_found(format!("no joy or concern {oid}")))?;
    if b.status.is_some() {
        require(
            acc.can_write(),
            "only the report's editors and coordinators accept or dismiss joys and concerns",
        )?;
    }
    if b.indicators.is_some() {
        require(
            acc.can_contribute(),
            "readers cannot change joys or concerns",
        )?;
    }
    if b.status.is_none() && b.indicators.is_none() {
        return Err(AppError::unprocessable("nothing to change: give status or indicators").into());
    }
    if let Some(ids) = &b.indicators {
        set_observation_links(&state, &r, oid, ids).await?;
    }
    if let Some(st) = &b.status {
        set_observation_status(&state, &r, oid, st.trim(), user).await?;
    }
    Ok(Json(one_view(&state, &r, oid, viewer.lang.code()).await?))
}

/// `GET /api/v1/reports/{id}/comments`.
pub async fn comments(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, _) = load_report(&state, &viewer, &id).await?;
    let items = state.store.comments(r.id).await?;
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

/// Body of `POST /api/v1/reports/{id}/comments`.
#[derive(Deserialize)]
pub struct CommentBody {
    #[serde(default)]
    section_id: Option<i64>,
    #[serde(default)]
    block_line: Option<i64>,
    #[serde(default)]
    parent_id: Option<i64>,
    body: String,
}

/// `POST /api/v1/reports/{id}/comments`: a comment on a section or an indicator
/// block, or a reply (commenters and up).
pub async fn create_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CommentBody>,
) -> ApiResult<Response> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(acc.can_contribute(), "readers cannot comment")?;
    let user = viewer.user()?;
    if let Some(sid) = b.section_id {
        section_of(&state, &r, &sid.to_string()).await?;
    }
    if b.block_line.is_some_and(|l| l < 1) {
        return Err(AppError::unprocessable("block_line is a line number from 1").into());
    }
    let cid = state
        .store
        .add_comment(
            r.id,
            b.section_id,
            b.block_line,
            b.parent_id,
            &user.email,
            &user.name,
            &b.body,
        )
        .await?;
    let c = state
        .store
        .comments(r.id)
        .await?
        .into_iter()
        .find(|c| c.id == cid);
    Ok(created(json!({ "id": cid, "comment": c })))
}

async fn resolve(
    state: AppState,
    viewer: Viewer,
    id: String,
    cid: String,
    resolve: bool,
) -> ApiResult<Json<Value>> {
    let (r, acc) = load_report(&state, &viewer, &id).await?;
    require(
        acc.can_contribute(),
        "readers cannot resolve or reopen comments",
    )?;
    let user = viewer.user()?;
    let no_comment = || AppError::not_found(format!("no comment {cid} in this report"));
    let cid: i64 = cid.trim().parse().map_err(|_| no_comment())?;
    let comment = state
        .store
        .comments(r.id)
        .await?
        .into_iter()
        .find(|c| c.id == cid)
        .ok_or_else(no_comment)?;
    if comment.parent_id.is_some() {
        return Err(AppError::unprocessable(
            "a reply is resolved with its thread: resolve the thread's first comment",
        )
        .into());
    }
    let section = match comment.section_id {
        Some(sid) => state.store.section(sid).await?,
        None => None,
    };
    // The same rule as the page (`report_data::may_resolve_comment`).
    require(
        may_resolve_comment(acc, user, section.as_ref(), &comment.author_email),
        "only the comment's author or whoever may edit its section resolves or reopens it",
    )?;
    state
        .store
        .resolve_comment(r.id, cid, resolve.then_some(user.name.as_str()))
        .await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&r.org),
            if resolve {
                "comment_resolved"
            } else {
                "comment_reopened"
            },
            &format!("report {}, comment {cid}", r.id),
        )
        .await?;
    let c = state
        .store
        .comments(r.id)
        .await?
        .into_iter()
        .find(|c| c.id == cid);
    Ok(Json(
        json!({ "id": cid, "resolved": resolve, "comment": c }),
    ))
}

/// `POST /api/v1/reports/{id}/comments/{cid}/resolve`.
pub async fn resolve_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, cid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    resolve(state, viewer, id, cid, true).await
}

/// `POST /api/v1/reports/{id}/comments/{cid}/reopen`.
pub async fn reopen_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, cid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    resolve(state, viewer, id, cid, false).await
}

/// `GET /api/v1/reports/{id}/appendix`: indicators used, exclusions with reasons,
/// additions with reason and source.
pub async fn appendix_json(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (r, _) = load_report(&state, &viewer, &id).await?;
    let a = appendix(&state, &r, viewer.lang.code()).await?;
    Ok(Json(json!({
        "report_id": r.id,
        "preset": PRESET_ID,
        "appendix": a,
    })))
}
