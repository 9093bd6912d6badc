//! The HYTE coefficient page and TEAviisari scores (form and CSV import).
//!
//! The rules, the computation and the changes are the application layer's
//! (`hyte_app::coefficient`), shared with the JSON API in `api::coefficient`, so the
//! browser and an API client always get the same answer. This module reads forms and
//! renders the page.

use super::render;
use crate::auth::{actor, Viewer};
use crate::extract::{SignedForm, SignedIn};
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hyte_app::coefficient::{ScoreEntry, Teaviisari, TeaviisariImport};
use hyte_app::model::coefficient::StoredScore;
use hyte_app::model::orgs::Region;
use hyte_app::Actor;
use hyte_charts::{CompareBar, CompareChart, CompareLabels, SortOrder};
use hyte_domain::coefficient::{parse_score, parse_year, Config, Dimension, Rank};
use hyte_domain::RegionKey;
use serde::Deserialize;
use std::collections::HashMap;

pub use hyte_app::coefficient::{
    can_edit_scores, config, set_of, teaviisari_inputs, CoefficientReport, ComponentView, Figure,
    PeerValue,
};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{org}/hyte-coefficient", get(coefficient_page))
        .route("/org/{org}/hyte-coefficient/scores", post(scores_form))
        .route("/org/{org}/hyte-coefficient/import", post(import_form))
}

// ---------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------

/// A row of the summary table.
pub struct SummaryRow {
    /// Label.
    pub label: String,
    /// Formatted value.
    pub value: String,
    /// Formatted distance to the national level.
    pub distance: String,
    /// Rank among all.
    pub rank: String,
    /// Rank in the welfare region.
    pub rank_region: String,
}

/// A component row.
pub struct ComponentRow {
    /// Anchor id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Process or outcome, translated.
    pub kind: String,
    /// Basis, translated.
    pub basis: String,
    /// Source text.
    pub source: String,
    /// Year.
    pub year: String,
    /// Value.
    pub value: String,
    /// Reference.
    pub national: String,
    /// Score.
    pub score: String,
    /// Rank texts.
    pub rank: String,
    /// Rank in region.
    pub rank_region: String,
    /// Missing reason, translated.
    pub missing: Option<String>,
}

/// A cell of the TEAviisari grid.
pub struct GridCell {
    /// Input name.
    pub name: String,
    /// Input id.
    pub id: String,
    /// Accessible label.
    pub label: String,
    /// Current or typed value.
    pub value: String,
    /// Whether the typed value was refused.
    pub invalid: bool,
}

/// A row of the TEAviisari grid.
pub struct GridRow {
    /// Sector name.
    pub sector: String,
    /// Year of the latest scores shown, if any.
    pub latest: String,
    /// Cells per perspective.
    pub cells: Vec<GridCell>,
}

#[derive(Template)]
#[template(path = "coefficient_page.html")]
struct CoefficientTpl {
    page: Page,
    org: Region,
    set_name: String,
    summary: Vec<SummaryRow>,
    partial_note: Option<String>,
    components: Vec<ComponentRow>,
    components_svg: String,
    peers_svg: String,
    perspectives: Vec<String>,
    grid: Vec<GridRow>,
    year: String,
    can_edit: bool,
    error: Option<String>,
    problems: Vec<String>,
    message: Option<String>,
    weights_text: String,
    sector_ids: String,
    perspective_ids: String,
}

fn fmt(v: Option<f64>, decimals: u32, lang: &str) -> String {
    v.map(|v| hyte_charts::format_number(v, decimals, lang != "en"))
        .unwrap_or_else(|| "–".into())
}

fn fmt_signed(v: Option<f64>, lang: &str) -> String {
    match v {
        Some(v) if v > 0.0 => format!("+{}", fmt(Some(v), 1, lang)),
        other => fmt(other, 1, lang),
    }
}

fn rank_text(tr: &Tr, r: Option<Rank>) -> String {
    match r {
        Some(r) => tr.ta(
            "hc-rank",
            &[
                ("position", r.position.to_string()),
                ("of", r.of.to_string()),
            ],
        ),
        None => "–".into(),
    }
}

/// The summary table: the coefficient and its two blocks.
fn summary_rows(tr: &Tr, report: &CoefficientReport, lang: &str) -> Vec<SummaryRow> {
    [
        ("hc-coefficient", &report.coefficient),
        ("hc-process", &report.process),
        ("hc-outcome", &report.outcome),
    ]
    .into_iter()
    .map(|(k, f)| SummaryRow {
        label: tr.t(k),
        value: fmt(f.value, 1, lang),
        distance: fmt_signed(f.distance_to_national, lang),
        rank: rank_text(tr, f.rank),
        rank_region: rank_text(tr, f.rank_in_region),
    })
    .collect()
}

/// The components' rows of the page's table.
fn component_rows(tr: &Tr, report: &CoefficientReport, lang: &str) -> Vec<ComponentRow> {
    report
        .components
        .iter()
        .map(|c| ComponentRow {
            id: format!("comp-{}", c.id),
            name: c.name.clone(),
            kind: tr.t(&format!("hc-kind-{}", c.kind.as_str())),
            basis: tr.t(&format!("hc-basis-{}", c.basis)),
            source: match (c.source.as_str(), &c.source_key) {
                ("sotkanet", Some(id)) => format!("Sotkanet {id}"),
                ("teaviisari", _) => "TEAviisari".into(),
                _ => tr.t("hc-source-unavailable"),
            },
            year: c.year.map(|y| y.to_string()).unwrap_or_else(|| "–".into()),
            value: fmt(c.value, 1, lang),
            national: match c.national {
                Some(_) if c.national_is_stored => fmt(c.national, 1, lang),
                Some(_) => format!("{} ({})", fmt(c.national, 1, lang), tr.t("hc-peer-mean")),
                None => "–".into(),
            },
            score: fmt(c.score, 1, lang),
            rank: rank_text(tr, c.rank),
            rank_region: rank_text(tr, c.rank_in_region),
            missing: c.missing.map(|m| tr.t(&format!("hc-missing-{m}"))),
        })
        .collect()
}

/// The charts of the components' scores and of the welfare region's municipalities.
fn charts(tr: &Tr, report: &CoefficientReport, lang: &str) -> (String, String) {
    // Chart of component scores against the national level (50).
    let mut meta = hyte_charts::ChartMeta::new(
        "hc-components",
        &tr.t("hc-chart-components"),
        &tr.t("hc-chart-components-desc"),
    );
    meta.show_title = false;
    meta.decimal_comma = lang != "en";
    let labels = CompareLabels {
        value_axis: tr.t("hc-score-axis"),
        benchmark: tr.t("hc-national-level"),
        ci: String::new(),
        missing: tr.t("hc-no-value"),
        outcome: hyte_charts::OutcomeLabels {
            not_compared: tr.t("hc-chart-legend"),
            ..Default::default()
        },
    };
    let components_svg = hyte_charts::compare_chart(&CompareChart {
        meta,
        labels: labels.clone(),
        decimals: 1,
        bars: report
            .components
            .iter()
            .map(|c| CompareBar {
                name: c.name.clone(),
                value: c.score,
                ..Default::default()
            })
            .collect(),
        benchmark: Some(50.0),
        sort: SortOrder::AsGiven,
    });
    // Chart of the welfare region's municipalities (outcome block where the
    // coefficient is missing for most, which is usual: TEAviisari is entered by hand).
    let use_coeff = report
        .region_peers
        .iter()
        .filter(|p| p.coefficient.is_some())
        .count()
        >= 2;
    let peers_svg = if report.region_peers.len() > 1 {
        let title = if use_coeff {
            tr.t("hc-chart-peers-coefficient")
        } else {
            tr.t("hc-chart-peers-outcome")
        };
        let mut meta =
            hyte_charts::ChartMeta::new("hc-peers", &title, &tr.t("hc-chart-peers-desc"));
        meta.show_title = false;
        meta.decimal_comma = lang != "en";
        hyte_charts::compare_chart(&CompareChart {
            meta,
            labels,
            decimals: 1,
            bars: report
                .region_peers
                .iter()
                .map(|p| CompareBar {
                    name: p.name.clone(),
                    value: if use_coeff { p.coefficient } else { p.outcome },
                    selected: p.org == report.org,
                    ..Default::default()
                })
                .collect(),
            benchmark: Some(50.0),
            sort: SortOrder::Descending,
        })
    } else {
        String::new()
    };
    (components_svg, peers_svg)
}

/// The TEAviisari grid of one year: typed values of a refused form, else the stored
/// scores.
fn grid_rows(
    tr: &Tr,
    cfg: &Config,
    sectors: &[&Dimension],
    stored: &[StoredScore],
    shown_year: i64,
    draft: &Draft,
    lang: &str,
) -> Vec<GridRow> {
    // The stored scores are this organisation's only.
    let latest = teaviisari_inputs(stored)
        .into_values()
        .next()
        .unwrap_or_default();
    sectors
        .iter()
        .map(|s| GridRow {
            sector: s.names.get(lang).to_string(),
            latest: latest
                .get(&s.id)
                .map(|(y, _)| y.to_string())
                .unwrap_or_else(|| tr.t("hc-missing-not_entered")),
            cells: cfg
                .perspectives
                .iter()
                .map(|p| {
                    let name = format!("s.{}.{}", s.id, p.id);
                    let (value, invalid) = match draft.get(&name) {
                        Some((v, bad)) => (v.clone(), *bad),
                        None => (
                            stored
                                .iter()
                                .find(|x| {
                                    x.year == shown_year
                                        && x.sector == s.id
                                        && x.perspective == p.id
                                })
                                .map(|x| fmt(Some(x.score), 1, lang).replace('\u{a0}', ""))
                                .unwrap_or_default(),
                            false,
                        ),
                    };
                    GridCell {
                        id: format!("s-{}-{}", s.id, p.id),
                        label: format!("{}: {}", s.names.get(lang), p.names.get(lang)),
                        name,
                        value,
                        invalid,
                    }
                })
                .collect(),
        })
        .collect()
}

/// Typed values of a refused form, to show them again.
type Draft = HashMap<String, (String, bool)>;

/// What the page shows of an organisation the viewer may read.
struct Loaded {
    region: Region,
    report: CoefficientReport,
    teaviisari: Teaviisari,
}

async fn load(state: &AppState, viewer: &Viewer, key: &RegionKey) -> AppResult<Loaded> {
    let actor = actor(viewer)?;
    let (region, report) = state
        .app
        .coefficient(&actor, key, viewer.lang.code())
        .await?;
    let teaviisari = state.app.teaviisari(&actor, key).await?;
    Ok(Loaded {
        region,
        report,
        teaviisari,
    })
}

#[allow(clippy::too_many_arguments)]
async fn render_page(
    viewer: &Viewer,
    uri: &str,
    loaded: Loaded,
    year: Option<i64>,
    draft: Option<(String, Draft)>,
    error: Option<String>,
    problems: Vec<String>,
    message: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = viewer.lang.code();
    let cfg = config()?;
    let Loaded {
        region,
        report,
        teaviisari,
    } = loaded;
    let can_edit = teaviisari.can_edit;
    let summary = summary_rows(&tr, &report, lang);
    let partial_note = if report.both_blocks {
        None
    } else if report.process.value.is_none() {
        Some(tr.t("hc-partial-process"))
    } else {
        Some(tr.t("hc-partial-outcome"))
    };
    let components = component_rows(&tr, &report, lang);
    let (components_svg, peers_svg) = charts(&tr, &report, lang);
    // The TEAviisari grid of one year.
    let stored = teaviisari.scores;
    let shown_year = year
        .or_else(|| stored.first().map(|s| s.year))
        .unwrap_or_else(crate::pages::current_year);
    let sectors = cfg.sectors_for_level(region.key.category().as_str());
    let (draft_year, draft) = draft.unwrap_or_default();
    let grid = grid_rows(&tr, cfg, &sectors, &stored, shown_year, &draft, lang);
    let page = Page::new(
        viewer,
        format!("{} – {}", tr.t("hc-title"), region.name(lang)),
        uri,
    );
    let weights_text = tr.ta(
        "hc-weights",
        &[
            ("process", fmt(Some(report.process_weight * 100.0), 0, lang)),
            ("outcome", fmt(Some(report.outcome_weight * 100.0), 0, lang)),
        ],
    );
    let mut res = render(&CoefficientTpl {
        page,
        org: region,
        set_name: report.set_name.clone(),
        summary,
        partial_note,
        components,
        components_svg,
        peers_svg,
        perspectives: cfg
            .perspectives
            .iter()
            .map(|p| p.names.get(lang).to_string())
            .collect(),
        grid,
        year: if draft_year.is_empty() {
            shown_year.to_string()
        } else {
            draft_year
        },
        can_edit,
        error,
        problems,
        message,
        weights_text,
        sector_ids: sectors
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        perspective_ids: cfg
            .perspectives
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    *res.status_mut() = status;
    Ok(res)
}

/// The sign-in page, back to the coefficient page of `org`.
fn login(org: &str) -> Response {
    Redirect::to(&format!("/login?next=/org/{org}/hyte-coefficient")).into_response()
}

/// What every TEAviisari form checks first: its CSRF token, then that the viewer
/// may edit the organisation's scores.
async fn editable_region(
    state: &AppState,
    viewer: &Viewer,
    org: &str,
    csrf: &str,
) -> AppResult<(Actor, Region)> {
    viewer.check_csrf(csrf)?;
    let actor = actor(viewer)?;
    let region = state
        .app
        .teaviisari_for_editing(&actor, &parse_org(org)?)
        .await?;
    Ok((actor, region))
}

/// Query of the coefficient page.
#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    /// Year of the TEAviisari grid.
    pub year: Option<String>,
    /// A finished action: `saved`, `imported`, `unchanged`.
    pub done: Option<String>,
}

/// `GET /org/{org}/hyte-coefficient`.
pub async fn coefficient_page(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let loaded = load(&state, &viewer, &parse_org(&org)?).await?;
    let year = match q.year.as_deref().filter(|y| !y.is_empty()) {
        Some(y) => Some(parse_year(y).map_err(|e| AppError::bad_request(e.to_string()))?),
        None => None,
    };
    let tr = Tr::new(viewer.lang);
    let message = match q.done.as_deref() {
        Some("saved") => Some(tr.t("hc-done-saved")),
        Some("imported") => Some(tr.t("hc-done-imported")),
        Some("unchanged") => Some(tr.t("hc-done-unchanged")),
        _ => None,
    };
    render_page(
        &viewer,
        &uri.to_string(),
        loaded,
        year,
        None,
        None,
        vec![],
        message,
        StatusCode::OK,
    )
    .await
}

fn entry(sector: &str, perspective: &str, score: Option<f64>) -> ScoreEntry {
    ScoreEntry {
        sector: sector.to_string(),
        perspective: perspective.to_string(),
        score,
    }
}

/// `POST /org/{org}/hyte-coefficient/scores`: the TEAviisari grid of one year.
/// Fields `year` and `s.<sector>.<perspective>`; an empty field removes the score.
pub async fn scores_form(
    State(state): State<AppState>,
    Path(org): Path<String>,
    SignedForm { viewer, form, .. }: SignedForm,
) -> AppResult<Response> {
    let get = |k: &str| form.get(k);
    let (actor, region) = editable_region(&state, &viewer, &org, get("csrf")).await?;
    let tr = Tr::new(viewer.lang);
    let lang = viewer.lang.code();
    let cfg = config()?;
    let mut problems = Vec::new();
    let mut draft: Draft = HashMap::new();
    let year_text = get("year").trim().to_string();
    let year = parse_year(&year_text)
        .map_err(|_| problems.push(tr.ta("hc-error-year", &[("value", year_text.clone())])))
        .ok();
    let mut entries = Vec::new();
    for s in cfg.sectors_for_level(region.key.category().as_str()) {
        for p in &cfg.perspectives {
            let name = format!("s.{}.{}", s.id, p.id);
            let text = get(&name).trim().to_string();
            if text.is_empty() {
                entries.push(entry(&s.id, &p.id, None));
                draft.insert(name, (text, false));
                continue;
            }
            match parse_score(&text) {
                Ok(v) => {
                    entries.push(entry(&s.id, &p.id, Some(v)));
                    draft.insert(name, (text, false));
                }
                Err(_) => {
                    problems.push(tr.ta(
                        "hc-error-score",
                        &[
                            (
                                "field",
                                format!("{}: {}", s.names.get(lang), p.names.get(lang)),
                            ),
                            ("value", text.clone()),
                        ],
                    ));
                    draft.insert(name, (text, true));
                }
            }
        }
    }
    let uri = format!("/org/{}/hyte-coefficient", region.key);
    match year {
        Some(year) if problems.is_empty() => {
            let n = state
                .app
                .save_teaviisari_scores(&actor, &region.key, year, &entries, "form")
                .await?;
            let done = if n > 0 { "saved" } else { "unchanged" };
            Ok(Redirect::to(&format!("{uri}?year={year}&done={done}#teaviisari")).into_response())
        }
        _ => {
            render_page(
                &viewer,
                &uri,
                load(&state, &viewer, &region.key).await?,
                year,
                Some((year_text, draft)),
                Some(tr.t("hc-error-not-saved")),
                problems,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Reads an upload form: its CSRF token and the file (name without a path, bytes;
/// `default_name` when the browser sent none). Shared with the Sotkanet import of the admins.
pub(crate) async fn read_upload(
    multipart: &mut Multipart,
    default_name: &str,
) -> AppResult<(String, Option<(String, Vec<u8>)>)> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request(format!("the upload could not be read: {e}"))
    };
    let mut csrf = String::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| AppError::bad_request(e.to_string()))?
            }
            Some("file") => {
                let name = field
                    .file_name()
                    .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
                    .unwrap_or_else(|| default_name.into());
                let bytes = field.bytes().await.map_err(unreadable)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// `POST /org/{org}/hyte-coefficient/import`: a TEAviisari CSV file (multipart,
/// fields `csrf` and `file`). A broken file changes nothing and every problem is
/// listed with its line and field.
pub async fn import_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(login(&org));
    }
    let (csrf, file) = read_upload(&mut multipart, "upload.csv").await?;
    let (actor, region) = editable_region(&state, &viewer, &org, &csrf).await?;
    let tr = Tr::new(viewer.lang);
    let uri = format!("/org/{}/hyte-coefficient", region.key);
    let refuse = |problems: Vec<String>| (Some(tr.t("hc-error-import")), problems);
    let (error, problems) = match file.filter(|(_, b)| !b.is_empty()) {
        None => refuse(vec![tr.t("hc-error-no-file")]),
        Some((name, bytes)) => match String::from_utf8(bytes) {
            Err(_) => refuse(vec![tr.t("hc-error-utf8")]),
            Ok(text) => match state
                .app
                .import_teaviisari(&actor, &region.key, &name, &text)
                .await?
            {
                TeaviisariImport::Imported(_) => {
                    return Ok(
                        Redirect::to(&format!("{uri}?done=imported#teaviisari")).into_response()
                    )
                }
                TeaviisariImport::Refused(p) => refuse(
                    p.iter()
                        .map(|p| {
                            tr.ta(
                                "hc-csv-problem",
                                &[
                                    ("line", p.line.to_string()),
                                    ("field", p.field.clone()),
                                    (
                                        "reason",
                                        tr.ta(
                                            &format!("hc-csv-{}", p.code),
                                            &[("value", p.value.clone())],
                                        ),
                                    ),
                                ],
                            )
                        })
                        .collect(),
                ),
            },
        },
    };
    render_page(
        &viewer,
        &uri,
        load(&state, &viewer, &region.key).await?,
        None,
        None,
        error,
        problems,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Parses an organisation key from a path (for the API's JSON errors).
pub fn parse_org(org: &str) -> AppResult<RegionKey> {
    org.parse()
        .map_err(|e: hyte_domain::RegionKeyError| AppError::bad_request(e.to_string()))
}
