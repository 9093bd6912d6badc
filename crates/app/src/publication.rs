//! Publication settings of a report: putting it on the public site or withdrawing
//! it, and the plain-language summary and infographic indicators the public page
//! shows. Only the report's coordinators (and admins) change them.

use crate::access::ReportCtx;
use crate::approval::{decide_move, record_move};
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_domain::approval::{ApprovalState, Move, MoveInput};

/// Most indicators on the infographic (three rows of three fit one A4 page).
pub const MAX_INFOGRAPHIC: usize = 9;
/// Longest plain-language summary.
pub const MAX_SUMMARY_CHARS: usize = 20_000;

/// What the public page shows besides the approved text.
#[derive(Debug, Clone, Default)]
pub struct PublicationContent {
    /// Plain-language summary, Markdown (empty: generated from joys and concerns).
    pub summary: String,
    /// Indicator ids for the infographic, in order (empty: chosen automatically).
    pub infographic: Vec<i64>,
}

impl App {
    /// Saves the summary and the infographic's indicators (coordinators): at most
    /// [`MAX_INFOGRAPHIC`] distinct indicators and [`MAX_SUMMARY_CHARS`] characters.
    pub async fn set_publication_content(
        &self,
        ctx: &ReportCtx,
        content: &PublicationContent,
    ) -> AppResult<Changed> {
        ctx.require(
            ctx.can_manage(),
            "pub-err-content-forbidden",
            "only the report's coordinator can change its publication",
        )?;
        let mut chosen: Vec<i64> = vec![];
        for id in &content.infographic {
            if !chosen.contains(id) {
                chosen.push(*id);
            }
        }
        if chosen.len() > MAX_INFOGRAPHIC {
            return Err(AppError::invalid(
                "infographic",
                Refusal::new(
                    "pub-err-infographic-too-many",
                    format!(
                        "choose at most {MAX_INFOGRAPHIC} indicators for the infographic (you chose {})",
                        chosen.len()
                    ),
                )
                .arg("max", MAX_INFOGRAPHIC)
                .arg("count", chosen.len()),
            ));
        }
        if content.summary.chars().count() > MAX_SUMMARY_CHARS {
            return Err(AppError::invalid(
                "summary",
                Refusal::new(
                    "pub-err-summary-too-long",
                    "the summary must be at most 20 000 characters",
                )
                .arg("max", MAX_SUMMARY_CHARS),
            ));
        }
        let id = ctx.report.id;
        let mut tx = self.store.begin().await?;
        tx.set_publication_content(id, &content.summary, &chosen)
            .await?;
        tx.audit(&ctx.audit(
            "publication.content",
            format!(
                "report {id}: summary and {} infographic indicators",
                chosen.len()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(Changed::Report(id))
    }

    /// Puts the report on the public site (`true`) or withdraws it (coordinators).
    /// The first publication is the approval workflow's publish move (only a
    /// council-approved report is published, and the approval record shows it);
    /// after that the coordinator may withdraw it and put it back without a new
    /// decision. The move, the switch and the `publication.publish` /
    /// `publication.withdraw` audit entry are one transaction.
    pub async fn publish_or_withdraw(&self, ctx: &ReportCtx, on: bool) -> AppResult<Changed> {
        ctx.require(
            ctx.can_manage(),
            "pub-err-publish-forbidden",
            "only the report's coordinator can publish it",
        )?;
        let id = ctx.report.id;
        let state = self.store.approval_state(id).await?;
        let first = if on && state != ApprovalState::Published {
            Some(decide_move(
                ctx.access,
                state,
                Move::Publish,
                &MoveInput::default(),
            )?)
        } else {
            None
        };
        let mut tx = self.store.begin().await?;
        match &first {
            Some(t) => {
                record_move(&mut tx, ctx, t, None).await?;
            }
            None => tx.set_published(id, on, ctx.actor.email()).await?,
        }
        let action = if on {
            "publication.publish"
        } else {
            "publication.withdraw"
        };
        tx.audit(&ctx.audit(action, format!("report {id}"))).await?;
        tx.commit().await?;
        Ok(Changed::Report(id))
    }
}

impl App {
    /// The report's publication state and content (anyone who may read the report).
    pub async fn publication(
        &self,
        ctx: &ReportCtx,
    ) -> AppResult<hyte_store::publication::Publication> {
        Ok(self.store.publication(ctx.report.id).await?)
    }

    /// Ids of the indicators the report's text shows, in order of first appearance:
    /// the candidates for the infographic.
    pub async fn report_indicator_ids(&self, ctx: &ReportCtx) -> AppResult<Vec<i64>> {
        let mut ids: Vec<i64> = vec![];
        for s in self.store.sections(ctx.report.id).await? {
            for b in hyte_domain::document::parse_section(&s.body) {
                if let hyte_domain::document::Block::Indicator { block, .. } = b {
                    if !ids.contains(&block.indicator.0) {
                        ids.push(block.indicator.0);
                    }
                }
            }
        }
        Ok(ids)
    }
}
