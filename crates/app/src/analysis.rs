//! Gathers stored values with their benchmarks and judges them: confidence
//! intervals, comparison with the welfare region and the whole country, mapped
//! through the indicator's polarity. The statistics are in `hyte-stats`; this module
//! only decides which numbers go in.

use crate::AppResult;
use hyte_domain::{RegionCategory, RegionKey, Sex};
use hyte_stats::{compare, outcome, value_interval, CiLevel, Comparison, Interval, NoCi, Outcome};
use hyte_store::indicators::{Denominator, Indicator, StoredValue, ValueQuery};
use hyte_store::versions::Snapshot;
use hyte_store::Store;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The population indicator (Sotkanet 127, population on 31 Dec), the denominator of
/// per-resident indicators.
pub const POPULATION_INDICATOR: i64 = 127;

/// A comparison of a value with one benchmark area.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Comparison)]
pub struct BenchmarkComparison {
    /// The benchmark area.
    #[schema(value_type = String, example = "HYVINVOINTIALUE:07")]
    pub benchmark: RegionKey,
    /// Its value for the same year and sex.
    pub benchmark_value: Option<f64>,
    /// Whether that value was derived by Hyte.
    pub benchmark_derived: bool,
    /// Interval test result.
    #[schema(value_type = String)]
    pub comparison: Comparison,
    /// Judgement through polarity.
    #[schema(value_type = String)]
    pub outcome: Outcome,
}

/// A value with everything the UI and API show about it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessedValue {
    /// Area.
    #[schema(value_type = String, example = "KUNTA:016")]
    pub region: RegionKey,
    /// Year.
    pub year: i64,
    /// Sex.
    pub gender: Sex,
    /// Value.
    pub value: Option<f64>,
    /// Published absolute value.
    pub abs_value: Option<f64>,
    /// Whether the value itself was derived by Hyte from member areas.
    pub derived: bool,
    /// Lower limit of the interval.
    pub ci_lower: Option<f64>,
    /// Upper limit.
    pub ci_upper: Option<f64>,
    /// Level of the interval: `95` or `99.8`.
    pub ci_level: &'static str,
    /// Method, when an interval exists.
    pub ci_method: Option<&'static str>,
    /// Why there is no interval.
    pub no_ci_reason: Option<&'static str>,
    /// The count the interval was computed from, if any.
    pub count: Option<f64>,
    /// Whether that count was derived (value × population) rather than published.
    pub count_derived: bool,
    /// Comparisons with the welfare region and with the whole country.
    pub comparisons: Vec<BenchmarkComparison>,
}

impl AssessedValue {
    /// The comparison with a category of benchmark, if made.
    pub fn against(&self, cat: RegionCategory) -> Option<&BenchmarkComparison> {
        self.comparisons
            .iter()
            .find(|c| c.benchmark.category() == cat)
    }
}

fn interval_of(
    ind: &Indicator,
    v: &StoredValue,
    population: Option<f64>,
    level: CiLevel,
) -> (Result<Interval, NoCi>, Option<f64>, bool) {
    let Some(value) = v.value else {
        return (Err(NoCi::InvalidInput), None, false);
    };
    let unit = ind.value_unit();
    // A census count (population) is not a sample: no interval.
    if unit.multiplier().is_none() {
        return (Err(NoCi::UnitHasNoInterval), None, false);
    }
    let (count, count_derived, denominator) = match (v.abs_value, ind.denominator, population) {
        (Some(a), Denominator::Population, Some(p)) => (Some(a), false, Some(p)),
        (Some(a), _, _) => (Some(a), false, None),
        (None, Denominator::Population, Some(p)) if v.sex == Sex::Total => {
            let k = unit.multiplier().unwrap_or(1.0);
            (Some((value * p / k).round()), true, Some(p))
        }
        _ => (None, false, None),
    };
    (
        value_interval(value, &unit, count, denominator, ind.is_survey(), level),
        count,
        count_derived,
    )
}

/// Where indicator definitions and values come from: the live store (the working
/// copy), the live store while recording every row read (freezing a version at council
/// approval), or a frozen version's snapshot. Reference areas (names, welfare-region
/// membership) always come from the store: they are not data that imports change.
pub enum ValueSource<'a> {
    /// The current data.
    Live(&'a Store),
    /// The current data, remembering every row and definition read.
    Recording(&'a Store, &'a Recorder),
    /// A frozen version.
    Frozen(&'a Store, &'a Snapshot),
}

impl crate::App {
    /// The current data, as a [`ValueSource`] (so that adapters never name the store).
    pub fn live_values(&self) -> ValueSource<'_> {
        ValueSource::Live(&self.store)
    }

    /// The current data, recording every row and definition read into `rec`.
    pub fn recording_values<'a>(&'a self, rec: &'a Recorder) -> ValueSource<'a> {
        ValueSource::Recording(&self.store, rec)
    }

    /// A frozen version's data.
    pub fn frozen_values<'a>(&'a self, snap: &'a Snapshot) -> ValueSource<'a> {
        ValueSource::Frozen(&self.store, snap)
    }
}

/// What a [`ValueSource::Recording`] read.
#[derive(Default)]
pub struct Recorder {
    inner: std::sync::Mutex<Recorded>,
}

/// Rows and definitions read while recording.
#[derive(Default, Clone)]
pub struct Recorded {
    /// Definitions read.
    pub indicators: HashMap<hyte_domain::IndicatorId, Indicator>,
    /// Rows read, with whether each was read by a query naming its area (shown)
    /// rather than only by a query over all areas (context, e.g. a spine's spread).
    pub values: HashMap<(hyte_domain::IndicatorId, RegionKey, i64, Sex), (StoredValue, bool)>,
}

impl Recorder {
    /// What was read so far.
    pub fn recorded(&self) -> Recorded {
        self.inner.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl ValueSource<'_> {
    /// The store (reference areas).
    pub fn store(&self) -> &Store {
        match self {
            ValueSource::Live(s) | ValueSource::Recording(s, _) | ValueSource::Frozen(s, _) => s,
        }
    }

    /// An area by key (reference data: always from the store).
    pub async fn region(&self, key: &RegionKey) -> AppResult<Option<hyte_store::orgs::Region>> {
        Ok(self.store().region(key).await?)
    }

    /// Whether this is a frozen version.
    pub fn is_frozen(&self) -> bool {
        matches!(self, ValueSource::Frozen(..))
    }

    /// An indicator definition.
    pub async fn indicator(&self, id: hyte_domain::IndicatorId) -> AppResult<Option<Indicator>> {
        match self {
            ValueSource::Live(s) => Ok(s.indicator(id).await?),
            ValueSource::Recording(s, rec) => {
                let ind = s.indicator(id).await?;
                if let (Some(i), Ok(mut r)) = (&ind, rec.inner.lock()) {
                    r.indicators.insert(i.id, i.clone());
                }
                Ok(ind)
            }
            ValueSource::Frozen(_, snap) => Ok(snap.indicator(id)),
        }
    }

    /// Values of an indicator, as [`Store::values`].
    pub async fn values(
        &self,
        id: hyte_domain::IndicatorId,
        q: &ValueQuery,
    ) -> AppResult<Vec<StoredValue>> {
        match self {
            ValueSource::Live(s) => Ok(s.values(id, q).await?),
            ValueSource::Recording(s, rec) => {
                let rows = s.values(id, q).await?;
                if let Ok(mut r) = rec.inner.lock() {
                    let shown = !q.regions.is_empty();
                    for v in &rows {
                        let e = r
                            .values
                            .entry((id, v.region.clone(), v.year, v.sex))
                            .or_insert_with(|| (v.clone(), shown));
                        e.1 |= shown;
                    }
                }
                Ok(rows)
            }
            ValueSource::Frozen(_, snap) => Ok(snap.values(id, q)),
        }
    }
}

/// Values of one indicator for the query, each with interval and comparisons.
pub async fn assess(
    store: &Store,
    ind: &Indicator,
    q: &ValueQuery,
    level: CiLevel,
) -> AppResult<Vec<AssessedValue>> {
    assess_in(&ValueSource::Live(store), ind, q, level).await
}

/// [`assess`] from any [`ValueSource`].
pub async fn assess_in(
    src: &ValueSource<'_>,
    ind: &Indicator,
    q: &ValueQuery,
    level: CiLevel,
) -> AppResult<Vec<AssessedValue>> {
    let store = src.store();
    let values = src.values(ind.id, q).await?;
    let all_regions = store.all_regions().await?;
    // Keyed by reference: no allocation per row (this runs for ~10 000 rows per request).
    let welfare_region_of: HashMap<&RegionKey, &RegionKey> = all_regions
        .iter()
        .filter_map(|r| r.welfare_region.as_ref().map(|w| (&r.key, w)))
        .collect();
    let country = RegionKey::country();
    let fetched_bench: Vec<StoredValue>;
    let bench_rows: &[StoredValue] = if q.regions.is_empty() {
        &values
    } else {
        // Benchmarks: the welfare regions of the areas asked for, and the country.
        let mut bench_keys: HashSet<RegionKey> = HashSet::new();
        bench_keys.insert(country.clone());
        for v in &values {
            if let Some(w) = welfare_region_of.get(&v.region) {
                bench_keys.insert((*w).clone());
            }
        }
        let bench_query = ValueQuery {
            regions: bench_keys.into_iter().collect(),
            years: q.years.clone(),
            sex: q.sex,
        };
        fetched_bench = src.values(ind.id, &bench_query).await?;
        &fetched_bench
    };
    let bench: HashMap<(&RegionKey, i64, Sex), &StoredValue> = bench_rows
        .iter()
        .filter(|v| {
            matches!(
                v.region.category(),
                RegionCategory::Maa | RegionCategory::Hyvinvointialue
            )
        })
        .map(|v| ((&v.region, v.year, v.sex), v))
        .collect();
    let population_rows: Vec<StoredValue> = if ind.denominator == Denominator::Population {
        let pq = ValueQuery {
            regions: q.regions.clone(),
            years: q.years.clone(),
            sex: Some(Sex::Total),
        };
        src.values(hyte_domain::IndicatorId(POPULATION_INDICATOR), &pq)
            .await?
    } else {
        Vec::new()
    };
    let population: HashMap<(&RegionKey, i64), f64> = population_rows
        .iter()
        .filter(|v| !v.derived)
        .filter_map(|v| v.value.map(|p| ((&v.region, v.year), p)))
        .collect();
    let mut out = Vec::with_capacity(values.len());
    for v in &values {
        let (ci, count, count_derived) =
            interval_of(ind, v, population.get(&(&v.region, v.year)).copied(), level);
        let limits = ci.as_ref().ok().map(|i| (i.lower, i.upper));
        let mut comparisons = Vec::with_capacity(2);
        let mut targets: [Option<&RegionKey>; 2] = [None, None];
        if v.region.category() == RegionCategory::Kunta {
            targets[0] = welfare_region_of.get(&v.region).copied();
        }
        if v.region.category() != RegionCategory::Maa {
            targets[1] = Some(&country);
        }
        for t in targets.into_iter().flatten() {
            let b = bench.get(&(t, v.year, v.sex));
            let bv = b.and_then(|b| b.value);
            let c = compare(limits, bv);
            comparisons.push(BenchmarkComparison {
                benchmark: t.clone(),
                benchmark_value: bv,
                benchmark_derived: b.is_some_and(|b| b.derived),
                comparison: c,
                outcome: outcome(c, ind.polarity),
            });
        }
        out.push(AssessedValue {
            region: v.region.clone(),
            year: v.year,
            gender: v.sex,
            value: v.value,
            abs_value: v.abs_value,
            derived: v.derived,
            ci_lower: limits.map(|l| l.0),
            ci_upper: limits.map(|l| l.1),
            ci_level: level.as_str(),
            ci_method: ci.as_ref().ok().map(|i| i.method.as_str()),
            no_ci_reason: ci.as_ref().err().map(|e| e.as_str()),
            count,
            count_derived,
            comparisons,
        });
    }
    Ok(out)
}
