//! The welfare region's page of its municipalities: the application layer's overview
//! in the reader's language, and the themes the members' plans share.

use super::phase_name;
use crate::extract::SignedIn;
use crate::i18n::Tr;
use crate::pages::render;
use crate::view::Page;
use crate::{AppResult, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use hyte_app::model::orgs::Region;
use hyte_app::process::RegionOverview;
use serde::Serialize;

/// One member municipality's report in the region overview.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionReport {
    /// Report id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Term.
    pub term: String,
    /// Current phase (`None` when all is done).
    pub current_phase: Option<i64>,
    /// Its name.
    pub current_phase_name: String,
    /// Tasks done.
    pub done: usize,
    /// Tasks that count.
    pub total: usize,
    /// Overdue tasks.
    pub overdue: usize,
    /// `in_preparation`, `council_approved` or `published`.
    pub approval: &'static str,
    /// Its text.
    #[serde(skip)]
    pub approval_text: String,
    /// Up to three concerns.
    pub concerns: Vec<String>,
    /// Up to three joys.
    pub joys: Vec<String>,
    /// Titles of the plan's goals, in order.
    pub goals: Vec<String>,
    /// Plan tags of its goals (keys of `plan_tags.csv`), each once.
    pub goal_tags: Vec<String>,
    /// Sotkanet indicators its plan follows up, each once.
    pub followed_indicators: Vec<i64>,
}

/// A theme several member municipalities' plans share: a plan tag or a follow-up
/// indicator, with the municipalities (names) whose goals carry it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SharedTheme {
    /// `tag` or `indicator`.
    pub kind: &'static str,
    /// The tag key or the indicator id.
    pub key: String,
    /// Its name in the reader's language.
    pub name: String,
    /// Municipalities, in the overview's order.
    pub municipalities: Vec<String>,
}

/// One member municipality.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionMember {
    /// `KUNTA:016`.
    pub org: String,
    /// Name.
    pub name: String,
    /// Its reports.
    pub reports: Vec<RegionReport>,
}

/// What the members' plans have in common: every plan tag and follow-up indicator
/// that at least two municipalities share, the most shared first. The basis of the
/// region's yearly negotiation with its municipalities.
pub fn shared_themes(
    members: &[RegionMember],
    tag_name: impl Fn(&str) -> String,
    indicator_name: impl Fn(i64) -> String,
) -> Vec<SharedTheme> {
    let mut tags: Vec<(String, Vec<String>)> = vec![];
    let mut indicators: Vec<(i64, Vec<String>)> = vec![];
    fn add<K: PartialEq + Clone>(list: &mut Vec<(K, Vec<String>)>, key: &K, who: &str) {
        match list.iter_mut().find(|(k, _)| k == key) {
            Some((_, w)) if w.iter().any(|x| x == who) => {}
            Some((_, w)) => w.push(who.to_string()),
            None => list.push((key.clone(), vec![who.to_string()])),
        }
    }
    for m in members {
        for r in &m.reports {
            for t in &r.goal_tags {
                add(&mut tags, t, &m.name);
            }
            for i in &r.followed_indicators {
                add(&mut indicators, i, &m.name);
            }
        }
    }
    let mut out: Vec<SharedTheme> = tags
        .into_iter()
        .filter(|(_, w)| w.len() >= 2)
        .map(|(k, w)| SharedTheme {
            kind: "tag",
            name: tag_name(&k),
            key: k,
            municipalities: w,
        })
        .chain(
            indicators
                .into_iter()
                .filter(|(_, w)| w.len() >= 2)
                .map(|(k, w)| SharedTheme {
                    kind: "indicator",
                    key: k.to_string(),
                    name: indicator_name(k),
                    municipalities: w,
                }),
        )
        .collect();
    // Stable: equally shared themes keep tags before indicators, in first-seen order.
    out.sort_by_key(|t| std::cmp::Reverse(t.municipalities.len()));
    out
}

/// The overview's member municipalities in the reader's language.
pub fn region_members(o: &RegionOverview, tr: &Tr) -> Vec<RegionMember> {
    o.members
        .iter()
        .map(|m| RegionMember {
            org: m.org.key.to_string(),
            name: m.org.name(tr.code()).to_string(),
            reports: m
                .reports
                .iter()
                .map(|r| RegionReport {
                    id: r.report.id,
                    title: r.report.title.clone(),
                    kind: r.report.kind.as_str().to_string(),
                    term: format!("{}–{}", r.report.term_start, r.report.term_end),
                    current_phase: r.current_phase,
                    current_phase_name: match r.current_phase {
                        Some(p) => format!("{p}. {}", phase_name(tr, p)),
                        None => tr.t("proc-all-done"),
                    },
                    done: r.done,
                    total: r.total,
                    overdue: r.overdue,
                    approval: r.approval,
                    approval_text: tr.t(&format!("region-approval-{}", r.approval)),
                    concerns: r.concerns.clone(),
                    joys: r.joys.clone(),
                    goals: r.goals.clone(),
                    goal_tags: r.goal_tags.clone(),
                    followed_indicators: r.followed_indicators.clone(),
                })
                .collect(),
        })
        .collect()
}

/// [`shared_themes`] with names in the reader's language.
pub fn region_shared(o: &RegionOverview, members: &[RegionMember], tr: &Tr) -> Vec<SharedTheme> {
    let lang = tr.code();
    let tags = crate::pages::plan::plan_tags();
    shared_themes(
        members,
        |k| {
            tags.iter()
                .find(|t| t.key == k)
                .map(|t| t.name(lang).to_string())
                .unwrap_or_else(|| k.to_string())
        },
        |i| {
            o.indicator_titles
                .get(&i)
                .map(|t| format!("{} ({i})", t.get(lang)))
                .unwrap_or_else(|| i.to_string())
        },
    )
}

#[derive(Template)]
#[template(path = "region_overview.html")]
struct RegionTpl {
    page: Page,
    org: Region,
    members: Vec<RegionMember>,
    /// Themes the members' plans share.
    shared: Vec<SharedTheme>,
    /// The region's own reports (id, title, term), which collect the members' joys
    /// and concerns.
    own: Vec<(i64, String, String)>,
}

/// `GET /org/{org}/region`: a welfare region sees its municipalities' reports side
/// by side. Readable by the region's own users and admins.
pub async fn region_page(
    State(state): State<AppState>,
    SignedIn { viewer, actor }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    let key = super::org_key(&org)?;
    let o = state.app.region_overview(&actor, &key).await?;
    let tr = Tr::new(viewer.lang);
    let members = region_members(&o, &tr);
    let shared = region_shared(&o, &members, &tr);
    let own = o
        .own_reports
        .iter()
        .map(|r| {
            (
                r.id,
                r.title.clone(),
                format!("{}–{}", r.term_start, r.term_end),
            )
        })
        .collect();
    let page = Page::new(
        &viewer,
        format!("{} – {}", tr.t("region-title"), o.region.name(tr.code())),
        &uri.to_string(),
    );
    render(&RegionTpl {
        page,
        org: o.region,
        members,
        shared,
        own,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(tags: &[&str], indicators: &[i64]) -> RegionReport {
        RegionReport {
            id: 1,
            title: String::new(),
            kind: "term_report".into(),
            term: String::new(),
            current_phase: None,
            current_phase_name: String::new(),
            done: 0,
            total: 0,
            overdue: 0,
            approval: "in_preparation",
            approval_text: String::new(),
            concerns: vec![],
            joys: vec![],
            goals: vec![],
            goal_tags: tags.iter().map(|t| t.to_string()).collect(),
            followed_indicators: indicators.to_vec(),
        }
    }

    fn member(name: &str, reports: Vec<RegionReport>) -> RegionMember {
        RegionMember {
            org: String::new(),
            name: name.into(),
            reports,
        }
    }

    #[test]
    fn shared_themes_need_two_municipalities_and_count_each_once() {
        let members = vec![
            // Two reports of one municipality sharing a tag count once.
            member(
                "Asikkala",
                vec![report(&["youth"], &[289]), report(&["youth"], &[])],
            ),
            member("Hartola", vec![report(&["older"], &[289, 181])]),
            member("Lahti", vec![report(&["youth", "older"], &[289])]),
            member("Sysmä", vec![report(&["safety"], &[181])]),
            member("Padasjoki", vec![]),
        ];
        let themes = shared_themes(&members, |k| format!("tag {k}"), |i| format!("ind {i}"));
        let got: Vec<(&str, &str, Vec<&str>)> = themes
            .iter()
            .map(|t| {
                (
                    t.kind,
                    t.name.as_str(),
                    t.municipalities.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("indicator", "ind 289", vec!["Asikkala", "Hartola", "Lahti"]),
                ("tag", "tag youth", vec!["Asikkala", "Lahti"]),
                ("tag", "tag older", vec!["Hartola", "Lahti"]),
                ("indicator", "ind 181", vec!["Hartola", "Sysmä"]),
            ]
        );
    }
}
