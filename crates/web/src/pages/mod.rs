//! HTML pages, grouped per domain.

pub mod account;
pub mod approval;
pub mod coefficient;
pub mod dialogue;
pub mod embed;
pub mod indicators;
pub mod lifecycle;
pub mod org;
pub mod partners;
pub mod plan;
pub mod process;
pub mod public;
pub mod report_data;
pub mod reports;

use crate::auth::Viewer;
use crate::i18n::{Lang, Tr};
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use hyte_app::model::orgs::Region;

/// Sends a signed-out browser to the sign-in page, coming back to `next` afterwards.
pub fn login_redirect(next: &str) -> Response {
    // Encoded, so that the destination's own query (`?a=1&b=2`) survives as one value;
    // `/`, `:`, `?` and `=` stay readable.
    let next = percent_encoding::utf8_percent_encode(next, NEXT_VALUE);
    axum::response::Redirect::to(&format!("/login?next={next}")).into_response()
}

/// What must be encoded in the value of `next=`: controls, space and the characters
/// that end or change a query value.
const NEXT_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'\\');

/// A destination after sign-in: only a path of this site. Anything else (another
/// site, `//host`, `/\host`, `/<TAB>/host` which browsers read as `//host`) gives
/// `None`. The rule holds for the text as given and after percent-decoding (repeated,
/// so `%252F` cannot hide a slash): it starts with exactly one `/`, and holds no
/// control character, no backslash and no `//`.
pub fn same_site_path(next: &str) -> Option<&str> {
    let mut text = std::borrow::Cow::Borrowed(next);
    for _ in 0..4 {
        let ok = text.starts_with('/')
            && !text.contains("//")
            && !text.contains('\\')
            && !text.chars().any(char::is_control);
        if !ok {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(&text)
            .decode_utf8()
            .ok()?
            .into_owned();
        if decoded == text {
            return Some(next);
        }
        text = std::borrow::Cow::Owned(decoded);
    }
    // Encoded four times over: no real link does that.
    None
}

/// [`login_redirect`] back to the requested path and query.
pub fn login_redirect_from(uri: &Uri) -> Response {
    login_redirect(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
}

/// A positive database id from a path segment (`None` for anything else).
pub fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|n| *n > 0)
}

/// The current calendar year (UTC): the default budget or score year of forms.
pub fn current_year() -> i64 {
    i64::from(time::OffsetDateTime::now_utc().year())
}

/// Renders a template into a response.
pub fn render<T: Template>(t: &T) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// How long `/healthz` waits for the database. A load balancer must learn within a
/// second that a node cannot reach its database; without a limit the answer took as
/// long as the pool's wait for a connection (5 s on PostgreSQL).
const HEALTH_DB_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(800);

/// `GET /healthz`: 200 when the database answers, 503 when it does not answer (in
/// time).
pub async fn health(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(HEALTH_DB_TIMEOUT, state.app.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok").into_response(),
        Ok(Err(_)) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable (no answer in time)",
        )
            .into_response(),
    }
}

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");

/// Static assets compiled into the binary (no CDN, works offline).
pub async fn static_file(Path(file): Path<String>) -> Response {
    let (body, ctype) = match file.as_str() {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    page: Page,
    status: u16,
    message: String,
}

/// An error page. Rendered without the request's viewer (errors can happen before
/// one is known), so it is in Finnish with the English message below.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    error_page_in(status, message, Lang::Fi)
}

/// [`error_page`] in a language (a refusal translated for the request).
pub fn error_page_in(status: StatusCode, message: &str, lang: Lang) -> Response {
    let viewer = Viewer {
        user: None,
        csrf: None,
        session_token: None,
        via_token: false,
        lang,
    };
    let tpl = ErrorTpl {
        page: Page::new(&viewer, status.canonical_reason().unwrap_or("Error"), "/"),
        status: status.as_u16(),
        message: message.to_string(),
    };
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_string()).into_response(),
    }
}

/// Fallback for unknown paths.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::AppError::not_found(format!("no API route {}", uri.path()))
            .as_json()
            .into_response();
    }
    error_page(StatusCode::NOT_FOUND, "page not found")
}

/// A group of organisations under a welfare region, for the home page.
pub struct OrgGroup {
    /// The welfare region.
    pub region: Region,
    /// Its municipalities.
    pub members: Vec<Region>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTpl {
    page: Page,
    groups: Vec<OrgGroup>,
    org_count: usize,
    tr: Tr,
}

/// `GET /`: what Hyte is and every organisation in it.
pub async fn home(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> AppResult<Response> {
    let orgs = state.app.organisations().await?;
    let org_count = orgs
        .iter()
        .filter(|r| r.key.category() != hyte_domain::RegionCategory::Maa)
        .count();
    let mut groups: Vec<OrgGroup> = orgs
        .iter()
        .filter(|r| r.key.category() == hyte_domain::RegionCategory::Hyvinvointialue)
        .map(|r| OrgGroup {
            region: r.clone(),
            members: vec![],
        })
        .collect();
    for m in orgs
        .iter()
        .filter(|r| r.key.category() == hyte_domain::RegionCategory::Kunta)
    {
        if let Some(g) = groups
            .iter_mut()
            .find(|g| Some(&g.region.key) == m.welfare_region.as_ref())
        {
            g.members.push(m.clone());
        }
    }
    let lang = viewer.lang.code();
    for g in &mut groups {
        g.members.sort_by(|a, b| a.name(lang).cmp(b.name(lang)));
    }
    let tr = Tr::new(viewer.lang);
    let tpl = HomeTpl {
        page: Page::new(&viewer, tr.t("app-name"), &uri.to_string()),
        groups,
        org_count,
        tr,
    };
    render(&tpl)
}

#[cfg(test)]
mod tests {
    use super::same_site_path;

    #[test]
    fn only_paths_of_this_site_are_destinations() {
        for good in [
            "/",
            "/org/KUNTA:016",
            "/reports/12/plan?year=2026&tag=lastensuojelu",
            "/reports/12/sections/3#kommentit",
            "/org/KUNTA:016/indicators?q=ty%C3%B6tt%C3%B6myys",
        ] {
            assert_eq!(same_site_path(good), Some(good), "{good}");
        }
        for bad in [
            "",
            "evil.example",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/%25252F%25252Fevil.example",
            "/ok\r\nSet-Cookie: x=1",
            "/%0d%0aSet-Cookie:%20x=1",
            "/%ff%fe",
        ] {
            assert_eq!(same_site_path(bad), None, "{bad:?}");
        }
    }
}
