//! Indicator data administration: curating what Sotkanet lacks (polarity,
//! denominator, kind), importing data files, and the import history.
//!
//! Who may: administrators curate and import (the command line acts as the system);
//! coordinators of any organisation and administrators read the import history.

use crate::accounts::Initiator;
use crate::{Actor, App, AppError, AppResult, Changed, Refusal};
use hyte_domain::{IndicatorId, Polarity, Role};
use hyte_store::indicators::{Denominator, ImportRun};
use hyte_store::ingest::IngestOutcome;
use hyte_store::Audit;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// The kinds of indicator an admin may choose.
pub const KINDS: &[&str] = &["register", "survey", "projection", "finance", "other"];

/// An admin's curation of one indicator, as typed (`polarity`: `high_is_good`,
/// `low_is_good`, `no_judgement`; `denominator`: `population` or `none`; `kind`: one
/// of [`KINDS`]).
#[derive(Debug, Clone, Default)]
pub struct Curation {
    /// Which direction is better.
    pub polarity: String,
    /// What derived benchmarks divide by.
    pub denominator: String,
    /// Register, survey, ...
    pub kind: String,
}

/// A data file to import.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// The file's name (for messages and the import history).
    pub name: String,
    /// Its content (any supported format, detected from the content).
    pub bytes: Vec<u8>,
    /// Where it came from, for the import history ("upload in the browser", ...).
    pub source: String,
}

/// Whether the actor may curate indicators and import data: administrators.
pub fn may_import(actor: &Actor) -> bool {
    actor.is_admin()
}

fn require_admin(actor: &Actor, key: &'static str, english: &str) -> AppResult<()> {
    if may_import(actor) {
        Ok(())
    } else {
        Err(AppError::forbidden(key, english))
    }
}

fn unknown(field: &'static str, key: &'static str, english: String, value: &str) -> AppError {
    AppError::invalid(field, Refusal::new(key, english).arg("value", value))
}

impl App {
    /// Sets an indicator's curated fields (admins) and recomputes its derived
    /// benchmark values in the same transaction, audited as `indicator_curated`.
    /// Every output showing indicator data is stale afterwards ([`Changed::Data`]).
    pub async fn curate_indicator(
        &self,
        actor: &Actor,
        id: i64,
        c: &Curation,
    ) -> AppResult<Changed> {
        require_admin(
            actor,
            "ind-err-curate-forbidden",
            "only administrators curate indicator metadata",
        )?;
        let ind = self
            .store
            .indicator(IndicatorId(id))
            .await?
            .ok_or_else(|| {
                AppError::NotFound(
                    Refusal::new("ind-err-no-indicator", format!("no indicator {id}"))
                        .arg("id", id),
                )
            })?;
        let polarity: Polarity = c
            .polarity
            .parse()
            .map_err(|e: String| unknown("polarity", "ind-err-polarity", e, &c.polarity))?;
        let denominator = match c.denominator.as_str() {
            "population" => Denominator::Population,
            "none" => Denominator::None,
            other => {
                return Err(unknown(
                    "denominator",
                    "ind-err-denominator",
                    format!("unknown denominator '{other}'"),
                    other,
                ))
            }
        };
        if !KINDS.contains(&c.kind.as_str()) {
            return Err(unknown(
                "kind",
                "ind-err-kind",
                format!("unknown kind '{}'", c.kind),
                &c.kind,
            ));
        }
        let mut tx = self.store.begin().await?;
        tx.set_indicator_curation(ind.id, polarity, denominator, &c.kind)
            .await?;
        tx.recompute_derived(&[ind.id.0]).await?;
        tx.audit(&Audit {
            user_email: Some(actor.email().to_string()),
            org: None,
            action: "indicator_curated".into(),
            detail: format!(
                "indicator {}: polarity {}, denominator {}, kind {}",
                ind.id, c.polarity, c.denominator, c.kind
            ),
        })
        .await?;
        tx.commit().await?;
        Ok(Changed::Data)
    }

    /// Imports one data file (Sotkanet API JSON/CSV, the web CSV export, region and
    /// indicator lists, metadata, Hyte snapshot or population CSV): accepted whole or
    /// refused whole with file, line, field and reason. Administrators in the web;
    /// the system at the command line. Audited as `import` (no organisation: data
    /// concerns every one). `progress` counts data rows read, for a progress bar.
    ///
    /// The store writes the file and its audit entry in one transaction (the bulk
    /// loader streams millions of rows through a dedicated connection, so the entry
    /// is written there, not here).
    pub async fn import_data(
        &self,
        by: Initiator<'_>,
        file: DataFile,
        progress: Option<Arc<AtomicU64>>,
    ) -> AppResult<(IngestOutcome, Changed)> {
        if let Some(actor) = by.actor() {
            require_admin(
                actor,
                "imp-err-forbidden",
                "only administrators import data",
            )?;
        }
        if file.bytes.is_empty() {
            return Err(AppError::invalid(
                "file",
                Refusal::new("imports-empty", format!("{}: the file is empty", file.name)),
            ));
        }
        let outcome = self
            .store
            .ingest_with_progress(
                &file.name,
                file.bytes,
                by.email(),
                &file.source,
                |_| true,
                progress,
            )
            .await?;
        Ok((outcome, Changed::Data))
    }

    /// The import history, newest first (coordinators and administrators).
    pub async fn import_runs(&self, actor: &Actor, limit: i64) -> AppResult<Vec<ImportRun>> {
        if !actor.user.role.at_least(Role::Coordinator) {
            return Err(AppError::forbidden(
                "imp-err-history-forbidden",
                "import history is for coordinators and admins",
            ));
        }
        Ok(self.store.import_runs(limit).await?)
    }
}
