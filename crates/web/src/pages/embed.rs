//! Embeddable charts for an organisation's own web site, the way Kolada offers them:
//! `/embed/{org}/indicators/{id}.svg?chart=trend|compare` (the chart alone) and
//! `/embed/{org}/indicators/{id}` (a small page for an iframe). Indicator values are
//! public open data, so these need no sign-in; only these routes may be framed by
//! other sites (see `security::headers`).

use crate::auth::Viewer;
use crate::blocks::published_block;
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyte_domain::document::{ChartKind, Comparator, IndicatorBlock};
use hyte_domain::{IndicatorId, RegionKey};
use hyte_publish::RenderedBlock;
use serde::Deserialize;

/// Routes of embeddable charts.
pub fn routes() -> Router<AppState> {
    Router::new().route("/embed/{org}/indicators/{file}", get(embed))
}

/// Query of an embed.
#[derive(Debug, Deserialize)]
pub struct EmbedQuery {
    /// `trend` (default) or `compare`.
    pub chart: Option<String>,
}

#[derive(Template)]
#[template(path = "embed_chart.html")]
struct EmbedTpl {
    page: Page,
    tr: Tr,
    b: RenderedBlock,
    public_href: String,
    svg_href: String,
}

/// Renders the chart of one indicator for one organisation (404 for an unknown
/// organisation or indicator, 400 for an unknown chart kind).
pub async fn embed_block(
    state: &AppState,
    org: &str,
    id: &str,
    chart: Option<&str>,
    tr: &Tr,
) -> AppResult<(RenderedBlock, RegionKey, ChartKind)> {
    let key: RegionKey = org
        .parse()
        .map_err(|_| AppError::not_found(format!("no organisation {org}")))?;
    let region = state
        .app
        .region(&key)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no organisation {org}")))?;
    let ind: i64 = id
        .parse()
        .map_err(|_| AppError::not_found(format!("no indicator {id}")))?;
    if state.app.indicator(IndicatorId(ind)).await?.is_none() {
        return Err(AppError::not_found(format!("no indicator {ind}")));
    }
    let kind = match chart.unwrap_or("trend") {
        "trend" => ChartKind::Trend,
        "compare" => ChartKind::Compare,
        other => {
            return Err(AppError::bad_request(format!(
                "chart must be trend or compare, not '{other}'"
            )))
        }
    };
    let block = IndicatorBlock {
        indicator: IndicatorId(ind),
        chart: kind,
        compare: vec![Comparator::WelfareRegion, Comparator::Country],
        year: None,
        level: None,
    };
    let b = published_block(
        &state.app.live_values(),
        &region,
        &block,
        tr,
        &format!("e{ind}"),
    )
    .await?;
    Ok((b, key, kind))
}

/// `GET /embed/{org}/indicators/{id}.svg` or `/embed/{org}/indicators/{id}`.
pub async fn embed(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((org, file)): Path<(String, String)>,
    Query(q): Query<EmbedQuery>,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let (id, svg) = match file.strip_suffix(".svg") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let (b, key, kind) = embed_block(&state, &org, id, q.chart.as_deref(), &tr).await?;
    if svg {
        if b.svg.is_empty() {
            return Err(AppError::not_found(format!(
                "no data to draw for indicator {id} in {org}"
            )));
        }
        let mut svg = b.svg.clone();
        if !svg.contains("xmlns=") {
            svg = svg.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1);
        }
        return Ok(crate::pages::public::with_etag(
            &headers,
            crate::pages::public::Rendered::new(svg.into_bytes()),
            "image/svg+xml",
        ));
    }
    let chart = match kind {
        ChartKind::Compare => "compare",
        _ => "trend",
    };
    let anon = Viewer {
        user: None,
        csrf: None,
        session_token: None,
        via_token: false,
        lang: viewer.lang,
    };
    let tpl = EmbedTpl {
        page: Page::new(
            &anon,
            b.title.clone(),
            &format!("/embed/{org}/indicators/{id}"),
        ),
        tr,
        public_href: format!("/public/{key}"),
        svg_href: format!("/embed/{key}/indicators/{id}.svg?chart={chart}"),
        b,
    };
    let html = tpl.render()?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
