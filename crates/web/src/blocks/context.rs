//! What every chart kind of a block needs, resolved once: the indicator, the area and
//! its comparators, the assessed values and the year shown.

use super::cells::OutcomeView;
use super::format::{badge, source_line, unit_label, Fmt};
use crate::analysis::{assess_in, AssessedValue, ValueSource};
use crate::i18n::Tr;
use crate::AppResult;
use hyte_app::model::indicators::{Indicator, ValueQuery};
use hyte_app::model::orgs::Region;
use hyte_charts as charts;
use hyte_domain::document::{Comparator, IndicatorBlock};
use hyte_domain::{Polarity, RegionKey, Sex};
use hyte_stats::{CiLevel, Outcome};

/// A comparator resolved to an area.
pub(super) struct Cmp {
    pub(super) key: RegionKey,
    pub(super) name: String,
    pub(super) kind: CmpKind,
}

/// What a comparator is; the welfare region and the country have their comparisons
/// recorded with the values, other areas are tested here.
#[derive(PartialEq, Clone, Copy)]
pub(super) enum CmpKind {
    Region,
    Country,
    Area,
}

/// The interval level the block asks for (95 % unless it says 99.8).
pub(super) fn ci_level(block: &IndicatorBlock) -> CiLevel {
    if block.level.as_deref() == Some("99.8") {
        CiLevel::P998
    } else {
        CiLevel::P95
    }
}

/// The block's comparators as areas, in the order written, without the area itself or
/// repeats. An area that does not exist is left out with a note, so one wrong key
/// never hides the whole block.
pub(super) async fn resolve_comparators(
    src: &ValueSource<'_>,
    org: &Region,
    block: &IndicatorBlock,
    tr: &Tr,
    notes: &mut Vec<String>,
) -> AppResult<Vec<Cmp>> {
    let lang = tr.code();
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
            _ => match src.region(&key).await? {
                Some(r) => r.name(lang).to_string(),
                None => {
                    notes.push(tr.ta("blk-unknown-area", &[("area", key.to_string())]));
                    continue;
                }
            },
        };
        cmps.push(Cmp { key, name, kind });
    }
    Ok(cmps)
}

/// Every year and sex of the area and its comparators, assessed at the block's level.
pub(super) async fn assess_areas(
    src: &ValueSource<'_>,
    ind: &Indicator,
    org: &Region,
    cmps: &[Cmp],
    level: CiLevel,
) -> AppResult<Vec<AssessedValue>> {
    let mut regions = vec![org.key.clone()];
    regions.extend(cmps.iter().map(|c| c.key.clone()));
    Ok(assess_in(
        src,
        ind,
        &ValueQuery {
            regions,
            years: vec![],
            sex: None,
        },
        level,
    )
    .await?)
}

/// An area's yearly totals, oldest first.
pub(super) fn totals_in<'a>(all: &'a [AssessedValue], k: &RegionKey) -> Vec<&'a AssessedValue> {
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

/// One block's resolved inputs, shared by the chart kinds so that none of them takes
/// a dozen arguments.
pub(super) struct BlockCtx<'a> {
    pub(super) tr: &'a Tr,
    pub(super) ind: &'a Indicator,
    pub(super) org: &'a Region,
    pub(super) block: &'a IndicatorBlock,
    /// HTML id of the block, also the prefix of the chart's ids.
    pub(super) id: String,
    pub(super) level: CiLevel,
    pub(super) fmt: Fmt,
    pub(super) org_name: String,
    /// The indicator's title in the UI language.
    pub(super) title: String,
    pub(super) cmps: Vec<Cmp>,
    /// Every assessed value of the area and its comparators.
    pub(super) all: &'a [AssessedValue],
    /// The area's yearly totals, oldest first.
    pub(super) org_totals: Vec<&'a AssessedValue>,
    /// The latest year in which the area has a value.
    pub(super) latest: Option<i64>,
    /// The year shown: the block's own, else the latest.
    pub(super) year: Option<i64>,
    /// The area's total in the year shown.
    pub(super) org_at: Option<&'a AssessedValue>,
}

impl<'a> BlockCtx<'a> {
    /// The context of a block whose values (`all`) are assessed.
    pub(super) fn new(
        tr: &'a Tr,
        ind: &'a Indicator,
        org: &'a Region,
        block: &'a IndicatorBlock,
        id: String,
        cmps: Vec<Cmp>,
        all: &'a [AssessedValue],
    ) -> Self {
        let lang = tr.code();
        let org_totals = totals_in(all, &org.key);
        let latest = org_totals
            .iter()
            .rev()
            .find(|a| a.value.is_some())
            .map(|a| a.year);
        let year = block.year.or(latest);
        let org_at = year.and_then(|y| org_totals.iter().copied().find(|a| a.year == y));
        BlockCtx {
            tr,
            ind,
            org,
            block,
            id,
            level: ci_level(block),
            fmt: Fmt::new(ind, tr),
            org_name: org.name(lang).to_string(),
            title: ind.title.get(lang).to_string(),
            cmps,
            all,
            org_totals,
            latest,
            year,
            org_at,
        }
    }

    /// An area's yearly totals, oldest first.
    pub(super) fn totals(&self, k: &RegionKey) -> Vec<&'a AssessedValue> {
        totals_in(self.all, k)
    }

    /// An area's total in the year shown.
    pub(super) fn at_year(&self, k: &RegionKey) -> Option<&'a AssessedValue> {
        self.year
            .and_then(|y| self.totals(k).into_iter().find(|a| a.year == y))
    }

    /// An area's total value in a given year.
    pub(super) fn value_in(&self, k: &RegionKey, year: i64) -> Option<f64> {
        self.totals(k)
            .into_iter()
            .find(|b| b.year == year)
            .and_then(|b| b.value)
    }

    /// The area (one of its yearly totals) against a comparator: the comparator's
    /// value and the outcome.
    pub(super) fn compare_with(
        &self,
        a: &AssessedValue,
        c: &Cmp,
    ) -> Option<(Option<f64>, Outcome)> {
        match c.kind {
            CmpKind::Region | CmpKind::Country => a
                .comparisons
                .iter()
                .find(|x| x.benchmark == c.key)
                .map(|x| (x.benchmark_value, x.outcome))
                .or_else(|| {
                    // A welfare region compared with the country still has the row.
                    own_outcome(a, self.value_in(&c.key, a.year), self.ind.polarity)
                }),
            CmpKind::Area => own_outcome(a, self.value_in(&c.key, a.year), self.ind.polarity),
        }
    }

    /// The outcomes listed above the chart: the area in the year shown against each
    /// comparator that has a value.
    pub(super) fn outcomes(&self) -> Vec<OutcomeView> {
        let (tr, fmt) = (self.tr, &self.fmt);
        let mut outcomes = vec![];
        if let Some(a) = self.org_at.filter(|a| a.value.is_some()) {
            for c in &self.cmps {
                if let Some((v @ Some(_), o)) = self.compare_with(a, c) {
                    outcomes.push(OutcomeView {
                        against: tr.ta("blk-vs", &[("area", c.name.clone())]),
                        value: fmt.num(v),
                        badge: badge(tr, o, &c.name, &fmt.num(v), self.level),
                    });
                }
            }
        }
        outcomes
    }

    /// Notes on the area's data: none at all, none in the year asked for, or values
    /// derived from other areas.
    pub(super) fn data_notes(&self) -> Vec<String> {
        let tr = self.tr;
        let mut notes = vec![];
        if self.latest.is_none() {
            notes.push(tr.ta("blk-no-data", &[("org", self.org_name.clone())]));
        } else if let (Some(y), None) = (self.block.year, self.org_at.and_then(|a| a.value)) {
            notes.push(tr.ta(
                "blk-no-data-year",
                &[("org", self.org_name.clone()), ("year", y.to_string())],
            ));
        }
        if self
            .org_totals
            .iter()
            .any(|a| a.derived || a.comparisons.iter().any(|c| c.benchmark_derived))
        {
            notes.push(tr.t("ind-derived-note"));
        }
        notes
    }

    /// The note naming comparators without any value, when the area itself has data.
    pub(super) fn no_benchmark_note(&self) -> Option<String> {
        let without: Vec<String> = self
            .cmps
            .iter()
            .filter(|c| {
                !self.org_totals.iter().any(|a| {
                    a.comparisons
                        .iter()
                        .any(|x| x.benchmark == c.key && x.benchmark_value.is_some())
                }) && self.totals(&c.key).iter().all(|b| b.value.is_none())
            })
            .map(|c| c.name.clone())
            .collect();
        (!without.is_empty() && self.latest.is_some()).then(|| {
            self.tr
                .ta("blk-no-benchmark", &[("areas", without.join(", "))])
        })
    }

    /// The year shown as text (empty without one).
    pub(super) fn year_text(&self) -> String {
        self.year.map(|y| y.to_string()).unwrap_or_default()
    }

    /// The value axis: the unit in words.
    pub(super) fn y_axis(&self) -> String {
        unit_label(self.tr, &self.ind.unit)
    }

    /// The legend of the interval, with its level.
    pub(super) fn ci_label(&self) -> String {
        format!("{} {} %", self.tr.t("ind-ci"), self.level.as_str())
    }

    /// The meta every block chart shares: the block's id, full width, the heading left
    /// to the block's caption and the source line under the chart.
    pub(super) fn chart_meta(&self, title: &str, description: &str) -> charts::ChartMeta {
        let lang = self.tr.code();
        let mut meta = charts::ChartMeta::new(&self.id, title, description);
        meta.decimal_comma = lang != "en";
        meta.show_title = false;
        meta.width = 720.0;
        meta.source = Some(source_line(self.ind, lang));
        meta
    }
}
