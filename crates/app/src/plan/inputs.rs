//! The plan's inputs as typed (by a form or the API) and their validation into the
//! values the store keeps.

use super::tags::check_tags;
use crate::{AppError, AppResult, Refusal};
use hyte_domain::plan::{
    check_schedule, check_text, ActionStatus, BudgetYear, Euros, PersonYears, PlanError,
};
use hyte_store::plan::{ActionInput, GoalInput, ProgressInput, Resource};
use serde::Deserialize;

/// The refusal of a plan rule: a catalogue key per kind of error and the domain's
/// English sentence.
pub fn plan_refusal(e: PlanError) -> Refusal {
    let key = match &e {
        PlanError::Year(_) => "plan-error-year",
        PlanError::Euros(_) => "plan-error-euros",
        PlanError::PersonYears(_) => "plan-error-person-years",
        PlanError::Schedule { .. } => "plan-error-schedule",
        PlanError::Text { field: "title", .. } => "plan-error-title",
        PlanError::Text { .. } => "plan-error-text",
        PlanError::TargetYear { .. } => "plan-error-target-year",
        PlanError::TargetDirection { .. } => "plan-error-target-direction",
        PlanError::Number(_) => "plan-error-number",
    };
    Refusal::new(key, e.to_string())
}

/// [`plan_refusal`] as a 422 error.
pub fn refused(e: PlanError) -> AppError {
    AppError::Refused(plan_refusal(e))
}

/// A 422 refusal with a key and an English sentence.
pub(crate) fn refuse<T>(key: &'static str, english: impl Into<String>) -> AppResult<T> {
    Err(AppError::refused(key, english))
}

/// A goal as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = GoalInput)]
pub struct GoalDraft {
    /// Title.
    #[serde(default)]
    #[schema(required = true, max_length = 300)]
    pub title: String,
    /// Description.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: String,
    /// Tag keys.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Observation ids.
    #[serde(default)]
    pub observations: Vec<i64>,
}

/// Planned resources as typed: numbers from the API, text from forms.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ResourceInput)]
pub struct ResourceDraft {
    /// Budget year.
    pub year: i64,
    /// Euros.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub euros: f64,
    /// Person-years.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub person_years: f64,
}

/// An action as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ActionInput)]
pub struct ActionDraft {
    /// Title.
    #[serde(default)]
    #[schema(required = true, max_length = 300)]
    pub title: String,
    /// Sector.
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub sector: String,
    /// Responsible person.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub responsible: String,
    /// First year.
    pub start_year: i64,
    /// Last year.
    pub end_year: i64,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Resources.
    #[serde(default)]
    pub resources: Vec<ResourceDraft>,
}

/// A follow-up as typed. A missing baseline value is taken from the data.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = FollowUpInput)]
pub struct FollowUpDraft {
    /// Goal.
    pub goal_id: i64,
    /// Action of the goal.
    #[serde(default)]
    pub action_id: Option<i64>,
    /// Indicator.
    pub indicator_id: i64,
    /// Baseline year (default: the latest year with data).
    #[serde(default)]
    pub baseline_year: Option<i64>,
    /// Baseline value (default: the value in the data).
    #[serde(default)]
    pub baseline_value: Option<f64>,
    /// Target year.
    pub target_year: i64,
    /// Target value.
    pub target_value: f64,
}

/// Yearly progress as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ProgressInput)]
pub struct ProgressDraft {
    /// Status.
    #[schema(value_type = hyte_domain::plan::ActionStatus)]
    pub status: String,
    /// Narrative.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub narrative: String,
    /// Euros used.
    #[serde(default)]
    pub euros_used: Option<f64>,
    /// Person-years used.
    #[serde(default)]
    pub person_years_used: Option<f64>,
}

/// Validates a goal: a title of 1–300 characters, a description of at most 5000,
/// known tags; linked joys and concerns are checked by the store (same report).
pub fn goal_input(d: &GoalDraft) -> AppResult<GoalInput> {
    let title = check_text("title", &d.title, 300).map_err(refused)?;
    if d.description.chars().count() > 5000 {
        return Err(refused(PlanError::Text {
            field: "description",
            max: 5000,
        }));
    }
    let mut obs = d.observations.clone();
    obs.sort_unstable();
    obs.dedup();
    Ok(GoalInput {
        title,
        description: d.description.trim().to_string(),
        tags: check_tags(&d.tags)?,
        observations: obs,
    })
}

/// Validates an action: title, responsible sector, schedule, and resources only in
/// the schedule's years, each year once.
pub fn action_input(d: &ActionDraft) -> AppResult<ActionInput> {
    let title = check_text("title", &d.title, 300).map_err(refused)?;
    let sector = check_text("sector", &d.sector, 100).map_err(|_| {
        AppError::refused(
            "plan-error-sector",
            "an action needs a responsible sector (at most 100 characters)",
        )
    })?;
    if d.responsible.chars().count() > 200 {
        return Err(refused(PlanError::Text {
            field: "responsible person",
            max: 200,
        }));
    }
    let (start, end) = check_schedule(d.start_year, d.end_year).map_err(refused)?;
    let mut resources: Vec<Resource> = vec![];
    for r in &d.resources {
        let year = BudgetYear::new(r.year).map_err(refused)?;
        if year < start || year > end {
            return refuse(
                "plan-error-resource-year",
                format!(
                    "resources for {} fall outside the action's schedule {}–{}",
                    r.year, d.start_year, d.end_year
                ),
            );
        }
        if resources.iter().any(|x| x.year == year) {
            return refuse(
                "plan-error-resource-twice",
                format!("resources for {} are given twice", r.year),
            );
        }
        resources.push(Resource {
            year,
            euros: Euros::from_f64(r.euros).map_err(refused)?,
            person_years: PersonYears::from_f64(r.person_years).map_err(refused)?,
        });
    }
    resources.sort_by_key(|r| r.year);
    Ok(ActionInput {
        title,
        sector,
        responsible: d.responsible.trim().to_string(),
        start_year: start,
        end_year: end,
        tags: check_tags(&d.tags)?,
        resources,
    })
}

/// Validates yearly progress: a known status, a narrative of at most 2000
/// characters, resources used as amounts.
pub fn progress_input(d: &ProgressDraft) -> AppResult<ProgressInput> {
    let status: ActionStatus = d
        .status
        .parse()
        .map_err(|e: String| AppError::refused("plan-error-status", e))?;
    if d.narrative.chars().count() > 2000 {
        return Err(refused(PlanError::Text {
            field: "narrative",
            max: 2000,
        }));
    }
    Ok(ProgressInput {
        status,
        narrative: d.narrative.trim().to_string(),
        euros_used: d
            .euros_used
            .map(Euros::from_f64)
            .transpose()
            .map_err(refused)?,
        person_years_used: d
            .person_years_used
            .map(PersonYears::from_f64)
            .transpose()
            .map_err(refused)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(e: AppError) -> &'static str {
        e.refusal().map(|r| r.key).unwrap_or("")
    }

    #[test]
    fn action_validation_refuses_clearly() {
        let mut d = ActionDraft {
            title: "Liikuntaneuvonta".into(),
            sector: "leisure".into(),
            responsible: "Liikuntapalvelupäällikkö".into(),
            start_year: 2026,
            end_year: 2027,
            tags: vec!["children_youth".into()],
            resources: vec![ResourceDraft {
                year: 2026,
                euros: 15000.0,
                person_years: 0.5,
            }],
        };
        assert!(action_input(&d).is_ok());
        d.resources[0].year = 2030;
        assert_eq!(
            key(action_input(&d).unwrap_err()),
            "plan-error-resource-year"
        );
        d.resources.clear();
        d.end_year = 2025;
        assert_eq!(key(action_input(&d).unwrap_err()), "plan-error-schedule");
        d.end_year = 2027;
        d.tags = vec!["nope".into()];
        assert_eq!(key(action_input(&d).unwrap_err()), "plan-error-tag");
    }

    #[test]
    fn goal_and_progress_validation() {
        let g = GoalDraft {
            title: " ".into(),
            ..Default::default()
        };
        assert_eq!(key(goal_input(&g).unwrap_err()), "plan-error-title");
        let p = ProgressDraft {
            status: "finished".into(),
            ..Default::default()
        };
        assert_eq!(key(progress_input(&p).unwrap_err()), "plan-error-status");
        let p = ProgressDraft {
            status: "done".into(),
            euros_used: Some(-1.0),
            ..Default::default()
        };
        assert_eq!(key(progress_input(&p).unwrap_err()), "plan-error-euros");
    }
}
