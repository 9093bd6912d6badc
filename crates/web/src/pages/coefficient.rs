//! The HYTE coefficient page and TEAviisari scores (form and CSV import).
//!
//! The logic here (gathering the inputs, computing with `hyte_domain::coefficient`,
//! ranks, saving scores with an audit entry) is shared with the JSON API in
//! `api::coefficient`, so the browser and an API client always get the same answer.

use super::render;
use crate::auth::{access, readable_org, Access, Viewer};
use crate::i18n::Tr;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hyte_charts::{CompareBar, CompareChart, CompareLabels, SortOrder};
use hyte_domain::coefficient::{
    compute, parse_score, parse_scores_csv, parse_year, rank, ComponentKind, Config, CsvProblem,
    Metric, OrgInput, OrgResult, OutcomeData, Rank, SectorScores, Set, Source,
};
use hyte_domain::{IndicatorId, RegionKey, Role, Sex};
use hyte_store::coefficient::{ScoreChange, StoredScore};
use hyte_store::indicators::ValueQuery;
use hyte_store::orgs::Region;
use hyte_store::users::User;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{org}/hyte-coefficient", get(coefficient_page))
        .route("/org/{org}/hyte-coefficient/scores", post(scores_form))
        .route("/org/{org}/hyte-coefficient/import", post(import_form))
}

/// The shipped configuration (`data/hyte_coefficient`), parsed once.
pub fn config() -> AppResult<&'static Config> {
    static CONFIG: OnceLock<Result<Config, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| Config::shipped().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(AppError::internal)
}

/// The set that applies to an organisation, or 404.
pub fn set_of(region: &Region) -> AppResult<&'static Set> {
    config()?
        .set_for_level(region.key.category().as_str())
        .ok_or_else(|| AppError::not_found(format!("{} has no HYTE coefficient", region.key)))
}

/// Whether the user may enter TEAviisari scores of the organisation.
pub fn can_edit_scores(user: &User, region: &Region) -> bool {
    matches!(access(user, region), Access::Member(r) if r.at_least(Role::Coordinator))
}

/// One component as shown and returned by the API.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentView {
    /// Id within the set.
    pub id: String,
    /// `process` or `outcome`.
    pub kind: ComponentKind,
    /// Name in the request's language.
    pub name: String,
    /// Weight within the block.
    pub weight: f64,
    /// `official_concept` or `approximation`.
    pub basis: String,
    /// Source: `teaviisari`, `sotkanet` or `unavailable`.
    pub source: String,
    /// TEAviisari sector or Sotkanet indicator id.
    pub source_key: Option<String>,
    /// Whether higher values are better.
    pub high_is_good: bool,
    /// Year of the value.
    pub year: Option<i64>,
    /// Value in its own unit.
    pub value: Option<f64>,
    /// Reference value (country, or mean of peers).
    pub national: Option<f64>,
    /// Whether the reference is the country's stored value.
    pub national_is_stored: bool,
    /// Value minus reference.
    pub difference: Option<f64>,
    /// Score 0–100.
    pub score: Option<f64>,
    /// Why there is no value: `not_entered`, `no_data`, `unavailable`.
    pub missing: Option<&'static str>,
    /// Rank among all peers with a score.
    pub rank: Option<Rank>,
    /// Rank within the welfare region.
    pub rank_in_region: Option<Rank>,
}

/// A block (process, outcome) or the coefficient itself.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Score 0–100.
    pub value: Option<f64>,
    /// Distance to the national level (50 by construction of the scores).
    pub distance_to_national: Option<f64>,
    /// Rank among all peers.
    pub rank: Option<Rank>,
    /// Rank within the welfare region.
    pub rank_in_region: Option<Rank>,
}

/// One peer in the welfare-region comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PeerValue {
    /// Organisation key.
    pub org: String,
    /// Name.
    pub name: String,
    /// Coefficient (only where both blocks have a score).
    pub coefficient: Option<f64>,
    /// Outcome block.
    pub outcome: Option<f64>,
}

/// The coefficient of one organisation, for the page and the API.
#[derive(Debug, Clone, Serialize)]
pub struct CoefficientReport {
    /// Organisation.
    pub org: String,
    /// Set id.
    pub set: String,
    /// Set name.
    pub set_name: String,
    /// Weight of the process block.
    pub process_weight: f64,
    /// Weight of the outcome block.
    pub outcome_weight: f64,
    /// The coefficient (only ranked among peers with both blocks).
    pub coefficient: Figure,
    /// The process block.
    pub process: Figure,
    /// The outcome block.
    pub outcome: Figure,
    /// Whether both blocks have a score.
    pub both_blocks: bool,
    /// Whether every component has a score.
    pub complete: bool,
    /// Components in configuration order.
    pub components: Vec<ComponentView>,
    /// How many peers (organisations of the same kind) exist.
    pub peers: usize,
    /// Peers in the same welfare region (municipalities) with their values.
    pub region_peers: Vec<PeerValue>,
    /// How the scores are computed, in one sentence (English, stable for the API).
    pub method: &'static str,
}

const METHOD: &str = "process components are the mean of the sector's TEAviisari perspective scores (latest year entered); outcome components are the latest Sotkanet value scored as 50 + 10 × z against the country's value (the peers' mean where the country has none) and the peers' standard deviation that year, turned so that better is higher and limited to 0–100; blocks and the coefficient are weighted means of what exists; see data/hyte_coefficient/README.md";

/// Latest TEAviisari year per sector of each organisation, from stored scores.
fn teaviisari_inputs(scores: &[StoredScore]) -> HashMap<String, SectorScores> {
    let mut out: HashMap<String, SectorScores> = HashMap::new();
    for s in scores {
        let sectors = out.entry(s.org.clone()).or_default();
        let entry = sectors
            .entry(s.sector.clone())
            .or_insert_with(|| (s.year, BTreeMap::new()));
        if s.year > entry.0 {
            *entry = (s.year, BTreeMap::new());
        }
        if s.year == entry.0 {
            entry.1.insert(s.perspective.clone(), s.score);
        }
    }
    out
}

/// Computes the set of `region` for all its peers.
pub async fn compute_all(state: &AppState, set: &Set) -> AppResult<(Vec<Region>, Vec<OrgResult>)> {
    let peers: Vec<Region> = state
        .store
        .organisations()
        .await?
        .into_iter()
        .filter(|r| r.key.category().as_str() == set.level)
        .collect();
    let keys: HashSet<String> = peers.iter().map(|r| r.key.to_string()).collect();
    let scores = state.store.all_teaviisari_scores().await?;
    let mut tv = teaviisari_inputs(&scores);
    let inputs: Vec<OrgInput> = peers
        .iter()
        .map(|r| OrgInput {
            key: r.key.to_string(),
            welfare_region: r.welfare_region.as_ref().map(|k| k.to_string()),
            teaviisari: tv.remove(&r.key.to_string()).unwrap_or_default(),
        })
        .collect();
    let mut outcomes: HashMap<i64, OutcomeData> = HashMap::new();
    for c in &set.components {
        let Source::Sotkanet(id) = c.source else {
            continue;
        };
        if outcomes.contains_key(&id) {
            continue;
        }
        let values = state
            .store
            .values(
                IndicatorId(id),
                &ValueQuery {
                    sex: Some(Sex::Total),
                    ..Default::default()
                },
            )
            .await?;
        let mut data = OutcomeData::default();
        for v in values {
            let Some(value) = v.value.filter(|x| x.is_finite()) else {
                continue;
            };
            let key = v.region.to_string();
            if v.region.category() == hyte_domain::RegionCategory::Maa {
                data.national.insert(v.year, value);
            } else if keys.contains(&key) {
                data.by_year.entry(v.year).or_default().insert(key, value);
            }
        }
        outcomes.insert(id, data);
    }
    let results = compute(set, &inputs, &outcomes);
    Ok((peers, results))
}

/// The coefficient report of one organisation.
pub async fn report_of(
    state: &AppState,
    region: &Region,
    lang: &str,
) -> AppResult<CoefficientReport> {
    let set = set_of(region)?;
    let (peers, results) = compute_all(state, set).await?;
    let key = region.key.to_string();
    let own = results
        .iter()
        .find(|r| r.key == key)
        .cloned()
        .ok_or_else(|| AppError::not_found(format!("{key} is not a current organisation")))?;
    let wr = region.welfare_region.as_ref().map(|k| k.to_string());
    let in_region = |r: &OrgResult| wr.is_some() && r.welfare_region == wr;
    let figure = |value: Option<f64>, m: Metric<'_>| Figure {
        value,
        distance_to_national: value.map(|v| v - 50.0),
        rank: rank(&results, &key, m, |_| true),
        rank_in_region: if wr.is_some() {
            rank(&results, &key, m, in_region)
        } else {
            None
        },
    };
    let components = set
        .components
        .iter()
        .zip(&own.components)
        .map(|(c, v)| ComponentView {
            id: c.id.clone(),
            kind: c.kind,
            name: c.names.get(lang).to_string(),
            weight: c.weight,
            basis: c.basis.clone(),
            source: match &c.source {
                Source::Teaviisari(_) => "teaviisari",
                Source::Sotkanet(_) => "sotkanet",
                Source::Unavailable => "unavailable",
            }
            .to_string(),
            source_key: match &c.source {
                Source::Teaviisari(s) => Some(s.clone()),
                Source::Sotkanet(id) => Some(id.to_string()),
                Source::Unavailable => None,
            },
            high_is_good: c.high_is_good,
            year: v.year,
            value: v.value,
            national: v.national,
            national_is_stored: v.national_is_stored,
            difference: v.value.zip(v.national).map(|(a, b)| a - b),
            score: v.score,
            missing: v.missing,
            rank: rank(&results, &key, Metric::Component(&c.id), |_| true),
            rank_in_region: if wr.is_some() {
                rank(&results, &key, Metric::Component(&c.id), in_region)
            } else {
                None
            },
        })
        .collect();
    let names: HashMap<String, String> = peers
        .iter()
        .map(|r| (r.key.to_string(), r.name(lang).to_string()))
        .collect();
    let region_peers = results
        .iter()
        .filter(|r| in_region(r))
        .map(|r| PeerValue {
            org: r.key.clone(),
            name: names.get(&r.key).cloned().unwrap_or_else(|| r.key.clone()),
            coefficient: r.coefficient.filter(|_| r.both_blocks),
            outcome: r.outcome,
        })
        .collect();
    Ok(CoefficientReport {
        org: key.clone(),
        set: set.id.clone(),
        set_name: set.names.get(lang).to_string(),
        process_weight: set.process_weight,
        outcome_weight: set.outcome_weight,
        coefficient: figure(
            own.coefficient.filter(|_| own.both_blocks),
            Metric::Coefficient,
        ),
        process: figure(own.process, Metric::Process),
        outcome: figure(own.outcome, Metric::Outcome),
        both_blocks: own.both_blocks,
        complete: own.complete,
        components,
        peers: peers.len(),
        region_peers,
        method: METHOD,
    })
}

/// Checks and applies score changes for one year, with an audit entry. `changes` are
/// `(sector, perspective, text)`; empty text removes a score. Nothing is saved unless
/// every score is valid; the error lists each problem.
pub async fn save_scores(
    state: &AppState,
    region: &Region,
    user: &User,
    year: i64,
    entries: &[(String, String, Option<f64>)],
    how: &str,
) -> AppResult<usize> {
    let cfg = config()?;
    let level = region.key.category().as_str();
    let sectors = cfg.sectors_for_level(level);
    let mut changes = Vec::new();
    for (sector, perspective, score) in entries {
        if !sectors.iter().any(|s| &s.id == sector) {
            return Err(AppError::unprocessable(format!(
                "'{sector}' is not a TEAviisari sector reported by this organisation"
            )));
        }
        if !cfg.perspectives.iter().any(|p| &p.id == perspective) {
            return Err(AppError::unprocessable(format!(
                "'{perspective}' is not a TEAviisari perspective"
            )));
        }
        if let Some(s) = score {
            if !(0.0..=100.0).contains(s) || !s.is_finite() {
                return Err(AppError::unprocessable(format!(
                    "{s} is not between 0 and 100"
                )));
            }
        }
        changes.push(ScoreChange {
            year,
            sector: sector.clone(),
            perspective: perspective.clone(),
            score: *score,
        });
    }
    let n = state
        .store
        .put_teaviisari_scores(&region.key, &changes, &user.email)
        .await?;
    if n > 0 {
        state
            .store
            .audit(
                Some(&user.email),
                Some(&region.key),
                "teaviisari_scores",
                &format!("{year}: {n} TEAviisari scores changed ({how})"),
            )
            .await?;
    }
    Ok(n)
}

/// Imports a TEAviisari CSV file: all or nothing. Problems carry line and field.
pub async fn import_scores(
    state: &AppState,
    region: &Region,
    user: &User,
    file_name: &str,
    text: &str,
) -> AppResult<Result<usize, Vec<CsvProblem>>> {
    let cfg = config()?;
    let rows = match parse_scores_csv(text, cfg, region.key.category().as_str()) {
        Ok(r) => r,
        Err(p) => return Ok(Err(p)),
    };
    let changes: Vec<ScoreChange> = rows
        .iter()
        .map(|r| ScoreChange {
            year: r.year,
            sector: r.sector.clone(),
            perspective: r.perspective.clone(),
            score: Some(r.score),
        })
        .collect();
    let n = state
        .store
        .put_teaviisari_scores(&region.key, &changes, &user.email)
        .await?;
    state
        .store
        .audit(
            Some(&user.email),
            Some(&region.key),
            "teaviisari_import",
            &format!(
                "{file_name}: {} rows, {n} TEAviisari scores changed",
                rows.len()
            ),
        )
        .await?;
    Ok(Ok(n))
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

/// Typed values of a refused form, to show them again.
type Draft = HashMap<String, (String, bool)>;

#[allow(clippy::too_many_arguments)]
async fn render_page(
    state: &AppState,
    viewer: &Viewer,
    uri: &str,
    region: Region,
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
    let report = report_of(state, &region, lang).await?;
    let user = viewer.user()?;
    let can_edit = can_edit_scores(user, &region);
    let summary = [
        ("hc-coefficient", &report.coefficient),
        ("hc-process", &report.process),
        ("hc-outcome", &report.outcome),
    ]
    .into_iter()
    .map(|(k, f)| SummaryRow {
        label: tr.t(k),
        value: fmt(f.value, 1, lang),
        distance: fmt_signed(f.distance_to_national, lang),
        rank: rank_text(&tr, f.rank),
        rank_region: rank_text(&tr, f.rank_in_region),
    })
    .collect();
    let partial_note = if report.both_blocks {
        None
    } else if report.process.value.is_none() {
        Some(tr.t("hc-partial-process"))
    } else {
        Some(tr.t("hc-partial-outcome"))
    };
    let components: Vec<ComponentRow> = report
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
            rank: rank_text(&tr, c.rank),
            rank_region: rank_text(&tr, c.rank_in_region),
            missing: c.missing.map(|m| tr.t(&format!("hc-missing-{m}"))),
        })
        .collect();
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
    // The TEAviisari grid of one year.
    let stored = state.store.teaviisari_scores(&region.key).await?;
    let shown_year = year
        .or_else(|| stored.first().map(|s| s.year))
        .unwrap_or_else(crate::pages::current_year);
    let latest = teaviisari_inputs(&stored)
        .remove(&region.key.to_string())
        .unwrap_or_default();
    let sectors = cfg.sectors_for_level(region.key.category().as_str());
    let (draft_year, draft) = draft.unwrap_or_default();
    let grid = sectors
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
        .collect();
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
    viewer: Viewer,
    uri: Uri,
    Path(org): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(
            Redirect::to(&format!("/login?next=/org/{org}/hyte-coefficient")).into_response(),
        );
    }
    let region = readable_org(&state, &viewer, &org).await?;
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
        &state,
        &viewer,
        &uri.to_string(),
        region,
        year,
        None,
        None,
        vec![],
        message,
        StatusCode::OK,
    )
    .await
}

async fn editable(state: &AppState, viewer: &Viewer, org: &str) -> AppResult<(Region, User)> {
    let region = readable_org(state, viewer, org).await?;
    let user = viewer.user()?.clone();
    if !can_edit_scores(&user, &region) {
        return Err(AppError::forbidden(
            "only the organisation's coordinators enter TEAviisari scores",
        ));
    }
    set_of(&region)?;
    Ok((region, user))
}

/// `POST /org/{org}/hyte-coefficient/scores`: the TEAviisari grid of one year.
/// Fields `year` and `s.<sector>.<perspective>`; an empty field removes the score.
pub async fn scores_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    if viewer.user.is_none() {
        return Ok(
            Redirect::to(&format!("/login?next=/org/{org}/hyte-coefficient")).into_response(),
        );
    }
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    viewer.check_csrf(get("csrf"))?;
    let (region, user) = editable(&state, &viewer, &org).await?;
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
                entries.push((s.id.clone(), p.id.clone(), None));
                draft.insert(name, (text, false));
                continue;
            }
            match parse_score(&text) {
                Ok(v) => {
                    entries.push((s.id.clone(), p.id.clone(), Some(v)));
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
            let n = save_scores(&state, &region, &user, year, &entries, "form").await?;
            let done = if n > 0 { "saved" } else { "unchanged" };
            Ok(Redirect::to(&format!("{uri}?year={year}&done={done}#teaviisari")).into_response())
        }
        _ => {
            render_page(
                &state,
                &viewer,
                &uri,
                region,
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
        return Ok(
            Redirect::to(&format!("/login?next=/org/{org}/hyte-coefficient")).into_response(),
        );
    }
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(format!("the upload could not be read: {e}")))?
    {
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
                    .unwrap_or_else(|| "upload.csv".into());
                let bytes = field.bytes().await.map_err(|e| {
                    AppError::bad_request(format!("the upload could not be read: {e}"))
                })?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let (region, user) = editable(&state, &viewer, &org).await?;
    let tr = Tr::new(viewer.lang);
    let uri = format!("/org/{}/hyte-coefficient", region.key);
    let refuse = |problems: Vec<String>| (Some(tr.t("hc-error-import")), problems);
    let (error, problems) = match file.filter(|(_, b)| !b.is_empty()) {
        None => refuse(vec![tr.t("hc-error-no-file")]),
        Some((name, bytes)) => match String::from_utf8(bytes) {
            Err(_) => refuse(vec![tr.t("hc-error-utf8")]),
            Ok(text) => match import_scores(&state, &region, &user, &name, &text).await? {
                Ok(_) => {
                    return Ok(
                        Redirect::to(&format!("{uri}?done=imported#teaviisari")).into_response()
                    )
                }
                Err(p) => refuse(
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
        &state,
        &viewer,
        &uri,
        region,
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
