//! An organisation's own workspace pages.

use super::render;
use crate::extract::SignedIn;
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use hyte_app::model::orgs::Region;
use hyte_app::model::users::User;

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
    /// For its coordinators: how many partnership invitations wait for an answer.
    partnerships: Option<String>,
}

/// `GET /org/{org}`: the organisation's dashboard (its terms and reports).
pub async fn dashboard(
    State(state): State<AppState>,
    SignedIn { viewer, actor }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    let key = crate::pages::process::org_key(&org)?;
    let home = state.app.org_home(&actor, &key).await?;
    let card = crate::pages::reports::reports_card(&state, &viewer, &home.org).await?;
    let partnerships = if home.access.can_decide() {
        let n = state.app.partner_invitations(&actor, &key).await?.len();
        Some(
            crate::i18n::Tr::new(viewer.lang)
                .ta("partnership-dashboard-open", &[("count", n.to_string())]),
        )
    } else {
        None
    };
    let lang = viewer.lang.code();
    let page = Page::new(&viewer, home.org.name(lang).to_string(), &uri.to_string());
    let languages = home
        .org
        .languages()
        .iter()
        .map(|l| page.t(&format!("lang-{l}")))
        .collect::<Vec<_>>()
        .join(", ");
    render(&DashboardTpl {
        page,
        can_manage: home.access.can_decide(),
        org: home.org,
        welfare_region: home.welfare_region,
        members: home.members,
        predecessors: home.predecessors,
        users: home.users,
        languages,
        card,
        partnerships,
    })
}
