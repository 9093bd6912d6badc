//! Organisations, regions and the caller.

use super::ApiResult;
use crate::auth::{public_org, readable_org, Viewer};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::Json;
use hyte_app::model::orgs::Region;
use hyte_domain::RegionCategory;
use serde::{Deserialize, Serialize};

/// An organisation or area as the API shows it.
#[derive(Serialize)]
pub struct RegionJson {
    /// `CATEGORY:CODE`.
    pub id: String,
    /// Category.
    pub category: &'static str,
    /// Official code.
    pub code: String,
    /// Names.
    pub names: Names,
    /// Welfare region of a municipality.
    pub welfare_region: Option<String>,
    /// Maakunta of a municipality.
    pub maakunta: Option<String>,
    /// Official languages, majority first.
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
#[derive(Serialize)]
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

/// `GET /api/v1/organisations`.
pub async fn organisations(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let orgs = state.app.organisations().await?;
    let items: Vec<RegionJson> = orgs.iter().map(RegionJson::from).collect();
    Ok(Json(
        serde_json::json!({ "count": items.len(), "items": items }),
    ))
}

/// `GET /api/v1/organisations/{org}`.
pub async fn organisation(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> ApiResult<Json<RegionJson>> {
    let r = public_org(&state, &org).await?;
    Ok(Json(RegionJson::from(&r)))
}

/// Query of `/regions`.
#[derive(Deserialize)]
pub struct RegionsQuery {
    category: Option<String>,
}

/// `GET /api/v1/regions?category=KUNTA`.
pub async fn regions(
    State(state): State<AppState>,
    Query(q): Query<RegionsQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let cat = q
        .category
        .as_deref()
        .map(|c| c.parse::<RegionCategory>())
        .transpose()
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let items: Vec<RegionJson> = state
        .app
        .regions(cat)
        .await?
        .iter()
        .map(RegionJson::from)
        .collect();
    Ok(Json(
        serde_json::json!({ "count": items.len(), "items": items }),
    ))
}

/// `GET /api/v1/me`: who the token or session belongs to.
pub async fn me(viewer: Viewer) -> ApiResult<Json<serde_json::Value>> {
    let u = viewer.user()?;
    Ok(Json(serde_json::json!({
        "email": u.email, "name": u.name, "role": u.role,
        "organisation": u.org.as_ref().map(|k| k.to_string()),
        "sector": u.sector,
    })))
}

/// `GET /api/v1/organisations/{org}/dashboard`: the organisation's non-public
/// overview (terms and reports); members, their welfare region and admins only.
pub async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let r = readable_org(&state, &viewer, &org).await?;
    let members: Vec<RegionJson> = state
        .app
        .members_of(&r.key)
        .await?
        .iter()
        .map(RegionJson::from)
        .collect();
    Ok(Json(serde_json::json!({
        "organisation": RegionJson::from(&r),
        "council_terms": [],
        "reports": [],
        "member_municipalities": members,
    })))
}
