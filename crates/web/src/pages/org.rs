//! An organisation's own workspace pages.

use super::render;
use crate::auth::{access, readable_org, Access, Viewer};
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use hyte_domain::Role;
use hyte_store::orgs::Region;
use hyte_store::users::User;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardTpl {
    page: Page,
    org: Region,
    welfare_region: Option<Region>,
    members: Vec<Region>,
    predecessors: Vec<Region>,
    users: Vec<User>,
    can_manage: bool,
    languages: String,
    card: crate::pages::reports::ReportsCard,
}

/// `GET /org/{org}`: the organisation's dashboard (its terms and reports).
pub async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(Redirect::to(&format!("/login?next=/org/{org}")).into_response());
    }
    let region = readable_org(&state, &viewer, &org).await?;
    let user = viewer.user()?;
    let can_manage = matches!(
        access(user, &region),
        Access::Member(r) if r.at_least(Role::Coordinator)
    );
    let welfare_region = match &region.welfare_region {
        Some(k) => state.store.region(k).await?,
        None => None,
    };
    let members = state.store.members_of(&region.key).await?;
    let predecessors = state.store.predecessors_of(&region.key).await?;
    let users = if can_manage {
        state.store.users_of(&region.key).await?
    } else {
        vec![]
    };
    let card = crate::pages::reports::reports_card(&state, &viewer, &region).await?;
    let lang = viewer.lang.code();
    let page = Page::new(&viewer, region.name(lang).to_string(), &uri.to_string());
    let languages = region
        .languages()
        .iter()
        .map(|l| page.t(&format!("lang-{l}")))
        .collect::<Vec<_>>()
        .join(", ");
    render(&DashboardTpl {
        page,
        org: region,
        welfare_region,
        members,
        predecessors,
        users,
        can_manage,
        languages,
        card,
    })
}
