//! The report as a process: THL's eight phases (DOMAIN.md §5) as a checklist of tasks,
//! which tasks follow the real state of the report, and where the work stands.
//!
//! The template is data (`data/presets/process_thl.csv`); the phases are THL's
//! recommendation, not law, so a coordinator adds, removes and renames tasks freely.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Number of THL phases.
pub const PHASE_COUNT: i64 = 8;

/// THL's eight-phase checklist, shipped as data (`phase,key,title_fi,title_sv,title_en`).
pub const THL_PROCESS_CSV: &str = include_str!("../../../data/presets/process_thl.csv");

/// Status of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    Todo,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
    /// Deliberately skipped (the phases are a recommendation).
    NotNeeded,
}

impl TaskStatus {
    /// Every status, in display order.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Todo,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::NotNeeded,
    ];

    /// Storage and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::NotNeeded => "not_needed",
        }
    }

    /// Whether nothing is left to do (done or not needed).
    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::NotNeeded)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskStatus::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown task status '{}' (expected todo, in_progress, done or not_needed)",
                    s.trim()
                )
            })
    }
}

/// One task of the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateTask {
    /// Phase 1..=8.
    pub phase: i64,
    /// Stable key (what [`auto_status`] and translations look up).
    pub key: String,
    /// Finnish title.
    pub title_fi: String,
    /// Swedish title.
    pub title_sv: String,
    /// English title.
    pub title_en: String,
}

impl TemplateTask {
    /// The title in a UI language, Finnish as the fallback.
    pub fn title(&self, lang: &str) -> &str {
        match lang {
            "sv" if !self.title_sv.is_empty() => &self.title_sv,
            "en" if !self.title_en.is_empty() => &self.title_en,
            _ => &self.title_fi,
        }
    }
}

/// Parses a process template (`phase,key,title_fi,title_sv,title_en`).
pub fn parse_process_template(csv_text: &str) -> Result<Vec<TemplateTask>, String> {
    let mut out: Vec<TemplateTask> = Vec::new();
    for (i, line) in csv_text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let cells = crate::report::split_csv_line(line);
        if cells.len() != 5 {
            return Err(format!(
                "process template line {n}: expected 5 fields, found {}",
                cells.len()
            ));
        }
        let phase: i64 = cells[0]
            .parse()
            .ok()
            .filter(|p| (1..=PHASE_COUNT).contains(p))
            .ok_or_else(|| format!("process template line {n}: phase '{}' is not 1–8", cells[0]))?;
        if cells[1].is_empty() || out.iter().any(|t| t.key == cells[1]) {
            return Err(format!(
                "process template line {n}: key '{}' is empty or repeated",
                cells[1]
            ));
        }
        if cells[2].is_empty() {
            return Err(format!("process template line {n}: no Finnish title"));
        }
        out.push(TemplateTask {
            phase,
            key: cells[1].clone(),
            title_fi: cells[2].clone(),
            title_sv: cells[3].clone(),
            title_en: cells[4].clone(),
        });
    }
    Ok(out)
}

/// The shipped template, parsed once (a broken file is caught by the unit test).
pub fn thl_template() -> &'static [TemplateTask] {
    static T: std::sync::OnceLock<Vec<TemplateTask>> = std::sync::OnceLock::new();
    T.get_or_init(|| parse_process_template(THL_PROCESS_CSV).unwrap_or_default())
}

/// What Hyte knows about the report's real state, for tasks done inside Hyte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProcessFacts {
    /// The outline was agreed at heading level.
    pub outline_agreed: bool,
    /// The indicator list has at least one item.
    pub indicator_list_started: bool,
    /// The indicator list has items and none is undecided.
    pub indicator_list_fixed: bool,
    /// At least one joy or concern (not dismissed) is recorded.
    pub observations_recorded: bool,
    /// Every recorded joy or concern is linked to at least one indicator.
    pub observations_checked: bool,
    /// The council approved the report.
    pub council_approved: bool,
    /// The report is published.
    pub published: bool,
    /// A yearly report of the same organisation and term was approved by the council.
    pub yearly_report_approved: bool,
}

/// The status a task has because of the real state, for the template tasks Hyte can
/// see being done; `None` for tasks a person marks by hand.
pub fn auto_status(task_key: &str, f: &ProcessFacts) -> Option<TaskStatus> {
    let (done, started) = match task_key {
        "outline_agreed" => (f.outline_agreed, false),
        "indicator_list_fixed" => (f.indicator_list_fixed, f.indicator_list_started),
        "joys_concerns" => (
            f.observations_recorded && f.observations_checked,
            f.observations_recorded,
        ),
        "council_approval" => (f.council_approved, false),
        "published" => (f.published, false),
        "yearly_report" => (f.yearly_report_approved, false),
        _ => return None,
    };
    Some(if done {
        TaskStatus::Done
    } else if started {
        TaskStatus::InProgress
    } else {
        TaskStatus::Todo
    })
}

/// The status shown for a task: the real state for automatic tasks (unless the
/// coordinator marked the task not needed), otherwise what a person set.
pub fn effective_status(
    task_key: Option<&str>,
    stored: TaskStatus,
    f: &ProcessFacts,
) -> TaskStatus {
    if stored == TaskStatus::NotNeeded {
        return stored;
    }
    task_key.and_then(|k| auto_status(k, f)).unwrap_or(stored)
}

/// Progress of one phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PhaseProgress {
    /// Phase 1..=8.
    pub phase: i64,
    /// Tasks done.
    pub done: usize,
    /// Tasks that count (all but those not needed).
    pub total: usize,
    /// Open tasks past their due date.
    pub overdue: usize,
}

impl PhaseProgress {
    /// Whether nothing is left open in this phase.
    pub fn complete(&self) -> bool {
        self.done == self.total
    }
}

/// A task as far as progress is concerned.
#[derive(Debug, Clone, Copy)]
pub struct TaskState<'a> {
    /// Phase 1..=8.
    pub phase: i64,
    /// Effective status.
    pub status: TaskStatus,
    /// Due date `YYYY-MM-DD`.
    pub due: Option<&'a str>,
}

/// Whether an open task is past its due date (`today` as `YYYY-MM-DD`; ISO dates
/// compare as text).
pub fn is_overdue(status: TaskStatus, due: Option<&str>, today: &str) -> bool {
    !status.is_closed() && due.is_some_and(|d| d < today)
}

/// Progress per phase, always eight entries.
pub fn phase_progress(tasks: &[TaskState<'_>], today: &str) -> Vec<PhaseProgress> {
    (1..=PHASE_COUNT)
        .map(|phase| {
            let mut p = PhaseProgress {
                phase,
                ..Default::default()
            };
            for t in tasks.iter().filter(|t| t.phase == phase) {
                if t.status != TaskStatus::NotNeeded {
                    p.total += 1;
                }
                if t.status == TaskStatus::Done {
                    p.done += 1;
                }
                if is_overdue(t.status, t.due, today) {
                    p.overdue += 1;
                }
            }
            p
        })
        .collect()
}

/// Where the work stands: the first phase with open tasks, or `None` when every
/// phase is complete.
pub fn current_phase(progress: &[PhaseProgress]) -> Option<i64> {
    progress.iter().find(|p| !p.complete()).map(|p| p.phase)
}

/// Checks a due date typed by a person: `YYYY-MM-DD`, a real calendar date.
pub fn parse_due_date(s: &str) -> Result<String, String> {
    let s = s.trim();
    let err = || format!("'{s}' is not a date in the form YYYY-MM-DD");
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(err());
    }
    let y: i64 = parts[0].parse().map_err(|_| err())?;
    let m: i64 = parts[1].parse().map_err(|_| err())?;
    let d: i64 = parts[2].parse().map_err(|_| err())?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(err()),
    };
    if !(2000..=2100).contains(&y) || d < 1 || d > days {
        return Err(err());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_template_has_eight_phases() {
        let t = parse_process_template(THL_PROCESS_CSV).unwrap();
        for phase in 1..=PHASE_COUNT {
            assert!(t.iter().any(|x| x.phase == phase), "phase {phase}");
        }
        for key in [
            "outline_agreed",
            "indicator_list_fixed",
            "joys_concerns",
            "council_approval",
            "yearly_report",
        ] {
            assert!(t.iter().any(|x| x.key == key), "{key}");
        }
        assert!(t
            .iter()
            .all(|x| !x.title_sv.is_empty() && !x.title_en.is_empty()));
        assert!(parse_process_template("h\n9,x,a,b,c").is_err());
        assert!(parse_process_template("h\n1,x,a,b,c\n1,x,a,b,c").is_err());
    }

    #[test]
    fn automatic_tasks_follow_the_facts() {
        let mut f = ProcessFacts::default();
        assert_eq!(auto_status("decision", &f), None);
        assert_eq!(auto_status("outline_agreed", &f), Some(TaskStatus::Todo));
        f.outline_agreed = true;
        assert_eq!(auto_status("outline_agreed", &f), Some(TaskStatus::Done));
        f.indicator_list_started = true;
        assert_eq!(
            auto_status("indicator_list_fixed", &f),
            Some(TaskStatus::InProgress)
        );
        f.indicator_list_fixed = true;
        assert_eq!(
            auto_status("indicator_list_fixed", &f),
            Some(TaskStatus::Done)
        );
        f.observations_recorded = true;
        assert_eq!(
            auto_status("joys_concerns", &f),
            Some(TaskStatus::InProgress)
        );
        f.observations_checked = true;
        assert_eq!(auto_status("joys_concerns", &f), Some(TaskStatus::Done));
        assert_eq!(auto_status("council_approval", &f), Some(TaskStatus::Todo));
        f.council_approved = true;
        assert_eq!(auto_status("council_approval", &f), Some(TaskStatus::Done));
        // Not needed wins over the facts; manual tasks keep their status.
        assert_eq!(
            effective_status(Some("council_approval"), TaskStatus::NotNeeded, &f),
            TaskStatus::NotNeeded
        );
        assert_eq!(
            effective_status(Some("decision"), TaskStatus::InProgress, &f),
            TaskStatus::InProgress
        );
        assert_eq!(
            effective_status(None, TaskStatus::Done, &f),
            TaskStatus::Done
        );
    }

    #[test]
    fn progress_overdue_and_current_phase() {
        let tasks = [
            TaskState {
                phase: 1,
                status: TaskStatus::Done,
                due: Some("2026-01-01"),
            },
            TaskState {
                phase: 1,
                status: TaskStatus::NotNeeded,
                due: None,
            },
            TaskState {
                phase: 2,
                status: TaskStatus::Todo,
                due: Some("2026-01-01"),
            },
            TaskState {
                phase: 2,
                status: TaskStatus::InProgress,
                due: Some("2027-01-01"),
            },
        ];
        let p = phase_progress(&tasks, "2026-06-01");
        assert_eq!(p.len(), 8);
        assert_eq!((p[0].done, p[0].total, p[0].overdue), (1, 1, 0));
        assert_eq!((p[1].done, p[1].total, p[1].overdue), (0, 2, 1));
        assert_eq!(current_phase(&p), Some(2));
        let all_done: Vec<PhaseProgress> = (1..=8)
            .map(|phase| PhaseProgress {
                phase,
                done: 1,
                total: 1,
                overdue: 0,
            })
            .collect();
        assert_eq!(current_phase(&all_done), None);
    }

    #[test]
    fn due_dates_and_statuses_parse() {
        assert_eq!(parse_due_date(" 2026-02-28 ").unwrap(), "2026-02-28");
        assert!(parse_due_date("2026-02-30").is_err());
        assert!(parse_due_date("2028-02-29").is_ok());
        assert!(parse_due_date("1.2.2026").is_err());
        assert!(parse_due_date("2026-13-01").is_err());
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>().unwrap(), s);
        }
        assert!("finished".parse::<TaskStatus>().is_err());
    }
}
