//! The yearly dialogue (neuvottelu) of a municipality and its welfare region: joint
//! goals with their follow-up, needs for support, participants and date.

use crate::{now_rfc3339, opt_str, Store, StoreError, StoreResult};
use hyte_domain::RegionKey;
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Follow-up status of a joint goal.
pub const GOAL_STATUSES: &[&str] = &[
    "not_started",
    "in_progress",
    "achieved",
    "partly",
    "not_achieved",
];

/// A joint goal and its follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = DialogueGoal)]
pub struct Goal {
    /// The goal.
    pub goal: String,
    /// One of [`GOAL_STATUSES`] (empty: `not_started`).
    #[serde(default)]
    pub status: String,
    /// Follow-up note.
    #[serde(default)]
    pub note: String,
}

/// A recorded dialogue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dialogue {
    /// Id.
    pub id: i64,
    /// The municipality.
    pub municipality: String,
    /// Its welfare region.
    pub welfare_region: String,
    /// Year the dialogue concerns.
    pub year: i64,
    /// Date held (YYYY-MM-DD), if known.
    pub held_on: Option<String>,
    /// Participants, free text.
    pub participants: String,
    /// Needs for support, free text.
    pub support_needs: String,
    /// Joint goals.
    pub goals: Vec<Goal>,
    /// Creator.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Last editor.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

impl Dialogue {
    /// Whether an organisation is a party of the dialogue.
    pub fn involves(&self, org: &RegionKey) -> bool {
        let o = org.to_string();
        self.municipality == o || self.welfare_region == o
    }
}

/// The editable content of a dialogue, validated by [`DialogueInput::check`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DialogueInput {
    /// Year.
    #[schema(minimum = 2020, maximum = 2100)]
    pub year: i64,
    /// Date held, `YYYY-MM-DD` or empty.
    #[serde(default)]
    #[schema(format = Date)]
    pub held_on: Option<String>,
    /// Participants.
    #[serde(default)]
    pub participants: String,
    /// Needs for support.
    #[serde(default)]
    pub support_needs: String,
    /// Goals.
    #[serde(default)]
    pub goals: Vec<Goal>,
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!((num(0..4), num(5..7), num(8..10)), (Some(y), Some(m), Some(d)) if (2000..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
}

impl DialogueInput {
    /// Checks the input; the error is one sentence for the person who typed it.
    pub fn check(&mut self) -> StoreResult<()> {
        let invalid = |m: &str| Err(StoreError::Invalid(m.to_string()));
        if !(2020..=2100).contains(&self.year) {
            return invalid("the year must be from 2020 to 2100");
        }
        self.held_on = self
            .held_on
            .take()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        if let Some(d) = &self.held_on {
            if !valid_date(d) {
                return invalid("the date must be written as YYYY-MM-DD");
            }
        }
        self.participants = self.participants.trim().to_string();
        self.support_needs = self.support_needs.trim().to_string();
        if self.participants.chars().count() > 2000 || self.support_needs.chars().count() > 5000 {
            return invalid("participants or needs for support are too long");
        }
        self.goals
            .retain(|g| !g.goal.trim().is_empty() || !g.note.trim().is_empty());
        for g in &mut self.goals {
            g.goal = g.goal.trim().to_string();
            g.note = g.note.trim().to_string();
            if g.goal.is_empty() {
                return invalid("every goal with a follow-up note needs the goal itself");
            }
            if g.goal.chars().count() > 1000 || g.note.chars().count() > 2000 {
                return invalid("a goal or its note is too long");
            }
            if g.status.trim().is_empty() {
                g.status = "not_started".into();
            }
            if !GOAL_STATUSES.contains(&g.status.as_str()) {
                return invalid("the status of a goal is not one of not_started, in_progress, achieved, partly, not_achieved");
            }
        }
        if self.goals.is_empty() {
            return invalid("a dialogue needs at least one joint goal");
        }
        if self.goals.len() > 50 {
            return invalid("a dialogue can have at most 50 goals");
        }
        Ok(())
    }
}

const COLUMNS: &str = "id, municipality_key, welfare_region_key, year, held_on, participants, support_needs, created_by, created_at, updated_by, updated_at";

impl Store {
    async fn goals_of(&self, id: i64) -> StoreResult<Vec<Goal>> {
        let rows = sqlx::query(
            "SELECT goal, status, note FROM dialogue_goal WHERE dialogue_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Goal {
                    goal: r.try_get("goal")?,
                    status: r.try_get("status")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    async fn dialogue_from_row(&self, r: &sqlx::any::AnyRow) -> StoreResult<Dialogue> {
        let id: i64 = r.try_get("id")?;
        Ok(Dialogue {
            id,
            municipality: r.try_get("municipality_key")?,
            welfare_region: r.try_get("welfare_region_key")?,
            year: r.try_get("year")?,
            held_on: opt_str(r, "held_on")?,
            participants: r.try_get("participants")?,
            support_needs: r.try_get("support_needs")?,
            goals: self.goals_of(id).await?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            updated_by: r.try_get("updated_by")?,
            updated_at: r.try_get("updated_at")?,
        })
    }

    /// One dialogue, or `None`.
    pub async fn dialogue(&self, id: i64) -> StoreResult<Option<Dialogue>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM dialogue WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => Ok(Some(self.dialogue_from_row(&r).await?)),
            None => Ok(None),
        }
    }

    /// The dialogues an organisation is a party of, newest year first.
    pub async fn dialogues_of(&self, org: &RegionKey) -> StoreResult<Vec<Dialogue>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM dialogue WHERE municipality_key = $1 OR welfare_region_key = $1 ORDER BY year DESC, id DESC"
        ))
        .bind(org.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.dialogue_from_row(r).await?);
        }
        Ok(out)
    }
}

impl crate::tx::Tx {
    async fn write_goals(&mut self, id: i64, goals: &[Goal]) -> StoreResult<()> {
        sqlx::query("DELETE FROM dialogue_goal WHERE dialogue_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        for (i, g) in goals.iter().enumerate() {
            sqlx::query(
                "INSERT INTO dialogue_goal (dialogue_id, position, goal, status, note) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(g.goal.clone())
            .bind(g.status.clone())
            .bind(g.note.clone())
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Records a dialogue (input checked with [`DialogueInput::check`]).
    pub async fn create_dialogue(
        &mut self,
        municipality: &RegionKey,
        welfare_region: &RegionKey,
        mut input: DialogueInput,
        user_email: &str,
    ) -> StoreResult<i64> {
        input.check()?;
        let now = now_rfc3339();
        let id: i64 = sqlx::query(
            "INSERT INTO dialogue (municipality_key, welfare_region_key, year, held_on, participants, support_needs, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(municipality.to_string())
        .bind(welfare_region.to_string())
        .bind(input.year)
        .bind(input.held_on.clone())
        .bind(input.participants.clone())
        .bind(input.support_needs.clone())
        .bind(user_email.to_string())
        .bind(now.clone())
        .bind(user_email.to_string())
        .bind(now)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        self.write_goals(id, &input.goals).await?;
        Ok(id)
    }

    /// Replaces the content of a dialogue.
    pub async fn update_dialogue(
        &mut self,
        id: i64,
        mut input: DialogueInput,
        user_email: &str,
    ) -> StoreResult<()> {
        input.check()?;
        let n = sqlx::query(
            "UPDATE dialogue SET year = $1, held_on = $2, participants = $3, support_needs = $4, updated_by = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(input.year)
        .bind(input.held_on.clone())
        .bind(input.participants.clone())
        .bind(input.support_needs.clone())
        .bind(user_email.to_string())
        .bind(now_rfc3339())
        .bind(id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("no dialogue {id}")));
        }
        self.write_goals(id, &input.goals).await?;
        Ok(())
    }

    /// Deletes a dialogue and its goals.
    pub async fn delete_dialogue(&mut self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM dialogue_goal WHERE dialogue_id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        let n = sqlx::query("DELETE FROM dialogue WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("no dialogue {id}")));
        }
        Ok(())
    }
}
