//! Starting a report: kind, title, council term, partners, languages and outline.

use crate::access::org_access;
use crate::{Actor, App, AppError, AppResult, Refusal};
use hyte_domain::report::{parse_outline_template, ReportKind, TemplateSection, THL_OUTLINE_CSV};
use hyte_domain::{RegionCategory, RegionKey, Role};
use hyte_store::orgs::Region;
use hyte_store::reports::{NewReport, Report};

/// What a coordinator fills in to start a report (as typed: the use case parses).
#[derive(Debug, Clone, Default)]
pub struct ReportDraft {
    /// `term_report`, `yearly_report`, `regional_report`...
    pub kind: String,
    /// Title, 1–300 characters.
    pub title: String,
    /// First year of the council term.
    pub term_start: String,
    /// Last year of the council term.
    pub term_end: String,
    /// Year of a yearly report (required for one, optional otherwise).
    pub year: String,
    /// Partner organisations of a joint report, by key (`KUNTA:398`): each is
    /// invited and becomes a partner only when its coordinator accepts.
    pub partners: Vec<String>,
    /// `thl` (THL's outline, the default) or `empty`.
    pub outline: Option<String>,
    /// Publication languages; none given: the organisation's own languages.
    pub languages: Vec<String>,
}

fn refuse(field: &'static str, key: &'static str, english: String) -> AppError {
    AppError::invalid(field, Refusal::new(key, english))
}

fn year_of(field: &'static str, key: &'static str, s: &str) -> AppResult<i64> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| refuse(field, key, format!("{field}: {s} is not a plausible year")))
}

impl App {
    /// Parses and checks a draft into a new report and its outline.
    async fn check_draft(
        &self,
        actor: &Actor,
        org: &Region,
        d: &ReportDraft,
    ) -> AppResult<(NewReport, Vec<RegionKey>, Vec<TemplateSection>)> {
        let kind: ReportKind = d.kind.trim().parse().map_err(|e| {
            AppError::invalid("kind", Refusal::new("rep-err-kind", format!("kind: {e}")))
        })?;
        let title = d.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(refuse(
                "title",
                "rep-err-title",
                "the title must be 1–300 characters".into(),
            ));
        }
        let start = year_of("term_start", "rep-err-term", &d.term_start)?;
        let end = year_of("term_end", "rep-err-term", &d.term_end)?;
        if end < start {
            return Err(refuse(
                "term_end",
                "rep-err-term",
                "the council term must run from an earlier to a later year, e.g. 2025–2029".into(),
            ));
        }
        let year = match (kind, d.year.trim()) {
            (ReportKind::YearlyReport, "") => {
                return Err(refuse(
                    "year",
                    "rep-err-year",
                    "a yearly report needs its year".into(),
                ))
            }
            (_, "") => None,
            (_, y) => Some(year_of("year", "rep-err-year", y)?),
        };
        let partners = self.check_partners(org, &d.partners).await?;
        let languages = check_languages(org, &d.languages)?;
        let template = match d.outline.as_deref().map(str::trim).unwrap_or("thl") {
            "thl" | "" => parse_outline_template(THL_OUTLINE_CSV)
                .map_err(|e| AppError::Internal(format!("the shipped THL outline: {e}")))?,
            "empty" => vec![],
            other => {
                return Err(AppError::invalid(
                    "outline",
                    Refusal::new(
                        "rep-err-outline",
                        format!("unknown template '{other}': use thl or empty"),
                    ),
                ))
            }
        };
        let new = NewReport {
            org: org.key.clone(),
            // Nobody becomes a partner without consent: they are invited below.
            partners: vec![],
            kind,
            title,
            term_start: start,
            term_end: end,
            year,
            languages,
            created_by: actor.email().to_string(),
        };
        Ok((new, partners, template))
    }

    /// Parses partner keys: organisations in Hyte other than the country, without
    /// the owner itself and without repetitions.
    pub(crate) async fn check_partners(
        &self,
        org: &Region,
        given: &[String],
    ) -> AppResult<Vec<RegionKey>> {
        let mut partners: Vec<RegionKey> = vec![];
        for p in given.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let err = || {
                AppError::invalid(
                    "partners",
                    Refusal::new(
                        "rep-err-partner",
                        format!("partner {p} is not an organisation in Hyte"),
                    )
                    .arg("id", p),
                )
            };
            let key: RegionKey = p.parse().map_err(|_| err())?;
            if !key.category().is_organisation() || key.category() == RegionCategory::Maa {
                return Err(err());
            }
            if self.store.region(&key).await?.is_none() {
                return Err(err());
            }
            if key != org.key && !partners.contains(&key) {
                partners.push(key);
            }
        }
        Ok(partners)
    }

    /// Starts a report in an organisation (its coordinators and admins), with THL's
    /// outline in the report's first language or empty.
    pub async fn create_report(
        &self,
        actor: &Actor,
        org: &RegionKey,
        d: &ReportDraft,
    ) -> AppResult<Report> {
        let region = self.organisation(org).await?;
        if !org_access(&actor.user, &region).is_some_and(|a| a.at_least(Role::Coordinator)) {
            return Err(AppError::forbidden(
                "rep-err-create-forbidden",
                "only the organisation's coordinators create reports",
            ));
        }
        let (new, invited, template) = self.check_draft(actor, &region, d).await?;
        let lang = new
            .languages
            .first()
            .cloned()
            .unwrap_or_else(|| "fi".into());
        let mut tx = self.store.begin().await?;
        let id = tx.create_report(&new, &template, &lang).await?;
        tx.audit(&actor.audit(
            org,
            "report_created",
            format!(
                "report {id} '{}' ({}, {}–{}), {} sections, invited partners [{}]",
                new.title,
                new.kind,
                new.term_start,
                new.term_end,
                template.len(),
                invited
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
        .await?;
        for p in &invited {
            tx.invite_partner(id, p, actor.email()).await?;
            crate::reports::partners::audit_both(
                &mut tx,
                actor,
                org,
                p,
                "partner_invited",
                &format!(
                    "report {id} '{}': {org} invited {p} as a partner",
                    new.title
                ),
            )
            .await?;
        }
        tx.commit().await?;
        self.store
            .report(id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("report {id} vanished")))
    }
}

fn check_languages(org: &Region, given: &[String]) -> AppResult<Vec<String>> {
    let mut languages: Vec<String> = vec![];
    for l in given.iter().map(|l| l.trim()) {
        if !["fi", "sv", "en"].contains(&l) {
            return Err(AppError::invalid(
                "languages",
                Refusal::new(
                    "rep-err-languages",
                    format!("'{l}' is not a publication language: use fi, sv or en"),
                ),
            ));
        }
        if !languages.iter().any(|x| x == l) {
            languages.push(l.to_string());
        }
    }
    if languages.is_empty() {
        languages = org.languages().iter().map(|l| l.to_string()).collect();
    }
    Ok(languages)
}
