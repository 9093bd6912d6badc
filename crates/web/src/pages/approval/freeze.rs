//! What a council approval freezes: the document rendered through a recording
//! value source, so that the version holds every number it showed.

use crate::analysis::{assess_in, Recorded, Recorder};
use crate::blocks::render_section_in;
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};
use axum::http::StatusCode;
use hyte_app::model::indicators::{Indicator, StoredValue, ValueQuery};
use hyte_app::model::versions::{Freeze, FrozenSection, FrozenValue, Snapshot};
use hyte_app::ReportCtx;
use hyte_domain::report::SelectionState;
use hyte_domain::{IndicatorId, RegionKey, Sex};
use hyte_stats::CiLevel;
use std::collections::{HashMap, HashSet};

/// One value row's key: indicator, area, year, sex.
type ValueKey = (IndicatorId, RegionKey, i64, Sex);

/// Everything a council approval freezes: every current section's text and every
/// value row the document reads when rendered (found by rendering it through a
/// recording source: one rendering path, so nothing shown is missed), plus the
/// organisation's, its welfare region's and the country's values of every indicator
/// kept on the report's indicator list. Each row gets the 95 % interval it was shown
/// with.
pub async fn freeze(state: &AppState, ctx: &ReportCtx) -> AppResult<Freeze> {
    // The report's organisation, loaded with the context.
    let org = &ctx.org;
    let sections = state.app.sections(ctx).await?;
    let recorder = Recorder::default();
    let src = state.app.recording_values(&recorder);
    let tr = Tr::new(crate::i18n::Lang::Fi);
    for s in &sections {
        render_section_in(&src, org, &s.body, &tr, &format!("s{}", s.id)).await?;
    }
    let mut list_regions = vec![org.key.clone(), RegionKey::country()];
    list_regions.extend(org.welfare_region.clone());
    for sel in state.app.selections(ctx).await? {
        let Some(id) = sel.indicator_id else { continue };
        if sel.state == SelectionState::Excluded {
            continue;
        }
        if src.indicator(IndicatorId(id)).await?.is_some() {
            src.values(
                IndicatorId(id),
                &ValueQuery {
                    regions: list_regions.clone(),
                    years: vec![],
                    sex: None,
                },
            )
            .await?;
        }
    }
    let recorded = recorder.recorded();
    let indicators: Vec<_> = recorded.indicators.values().cloned().collect();
    let cis = shown_intervals(state, &recorded, &indicators).await?;
    let values = frozen_values(&recorded, &cis);
    Ok(Freeze {
        sections: sections
            .iter()
            .map(|s| FrozenSection {
                section_id: s.id,
                position: s.position,
                heading: s.heading.clone(),
                content_areas: s.content_areas.clone(),
                owner_sector: s.owner_sector.clone(),
                revision: s.revision,
                body: s.body.clone(),
            })
            .collect(),
        indicators,
        values,
        // The joys, concerns and publication choices are the use case's to add.
        content: None,
    })
}

/// A value row's 95 % interval: lower and upper bound.
type Interval = (Option<f64>, Option<f64>);

/// The intervals as shown: computed once from the recorded rows themselves (for the
/// areas the document named), so the version shows the intervals it was approved with.
async fn shown_intervals(
    state: &AppState,
    recorded: &Recorded,
    indicators: &[Indicator],
) -> AppResult<HashMap<ValueKey, Interval>> {
    let mut by_ind: HashMap<IndicatorId, Vec<StoredValue>> = HashMap::new();
    for (v, _) in recorded.values.values() {
        by_ind.entry(v.indicator).or_default().push(v.clone());
    }
    let snap = Snapshot::new(indicators.to_vec(), by_ind);
    let mut cis: HashMap<ValueKey, Interval> = HashMap::new();
    let frozen_src = state.app.frozen_values(&snap);
    for ind in indicators {
        let mut regions: Vec<RegionKey> = recorded
            .values
            .iter()
            .filter(|((i, ..), (_, shown))| *i == ind.id && *shown)
            .map(|((_, r, ..), _)| r.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        regions.sort_by_key(|r| r.to_string());
        if regions.is_empty() {
            continue;
        }
        let q = ValueQuery {
            regions,
            years: vec![],
            sex: None,
        };
        for a in assess_in(&frozen_src, ind, &q, CiLevel::P95).await? {
            cis.insert(
                (ind.id, a.region, a.year, a.gender),
                (a.ci_lower, a.ci_upper),
            );
        }
    }
    Ok(cis)
}

/// The recorded rows as frozen values, each with its interval, in a stable order.
fn frozen_values(recorded: &Recorded, cis: &HashMap<ValueKey, Interval>) -> Vec<FrozenValue> {
    let mut values: Vec<FrozenValue> = recorded
        .values
        .iter()
        .map(|(k, (v, shown))| {
            let (ci_lower, ci_upper) = cis.get(k).copied().unwrap_or((None, None));
            FrozenValue {
                indicator: v.indicator,
                region: v.region.clone(),
                year: v.year,
                sex: v.sex,
                value: v.value,
                abs_value: v.abs_value,
                derived: v.derived,
                ci_lower,
                ci_upper,
                import_id: v.import_id,
                imported_at: None,
                context: !shown,
            }
        })
        .collect();
    values.sort_by(|a, b| {
        (a.indicator, a.region.to_string(), a.year, a.sex.code()).cmp(&(
            b.indicator,
            b.region.to_string(),
            b.year,
            b.sex.code(),
        ))
    });
    values
}

/// [`freeze`] for the application layer's `App::transition`, which calls it only
/// for a decided council approval.
pub async fn freeze_for_app(state: &AppState, ctx: &ReportCtx) -> hyte_app::AppResult<Freeze> {
    freeze(state, ctx).await.map_err(to_app_error)
}

/// A rendering failure in the application layer's terms: the database being away
/// stays a 503; anything else is a fault (already logged by the web error).
fn to_app_error(e: AppError) -> hyte_app::AppError {
    if e.status == StatusCode::SERVICE_UNAVAILABLE {
        hyte_app::AppError::Unavailable
    } else {
        hyte_app::AppError::Internal(format!("freezing the version: {}", e.message))
    }
}
