//! Comment threads on sections, indicator blocks and the whole report.

use crate::access::{may_resolve_comment, ReportCtx};
use crate::{App, AppError, AppResult, Changed, Refusal};
use hyte_store::reports::Comment;

/// Longest comment.
pub const MAX_COMMENT_CHARS: usize = 5000;

/// A new comment.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    /// The section it is on (`None`: the whole report).
    pub section_id: Option<i64>,
    /// The line of an indicator block it is on, from 1.
    pub block_line: Option<i64>,
    /// The thread it replies to.
    pub parent_id: Option<i64>,
    /// The text.
    pub body: String,
}

fn no_comment(id: i64) -> AppError {
    AppError::NotFound(
        Refusal::new(
            "com-err-no-comment",
            format!("no comment {id} in this report"),
        )
        .arg("id", id),
    )
}

impl App {
    /// The report's comments, oldest first.
    pub async fn comments(&self, ctx: &ReportCtx) -> AppResult<Vec<Comment>> {
        Ok(self.store.comments(ctx.report.id).await?)
    }

    /// Adds a comment or a reply (commenters and up). A reply belongs to its
    /// thread's section and must name a thread of this report (and, when a section
    /// is given, of that section).
    pub async fn add_comment(
        &self,
        ctx: &ReportCtx,
        c: &NewComment,
    ) -> AppResult<(Comment, Changed)> {
        ctx.require(
            ctx.can_comment(),
            "com-err-forbidden",
            "readers cannot comment",
        )?;
        if let Some(sid) = c.section_id {
            self.current_section(ctx, sid).await?;
        }
        let body = c.body.replace("\r\n", "\n").trim().to_string();
        if body.is_empty() || body.chars().count() > MAX_COMMENT_CHARS {
            return Err(AppError::invalid(
                "body",
                Refusal::new("com-err-body", "a comment must be 1–5 000 characters"),
            ));
        }
        if c.block_line.is_some_and(|l| l < 1) {
            return Err(AppError::invalid(
                "block_line",
                Refusal::new("com-err-line", "block_line is a line number from 1"),
            ));
        }
        if let Some(pid) = c.parent_id {
            let comments = self.store.comments(ctx.report.id).await?;
            comments
                .iter()
                .find(|x| {
                    x.id == pid
                        && x.parent_id.is_none()
                        && (c.section_id.is_none() || x.section_id == c.section_id)
                })
                .ok_or_else(|| no_comment(pid))?;
        }
        let user = &ctx.actor.user;
        let mut tx = self.store.begin().await?;
        let cid = tx
            .add_comment(
                ctx.report.id,
                c.section_id,
                c.block_line,
                c.parent_id,
                &user.email,
                &user.name,
                &body,
            )
            .await?;
        tx.audit(&ctx.audit(
            "comment_added",
            format!(
                "report {}, section {}, comment {cid}{}{}",
                ctx.report.id,
                c.section_id
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                c.parent_id
                    .map(|p| format!(", reply to {p}"))
                    .unwrap_or_default(),
                c.block_line
                    .map(|l| format!(", on block line {l}"))
                    .unwrap_or_default()
            ),
        ))
        .await?;
        tx.commit().await?;
        let comment = self
            .store
            .comments(ctx.report.id)
            .await?
            .into_iter()
            .find(|x| x.id == cid)
            .ok_or_else(|| AppError::Internal(format!("comment {cid} vanished")))?;
        Ok((comment, Changed::Report(ctx.report.id)))
    }

    /// Resolves (`true`) or reopens (`false`) a thread: its author, or whoever may
    /// edit its section (`access::may_resolve_comment`). `section` restricts the
    /// thread to one section (the page's address names it).
    pub async fn resolve_comment(
        &self,
        ctx: &ReportCtx,
        cid: i64,
        section: Option<i64>,
        resolve: bool,
    ) -> AppResult<(Comment, Changed)> {
        ctx.require(
            ctx.can_comment(),
            "com-err-resolve-forbidden",
            "readers cannot resolve or reopen comments",
        )?;
        let comment = self
            .store
            .comments(ctx.report.id)
            .await?
            .into_iter()
            .find(|c| c.id == cid && (section.is_none() || c.section_id == section))
            .ok_or_else(|| no_comment(cid))?;
        if comment.parent_id.is_some() {
            return Err(AppError::refused(
                "com-err-reply-resolve",
                "a reply is resolved with its thread: resolve the thread's first comment",
            ));
        }
        let sec = match comment.section_id {
            Some(sid) => self.store.section(sid).await?,
            None => None,
        };
        ctx.require(
            may_resolve_comment(
                ctx.access,
                &ctx.actor.user,
                sec.as_ref(),
                &comment.author_email,
            ),
            "com-err-resolve-forbidden",
            "only the comment's author or whoever may edit its section resolves or reopens it",
        )?;
        let user = &ctx.actor.user;
        let mut tx = self.store.begin().await?;
        tx.resolve_comment(ctx.report.id, cid, resolve.then_some(user.name.as_str()))
            .await?;
        tx.audit(&ctx.audit(
            if resolve {
                "comment_resolved"
            } else {
                "comment_reopened"
            },
            format!(
                "report {}, section {}, comment {cid}",
                ctx.report.id,
                comment
                    .section_id
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into())
            ),
        ))
        .await?;
        tx.commit().await?;
        let comment = self
            .store
            .comments(ctx.report.id)
            .await?
            .into_iter()
            .find(|x| x.id == cid)
            .ok_or_else(|| no_comment(cid))?;
        Ok((comment, Changed::Report(ctx.report.id)))
    }
}
