//! The welfare plan of a report: goals (linked to the concerns they answer), actions
//! with responsible sector and person, schedule and planned resources per budget year,
//! yearly progress, follow-up indicators; and the link from a generated yearly report
//! to its term report.
//!
//! Inputs arrive as validated domain values (`hyte_domain::plan`); the store only
//! checks what needs the database (that linked rows belong to the same report).

use crate::{now_rfc3339, Store, StoreError, StoreResult};
use hyte_domain::plan::{join_tags, split_tags, ActionStatus, BudgetYear, Euros, PersonYears};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A goal of the plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanGoal {
    /// Id.
    pub id: i64,
    /// Report.
    pub report_id: i64,
    /// Order.
    pub position: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Plan tags (keys of `plan_tags.csv`).
    pub tags: Vec<String>,
    /// The joys and concerns it answers (observation ids).
    pub observations: Vec<i64>,
    /// Last changed by.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// Planned resources of an action in one budget year.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Resource {
    /// Budget year.
    pub year: BudgetYear,
    /// Euros.
    pub euros: Euros,
    /// Person-years.
    pub person_years: PersonYears,
}

/// The status of an action in one budget year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// Budget year.
    pub year: BudgetYear,
    /// Status.
    pub status: ActionStatus,
    /// Short narrative.
    pub narrative: String,
    /// Euros used.
    pub euros_used: Option<Euros>,
    /// Person-years used.
    pub person_years_used: Option<PersonYears>,
    /// By.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// An action of a goal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanAction {
    /// Id.
    pub id: i64,
    /// Goal.
    pub goal_id: i64,
    /// Order within the goal.
    pub position: i64,
    /// Title.
    pub title: String,
    /// Responsible sector.
    pub sector: String,
    /// Responsible person (name or role).
    pub responsible: String,
    /// First budget year.
    pub start_year: i64,
    /// Last budget year.
    pub end_year: i64,
    /// Plan tags.
    pub tags: Vec<String>,
    /// Planned resources per budget year.
    pub resources: Vec<Resource>,
    /// Progress per budget year.
    pub progress: Vec<Progress>,
    /// Last changed by.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

impl PlanAction {
    /// Progress recorded for a year.
    pub fn progress_in(&self, year: i64) -> Option<&Progress> {
        self.progress.iter().find(|p| p.year.get() == year)
    }
    /// Planned resources of a year.
    pub fn resources_in(&self, year: i64) -> Option<&Resource> {
        self.resources.iter().find(|r| r.year.get() == year)
    }
}

/// A follow-up indicator of a goal or an action.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    /// Id.
    pub id: i64,
    /// Goal.
    pub goal_id: i64,
    /// Action, when it follows one action.
    pub action_id: Option<i64>,
    /// Sotkanet indicator id.
    pub indicator_id: i64,
    /// Baseline year.
    pub baseline_year: i64,
    /// Baseline value.
    pub baseline_value: f64,
    /// Whether a person overrode the value from the data.
    pub baseline_overridden: bool,
    /// Target year.
    pub target_year: i64,
    /// Target value.
    pub target_value: f64,
    /// By.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// The whole plan of a report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Plan {
    /// Goals in order.
    pub goals: Vec<PlanGoal>,
    /// Actions in goal order, then their own order.
    pub actions: Vec<PlanAction>,
    /// Follow-up indicators.
    pub followups: Vec<FollowUp>,
}

/// A goal to store.
#[derive(Debug, Clone)]
pub struct GoalInput {
    /// Title (checked).
    pub title: String,
    /// Description.
    pub description: String,
    /// Tags (checked against the configuration).
    pub tags: Vec<String>,
    /// Observation ids (checked to belong to the report).
    pub observations: Vec<i64>,
}

/// An action to store.
#[derive(Debug, Clone)]
pub struct ActionInput {
    /// Title.
    pub title: String,
    /// Sector.
    pub sector: String,
    /// Responsible person.
    pub responsible: String,
    /// First year.
    pub start_year: BudgetYear,
    /// Last year.
    pub end_year: BudgetYear,
    /// Tags.
    pub tags: Vec<String>,
    /// Planned resources.
    pub resources: Vec<Resource>,
}

/// A follow-up to store.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    /// Goal.
    pub goal_id: i64,
    /// Action.
    pub action_id: Option<i64>,
    /// Indicator.
    pub indicator_id: i64,
    /// Baseline year.
    pub baseline_year: i64,
    /// Baseline value.
    pub baseline_value: f64,
    /// Whether the value was typed in rather than taken from the data.
    pub baseline_overridden: bool,
    /// Target year.
    pub target_year: i64,
    /// Target value.
    pub target_value: f64,
}

/// Progress to store.
#[derive(Debug, Clone)]
pub struct ProgressInput {
    /// Status.
    pub status: ActionStatus,
    /// Narrative.
    pub narrative: String,
    /// Euros used.
    pub euros_used: Option<Euros>,
    /// Person-years used.
    pub person_years_used: Option<PersonYears>,
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn goal_from_row(r: &AnyRow) -> StoreResult<PlanGoal> {
    Ok(PlanGoal {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        position: r.try_get("position")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        tags: split_tags(&r.try_get::<String, _>("tags")?),
        observations: vec![],
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn followup_from_row(r: &AnyRow) -> StoreResult<FollowUp> {
    Ok(FollowUp {
        id: r.try_get("id")?,
        goal_id: r.try_get("goal_id")?,
        action_id: r.try_get("action_id")?,
        indicator_id: r.try_get("indicator_id")?,
        baseline_year: r.try_get("baseline_year")?,
        baseline_value: r.try_get("baseline_value")?,
        baseline_overridden: r.try_get::<i64, _>("baseline_overridden")? != 0,
        target_year: r.try_get("target_year")?,
        target_value: r.try_get("target_value")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// The plan of a report.
    pub async fn plan(&self, report_id: i64) -> StoreResult<Plan> {
        let mut goals: Vec<PlanGoal> = sqlx::query(
            "SELECT id, report_id, position, title, description, tags, updated_by, updated_at
             FROM plan_goal WHERE report_id = $1 ORDER BY position, id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(goal_from_row)
        .collect::<StoreResult<_>>()?;
        let links = sqlx::query(
            "SELECT l.goal_id, l.observation_id FROM plan_goal_observation l JOIN plan_goal g ON g.id = l.goal_id
             WHERE g.report_id = $1 ORDER BY l.observation_id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        for l in &links {
            let gid: i64 = l.try_get("goal_id")?;
            if let Some(g) = goals.iter_mut().find(|g| g.id == gid) {
                g.observations.push(l.try_get("observation_id")?);
            }
        }
        let rows = sqlx::query(
            "SELECT a.id, a.goal_id, a.position, a.title, a.sector, a.responsible, a.start_year, a.end_year, a.tags, a.updated_by, a.updated_at
             FROM plan_action a JOIN plan_goal g ON g.id = a.goal_id
             WHERE g.report_id = $1 ORDER BY g.position, g.id, a.position, a.id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        let mut actions = Vec::with_capacity(rows.len());
        for r in &rows {
            actions.push(PlanAction {
                id: r.try_get("id")?,
                goal_id: r.try_get("goal_id")?,
                position: r.try_get("position")?,
                title: r.try_get("title")?,
                sector: r.try_get("sector")?,
                responsible: r.try_get("responsible")?,
                start_year: r.try_get("start_year")?,
                end_year: r.try_get("end_year")?,
                tags: split_tags(&r.try_get::<String, _>("tags")?),
                resources: vec![],
                progress: vec![],
                updated_by: r.try_get("updated_by")?,
                updated_at: r.try_get("updated_at")?,
            });
        }
        let res = sqlx::query(
            "SELECT r.action_id, r.year, r.euros_cents, r.person_years_hundredths
             FROM plan_resource r JOIN plan_action a ON a.id = r.action_id JOIN plan_goal g ON g.id = a.goal_id
             WHERE g.report_id = $1 ORDER BY r.year",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        for r in &res {
            let aid: i64 = r.try_get("action_id")?;
            let item = Resource {
                year: BudgetYear::new(r.try_get("year")?).map_err(invalid)?,
                euros: Euros::from_cents(r.try_get("euros_cents")?).map_err(invalid)?,
                person_years: PersonYears::from_hundredths(r.try_get("person_years_hundredths")?)
                    .map_err(invalid)?,
            };
            if let Some(a) = actions.iter_mut().find(|a| a.id == aid) {
                a.resources.push(item);
            }
        }
        let prog = sqlx::query(
            "SELECT p.action_id, p.year, p.status, p.narrative, p.euros_used_cents, p.person_years_used_hundredths, p.updated_by, p.updated_at
             FROM plan_progress p JOIN plan_action a ON a.id = p.action_id JOIN plan_goal g ON g.id = a.goal_id
             WHERE g.report_id = $1 ORDER BY p.year",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        for r in &prog {
            let aid: i64 = r.try_get("action_id")?;
            let status: String = r.try_get("status")?;
            let item = Progress {
                year: BudgetYear::new(r.try_get("year")?).map_err(invalid)?,
                status: status.parse().map_err(invalid)?,
                narrative: r.try_get("narrative")?,
                euros_used: r
                    .try_get::<Option<i64>, _>("euros_used_cents")?
                    .map(Euros::from_cents)
                    .transpose()
                    .map_err(invalid)?,
                person_years_used: r
                    .try_get::<Option<i64>, _>("person_years_used_hundredths")?
                    .map(PersonYears::from_hundredths)
                    .transpose()
                    .map_err(invalid)?,
                updated_by: r.try_get("updated_by")?,
                updated_at: r.try_get("updated_at")?,
            };
            if let Some(a) = actions.iter_mut().find(|a| a.id == aid) {
                a.progress.push(item);
            }
        }
        let followups = sqlx::query(
            "SELECT f.id, f.goal_id, f.action_id, f.indicator_id, f.baseline_year, f.baseline_value, f.baseline_overridden,
                    f.target_year, f.target_value, f.updated_by, f.updated_at
             FROM plan_followup f JOIN plan_goal g ON g.id = f.goal_id WHERE g.report_id = $1 ORDER BY f.goal_id, f.id",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(followup_from_row)
        .collect::<StoreResult<_>>()?;
        Ok(Plan {
            goals,
            actions,
            followups,
        })
    }

    /// The report a goal belongs to.
    pub async fn goal_report(&self, id: i64) -> StoreResult<Option<i64>> {
        Ok(sqlx::query("SELECT report_id FROM plan_goal WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get("report_id"))
            .transpose()?)
    }

    /// The goal and report an action belongs to.
    pub async fn action_place(&self, id: i64) -> StoreResult<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT a.goal_id, g.report_id FROM plan_action a JOIN plan_goal g ON g.id = a.goal_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(Some((r.try_get("goal_id")?, r.try_get("report_id")?))),
            None => Ok(None),
        }
    }

    async fn write_resources(
        conn: &mut sqlx::AnyConnection,
        action_id: i64,
        resources: &[Resource],
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM plan_resource WHERE action_id = $1")
            .bind(action_id)
            .execute(&mut *conn)
            .await?;
        for r in resources {
            sqlx::query(
                "INSERT INTO plan_resource (action_id, year, euros_cents, person_years_hundredths) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (action_id, year) DO UPDATE SET euros_cents = excluded.euros_cents, person_years_hundredths = excluded.person_years_hundredths",
            )
            .bind(action_id)
            .bind(r.year.get())
            .bind(r.euros.cents())
            .bind(r.person_years.hundredths())
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// The report a follow-up belongs to.
    pub async fn followup_report(&self, id: i64) -> StoreResult<Option<i64>> {
        Ok(sqlx::query(
            "SELECT g.report_id FROM plan_followup f JOIN plan_goal g ON g.id = f.goal_id WHERE f.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| r.try_get("report_id"))
        .transpose()?)
    }

    /// Yearly reports generated from a term report: `(report id, year)`, newest first.
    pub async fn yearly_reports_of(&self, term_report_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        sqlx::query(
            "SELECT report_id, year FROM plan_yearly_report WHERE term_report_id = $1 ORDER BY year DESC, report_id DESC",
        )
        .bind(term_report_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("report_id")?, r.try_get("year")?)))
        .collect()
    }
}

impl crate::tx::Tx {
    async fn check_observations(&mut self, report_id: i64, ids: &[i64]) -> StoreResult<()> {
        for o in ids {
            let owner: Option<i64> = sqlx::query("SELECT report_id FROM observation WHERE id = $1")
                .bind(*o)
                .fetch_optional(self.conn())
                .await?
                .map(|r| r.try_get("report_id"))
                .transpose()?;
            if owner != Some(report_id) {
                return Err(invalid(format!(
                    "joy or concern {o} is not one of this report's"
                )));
            }
        }
        Ok(())
    }

    /// Adds a goal at the end of the plan; returns its id.
    pub async fn add_goal(&mut self, report_id: i64, g: &GoalInput, by: &str) -> StoreResult<i64> {
        self.check_observations(report_id, &g.observations).await?;
        let max: Option<i64> =
            sqlx::query("SELECT MAX(position) AS m FROM plan_goal WHERE report_id = $1")
                .bind(report_id)
                .fetch_one(self.conn())
                .await?
                .try_get("m")?;
        let id: i64 = sqlx::query(
            "INSERT INTO plan_goal (report_id, position, title, description, tags, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(report_id)
        .bind(max.unwrap_or(0) + 10)
        .bind(g.title.clone())
        .bind(g.description.clone())
        .bind(join_tags(&g.tags))
        .bind(by.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        for o in &g.observations {
            sqlx::query("INSERT INTO plan_goal_observation (goal_id, observation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*o)
                .execute(self.conn())
                .await?;
        }
        Ok(id)
    }

    /// Replaces a goal's fields and links.
    pub async fn update_goal(&mut self, id: i64, g: &GoalInput, by: &str) -> StoreResult<()> {
        let report_id: i64 = sqlx::query("SELECT report_id FROM plan_goal WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no goal {id}")))?
            .try_get("report_id")?;
        self.check_observations(report_id, &g.observations).await?;
        sqlx::query("UPDATE plan_goal SET title = $1, description = $2, tags = $3, updated_by = $4, updated_at = $5 WHERE id = $6")
            .bind(g.title.clone())
            .bind(g.description.clone())
            .bind(join_tags(&g.tags))
            .bind(by.to_string())
            .bind(now_rfc3339())
            .bind(id)
            .execute(self.conn())
            .await?;
        sqlx::query("DELETE FROM plan_goal_observation WHERE goal_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        for o in &g.observations {
            sqlx::query("INSERT INTO plan_goal_observation (goal_id, observation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(*o)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Deletes a goal with its actions and follow-ups.
    pub async fn delete_goal(&mut self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM plan_goal WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Adds an action at the end of a goal; returns its id.
    pub async fn add_action(
        &mut self,
        goal_id: i64,
        a: &ActionInput,
        by: &str,
    ) -> StoreResult<i64> {
        let max: Option<i64> =
            sqlx::query("SELECT MAX(position) AS m FROM plan_action WHERE goal_id = $1")
                .bind(goal_id)
                .fetch_one(self.conn())
                .await?
                .try_get("m")?;
        let id: i64 = sqlx::query(
            "INSERT INTO plan_action (goal_id, position, title, sector, responsible, start_year, end_year, tags, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(goal_id)
        .bind(max.unwrap_or(0) + 10)
        .bind(a.title.clone())
        .bind(a.sector.clone())
        .bind(a.responsible.clone())
        .bind(a.start_year.get())
        .bind(a.end_year.get())
        .bind(join_tags(&a.tags))
        .bind(by.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        Store::write_resources(self.conn(), id, &a.resources).await?;
        Ok(id)
    }

    /// Replaces an action's fields and planned resources.
    pub async fn update_action(&mut self, id: i64, a: &ActionInput, by: &str) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE plan_action SET title = $1, sector = $2, responsible = $3, start_year = $4, end_year = $5, tags = $6,
               updated_by = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(a.title.clone())
        .bind(a.sector.clone())
        .bind(a.responsible.clone())
        .bind(a.start_year.get())
        .bind(a.end_year.get())
        .bind(join_tags(&a.tags))
        .bind(by.to_string())
        .bind(now_rfc3339())
        .bind(id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("no action {id}")));
        }
        Store::write_resources(self.conn(), id, &a.resources).await?;
        Ok(())
    }

    /// Deletes an action with its resources, progress and follow-ups.
    pub async fn delete_action(&mut self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM plan_action WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Records an action's status, narrative and resources used in a budget year.
    pub async fn put_progress(
        &mut self,
        action_id: i64,
        year: BudgetYear,
        p: &ProgressInput,
        by: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO plan_progress (action_id, year, status, narrative, euros_used_cents, person_years_used_hundredths, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (action_id, year) DO UPDATE SET status = excluded.status, narrative = excluded.narrative,
               euros_used_cents = excluded.euros_used_cents, person_years_used_hundredths = excluded.person_years_used_hundredths,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(action_id)
        .bind(year.get())
        .bind(p.status.as_str())
        .bind(p.narrative.clone())
        .bind(p.euros_used.map(|e| e.cents()))
        .bind(p.person_years_used.map(|h| h.hundredths()))
        .bind(by.to_string())
        .bind(now_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Adds a follow-up indicator; returns its id.
    pub async fn add_followup(&mut self, f: &FollowUpInput, by: &str) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO plan_followup (goal_id, action_id, indicator_id, baseline_year, baseline_value, baseline_overridden, target_year, target_value, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(f.goal_id)
        .bind(f.action_id)
        .bind(f.indicator_id)
        .bind(f.baseline_year)
        .bind(f.baseline_value)
        .bind(i64::from(f.baseline_overridden))
        .bind(f.target_year)
        .bind(f.target_value)
        .bind(by.to_string())
        .bind(now_rfc3339())
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Replaces a follow-up indicator.
    pub async fn update_followup(
        &mut self,
        id: i64,
        f: &FollowUpInput,
        by: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE plan_followup SET goal_id = $1, action_id = $2, indicator_id = $3, baseline_year = $4, baseline_value = $5,
               baseline_overridden = $6, target_year = $7, target_value = $8, updated_by = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(f.goal_id)
        .bind(f.action_id)
        .bind(f.indicator_id)
        .bind(f.baseline_year)
        .bind(f.baseline_value)
        .bind(i64::from(f.baseline_overridden))
        .bind(f.target_year)
        .bind(f.target_value)
        .bind(by.to_string())
        .bind(now_rfc3339())
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Deletes a follow-up indicator.
    pub async fn delete_followup(&mut self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM plan_followup WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Records that a yearly report was generated from a term report's plan.
    pub async fn link_yearly_report(
        &mut self,
        report_id: i64,
        term_report_id: i64,
        year: BudgetYear,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO plan_yearly_report (report_id, term_report_id, year) VALUES ($1, $2, $3)",
        )
        .bind(report_id)
        .bind(term_report_id)
        .bind(year.get())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
