//! Deciding the indicator list: seeding it from the preset, including, excluding (with
//! a written reason) or adding an indicator (with a reason and a source), and the
//! qualitative self-assessment entries.

use super::preset::{preset, PRESET_ID};
use super::word;
use crate::access::ReportCtx;
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_domain::report::{check_selection, MeasureKind, SelectionError, SelectionState};
use hyte_domain::IndicatorId;
use hyte_store::reports::Selection;

/// Longest source of an added indicator.
pub const MAX_SOURCE_CHARS: usize = 1000;
/// Longest self-assessment topic.
pub const MAX_TOPIC_CHARS: usize = 300;
/// Longest self-assessment text.
pub const MAX_ASSESSMENT_CHARS: usize = 10_000;

/// A decision on one item of the indicator list, as the user gave it (the words are
/// parsed after the caller is authorised, so a reader always hears "forbidden").
#[derive(Debug, Clone, Default)]
pub struct SelectionInput {
    /// New state: `pending`, `included`, `excluded` or `added`.
    pub state: String,
    /// Reason (mandatory for excluded and added).
    pub reason: String,
    /// Source (mandatory for added; kept from the preset otherwise).
    pub source: Option<String>,
    /// `None` keeps the section, `Some(None)` clears it.
    pub section_id: Option<Option<i64>>,
    /// Kind of measure; `None` keeps it (`state` for a new item).
    pub measure_kind: Option<String>,
}

/// A qualitative self-assessment entry.
#[derive(Debug, Clone, Default)]
pub struct SelfAssessmentInput {
    /// Topic, 1–300 characters.
    pub topic: String,
    /// Text, at most 10 000 characters.
    pub body: String,
    /// Score 1..=5, or none.
    pub score: Option<i64>,
}

fn require_decide(ctx: &ReportCtx) -> AppResult<()> {
    ctx.require(
        ctx.access.can_decide(),
        "rd-error-decide-forbidden",
        "only the report's coordinators decide the indicator list",
    )
}

fn reason_refusal(e: SelectionError) -> AppError {
    let key = match e {
        SelectionError::ReasonRequired => "rd-error-reason-required",
        SelectionError::AddedReasonRequired => "rd-error-added-reason-required",
        SelectionError::ReasonTooLong => "rd-error-reason-too-long",
    };
    AppError::invalid("reason", Refusal::new(key, e.to_string()))
}

fn source_required() -> AppError {
    AppError::invalid(
        "source",
        Refusal::new(
            "rd-error-source-required",
            "adding an indicator needs a source: where its data comes from",
        ),
    )
}

fn score_refusal() -> AppError {
    AppError::invalid(
        "score",
        Refusal::new("rd-error-sa-score", "the score must be from 1 to 5"),
    )
}

/// Parses a self-assessment score as a form sends it (empty: no score).
pub fn parse_score(value: &str) -> AppResult<Option<i64>> {
    match value.trim() {
        "" => Ok(None),
        s => s.parse::<i64>().map(Some).map_err(|_| score_refusal()),
    }
}

fn indicator_key_id(item_key: &str) -> Option<i64> {
    item_key
        .strip_prefix("sotkanet:")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|i| *i > 0)
}

/// The checked parts of a decision.
struct Checked {
    state: SelectionState,
    reason: String,
    source: Option<String>,
    measure_kind: Option<MeasureKind>,
}

impl App {
    /// Adds the preset's items that are missing from the report's list (as
    /// `pending`); items already there keep their decisions (coordinators). Returns
    /// how many were added; only a seed that added something is audited.
    pub async fn seed_indicators(&self, ctx: &ReportCtx) -> AppResult<(usize, Changed)> {
        require_decide(ctx)?;
        let items: Vec<Selection> = preset()
            .iter()
            .map(|p| Selection {
                item_key: p.item_key.clone(),
                indicator_id: p.indicator_id,
                title: p.title_fi.clone(),
                state: SelectionState::Pending,
                reason: String::new(),
                source: Some(p.source_note.clone()).filter(|s| !s.is_empty()),
                section_id: None,
                measure_kind: p.kind,
                from_preset: true,
                theme: Some(p.theme.clone()).filter(|s| !s.is_empty()),
                population_group: Some(p.population_group.clone()),
                updated_by: ctx.actor.email().to_string(),
                updated_at: String::new(),
            })
            .collect();
        let mut tx = self.store.begin().await?;
        let added = tx.seed_selections(ctx.report.id, &items).await?;
        if added > 0 {
            tx.audit(&ctx.audit(
                "report_indicators_seeded",
                format!(
                    "report {}: {added} items from the preset {PRESET_ID}",
                    ctx.report.id
                ),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok((added, Changed::Report(ctx.report.id)))
    }

    /// Decides an item of the indicator list (include, exclude with a reason, reset),
    /// or adds an indicator that is not on it (`added` with `sotkanet:<id>`, a reason
    /// and a source) (coordinators). Refused input changes nothing. Returns the item
    /// as stored.
    pub async fn decide_indicator(
        &self,
        ctx: &ReportCtx,
        item_key: &str,
        input: &SelectionInput,
    ) -> AppResult<(Selection, Changed)> {
        require_decide(ctx)?;
        let item_key = item_key.trim();
        let checked = self.check_decision(ctx, input).await?;
        let existing = self
            .store
            .selections(ctx.report.id)
            .await?
            .into_iter()
            .find(|s| s.item_key == item_key);
        let new = match existing {
            Some(old) => changed_selection(ctx, old, checked, input.section_id)?,
            None => {
                self.added_selection(ctx, item_key, checked, input.section_id)
                    .await?
            }
        };
        let mut tx = self.store.begin().await?;
        tx.put_selection(ctx.report.id, &new).await?;
        tx.audit(&ctx.audit(
            "report_indicator_selection",
            format!(
                "report {}: {} is {}{}",
                ctx.report.id,
                new.item_key,
                new.state,
                if new.reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", new.reason)
                }
            ),
        ))
        .await?;
        tx.commit().await?;
        let saved = self
            .store
            .selections(ctx.report.id)
            .await?
            .into_iter()
            .find(|s| s.item_key == new.item_key)
            .ok_or_else(|| AppError::Internal("a saved selection vanished".into()))?;
        Ok((saved, Changed::Report(ctx.report.id)))
    }

    /// The checks of a decision that do not depend on the item: the words, the
    /// reason, the source's length and the section.
    async fn check_decision(&self, ctx: &ReportCtx, input: &SelectionInput) -> AppResult<Checked> {
        let state: SelectionState = word("state", "rd-error-state", &input.state)?;
        let measure_kind = match input.measure_kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => Some(word("measure_kind", "rd-error-measure-kind", k)?),
        };
        let reason = check_selection(state, &input.reason).map_err(reason_refusal)?;
        let source = input
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        if source
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SOURCE_CHARS)
        {
            return Err(AppError::invalid(
                "source",
                Refusal::new(
                    "rd-error-source-too-long",
                    "the source is too long (at most 1 000 characters)",
                ),
            ));
        }
        if let Some(Some(sid)) = input.section_id {
            let sections = self.store.sections(ctx.report.id).await?;
            if !sections.iter().any(|s| s.id == sid) {
                return Err(AppError::invalid(
                    "section_id",
                    Refusal::new(
                        "rd-error-section-not-in-report",
                        format!("section {sid} is not a section of this report"),
                    )
                    .arg("section", sid),
                ));
            }
        }
        Ok(Checked {
            state,
            reason,
            source,
            measure_kind,
        })
    }

    /// A new item: only an indicator of Hyte may be added, with a source.
    async fn added_selection(
        &self,
        ctx: &ReportCtx,
        item_key: &str,
        c: Checked,
        section_id: Option<Option<i64>>,
    ) -> AppResult<Selection> {
        if c.state != SelectionState::Added {
            return Err(AppError::NotFound(
                Refusal::new(
                    "rd-error-not-on-list",
                    format!("'{item_key}' is not on this report's indicator list; to add an indicator use the state 'added' with the key sotkanet:<id>"),
                )
                .arg("item", item_key),
            ));
        }
        let Some(id) = indicator_key_id(item_key) else {
            return Err(AppError::Refused(
                Refusal::new(
                    "rd-error-not-indicator-key",
                    format!("'{item_key}' is not an indicator key: use sotkanet:<id> to add an indicator of Hyte"),
                )
                .arg("item", item_key),
            ));
        };
        let Some(ind) = self.store.indicator(IndicatorId(id)).await? else {
            return Err(AppError::Refused(
                Refusal::new(
                    "rd-error-unknown-indicator",
                    format!("Hyte has no indicator {id}; choose one from the indicator catalogue"),
                )
                .arg("id", id),
            ));
        };
        if c.source.is_none() {
            return Err(source_required());
        }
        Ok(Selection {
            item_key: item_key.to_string(),
            indicator_id: Some(id),
            title: ind.title.get("fi").to_string(),
            state: SelectionState::Added,
            reason: c.reason,
            source: c.source,
            section_id: section_id.flatten(),
            measure_kind: c.measure_kind.unwrap_or(MeasureKind::State),
            from_preset: false,
            theme: ind.theme.clone(),
            population_group: ind.population_group.clone(),
            updated_by: ctx.actor.email().to_string(),
            updated_at: String::new(),
        })
    }

    /// Adds a qualitative self-assessment entry (editors and up). Returns its id.
    pub async fn add_self_assessment(
        &self,
        ctx: &ReportCtx,
        input: &SelfAssessmentInput,
    ) -> AppResult<(i64, Changed)> {
        ctx.require(
            ctx.access.can_write(),
            "rd-error-sa-forbidden",
            "only the report's editors and coordinators write self-assessments",
        )?;
        let topic = input.topic.trim();
        if topic.is_empty()
            || topic.chars().count() > MAX_TOPIC_CHARS
            || input.body.chars().count() > MAX_ASSESSMENT_CHARS
        {
            return Err(AppError::invalid(
                "topic",
                Refusal::new(
                    "rd-error-sa-topic",
                    "a self-assessment needs a topic (1–300 characters) and at most 10 000 characters of text",
                ),
            ));
        }
        if input.score.is_some_and(|s| !(1..=5).contains(&s)) {
            return Err(score_refusal());
        }
        let mut tx = self.store.begin().await?;
        let sid = tx
            .add_self_assessment(
                ctx.report.id,
                topic,
                &input.body,
                input.score,
                ctx.actor.email(),
            )
            .await?;
        tx.audit(&ctx.audit(
            "report_self_assessment_added",
            format!(
                "report {}: self-assessment {sid} '{topic}'{}",
                ctx.report.id,
                input.score.map(|s| format!(", score {s}")).unwrap_or_default()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok((sid, Changed::Report(ctx.report.id)))
    }
}

/// A decision on an item already on the list. A preset item keeps the preset's
/// provenance as its source; only an added item takes the source given.
fn changed_selection(
    ctx: &ReportCtx,
    old: Selection,
    c: Checked,
    section_id: Option<Option<i64>>,
) -> AppResult<Selection> {
    let adding = c.state == SelectionState::Added;
    if adding && old.from_preset {
        return Err(AppError::Refused(
            Refusal::new(
                "rd-error-already-on-list",
                format!(
                    "'{}' is already on the list (from the preset): include it instead of adding it",
                    old.title
                ),
            )
            .arg("title", &old.title),
        ));
    }
    let source = if !adding && old.from_preset {
        old.source.clone()
    } else {
        c.source.or(old.source.clone())
    };
    if adding && source.is_none() {
        return Err(source_required());
    }
    Ok(Selection {
        state: c.state,
        reason: c.reason,
        source,
        section_id: section_id.unwrap_or(old.section_id),
        measure_kind: c.measure_kind.unwrap_or(old.measure_kind),
        updated_by: ctx.actor.email().to_string(),
        ..old
    })
}
