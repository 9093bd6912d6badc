//! The published document: what a resident reads, resolved to text, numbers and
//! chart SVGs in one language. The JSON form of this model is the open-data format of
//! `GET /api/v1/public/reports/{id}`.

use crate::markdown::markdown_to_blocks;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One published report in one language.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PublishedDocument {
    /// Report id.
    pub id: i64,
    /// The organisation (owner).
    pub org: OrgRef,
    /// Report kind (`term_report`, `yearly_report`, `regional_report`).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Council term, first year.
    pub term_start: i64,
    /// Council term, last year.
    pub term_end: i64,
    /// Year of a yearly report.
    pub year: Option<i64>,
    /// Language of this rendering (`fi`, `sv`, `en`).
    pub language: String,
    /// Languages the organisation publishes the report in.
    pub languages: Vec<String>,
    /// When it was published (RFC 3339).
    pub published_at: Option<String>,
    /// The council's approval, once the approval workflow records one.
    pub approval: Option<Approval>,
    /// Plain-language summary in Markdown (shown first).
    pub summary: String,
    /// Sections in order.
    pub sections: Vec<PublishedSection>,
    /// Data of the one-page infographic.
    pub infographic: Infographic,
    /// Attribution of the data (THL Sotkanet, CC BY 4.0).
    pub attribution: String,
    /// Translated words the PDF and infographic need.
    pub labels: Labels,
    /// The welfare plan with its progress in one budget year (term reports with a
    /// plan). Unlike the sections it is not frozen: the yearly progress recorded after
    /// approval is exactly what residents follow here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PublishedPlan>,
}

/// The welfare plan as the public reads it: goals, their actions with responsible
/// sector, status and resources in the budget year, and follow-up indicators.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PublishedPlan {
    /// Heading of the chapter (names the budget year).
    pub heading: String,
    /// The budget year whose progress is shown.
    pub year: i64,
    /// Overall progress 0..=100 (done counts fully, in progress and partly done in part).
    pub percent: u32,
    /// Overall progress in words.
    pub progress_text: String,
    /// Actions per status, in the plan's status order.
    pub counts: Vec<StatusCount>,
    /// Resources planned and used in the year, in words.
    pub resources: String,
    /// Column headings and labels in the document's language.
    pub columns: PlanColumns,
    /// The goals in plan order.
    pub goals: Vec<PublishedGoal>,
}

/// How many actions have a status.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct StatusCount {
    /// The status in words.
    pub label: String,
    /// Number of actions.
    pub count: usize,
}

/// Words of the plan chapter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PlanColumns {
    /// "Action".
    pub action: String,
    /// "Responsible sector".
    pub sector: String,
    /// "Status".
    pub status: String,
    /// "What was done".
    pub narrative: String,
    /// "Planned".
    pub planned: String,
    /// "Used".
    pub used: String,
    /// "Indicator".
    pub indicator: String,
    /// "Baseline".
    pub baseline: String,
    /// "Latest".
    pub latest: String,
    /// "Target".
    pub target: String,
    /// "On track?".
    pub tracking: String,
    /// "Follow-up indicators".
    pub followups: String,
    /// "Answers to".
    pub answers: String,
    /// "Progress of the goal".
    pub goal_progress: String,
    /// "Overall progress".
    pub overall_progress: String,
}

/// One goal of the plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PublishedGoal {
    /// Number in the plan, from 1.
    pub number: usize,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The concerns and joys it answers, in words.
    pub answers: Vec<String>,
    /// Progress of its actions 0..=100.
    pub percent: u32,
    /// Progress in words.
    pub progress_text: String,
    /// Its actions.
    pub actions: Vec<PublishedAction>,
    /// Its follow-up indicators.
    pub followups: Vec<PublishedFollowUp>,
}

/// One action of a goal in the budget year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PublishedAction {
    /// Title.
    pub title: String,
    /// Responsible sector in words.
    pub sector: String,
    /// Responsible person.
    pub responsible: String,
    /// Years, e.g. `2026–2028`.
    pub schedule: String,
    /// Status key (`not_started`, `in_progress`, `done`, `partly_done`, `not_done`,
    /// `cancelled`).
    pub status: String,
    /// Status in words.
    pub status_text: String,
    /// Progress 0..=100 the status stands for.
    pub percent: u32,
    /// What was done, in the working group's words.
    pub narrative: String,
    /// Resources planned in the year, in words.
    pub planned: String,
    /// Resources used in the year, in words.
    pub used: String,
}

/// A follow-up indicator of a goal: baseline, latest value and target.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PublishedFollowUp {
    /// Indicator id.
    pub indicator_id: i64,
    /// Indicator title.
    pub title: String,
    /// Baseline value and year in words.
    pub baseline: String,
    /// Latest value and year in words.
    pub latest: String,
    /// Target value and year in words.
    pub target: String,
    /// `achieved`, `on_track`, `off_track` or `no_data`.
    pub tracking: String,
    /// Tracking in words.
    pub tracking_text: String,
}

/// An organisation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct OrgRef {
    /// Region key, e.g. `KUNTA:016`.
    pub key: String,
    /// Name in the document's language.
    pub name: String,
}

/// The council's decision that approved the report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[schema(as = PublishedApproval)]
pub struct Approval {
    /// Date of the decision (ISO 8601).
    pub date: String,
    /// The body that decided (e.g. "Kunnanvaltuusto").
    pub body: Option<String>,
    /// Paragraph of the minutes (e.g. "§ 45").
    pub paragraph: Option<String>,
    /// Link to the minutes.
    pub link: Option<String>,
}

/// One section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct PublishedSection {
    /// Section id (anchor `s<id>` on the page).
    pub id: i64,
    /// Heading.
    pub heading: String,
    /// Text and indicator blocks in order.
    pub parts: Vec<Part>,
}

/// A piece of a section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
// A document has a few hundred parts at most; boxing would only complicate building them.
#[allow(clippy::large_enum_variant)]
pub enum Part {
    /// Markdown text.
    Text {
        /// The Markdown.
        markdown: String,
    },
    /// An indicator block with its chart and table.
    Block(RenderedBlock),
}

/// An indicator block, rendered: chart, benchmark outcomes, table and attribution.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct RenderedBlock {
    /// Anchor id (unique in the document).
    pub anchor: String,
    /// Sotkanet indicator id (`None` for a block that could not be shown).
    pub indicator_id: Option<i64>,
    /// Indicator title.
    pub title: String,
    /// Area · year · chart kind · unit.
    pub subtitle: String,
    /// Chart as SVG (empty for a table-only block).
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub svg: String,
    /// Outcomes of the block's year against each comparator.
    pub outcomes: Vec<BlockOutcome>,
    /// Table header (first column: the row label).
    pub headers: Vec<String>,
    /// Table rows (first cell: the row label).
    pub rows: Vec<Vec<String>>,
    /// Notes (missing data, derived values).
    pub notes: Vec<String>,
    /// Attribution line.
    pub attribution: String,
    /// Why the block could not be shown, if it could not.
    pub error: Option<String>,
}

/// One benchmark outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct BlockOutcome {
    /// "vs. Päijät-Häme" in words.
    pub against: String,
    /// The comparator's value, formatted.
    pub value: String,
    /// Outcome key: better, similar, worse, higher, lower, not_compared.
    pub outcome: String,
    /// Outcome in words.
    pub text: String,
}

/// Data of the one-page infographic.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Infographic {
    /// Key indicators with their benchmark outcomes.
    pub indicators: Vec<KeyIndicator>,
    /// Top strengths (joys).
    pub strengths: Vec<String>,
    /// Top concerns.
    pub concerns: Vec<String>,
    /// Main goals of the welfare plan (empty until the plan exists).
    pub goals: Vec<String>,
}

/// A key indicator of the infographic.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct KeyIndicator {
    /// Sotkanet id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Latest year with a value.
    pub year: Option<i64>,
    /// The value.
    pub value: Option<f64>,
    /// The value formatted in the document's language, with its unit.
    pub value_text: String,
    /// Against the country.
    pub vs_country: Option<OutcomeRef>,
    /// Against the welfare region.
    pub vs_region: Option<OutcomeRef>,
}

/// An outcome against one benchmark.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct OutcomeRef {
    /// Outcome key.
    pub outcome: String,
    /// "Parempi kuin koko maa".
    pub text: String,
}

/// Words the typeset outputs need, in the document's language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Labels {
    /// "Sisällys".
    pub contents: String,
    /// "Tiivistelmä".
    pub summary: String,
    /// "Valtuustokausi".
    pub term: String,
    /// "Julkaistu".
    pub published: String,
    /// "Hyväksyntä".
    pub approval: String,
    /// "Ei vielä hyväksytty valtuustossa".
    pub not_approved: String,
    /// "Tietolähde".
    pub source: String,
    /// "Keskeiset indikaattorit".
    pub key_indicators: String,
    /// "Vahvuudet".
    pub strengths: String,
    /// "Huolenaiheet".
    pub concerns: String,
    /// "Tavoitteet".
    pub goals: String,
    /// "vs. koko maa".
    pub vs_country: String,
    /// "vs. hyvinvointialue".
    pub vs_region: String,
    /// "Sivu".
    pub page: String,
    /// "Ei tietoja".
    pub no_data: String,
    /// Report kind in words.
    pub kind: String,
}

impl PublishedDocument {
    /// Every rendered indicator block, in document order.
    pub fn blocks(&self) -> impl Iterator<Item = &RenderedBlock> {
        self.sections.iter().flat_map(|s| {
            s.parts.iter().filter_map(|p| match p {
                Part::Block(b) => Some(b),
                Part::Text { .. } => None,
            })
        })
    }

    /// The term in words, e.g. `2025–2029`.
    pub fn term(&self) -> String {
        format!("{}–{}", self.term_start, self.term_end)
    }

    /// JSON and chart files for the report template. Markdown becomes a small tree of
    /// blocks and runs; each chart becomes a file `c<N>.svg`.
    pub(crate) fn typst_input(&self) -> (serde_json::Value, BTreeMap<String, Vec<u8>>) {
        use serde_json::json;
        let mut files = BTreeMap::new();
        let mut n = 0usize;
        let sections: Vec<_> = self
            .sections
            .iter()
            .map(|s| {
                let parts: Vec<_> = s
                    .parts
                    .iter()
                    .map(|p| match p {
                        Part::Text { markdown } => {
                            json!({"t": "text", "blocks": markdown_to_blocks(markdown)})
                        }
                        Part::Block(b) => {
                            let chart = if b.svg.is_empty() {
                                serde_json::Value::Null
                            } else {
                                let name = format!("c{n}.svg");
                                n += 1;
                                files.insert(name.clone(), b.svg.as_bytes().to_vec());
                                json!(name)
                            };
                            json!({
                                "t": "block",
                                "title": b.title,
                                "subtitle": b.subtitle,
                                "chart": chart,
                                "outcomes": b.outcomes,
                                "headers": b.headers,
                                "rows": b.rows.iter().map(|r| {
                                    // Every row as wide as the header, so the table never shifts.
                                    let mut r = r.clone();
                                    r.resize(b.headers.len().max(1), String::new());
                                    r
                                }).collect::<Vec<_>>(),
                                "notes": b.notes,
                                "attribution": b.attribution,
                                "error": b.error,
                            })
                        }
                    })
                    .collect();
                json!({"heading": s.heading, "parts": parts})
            })
            .collect();
        let mut sections = sections;
        if let Some(plan) = &self.plan {
            sections.push(plan.typst_section());
        }
        let data = json!({
            "lang": self.language,
            "org": self.org.name,
            "title": self.title,
            "kind": self.labels.kind,
            "term": self.term(),
            "published": self.published_at.as_deref().map(|d| d.get(..10).unwrap_or(d)),
            "approval": self.approval,
            "summary": markdown_to_blocks(&self.summary),
            "sections": sections,
            "attribution": self.attribution,
            "labels": self.labels,
        });
        (data, files)
    }

    /// JSON for the infographic template.
    pub(crate) fn infographic_input(&self) -> serde_json::Value {
        serde_json::json!({
            "lang": self.language,
            "org": self.org.name,
            "title": self.title,
            "term": self.term(),
            "kind": self.labels.kind,
            "indicators": self.infographic.indicators,
            "strengths": self.infographic.strengths,
            "concerns": self.infographic.concerns,
            "goals": self.infographic.goals,
            "attribution": self.attribution,
            "labels": self.labels,
        })
    }
}

impl PublishedPlan {
    /// The plan as one more chapter of the PDF: each goal is a block whose table lists
    /// its actions, followed by a block of its follow-up indicators.
    fn typst_section(&self) -> serde_json::Value {
        use serde_json::json;
        let c = &self.columns;
        let counts: Vec<String> = self
            .counts
            .iter()
            .filter(|x| x.count > 0)
            .map(|x| format!("{}: {}", x.label, x.count))
            .collect();
        let intro = format!(
            "{}: {}\n\n{}\n\n{}",
            c.overall_progress,
            self.progress_text,
            counts.join(" · "),
            self.resources
        );
        let mut parts = vec![json!({"t": "text", "blocks": markdown_to_blocks(&intro)})];
        let block = |title: String,
                     subtitle: String,
                     headers: Vec<&str>,
                     rows: Vec<Vec<String>>,
                     notes: Vec<String>| {
            json!({
                "t": "block", "title": title, "subtitle": subtitle, "chart": null,
                "outcomes": [], "headers": headers, "rows": rows, "notes": notes,
                "attribution": "", "error": null,
            })
        };
        for g in &self.goals {
            let mut subtitle = format!("{}: {}", c.goal_progress, g.progress_text);
            if !g.answers.is_empty() {
                subtitle.push_str(&format!(" · {}: {}", c.answers, g.answers.join("; ")));
            }
            let rows = g
                .actions
                .iter()
                .map(|a| {
                    vec![
                        a.title.clone(),
                        a.sector.clone(),
                        a.status_text.clone(),
                        a.narrative.clone(),
                        a.planned.clone(),
                        a.used.clone(),
                    ]
                })
                .collect();
            let notes = if g.description.is_empty() {
                vec![]
            } else {
                vec![g.description.clone()]
            };
            parts.push(block(
                format!("{}. {}", g.number, g.title),
                subtitle,
                vec![
                    &c.action,
                    &c.sector,
                    &c.status,
                    &c.narrative,
                    &c.planned,
                    &c.used,
                ],
                rows,
                notes,
            ));
            if !g.followups.is_empty() {
                let rows = g
                    .followups
                    .iter()
                    .map(|f| {
                        vec![
                            f.title.clone(),
                            f.baseline.clone(),
                            f.latest.clone(),
                            f.target.clone(),
                            f.tracking_text.clone(),
                        ]
                    })
                    .collect();
                parts.push(block(
                    c.followups.clone(),
                    format!("{}. {}", g.number, g.title),
                    vec![&c.indicator, &c.baseline, &c.latest, &c.target, &c.tracking],
                    rows,
                    vec![],
                ));
            }
        }
        json!({"heading": self.heading, "parts": parts})
    }
}
