//! Organisations, regions and the caller.

use super::responses::{BadRequest, NotFound, Refusals};
use super::{ApiResult, ApiRouter, OrgPath};
use crate::auth::{public_org, readable_org, Viewer};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::Json;
use hyte_app::model::orgs::Region;
use hyte_domain::{RegionCategory, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> ApiRouter {
    ApiRouter::new()
        .get("/me", me)
        .get("/organisations", organisations)
        .get("/organisations/{org}", organisation)
        .get("/organisations/{org}/dashboard", dashboard)
        .get("/regions", regions)
}

/// The documented paths of this module.
#[derive(OpenApi)]
#[openapi(paths(organisations, organisation, dashboard, regions, me))]
pub struct Doc;

/// An organisation or area as the API shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = Region)]
pub struct RegionJson {
    /// `CATEGORY:CODE`.
    #[schema(example = "KUNTA:016")]
    pub id: String,
    /// Category.
    #[schema(value_type = RegionCategory)]
    pub category: &'static str,
    /// Official code, with leading zeros.
    #[schema(example = "016")]
    pub code: String,
    /// Names.
    pub names: Names,
    /// Welfare region of a municipality.
    pub welfare_region: Option<String>,
    /// Maakunta of a municipality.
    pub maakunta: Option<String>,
    /// Official languages, majority first.
    #[schema(example = json!(["fi"]))]
    pub languages: Vec<&'static str>,
    /// Statistics Finland's language status code.
    pub language_status: Option<i64>,
    /// Statistics Finland's urban/rural group.
    pub urban_class: Option<i64>,
    /// Last year a former municipality existed.
    pub valid_to: Option<i64>,
    /// What a former municipality merged into.
    pub successor: Option<String>,
}

/// Names in three languages.
#[derive(Serialize, ToSchema)]
#[schema(as = RegionNames)]
pub struct Names {
    /// Finnish.
    pub fi: String,
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl From<&Region> for RegionJson {
    fn from(r: &Region) -> Self {
        RegionJson {
            id: r.key.to_string(),
            category: r.key.category().as_str(),
            code: r.key.code().to_string(),
            names: Names {
                fi: r.name_fi.clone(),
                sv: r.name_sv.clone(),
                en: r.name_en.clone(),
            },
            welfare_region: r.welfare_region.as_ref().map(|k| k.to_string()),
            maakunta: r.maakunta.as_ref().map(|k| k.to_string()),
            languages: r.languages(),
            language_status: r.language_status,
            urban_class: r.urban_class,
            valid_to: r.valid_to,
            successor: r.successor.as_ref().map(|k| k.to_string()),
        }
    }
}

/// Organisations or areas.
#[derive(Serialize, ToSchema)]
pub struct RegionList {
    /// How many.
    pub count: usize,
    /// The organisations or areas.
    pub items: Vec<RegionJson>,
}

impl RegionList {
    fn of(regions: &[Region]) -> Self {
        let items: Vec<RegionJson> = regions.iter().map(RegionJson::from).collect();
        RegionList {
            count: items.len(),
            items,
        }
    }
}

/// The 308 municipalities and 23 welfare-region level organisations of 2026
#[utoipa::path(
    get,
    path = "/organisations",
    tag = "open data",
    responses((status = 200, description = "OK", body = RegionList), BadRequest, NotFound)
)]
pub async fn organisations(State(state): State<AppState>) -> ApiResult<Json<RegionList>> {
    let orgs = state.app.organisations().await?;
    Ok(Json(RegionList::of(&orgs)))
}

/// One organisation
#[utoipa::path(
    get,
    path = "/organisations/{org}",
    tag = "open data",
    params(OrgPath),
    responses((status = 200, description = "OK", body = RegionJson), BadRequest, NotFound)
)]
pub async fn organisation(
    State(state): State<AppState>,
    Path(OrgPath { org }): Path<OrgPath>,
) -> ApiResult<Json<RegionJson>> {
    let r = public_org(&state, &org).await?;
    Ok(Json(RegionJson::from(&r)))
}

/// Query of `/regions`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionsQuery {
    /// KUNTA, HYVINVOINTIALUE, MAAKUNTA, SEUTUKUNTA or MAA
    #[param(value_type = Option<RegionCategory>)]
    category: Option<String>,
}

/// Areas: municipalities (incl. former ones), welfare regions, maakunta, sub-regions, the country
#[utoipa::path(
    get,
    path = "/regions",
    tag = "open data",
    params(RegionsQuery),
    responses((status = 200, description = "OK", body = RegionList), BadRequest, NotFound)
)]
pub async fn regions(
    State(state): State<AppState>,
    Query(q): Query<RegionsQuery>,
) -> ApiResult<Json<RegionList>> {
    let cat = q
        .category
        .as_deref()
        .map(|c| c.parse::<RegionCategory>())
        .transpose()
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let regions = state.app.regions(cat).await?;
    Ok(Json(RegionList::of(&regions)))
}

/// The caller's account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// Sign-in e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role in the organisation.
    pub role: Role,
    /// The organisation (`None` for system admins).
    pub organisation: Option<String>,
    /// Sector of an editor.
    pub sector: Option<String>,
}

/// The caller's account
///
/// Who the token or session belongs to.
#[utoipa::path(
    get,
    path = "/me",
    tag = "workspace",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = Me), BadRequest, Refusals)
)]
pub async fn me(viewer: Viewer) -> ApiResult<Json<Me>> {
    let u = viewer.user()?;
    Ok(Json(Me {
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role,
        organisation: u.org.as_ref().map(|k| k.to_string()),
        sector: u.sector.clone(),
    }))
}

/// An organisation's non-public overview.
#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    /// The organisation.
    pub organisation: RegionJson,
    /// Always empty for now.
    pub council_terms: Vec<serde_json::Value>,
    /// Always empty for now: `GET /organisations/{org}/reports` lists the reports.
    pub reports: Vec<serde_json::Value>,
    /// Member municipalities of a welfare region (empty for a municipality).
    pub member_municipalities: Vec<RegionJson>,
}

/// An organisation's non-public overview (members, its welfare region, admins)
#[utoipa::path(
    get,
    path = "/organisations/{org}/dashboard",
    tag = "workspace",
    params(OrgPath),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "OK", body = Dashboard), BadRequest, Refusals)
)]
pub async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(OrgPath { org }): Path<OrgPath>,
) -> ApiResult<Json<Dashboard>> {
    let r = readable_org(&state, &viewer, &org).await?;
    let members: Vec<RegionJson> = state
        .app
        .members_of(&r.key)
        .await?
        .iter()
        .map(RegionJson::from)
        .collect();
    Ok(Json(Dashboard {
        organisation: RegionJson::from(&r),
        council_terms: vec![],
        reports: vec![],
        member_municipalities: members,
    }))
}
