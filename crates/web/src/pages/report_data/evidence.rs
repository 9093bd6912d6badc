//! What the data says about an indicator for an organisation (its latest value, its
//! comparisons and its trend), the data's verdict on joys and concerns, and Hyte's
//! proposals from the data. The statistics live in the web crate (`crate::analysis`),
//! so the evidence is computed here; the rules and the writes are `hyte-app` use
//! cases (`hyte_app::observations`).

use super::fmt_num;
use crate::analysis::BenchmarkComparison;
use crate::i18n::Tr;
use crate::{AppResult, AppState};
use hyte_app::model::indicators::{Indicator, ValueQuery};
use hyte_app::model::reports::{Observation, Report};
use hyte_app::observations::{proposal_reason, Proposal};
use hyte_app::ReportCtx;
use hyte_domain::report::{verdict, Evidence, Verdict};
use hyte_domain::{IndicatorId, RegionCategory, RegionKey, Sex};
use hyte_stats::{trend_outcome, trend_weighted, CiLevel, Outcome, TrendOutcome};
use serde::Serialize;
use std::collections::HashMap;

/// What one indicator says about the report's organisation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Evidence)]
pub struct IndicatorEvidence {
    /// Indicator id.
    pub indicator_id: i64,
    /// Title in the request's language.
    pub title: String,
    /// Whether Hyte has the indicator at all.
    pub known: bool,
    /// Unit code.
    pub unit: Option<String>,
    /// Whether there is a value to judge.
    pub has_data: bool,
    /// Year of the latest value.
    pub year: Option<i64>,
    /// Latest value.
    pub value: Option<f64>,
    /// Whether that value was derived by Hyte.
    pub derived: bool,
    /// 95 % interval of the latest value.
    pub ci_lower: Option<f64>,
    /// Upper limit.
    pub ci_upper: Option<f64>,
    /// Comparison with the welfare region (municipalities only), 95 %.
    pub region: Option<BenchmarkComparison>,
    /// Comparison with the whole country, 95 %.
    pub country: Option<BenchmarkComparison>,
    /// Trend over all years, with polarity applied.
    #[schema(value_type = String)]
    pub trend: TrendOutcome,
    /// The signals the verdict rests on: `true` significantly better than the whole
    /// country, `false` significantly worse, `null` neither.
    pub better_than_benchmark: Option<bool>,
    /// Trend getting better (`true`) or worse (`false`), `null` neither.
    pub trend_better: Option<bool>,
    #[serde(skip)]
    pub(super) decimals: u32,
}

impl IndicatorEvidence {
    /// The domain's evidence.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            better_than_benchmark: self.better_than_benchmark,
            trend_better: self.trend_better,
            has_data: self.has_data,
        }
    }

    /// The evidence of an indicator Hyte does not have.
    fn unknown(id: i64) -> Self {
        IndicatorEvidence {
            indicator_id: id,
            title: format!("{id}"),
            known: false,
            unit: None,
            has_data: false,
            year: None,
            value: None,
            derived: false,
            ci_lower: None,
            ci_upper: None,
            region: None,
            country: None,
            trend: TrendOutcome::CannotBeCalculated,
            better_than_benchmark: None,
            trend_better: None,
            decimals: 1,
        }
    }
}

fn trend_better(t: TrendOutcome) -> Option<bool> {
    match t {
        TrendOutcome::IncreasingAndGettingBetter | TrendOutcome::DecreasingAndGettingBetter => {
            Some(true)
        }
        TrendOutcome::IncreasingAndGettingWorse | TrendOutcome::DecreasingAndGettingWorse => {
            Some(false)
        }
        _ => None,
    }
}

fn outcome_better(o: Option<Outcome>) -> Option<bool> {
    match o {
        Some(Outcome::Better) => Some(true),
        Some(Outcome::Worse) => Some(false),
        _ => None,
    }
}

/// Evidence of indicators for one area, computed once per request.
pub struct EvidenceCache {
    org: RegionKey,
    lang: &'static str,
    cache: HashMap<i64, IndicatorEvidence>,
}

impl EvidenceCache {
    /// For an area, with titles in a language.
    pub fn new(org: &RegionKey, lang: &'static str) -> Self {
        EvidenceCache {
            org: org.clone(),
            lang,
            cache: HashMap::new(),
        }
    }

    /// The evidence of one indicator.
    pub async fn get(&mut self, state: &AppState, id: i64) -> AppResult<IndicatorEvidence> {
        if let Some(e) = self.cache.get(&id) {
            return Ok(e.clone());
        }
        let e = match state.app.indicator(IndicatorId(id)).await? {
            Some(ind) => evidence_of(state, &ind, &self.org, self.lang).await?,
            None => IndicatorEvidence::unknown(id),
        };
        self.cache.insert(id, e.clone());
        Ok(e)
    }
}

/// The latest value of an indicator for an area, its comparisons with the welfare
/// region and the whole country (95 %), and its trend over all years.
pub async fn evidence_of(
    state: &AppState,
    ind: &Indicator,
    org: &RegionKey,
    lang: &str,
) -> AppResult<IndicatorEvidence> {
    let q = ValueQuery {
        regions: vec![org.clone()],
        years: vec![],
        sex: Some(Sex::Total),
    };
    let series = state.app.assess(ind, &q, CiLevel::P95).await?;
    let pts: Vec<(f64, f64, f64)> = series
        .iter()
        .filter_map(|a| Some((a.value?, a.ci_lower?, a.ci_upper?)))
        .collect();
    let trend = trend_outcome(trend_weighted(&pts), ind.polarity);
    let latest = series.iter().rev().find(|a| a.value.is_some());
    let region = latest.and_then(|a| a.against(RegionCategory::Hyvinvointialue).cloned());
    let country = latest.and_then(|a| a.against(RegionCategory::Maa).cloned());
    Ok(IndicatorEvidence {
        indicator_id: ind.id.0,
        title: ind.title.get(lang).to_string(),
        known: true,
        unit: Some(ind.unit.clone()),
        has_data: latest.is_some(),
        year: latest.map(|a| a.year),
        value: latest.and_then(|a| a.value),
        derived: latest.is_some_and(|a| a.derived),
        ci_lower: latest.and_then(|a| a.ci_lower),
        ci_upper: latest.and_then(|a| a.ci_upper),
        better_than_benchmark: outcome_better(country.as_ref().map(|c| c.outcome)),
        region,
        country,
        trend_better: if latest.is_some() {
            trend_better(trend)
        } else {
            None
        },
        trend,
        decimals: ind.decimals.clamp(0, 6) as u32,
    })
}

/// A joy or concern with its evidence and the data's verdict.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObservationView {
    /// The stored item.
    #[serde(flatten)]
    pub observation: Observation,
    /// Evidence per linked indicator.
    pub evidence: Vec<ObservationEvidence>,
    /// The data's verdict.
    pub verdict: Verdict,
}

/// One linked indicator's evidence and what it says about this item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObservationEvidence {
    /// The evidence.
    #[serde(flatten)]
    pub evidence: IndicatorEvidence,
    /// What this indicator alone says about the item.
    pub signal: Verdict,
}

/// Evidence and verdicts for observations.
pub async fn observation_views(
    state: &AppState,
    report: &Report,
    observations: Vec<Observation>,
    lang: &'static str,
) -> AppResult<Vec<ObservationView>> {
    let mut cache = EvidenceCache::new(&report.org, lang);
    let mut out = Vec::with_capacity(observations.len());
    for o in observations {
        let mut evidence = Vec::with_capacity(o.indicators.len());
        for id in &o.indicators {
            let e = cache.get(state, *id).await?;
            let signal = verdict(o.kind, &[e.evidence()]);
            evidence.push(ObservationEvidence {
                evidence: e,
                signal,
            });
        }
        let all: Vec<Evidence> = evidence.iter().map(|e| e.evidence.evidence()).collect();
        out.push(ObservationView {
            verdict: verdict(o.kind, &all),
            observation: o,
            evidence,
        });
    }
    Ok(out)
}

/// Hyte's proposals from the data about `org`, worded in `tr`'s language: each
/// indicator's evidence, and `hyte_app::observations::proposal_reason` decides joy,
/// concern or nothing. Indicators without values give nothing.
pub async fn worded_proposals(
    state: &AppState,
    org: &RegionKey,
    indicators: &[Indicator],
    tr: &Tr,
) -> AppResult<Vec<Proposal>> {
    let lang = tr.code();
    let mut proposals = vec![];
    for ind in indicators {
        let e = evidence_of(state, ind, org, lang).await?;
        if !e.has_data {
            continue;
        }
        let Some((kind, reason)) = proposal_reason(e.better_than_benchmark, e.trend_better) else {
            continue;
        };
        let f = |v: Option<f64>| fmt_num(v, e.decimals, lang);
        let args = [
            ("title", e.title.clone()),
            ("year", e.year.map(|y| y.to_string()).unwrap_or_default()),
            ("value", f(e.value)),
            (
                "country",
                f(e.country.as_ref().and_then(|c| c.benchmark_value)),
            ),
        ];
        proposals.push(Proposal {
            indicator_id: ind.id.0,
            kind,
            text: tr.ta(&format!("rd-proposal-{}", reason.as_str()), &args),
            population_group: ind.population_group.clone(),
        });
    }
    Ok(proposals)
}

/// Hyte's proposals for a report: the application picks the indicators not
/// proposed before (and authorises), [`worded_proposals`] words them (the evidence
/// needs the statistics of `crate::analysis`), and the application stores them with
/// their audit entry. Returns the new ids.
pub async fn propose(state: &AppState, ctx: &ReportCtx, tr: &Tr) -> AppResult<Vec<i64>> {
    let indicators = state.app.proposable_indicators(ctx).await?;
    let proposals = worded_proposals(state, &ctx.report.org, &indicators, tr).await?;
    let (ids, _) = state.app.add_proposals(ctx, &proposals).await?;
    Ok(ids)
}
