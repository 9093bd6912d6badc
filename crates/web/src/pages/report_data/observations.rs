//! The joys and concerns page: the items with the data's verdict, and the forms to
//! record one, ask Hyte for proposals, collect from the member municipalities, accept
//! or dismiss, and change the linked indicators.

use super::evidence::{observation_views, propose, ObservationView};
use super::{
    done_message, fmt_num, form_refusal, group_text, head_of, indicator_values, not_saved,
    oid_param, opts, DoneQuery, Opt, ReportHead, POPULATION_GROUPS,
};
use crate::analysis::BenchmarkComparison;
use crate::extract::{ReportForm, ReportPage};
use crate::i18n::Tr;
use crate::pages::render;
use crate::pages::reports::to_report;
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hyte_app::indicators::parse_indicator_ids;
use hyte_app::model::indicators::Indicator;
use hyte_app::model::reports::Observation;
use hyte_app::observations::{ObservationInput, ObservationPatch};
use hyte_app::ReportCtx;
use hyte_domain::report::{ObservationKind, ObservationOrigin};
use hyte_domain::{RegionCategory, RegionKey};

/// One evidence row as shown.
pub struct EvidenceLine {
    /// Indicator id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Whether there is a page to link to.
    pub link: bool,
    /// Year.
    pub year: String,
    /// Value with unit.
    pub value: String,
    /// Outcome against the welfare region: class and text.
    pub vs_region: Option<(&'static str, String)>,
    /// Outcome against the country.
    pub vs_country: Option<(&'static str, String)>,
    /// Trend.
    pub trend: String,
    /// What it says about the item.
    pub signal: String,
}

/// A joy or concern as shown.
pub struct ObservationCard {
    /// Id.
    pub id: i64,
    /// `joy` or `concern`.
    pub kind: &'static str,
    /// Kind in words.
    pub kind_text: String,
    /// Text.
    pub text: String,
    /// Sector.
    pub sector: String,
    /// Origin in words.
    pub origin_text: String,
    /// For an item collected from a member municipality: its name and a link to the
    /// item in the municipality's report.
    pub source: Option<(String, String)>,
    /// Population group.
    pub group: String,
    /// Status key.
    pub status: String,
    /// Status in words.
    pub status_text: String,
    /// Evidence.
    pub evidence: Vec<EvidenceLine>,
    /// Verdict key.
    pub verdict: &'static str,
    /// Verdict in words.
    pub verdict_text: String,
    /// What the verdict means.
    pub verdict_help: String,
    /// Indicator options for changing the links.
    pub link_opts: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "report_observations.html")]
struct ObservationsTpl {
    page: Page,
    head: ReportHead,
    proposed: Vec<ObservationCard>,
    joys: Vec<ObservationCard>,
    concerns: Vec<ObservationCard>,
    dismissed: Vec<ObservationCard>,
    /// A welfare region's report, which collects from its member municipalities.
    regional: bool,
    can_contribute: bool,
    can_write: bool,
    error: Option<String>,
    message: Option<String>,
    kind_opts: Vec<Opt>,
    origin_opts: Vec<Opt>,
    group_opts: Vec<Opt>,
    indicator_opts: Vec<Opt>,
    draft_text: String,
    draft_sector: String,
}

/// `GET /reports/{id}/observations`: joys and concerns with the data's verdict.
pub async fn observations_page(
    State(state): State<AppState>,
    page: ReportPage,
    Query(DoneQuery { done }): Query<DoneQuery>,
) -> AppResult<Response> {
    let message = done_message(&page.tr, done.as_deref());
    render_observations(&state, &page, None, message, None).await
}

/// What the add form had when refused.
struct ObservationDraft {
    kind: String,
    text: String,
    sector: String,
    origin: String,
    group: String,
    indicators: Vec<String>,
}

fn badge_of(tr: &Tr, c: Option<&BenchmarkComparison>) -> Option<(&'static str, String)> {
    c.map(|c| {
        (
            c.outcome.as_str(),
            tr.t(&format!("outcome-{}", c.outcome.as_str())),
        )
    })
}

fn evidence_lines(tr: &Tr, v: &ObservationView) -> Vec<EvidenceLine> {
    let lang = tr.code();
    v.evidence
        .iter()
        .map(|e| {
            let ev = &e.evidence;
            let unit = ev
                .unit
                .as_deref()
                .map(|u| crate::blocks::unit_label(tr, u))
                .unwrap_or_default();
            EvidenceLine {
                id: ev.indicator_id,
                title: ev.title.clone(),
                link: ev.has_data,
                year: ev.year.map(|y| y.to_string()).unwrap_or_else(|| "–".into()),
                value: if ev.has_data {
                    format!("{} {unit}", fmt_num(ev.value, ev.decimals, lang))
                } else if ev.known {
                    tr.t("rd-no-data-yet")
                } else {
                    tr.t("rd-unknown-indicator")
                },
                vs_region: badge_of(tr, ev.region.as_ref()),
                vs_country: badge_of(tr, ev.country.as_ref()),
                trend: if ev.has_data {
                    tr.t(&format!("trend-{}", ev.trend.as_str()))
                } else {
                    "–".into()
                },
                signal: tr.t(&format!("rd-signal-{}", e.signal.as_str())),
            }
        })
        .collect()
}

/// For an item collected from a member municipality: the municipality's name and a
/// link to the item in its report.
async fn source_of(
    state: &AppState,
    ctx: &ReportCtx,
    lang: &str,
    o: &Observation,
) -> AppResult<Option<(String, String)>> {
    let (Some(org), Some(src)) = (&o.source_org, o.source_observation_id) else {
        return Ok(None);
    };
    let name = match org.parse::<RegionKey>() {
        Ok(k) => state
            .app
            .region(&k)
            .await?
            .map(|r| r.name(lang).to_string())
            .unwrap_or_else(|| org.clone()),
        Err(_) => org.clone(),
    };
    let link = match state.app.observation_report(ctx, src).await? {
        Some(rid) => format!("/reports/{rid}/observations#obs-{src}"),
        None => String::new(),
    };
    Ok(Some((name, link)))
}

fn multi(values: &[(String, String)], chosen: &[String]) -> Vec<Opt> {
    values
        .iter()
        .map(|(v, t)| Opt {
            value: v.clone(),
            text: t.clone(),
            selected: chosen.contains(v),
        })
        .collect()
}

async fn card(
    state: &AppState,
    ctx: &ReportCtx,
    tr: &Tr,
    v: ObservationView,
    ind_values: &[(String, String)],
) -> AppResult<ObservationCard> {
    let evidence = evidence_lines(tr, &v);
    let o = &v.observation;
    let chosen: Vec<String> = o.indicators.iter().map(|i| i.to_string()).collect();
    Ok(ObservationCard {
        id: o.id,
        kind: o.kind.as_str(),
        kind_text: tr.t(&format!("rd-obs-kind-{}", o.kind)),
        text: o.body.clone(),
        sector: o.sector.clone().unwrap_or_default(),
        origin_text: tr.t(&format!("rd-origin-{}", o.origin)),
        source: source_of(state, ctx, tr.code(), o).await?,
        group: o
            .population_group
            .as_deref()
            .map(|g| group_text(tr, Some(g)))
            .unwrap_or_default(),
        status: o.status.clone(),
        status_text: tr.t(&format!("rd-status-{}", o.status)),
        evidence,
        verdict: v.verdict.as_str(),
        verdict_text: tr.t(&format!("rd-verdict-{}", v.verdict.as_str())),
        verdict_help: tr.t(&format!(
            "rd-verdict-{}-{}",
            v.verdict.as_str(),
            o.kind.as_str()
        )),
        link_opts: multi(ind_values, &chosen),
    })
}

/// The add form's choices: kinds, the origins a person may give, population groups.
fn form_values(tr: &Tr) -> [Vec<(String, String)>; 3] {
    let kinds = ObservationKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), tr.t(&format!("rd-obs-kind-{k}"))))
        .collect();
    let origins = ObservationOrigin::ALL
        .iter()
        .filter(|o| !matches!(o, ObservationOrigin::Data | ObservationOrigin::Municipality))
        .map(|o| (o.as_str().to_string(), tr.t(&format!("rd-origin-{o}"))))
        .collect();
    let mut groups = vec![(String::new(), tr.t("rd-group-none"))];
    groups.extend(
        POPULATION_GROUPS
            .iter()
            .map(|g| (g.to_string(), tr.t(&format!("rd-group-{g}")))),
    );
    [kinds, origins, groups]
}

async fn render_observations(
    state: &AppState,
    p: &ReportPage,
    error: Option<String>,
    message: Option<String>,
    draft: Option<ObservationDraft>,
) -> AppResult<Response> {
    let (tr, ctx) = (&p.tr, &p.ctx);
    let observations = state.app.observations(ctx).await?;
    let views = observation_views(state, &ctx.report, observations, tr.code()).await?;
    let indicators = state.app.indicators().await?;
    let counts = state.app.value_counts().await?;
    let all: Vec<&Indicator> = indicators.iter().collect();
    let ind_values = indicator_values(tr, &all, &counts);
    let (mut proposed, mut joys, mut concerns, mut dismissed) = (vec![], vec![], vec![], vec![]);
    for v in views {
        let (status, kind) = (v.observation.status.clone(), v.observation.kind);
        let c = card(state, ctx, tr, v, &ind_values).await?;
        match status.as_str() {
            "proposed" => proposed.push(c),
            "dismissed" => dismissed.push(c),
            _ if kind == ObservationKind::Joy => joys.push(c),
            _ => concerns.push(c),
        }
    }
    let d = draft.unwrap_or(ObservationDraft {
        kind: "concern".into(),
        text: String::new(),
        sector: p.ctx.actor.user.sector.clone().unwrap_or_default(),
        origin: "working_group".into(),
        group: String::new(),
        indicators: vec![],
    });
    let [kind_values, origin_values, group_values] = form_values(tr);
    let failed = error.is_some();
    let title = format!("{} – {}", tr.t("rd-obs-title"), ctx.report.title);
    let path = format!("/reports/{}/observations", ctx.report.id);
    let mut res = render(&ObservationsTpl {
        head: head_of(ctx, tr, "observations"),
        page: Page::new(&p.viewer, title, &path),
        proposed,
        joys,
        concerns,
        dismissed,
        regional: ctx.report.org.category() == RegionCategory::Hyvinvointialue,
        can_contribute: ctx.access.can_contribute(),
        can_write: ctx.access.can_write(),
        error,
        message,
        kind_opts: opts(&kind_values, &d.kind),
        origin_opts: opts(&origin_values, &d.origin),
        group_opts: opts(&group_values, &d.group),
        indicator_opts: multi(&ind_values, &d.indicators),
        draft_text: d.text,
        draft_sector: d.sector,
    })?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// `POST /reports/{id}/observations`: a new joy or concern.
pub async fn observation_form(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let draft = ObservationDraft {
        kind: f.get("kind").to_string(),
        text: f.get("text").to_string(),
        sector: f.get("sector").to_string(),
        origin: f.get("origin").to_string(),
        group: f.get("population_group").to_string(),
        indicators: f
            .all("indicators")
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect(),
    };
    let result = match parse_indicator_ids(&f.all("indicators")) {
        Ok(indicators) => {
            let input = ObservationInput {
                kind: draft.kind.clone(),
                text: draft.text.clone(),
                sector: Some(draft.sector.clone()),
                origin: draft.origin.clone(),
                population_group: Some(draft.group.clone()),
                indicators,
            };
            state.app.add_observation(&page.ctx, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((oid, _)) => Ok(to_report(
            &page,
            format!("/observations?done=observed#obs-{oid}"),
        )),
        Err(e) => {
            let refusal = form_refusal(e)?;
            let msg = not_saved(&page.tr, &page.tr.t("rd-obs-add"), &refusal);
            render_observations(&state, &page, Some(msg), None, Some(draft)).await
        }
    }
}

/// `POST /reports/{id}/observations/propose`: Hyte proposes joys and concerns from
/// the data.
pub async fn propose_form(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    let created = propose(&state, &page.ctx, &page.tr).await?;
    let done = if created.is_empty() {
        "proposed-none"
    } else {
        "proposed"
    };
    Ok(to_report(
        &page,
        format!("/observations?done={done}#proposals"),
    ))
}

/// `POST /reports/{id}/observations/collect`: a welfare region's report collects its
/// member municipalities' joys and concerns as proposals.
pub async fn collect_form(
    State(state): State<AppState>,
    ReportForm { page, .. }: ReportForm,
) -> AppResult<Response> {
    match state.app.collect_from_members(&page.ctx).await {
        Ok((c, _)) => {
            let done = if c.ids.is_empty() {
                "collected-none"
            } else {
                "collected"
            };
            Ok(to_report(
                &page,
                format!("/observations?done={done}#proposals"),
            ))
        }
        Err(e) => {
            let refusal = form_refusal(e)?;
            let msg = not_saved(&page.tr, &page.tr.t("rd-collect"), &refusal);
            render_observations(&state, &page, Some(msg), None, None).await
        }
    }
}

/// `POST /reports/{id}/observations/{oid}/status`: accept or dismiss a proposal
/// (or reopen an item).
pub async fn observation_status_form(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let oid = oid_param(&page.params)?;
    let patch = ObservationPatch {
        status: Some(f.get("status").to_string()),
        indicators: None,
    };
    state.app.update_observation(&page.ctx, oid, &patch).await?;
    Ok(to_report(
        &page,
        format!("/observations?done=status#obs-{oid}"),
    ))
}

/// `POST /reports/{id}/observations/{oid}/indicators`: changes the linked indicators.
pub async fn observation_links_form(
    State(state): State<AppState>,
    ReportForm { page, form: f }: ReportForm,
) -> AppResult<Response> {
    let oid = oid_param(&page.params)?;
    let patch = ObservationPatch {
        status: None,
        indicators: Some(parse_indicator_ids(&f.all("indicators"))?),
    };
    state.app.update_observation(&page.ctx, oid, &patch).await?;
    Ok(to_report(
        &page,
        format!("/observations?done=links#obs-{oid}"),
    ))
}
