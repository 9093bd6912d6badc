//! The THL appendix generated from the indicator list.

use crate::access::ReportCtx;
use crate::{App, AppResult};
use hyte_domain::report::{MeasureKind, SelectionState};
use hyte_store::reports::SelfAssessment;
use serde::Serialize;
use std::collections::HashMap;

/// One line of the appendix.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppendixRow {
    /// Item key.
    pub item_key: String,
    /// Sotkanet id.
    pub indicator_id: Option<i64>,
    /// Title (in the request's language where Hyte has the indicator).
    pub title: String,
    /// State.
    pub state: SelectionState,
    /// Kind of measure.
    pub measure_kind: MeasureKind,
    /// Section where shown.
    pub section_id: Option<i64>,
    /// Its heading.
    pub section_heading: Option<String>,
    /// Reason.
    pub reason: String,
    /// Source (added indicators).
    pub source: Option<String>,
    /// Theme.
    pub theme: Option<String>,
    /// Population group.
    pub population_group: Option<String>,
}

/// The THL appendix: indicators used, exclusions with reasons, additions with reason
/// and source.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Appendix {
    /// Included and added indicators.
    pub used: Vec<AppendixRow>,
    /// Excluded ones with their reasons.
    pub excluded: Vec<AppendixRow>,
    /// Added ones with reason and source.
    pub added: Vec<AppendixRow>,
    /// Items not decided yet.
    pub pending: usize,
    /// Qualitative self-assessment.
    pub self_assessments: Vec<SelfAssessment>,
}

impl App {
    /// The appendix of a report, with indicator titles in `lang` (everyone who reads
    /// the report).
    pub async fn appendix(&self, ctx: &ReportCtx, lang: &str) -> AppResult<Appendix> {
        let id = ctx.report.id;
        let heading: HashMap<i64, String> = self
            .store
            .sections(id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.heading))
            .collect();
        let titles: HashMap<i64, String> = self
            .store
            .indicators()
            .await?
            .into_iter()
            .map(|i| (i.id.0, i.title.get(lang).to_string()))
            .collect();
        let mut a = Appendix {
            used: vec![],
            excluded: vec![],
            added: vec![],
            pending: 0,
            self_assessments: self.store.self_assessments(id).await?,
        };
        for s in self.store.selections(id).await? {
            let row = AppendixRow {
                title: s
                    .indicator_id
                    .and_then(|i| titles.get(&i).cloned())
                    .unwrap_or_else(|| s.title.clone()),
                section_heading: s.section_id.and_then(|i| heading.get(&i).cloned()),
                item_key: s.item_key,
                indicator_id: s.indicator_id,
                state: s.state,
                measure_kind: s.measure_kind,
                section_id: s.section_id,
                reason: s.reason,
                // Only an added indicator's source is its data's source; a preset
                // item's is the preset's provenance.
                source: if s.state == SelectionState::Added {
                    s.source
                } else {
                    None
                },
                theme: s.theme,
                population_group: s.population_group,
            };
            match row.state {
                SelectionState::Included => a.used.push(row),
                SelectionState::Added => {
                    a.used.push(row.clone());
                    a.added.push(row);
                }
                SelectionState::Excluded => a.excluded.push(row),
                SelectionState::Pending => a.pending += 1,
            }
        }
        Ok(a)
    }
}
