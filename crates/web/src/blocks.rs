//! Indicator blocks of report sections, rendered live from the current data, and the
//! chart-building helpers they share with the indicator pages (`pages::indicators`).
//!
//! A block stores a query, not numbers (`{{indicator 2328 chart=trend}}`), so while a
//! report is a draft every view shows the data as it is now: the chart of the chosen
//! kind with the chosen comparison, the benchmark outcome, a data table, a "live data"
//! badge and the attribution CC BY 4.0 asks for. A block that cannot be shown (unknown
//! indicator, invalid syntax) becomes an inline error box; it never fails the page.

use crate::analysis::{assess_in, AssessedValue, ValueSource};
use crate::api::indicators::attribution;
use crate::i18n::Tr;
use crate::{AppResult, AppState};
use askama::Template;
use hyte_charts as charts;
use hyte_domain::document::{parse_section, Block, ChartKind, Comparator, IndicatorBlock};
use hyte_domain::{Polarity, RegionCategory, RegionKey, Sex};
use hyte_stats::{spread, CiLevel, Outcome};
use hyte_store::indicators::{Indicator, ValueQuery};
use hyte_store::orgs::Region;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// Shared chart helpers (also used by `pages::indicators`)

/// Maps the statistics outcome to the chart palette.
pub fn chart_outcome(o: Outcome) -> charts::Outcome {
    match o {
        Outcome::Better => charts::Outcome::Better,
        Outcome::Similar => charts::Outcome::Similar,
        Outcome::Worse => charts::Outcome::Worse,
        Outcome::Higher => charts::Outcome::Higher,
        Outcome::Lower => charts::Outcome::Lower,
        Outcome::NotCompared => charts::Outcome::NotCompared,
    }
}

/// Maps the domain polarity to the chart crate's.
pub fn chart_polarity(p: Polarity) -> charts::Polarity {
    match p {
        Polarity::HighIsGood => charts::Polarity::HighIsGood,
        Polarity::LowIsGood => charts::Polarity::LowIsGood,
        Polarity::NoJudgement => charts::Polarity::NoJudgement,
    }
}

/// Outcome words of the UI language for chart legends and tooltips.
pub fn outcome_labels(tr: &Tr) -> charts::OutcomeLabels {
    charts::OutcomeLabels {
        better: tr.t("outcome-better"),
        similar: tr.t("outcome-similar"),
        worse: tr.t("outcome-worse"),
        higher: tr.t("outcome-higher"),
        lower: tr.t("outcome-lower"),
        not_compared: tr.t("outcome-not_compared"),
    }
}

/// The unit in words of the UI language (`PROS` → `%`); unknown codes as given.
pub fn unit_label(tr: &Tr, code: &str) -> String {
    let key = format!("unit-{}", code.to_ascii_uppercase());
    match tr.t(&key) {
        t if t == key => code.to_string(),
        t => t,
    }
}

/// Formats numbers the way the UI language writes them.
pub struct Fmt {
    /// Decimals of the indicator.
    pub decimals: u32,
    /// Decimal comma (Finnish, Swedish) instead of a point.
    pub comma: bool,
}

impl Fmt {
    /// The format of an indicator in a UI language.
    pub fn new(ind: &Indicator, tr: &Tr) -> Self {
        Fmt {
            decimals: ind.decimals.clamp(0, 6) as u32,
            comma: tr.code() != "en",
        }
    }

    /// A value, or a dash when missing.
    pub fn num(&self, v: Option<f64>) -> String {
        v.map(|v| charts::format_number(v, self.decimals, self.comma))
            .unwrap_or_else(|| "–".into())
    }

    /// The interval `lower – upper`, if there is one.
    pub fn ci(&self, a: &AssessedValue) -> Option<String> {
        match (a.ci_lower, a.ci_upper) {
            (Some(l), Some(u)) => Some(format!("{} – {}", self.num(Some(l)), self.num(Some(u)))),
            _ => None,
        }
    }
}

/// One outcome badge as shown in tables: CSS class plus translated word.
#[derive(Debug, Clone)]
pub struct Badge {
    /// CSS class (outcome key).
    pub class: &'static str,
    /// Text.
    pub text: String,
    /// Tooltip explaining the test.
    pub title: String,
}

/// The badge of an outcome against a benchmark.
pub fn badge(tr: &Tr, o: Outcome, bench_name: &str, bench_value: &str, level: CiLevel) -> Badge {
    Badge {
        class: o.as_str(),
        text: tr.t(&format!("outcome-{}", o.as_str())),
        title: format!(
            "{} {bench_value} ({bench_name}); {} {} %",
            tr.t("ind-compare-with"),
            tr.t("ind-level"),
            level.as_str()
        ),
    }
}

/// The points of a trend chart from an area's yearly totals (colour: against the
/// whole country).
pub fn trend_points(totals: &[&AssessedValue]) -> Vec<charts::TrendPoint> {
    totals
        .iter()
        .map(|a| charts::TrendPoint {
            year: a.year as i32,
            value: a.value,
            lower: a.ci_lower,
            upper: a.ci_upper,
            outcome: chart_outcome(
                a.against(RegionCategory::Maa)
                    .map(|c| c.outcome)
                    .unwrap_or(Outcome::NotCompared),
            ),
        })
        .collect()
}

/// A benchmark line of a trend chart: the benchmark's value in each year of the
/// area's series, as the comparisons recorded it.
pub fn benchmark_points(
    totals: &[&AssessedValue],
    benchmark: &RegionKey,
) -> Vec<(i32, Option<f64>)> {
    totals
        .iter()
        .map(|t| {
            (
                t.year as i32,
                t.comparisons
                    .iter()
                    .find(|x| x.benchmark == *benchmark)
                    .and_then(|x| x.benchmark_value),
            )
        })
        .collect()
}

/// Total, men and women of the last five years that have a breakdown by sex.
pub fn sex_groups(series: &[AssessedValue]) -> Vec<charts::SexGroup> {
    let mut by_year: BTreeMap<i64, [Option<&AssessedValue>; 3]> = Default::default();
    for a in series {
        let e = by_year.entry(a.year).or_default();
        e[a.gender.code() as usize] = Some(a);
    }
    let with_sex: Vec<_> = by_year
        .iter()
        .filter(|(_, v)| v[1].is_some() || v[2].is_some())
        .collect();
    with_sex[with_sex.len().saturating_sub(5)..]
        .iter()
        .map(|(y, v)| {
            let sv = |a: Option<&AssessedValue>| charts::SexValue {
                value: a.and_then(|a| a.value),
                lower: a.and_then(|a| a.ci_lower),
                upper: a.and_then(|a| a.ci_upper),
                outcome: None,
            };
            charts::SexGroup {
                period: y.to_string(),
                total: sv(v[0]),
                male: sv(v[1]),
                female: sv(v[2]),
            }
        })
        .collect()
}

/// The source line drawn under charts.
pub fn source_line(ind: &Indicator, lang: &str) -> String {
    format!(
        "Sotkanet / THL{} · CC BY 4.0",
        if ind.producer.get(lang).is_empty() {
            String::new()
        } else {
            format!(" · {}", ind.producer.get(lang))
        }
    )
}

// ---------------------------------------------------------------------------
// Markdown

/// Renders a section's Markdown to safe HTML: headings move one level down (the page's
/// own heading is the `h1`), raw HTML and scripts are removed by ammonia.
pub fn markdown_html(md: &str) -> String {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    fn down(l: HeadingLevel) -> HeadingLevel {
        match l {
            HeadingLevel::H1 => HeadingLevel::H2,
            HeadingLevel::H2 => HeadingLevel::H3,
            HeadingLevel::H3 => HeadingLevel::H4,
            HeadingLevel::H4 => HeadingLevel::H5,
            _ => HeadingLevel::H6,
        }
    }
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(md, opts).map(|e| match e {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: down(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(down(level))),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&html)
        .to_string()
}

// ---------------------------------------------------------------------------
// Blocks

/// One cell of a block's data table.
pub struct Cell {
    /// Text.
    pub text: String,
    /// Outcome badge shown after the text.
    pub badge: Option<Badge>,
    /// Right-aligned number.
    pub num: bool,
}

impl Cell {
    fn num(text: String) -> Cell {
        Cell {
            text,
            badge: None,
            num: true,
        }
    }
    fn text(text: String) -> Cell {
        Cell {
            text,
            badge: None,
            num: false,
        }
    }
    fn badge(b: Option<Badge>) -> Cell {
        Cell {
            text: String::new(),
            badge: b,
            num: false,
        }
    }
}

/// One outcome of the block's year: the area against one comparator.
pub struct OutcomeView {
    /// The comparator's name.
    pub against: String,
    /// Its value, formatted.
    pub value: String,
    /// The outcome.
    pub badge: Badge,
}

#[derive(Template)]
#[template(path = "section_block.html")]
struct BlockTpl {
    tr: Tr,
    id: String,
    error: Option<String>,
    error_lead: String,
    raw: String,
    title: String,
    indicator_href: String,
    subtitle: String,
    svg: String,
    outcomes: Vec<OutcomeView>,
    headers: Vec<String>,
    rows: Vec<(String, Vec<Cell>)>,
    table_open: bool,
    notes: Vec<String>,
    attribution: String,
    /// Shown from a frozen version (badge "approved data") instead of live data.
    frozen: bool,
}

impl BlockTpl {
    fn error(tr: &Tr, id: &str, line: Option<usize>, raw: &str, message: String) -> BlockTpl {
        BlockTpl {
            tr: *tr,
            id: id.to_string(),
            error: Some(message),
            error_lead: match line {
                Some(l) => tr.ta("blk-error-line", &[("line", l.to_string())]),
                None => tr.t("blk-error"),
            },
            raw: raw.to_string(),
            title: String::new(),
            indicator_href: String::new(),
            subtitle: String::new(),
            svg: String::new(),
            outcomes: vec![],
            headers: vec![],
            rows: vec![],
            table_open: false,
            notes: vec![],
            attribution: String::new(),
            frozen: false,
        }
    }
}

/// The inline error box of a block that cannot be shown.
pub fn render_block_error(
    tr: &Tr,
    id_prefix: &str,
    line: Option<usize>,
    raw: &str,
    message: &str,
) -> AppResult<String> {
    Ok(BlockTpl::error(tr, &clean_id(id_prefix), line, raw, message.to_string()).render()?)
}

fn clean_id(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("b-{s}")
    }
}

/// Renders one indicator block for an organisation from the current data.
pub async fn render_block(
    state: &AppState,
    org: &Region,
    block: &IndicatorBlock,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<String> {
    render_block_at(state, org, block, None, None, tr, id_prefix).await
}

/// [`render_block_in`] from the current data.
pub async fn render_block_at(
    state: &AppState,
    org: &Region,
    block: &IndicatorBlock,
    line: Option<usize>,
    raw: Option<&str>,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<String> {
    render_block_in(
        &ValueSource::Live(&state.store),
        org,
        block,
        line,
        raw,
        tr,
        id_prefix,
    )
    .await
}

/// A comparator resolved to an area.
struct Cmp {
    key: RegionKey,
    name: String,
    kind: CmpKind,
}

#[derive(PartialEq, Clone, Copy)]
enum CmpKind {
    Region,
    Country,
    Area,
}

/// Renders a block from a [`ValueSource`] (live data, or a frozen version: the one
/// rendering path of both), naming the block's line in the text and showing the line
/// as written (`raw`) in its error messages.
pub async fn render_block_in(
    src: &ValueSource<'_>,
    org: &Region,
    block: &IndicatorBlock,
    line: Option<usize>,
    raw: Option<&str>,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<String> {
    Ok(block_tpl_at(src, org, block, line, raw, tr, id_prefix)
        .await?
        .render()?)
}

/// One indicator block as data for publication (`hyte_publish`): the same chart,
/// outcomes, table and attribution the pages show.
pub async fn published_block(
    src: &ValueSource<'_>,
    org: &Region,
    block: &IndicatorBlock,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<hyte_publish::RenderedBlock> {
    let t = block_tpl_at(src, org, block, None, None, tr, id_prefix).await?;
    let cell = |c: &Cell| match &c.badge {
        Some(b) if c.text.is_empty() => b.text.clone(),
        Some(b) => format!("{} {}", c.text, b.text),
        None => c.text.clone(),
    };
    Ok(hyte_publish::RenderedBlock {
        anchor: t.id,
        indicator_id: t.error.is_none().then_some(block.indicator.0),
        title: t.title,
        subtitle: t.subtitle,
        svg: t.svg,
        outcomes: t
            .outcomes
            .into_iter()
            .map(|o| hyte_publish::BlockOutcome {
                against: o.against,
                value: o.value,
                outcome: o.badge.class.to_string(),
                text: o.badge.text,
            })
            .collect(),
        headers: t.headers,
        rows: t
            .rows
            .iter()
            .map(|(head, cells)| {
                std::iter::once(head.clone())
                    .chain(cells.iter().map(cell))
                    .collect()
            })
            .collect(),
        notes: t.notes,
        attribution: t.attribution,
        error: t.error,
    })
}

async fn block_tpl_at(
    src: &ValueSource<'_>,
    org: &Region,
    block: &IndicatorBlock,
    line: Option<usize>,
    raw: Option<&str>,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<BlockTpl> {
    let id = clean_id(id_prefix);
    let lang = tr.code();
    let Some(ind) = src.indicator(block.indicator).await? else {
        let msg = tr.ta(
            "blk-unknown-indicator",
            &[("id", block.indicator.to_string())],
        );
        let raw = raw
            .map(|r| r.trim().to_string())
            .unwrap_or_else(|| block.to_line());
        return Ok(BlockTpl::error(tr, &id, line, &raw, msg));
    };
    let level = if block.level.as_deref() == Some("99.8") {
        CiLevel::P998
    } else {
        CiLevel::P95
    };
    let fmt = Fmt::new(&ind, tr);
    let org_name = org.name(lang).to_string();
    let title = ind.title.get(lang).to_string();
    let mut notes = vec![];

    // Resolve the comparators to areas.
    let mut cmps: Vec<Cmp> = vec![];
    for c in &block.compare {
        let (key, kind) = match c {
            Comparator::WelfareRegion => match &org.welfare_region {
                Some(w) => (w.clone(), CmpKind::Region),
                None => continue,
            },
            Comparator::Country => (RegionKey::country(), CmpKind::Country),
            Comparator::Area(k) => (k.clone(), CmpKind::Area),
        };
        if key == org.key || cmps.iter().any(|x| x.key == key) {
            continue;
        }
        let name = match kind {
            CmpKind::Country => tr.t("ind-country"),
            _ => match src.store().region(&key).await? {
                Some(r) => r.name(lang).to_string(),
                None => {
                    notes.push(tr.ta("blk-unknown-area", &[("area", key.to_string())]));
                    continue;
                }
            },
        };
        cmps.push(Cmp { key, name, kind });
    }

    let mut regions = vec![org.key.clone()];
    regions.extend(cmps.iter().map(|c| c.key.clone()));
    let all = assess_in(
        src,
        &ind,
        &ValueQuery {
            regions,
            years: vec![],
            sex: None,
        },
        level,
    )
    .await?;
    let totals_of = |k: &RegionKey| totals_in(&all, k);
    let org_totals = totals_of(&org.key);
    let org_series: Vec<AssessedValue> = all
        .iter()
        .filter(|a| a.region == org.key)
        .cloned()
        .collect();
    let latest = org_totals
        .iter()
        .rev()
        .find(|a| a.value.is_some())
        .map(|a| a.year);
    let year = block.year.or(latest);
    let at_year =
        |k: &RegionKey| year.and_then(|y| totals_in(&all, k).into_iter().find(|a| a.year == y));
    let org_at = at_year(&org.key);
    if latest.is_none() {
        notes.push(tr.ta("blk-no-data", &[("org", org_name.clone())]));
    } else if let (Some(y), None) = (block.year, org_at.and_then(|a| a.value)) {
        notes.push(tr.ta(
            "blk-no-data-year",
            &[("org", org_name.clone()), ("year", y.to_string())],
        ));
    }

    // The area against each comparator in a year.
    let compare_with = |a: &AssessedValue, c: &Cmp| -> Option<(Option<f64>, Outcome)> {
        match c.kind {
            CmpKind::Region | CmpKind::Country => a
                .comparisons
                .iter()
                .find(|x| x.benchmark == c.key)
                .map(|x| (x.benchmark_value, x.outcome))
                .or_else(|| {
                    // A welfare region compared with the country still has the row.
                    let v = totals_of(&c.key)
                        .into_iter()
                        .find(|b| b.year == a.year)
                        .and_then(|b| b.value);
                    own_outcome(a, v, ind.polarity)
                }),
            CmpKind::Area => {
                let v = totals_of(&c.key)
                    .into_iter()
                    .find(|b| b.year == a.year)
                    .and_then(|b| b.value);
                own_outcome(a, v, ind.polarity)
            }
        }
    };
    let mut outcomes = vec![];
    if let Some(a) = org_at.filter(|a| a.value.is_some()) {
        for c in &cmps {
            if let Some((v @ Some(_), o)) = compare_with(a, c) {
                outcomes.push(OutcomeView {
                    against: tr.ta("blk-vs", &[("area", c.name.clone())]),
                    value: fmt.num(v),
                    badge: badge(tr, o, &c.name, &fmt.num(v), level),
                });
            }
        }
    }
    if org_totals
        .iter()
        .any(|a| a.derived || a.comparisons.iter().any(|c| c.benchmark_derived))
    {
        notes.push(tr.t("ind-derived-note"));
    }

    let comma = lang != "en";
    let source = source_line(&ind, lang);
    let y_axis = unit_label(tr, &ind.unit);
    let ci_label = format!("{} {} %", tr.t("ind-ci"), level.as_str());
    let year_text = year.map(|y| y.to_string()).unwrap_or_default();
    let mut chart = block.chart;
    let mut svg = String::new();
    let mut headers = vec![];
    let mut rows: Vec<(String, Vec<Cell>)> = vec![];

    if chart == ChartKind::Sex {
        let groups = sex_groups(&org_series);
        if groups.is_empty() {
            if latest.is_some() {
                notes.push(tr.t("blk-no-sex"));
            }
            chart = ChartKind::Table;
        } else {
            let mut meta = charts::ChartMeta::new(
                &id,
                &format!("{title}: {org_name}"),
                &format!("{} – {org_name}", tr.t("ind-sex")),
            );
            meta.decimal_comma = comma;
            meta.show_title = false;
            meta.width = 720.0;
            meta.source = Some(source.clone());
            svg = charts::sex_chart(&charts::SexChart {
                meta,
                labels: charts::SexLabels {
                    total: tr.t("sex-total"),
                    male: tr.t("sex-male"),
                    female: tr.t("sex-female"),
                    y_axis: y_axis.clone(),
                    ci: ci_label.clone(),
                    outcome: outcome_labels(tr),
                },
                decimals: fmt.decimals,
                groups: groups.clone(),
            });
            headers = vec![
                tr.t("ind-year"),
                tr.t("sex-total"),
                tr.t("sex-male"),
                tr.t("sex-female"),
            ];
            for g in groups {
                rows.push((
                    g.period.clone(),
                    vec![
                        Cell::num(fmt.num(g.total.value)),
                        Cell::num(fmt.num(g.male.value)),
                        Cell::num(fmt.num(g.female.value)),
                    ],
                ));
            }
        }
    }

    match chart {
        ChartKind::Trend if !org_totals.is_empty() => {
            let mut meta = charts::ChartMeta::new(
                &id,
                &format!("{title}: {org_name}"),
                &format!("{} {org_name}", tr.t("ind-trend")),
            );
            meta.decimal_comma = comma;
            meta.show_title = false;
            meta.width = 720.0;
            meta.source = Some(source.clone());
            let benchmarks = cmps
                .iter()
                .map(|c| {
                    let own = totals_of(&c.key);
                    charts::BenchmarkSeries {
                        name: c.name.clone(),
                        points: org_totals
                            .iter()
                            .map(|t| {
                                let from_cmp = t
                                    .comparisons
                                    .iter()
                                    .find(|x| x.benchmark == c.key)
                                    .and_then(|x| x.benchmark_value);
                                let own_value =
                                    own.iter().find(|b| b.year == t.year).and_then(|b| b.value);
                                (t.year as i32, from_cmp.or(own_value))
                            })
                            .collect(),
                    }
                })
                .collect();
            svg = charts::trend_chart(&charts::TrendChart {
                meta,
                labels: charts::TrendLabels {
                    area: org_name.clone(),
                    y_axis: y_axis.clone(),
                    ci: ci_label.clone(),
                    outcome: outcome_labels(tr),
                },
                decimals: fmt.decimals,
                points: trend_points(&org_totals),
                benchmarks,
                ci_style: charts::CiStyle::Band,
                y_from_zero: false,
            });
        }
        ChartKind::Compare if org_at.is_some() => {
            let country = cmps.iter().find(|c| c.kind == CmpKind::Country);
            let mut bars = vec![];
            let mut areas: Vec<(&RegionKey, &str, bool)> = vec![(&org.key, &org_name, true)];
            areas.extend(
                cmps.iter()
                    .filter(|c| c.kind != CmpKind::Country)
                    .map(|c| (&c.key, c.name.as_str(), false)),
            );
            headers = vec![
                tr.t("blk-area"),
                tr.t("ind-value"),
                tr.t("ind-ci"),
                tr.ta(
                    "blk-vs",
                    &[(
                        "area",
                        country
                            .map(|c| c.name.clone())
                            .unwrap_or_else(|| tr.t("ind-country")),
                    )],
                ),
            ];
            for (k, name, selected) in areas {
                let a = at_year(k);
                let o = a
                    .and_then(|a| a.against(RegionCategory::Maa))
                    .map(|c| c.outcome)
                    .unwrap_or(Outcome::NotCompared);
                bars.push(charts::CompareBar {
                    name: name.to_string(),
                    value: a.and_then(|a| a.value),
                    lower: a.and_then(|a| a.ci_lower),
                    upper: a.and_then(|a| a.ci_upper),
                    outcome: chart_outcome(o),
                    selected,
                });
                rows.push((
                    name.to_string(),
                    vec![
                        Cell::num(fmt.num(a.and_then(|a| a.value))),
                        Cell::text(
                            a.and_then(|a| fmt.ci(a))
                                .unwrap_or_else(|| tr.t("ind-no-ci")),
                        ),
                        Cell::badge(a.and_then(|a| a.against(RegionCategory::Maa)).map(|c| {
                            badge(
                                tr,
                                c.outcome,
                                &tr.t("ind-country"),
                                &fmt.num(c.benchmark_value),
                                level,
                            )
                        })),
                    ],
                ));
            }
            let benchmark = country
                .and_then(|c| at_year(&c.key))
                .and_then(|a| a.value)
                .or_else(|| {
                    country.and_then(|_| {
                        org_at
                            .and_then(|a| a.against(RegionCategory::Maa))
                            .and_then(|c| c.benchmark_value)
                    })
                });
            if let Some(v) = benchmark {
                rows.push((
                    tr.t("ind-country"),
                    vec![
                        Cell::num(fmt.num(Some(v))),
                        Cell::text(String::new()),
                        Cell::badge(None),
                    ],
                ));
            }
            let mut meta = charts::ChartMeta::new(
                &id,
                &format!("{title} {year_text}"),
                &format!("{} ({year_text})", tr.t("ind-compare")),
            );
            meta.decimal_comma = comma;
            meta.show_title = false;
            meta.width = 720.0;
            meta.source = Some(source.clone());
            svg = charts::compare_chart(&charts::CompareChart {
                meta,
                labels: charts::CompareLabels {
                    value_axis: y_axis.clone(),
                    benchmark: tr.t("ind-country"),
                    ci: ci_label.clone(),
                    missing: tr.t("ind-no-data"),
                    outcome: outcome_labels(tr),
                },
                decimals: fmt.decimals,
                bars,
                benchmark,
                sort: charts::SortOrder::AsGiven,
            });
        }
        ChartKind::Spine if org_at.is_some() => {
            let a = org_at.expect("checked");
            let y = a.year;
            let peers: Vec<f64> = src
                .values(
                    ind.id,
                    &ValueQuery {
                        regions: vec![],
                        years: vec![y],
                        sex: Some(Sex::Total),
                    },
                )
                .await?
                .into_iter()
                .filter(|v| v.region.category() == RegionCategory::Kunta && !v.derived)
                .filter_map(|v| v.value)
                .collect();
            let reg = a.against(RegionCategory::Hyvinvointialue);
            let cty = a.against(RegionCategory::Maa);
            let region_name = cmps
                .iter()
                .find(|c| c.kind == CmpKind::Region)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| tr.t("ind-region"));
            let mut meta = charts::ChartMeta::new(
                &id,
                &format!("{title}: {org_name} {y}"),
                &format!("{} – {org_name} {y}", tr.t("blk-chart-spine")),
            );
            meta.decimal_comma = comma;
            meta.show_title = false;
            meta.width = 720.0;
            meta.source = Some(source.clone());
            svg = charts::spine_chart(&charts::SpineChart {
                meta,
                labels: charts::SpineLabels {
                    indicator: tr.t("ind-indicator"),
                    period: tr.t("ind-year"),
                    count: String::new(),
                    area: org_name.clone(),
                    region: region_name,
                    country: tr.t("ind-country"),
                    left_end: tr.t("outcome-worse"),
                    right_end: tr.t("outcome-better"),
                    spread_range: "min–max".into(),
                    spread_iqr: "25–75 %".into(),
                    outcome: outcome_labels(tr),
                },
                rows: vec![charts::SpineRow {
                    indicator: title.clone(),
                    period: y.to_string(),
                    count_text: None,
                    value_text: fmt.num(a.value),
                    region_text: fmt.num(reg.and_then(|c| c.benchmark_value)),
                    country_text: fmt.num(cty.and_then(|c| c.benchmark_value)),
                    value: a.value,
                    region: reg.and_then(|c| c.benchmark_value),
                    country: cty.and_then(|c| c.benchmark_value),
                    outcome: chart_outcome(cty.map(|c| c.outcome).unwrap_or(Outcome::NotCompared)),
                    spread: spread(&peers).map(|s| charts::Spread {
                        min: s.min,
                        p25: s.p25,
                        median: s.median,
                        p75: s.p75,
                        max: s.max,
                    }),
                    polarity: chart_polarity(ind.polarity),
                }],
            });
        }
        _ => {}
    }

    // Year-by-year table (trend, spine, table; sex and compare built theirs above).
    // Columns without any value (no interval, a comparator without data) are left out.
    if headers.is_empty() && !org_totals.is_empty() {
        let shown: Vec<&AssessedValue> = if chart == ChartKind::Spine {
            org_totals
                .iter()
                .copied()
                .filter(|a| Some(a.year) == year)
                .collect()
        } else {
            org_totals.clone()
        };
        let has_ci = shown.iter().any(|a| a.ci_lower.is_some());
        let cmp_value =
            |a: &AssessedValue, c: &Cmp| -> (Option<f64>, Option<(Option<f64>, Outcome)>) {
                let r = if a.value.is_some() {
                    compare_with(a, c)
                } else {
                    None
                };
                let v = r.and_then(|(v, _)| v).or_else(|| {
                    totals_in(&all, &c.key)
                        .into_iter()
                        .find(|b| b.year == a.year)
                        .and_then(|b| b.value)
                });
                (v, r.filter(|(v, _)| v.is_some()))
            };
        let with_data: Vec<&Cmp> = cmps
            .iter()
            .filter(|c| shown.iter().any(|a| cmp_value(a, c).0.is_some()))
            .collect();
        headers = vec![tr.t("ind-year"), org_name.clone()];
        if has_ci {
            headers.push(format!("{} ({} %)", tr.t("ind-ci"), level.as_str()));
        }
        for c in &with_data {
            headers.push(c.name.clone());
            headers.push(tr.ta("blk-vs", &[("area", c.name.clone())]));
        }
        for a in shown {
            let mut cells = vec![Cell::num(format!(
                "{}{}",
                fmt.num(a.value),
                if a.derived {
                    format!(" ({})", tr.t("ind-derived"))
                } else {
                    String::new()
                }
            ))];
            if has_ci {
                cells.push(Cell::text(fmt.ci(a).unwrap_or_else(|| tr.t("ind-no-ci"))));
            }
            for c in &with_data {
                let (v, r) = cmp_value(a, c);
                cells.push(Cell::num(fmt.num(v)));
                cells.push(Cell::badge(
                    r.map(|(v, o)| badge(tr, o, &c.name, &fmt.num(v), level)),
                ));
            }
            rows.push((a.year.to_string(), cells));
        }
    }
    let without: Vec<String> = cmps
        .iter()
        .filter(|c| {
            !org_totals.iter().any(|a| {
                a.comparisons
                    .iter()
                    .any(|x| x.benchmark == c.key && x.benchmark_value.is_some())
            }) && totals_in(&all, &c.key).iter().all(|b| b.value.is_none())
        })
        .map(|c| c.name.clone())
        .collect();
    if !without.is_empty() && latest.is_some() {
        notes.push(tr.ta("blk-no-benchmark", &[("areas", without.join(", "))]));
    }

    let subtitle = [
        org_name.clone(),
        year_text.clone(),
        tr.t(&format!("blk-chart-{}", block.chart.as_str())),
        unit_label(tr, &ind.unit),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let tpl = BlockTpl {
        tr: *tr,
        id,
        error: None,
        error_lead: String::new(),
        raw: block.to_line(),
        indicator_href: format!("/org/{}/indicators/{}", org.key, ind.id),
        title,
        subtitle,
        svg,
        outcomes,
        headers,
        rows,
        table_open: block.chart == ChartKind::Table,
        notes,
        attribution: attribution(&ind, lang),
        frozen: src.is_frozen(),
    };
    Ok(tpl)
}

/// An area's yearly totals, oldest first.
fn totals_in<'a>(all: &'a [AssessedValue], k: &RegionKey) -> Vec<&'a AssessedValue> {
    let mut v: Vec<&AssessedValue> = all
        .iter()
        .filter(|a| a.region == *k && a.gender == Sex::Total)
        .collect();
    v.sort_by_key(|a| a.year);
    v
}

/// The area's own interval tested against another value (`None` when the area has no
/// value).
fn own_outcome(
    a: &AssessedValue,
    other: Option<f64>,
    polarity: Polarity,
) -> Option<(Option<f64>, Outcome)> {
    a.value?;
    let limits = a.ci_lower.zip(a.ci_upper);
    let c = hyte_stats::compare(limits, other);
    Some((other, hyte_stats::outcome(c, polarity)))
}

/// One rendered piece of a section: Markdown as HTML, or an indicator block.
pub struct RenderedPart {
    /// The 1-based line of an indicator block (valid or not); `None` for text.
    pub line: Option<usize>,
    /// Whether this is an indicator block (valid or not).
    pub is_block: bool,
    /// Safe HTML.
    pub html: String,
}

/// Renders a whole section text for an organisation: Markdown through pulldown-cmark
/// and ammonia, each indicator block live, each invalid block as an inline error.
pub async fn render_section(
    state: &AppState,
    org: &Region,
    text: &str,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<Vec<RenderedPart>> {
    render_section_in(&ValueSource::Live(&state.store), org, text, tr, id_prefix).await
}

/// [`render_section`] from any [`ValueSource`]: the working copy renders live data,
/// a version its snapshot, and freezing records what the text reads.
pub async fn render_section_in(
    src: &ValueSource<'_>,
    org: &Region,
    text: &str,
    tr: &Tr,
    id_prefix: &str,
) -> AppResult<Vec<RenderedPart>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = vec![];
    for b in parse_section(text) {
        out.push(match b {
            Block::Text { markdown } => RenderedPart {
                line: None,
                is_block: false,
                html: markdown_html(&markdown),
            },
            Block::Indicator { line, block } => RenderedPart {
                line: Some(line),
                is_block: true,
                html: render_block_in(
                    src,
                    org,
                    &block,
                    Some(line),
                    lines.get(line.wrapping_sub(1)).copied(),
                    tr,
                    &format!("{id_prefix}-l{line}"),
                )
                .await?,
            },
            Block::Invalid { line, raw, message } => RenderedPart {
                line: Some(line),
                is_block: true,
                html: render_block_error(
                    tr,
                    &format!("{id_prefix}-l{line}"),
                    Some(line),
                    &raw,
                    &tr.ta("blk-invalid", &[("reason", message)]),
                )?,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_sanitised_and_headings_move_down() {
        let html = markdown_html(
            "# Otsikko\n\nTeksti <script>alert(1)</script> [x](javascript:alert(1))\n",
        );
        assert!(html.contains("<h2>Otsikko</h2>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn ids_are_safe() {
        assert_eq!(clean_id("s12-l3"), "s12-l3");
        assert_eq!(clean_id("1 x"), "b-1-x");
    }
}
