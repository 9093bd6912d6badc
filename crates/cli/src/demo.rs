//! The demo data set, embedded in the binary so `hyte demo` needs no files:
//!
//! 1. the 54 curated definitions of the 2013 Sotkanet snapshot's indicators
//!    (`data/sotkanet/snapshot_indicators_curated.csv`, Hyte project work);
//! 2. the real Sotkanet metadata of 8 indicators (`data/sotkanet/metadata_2025/`,
//!    titles in fi/sv/en, no values in the demo);
//! 3. the snapshot's 275,271 values (THL Sotkanet, downloaded 2013-09-08);
//! 4. population on 31 Dec by municipality for the years after the snapshot.
//!
//! Loading is idempotent: a data file whose SHA-256 is already in the import history
//! is skipped, a definition is written only where none (or only a placeholder)
//! exists, and metadata only where Sotkanet's metadata is not stored yet. Running the
//! loader twice therefore changes nothing the second time.
//!
//! Sources and licences: `data/SOURCES.md` (all CC BY 4.0; credit Sotkanet / THL and
//! each indicator's producer, and Statistics Finland for population).

use anyhow::Context;
use flate2::read::GzDecoder;
use hyte_domain::{IndicatorId, Polarity};
use hyte_import::Parsed;
use hyte_store::indicators::{Denominator, Indicator, Localized};
use hyte_store::ingest::{sha256_hex, IngestOutcome};
use hyte_store::{now_rfc3339, Store};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;

const CURATED: &str = include_str!("../../../data/sotkanet/snapshot_indicators_curated.csv");
const SNAPSHOT_VALUES_GZ: &[u8] =
    include_bytes!("../../../data/sotkanet/sotkanet_snapshot_2013_values.csv.gz");
const POPULATION: &[u8] =
    include_bytes!("../../../data/population/population_by_municipality_2000_2022.csv");

/// The real `/indicators/{id}` responses shipped as demo metadata.
const METADATA: [(&str, &[u8]); 8] = [
    (
        "indicator_186.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_186.json"),
    ),
    (
        "indicator_322.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_322.json"),
    ),
    (
        "indicator_4461.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_4461.json"),
    ),
    (
        "indicator_4559.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_4559.json"),
    ),
    (
        "indicator_5033.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_5033.json"),
    ),
    (
        "indicator_5034.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_5034.json"),
    ),
    (
        "indicator_5527.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_5527.json"),
    ),
    (
        "indicator_5529.json",
        include_bytes!("../../../data/sotkanet/metadata_2025/indicator_5529.json"),
    ),
];

/// Source text of the snapshot values in the import history.
pub const SNAPSHOT_SOURCE: &str = "Sotkanet snapshot 2013-09-08 (THL, CC BY 4.0)";
/// Source text of the population file in the import history.
pub const POPULATION_SOURCE: &str =
    "Population 31 Dec by municipality (Statistics Finland via Sotkanet, CC BY 4.0)";
/// The `source` of the curated snapshot definitions.
pub const CURATED_SOURCE: &str = "sotkanet_snapshot_2013";
/// The last year the population file contributes nothing for (see [`load`]).
const SNAPSHOT_LAST_YEAR: i32 = 2012;

/// The decompressed snapshot values (Hyte snapshot CSV), for tests and benchmarks.
pub fn snapshot_values_csv() -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(12 * 1024 * 1024);
    GzDecoder::new(SNAPSHOT_VALUES_GZ)
        .read_to_end(&mut out)
        .context("the embedded snapshot values are corrupt")?;
    Ok(out)
}

#[derive(Debug, Deserialize)]
struct CuratedRow {
    indicator: i64,
    title_fi: String,
    title_sv: String,
    title_en: String,
    unit: String,
    decimals: i64,
    polarity: String,
    denominator: String,
    kind: String,
    producer: String,
    theme: String,
    population_group: String,
}

/// The full fi/sv/en name of a producer given by its short name in the curated file.
pub fn producer_names(short: &str) -> Localized {
    let (fi, sv, en) = match short {
        "THL" => (
            "Terveyden ja hyvinvoinnin laitos (THL)",
            "Institutet för hälsa och välfärd (THL)",
            "Finnish Institute for Health and Welfare (THL)",
        ),
        "Tilastokeskus" => ("Tilastokeskus", "Statistikcentralen", "Statistics Finland"),
        "Kela" => (
            "Kansaneläkelaitos (Kela)",
            "Folkpensionsanstalten (FPA)",
            "Social Insurance Institution (Kela)",
        ),
        "Oikeusministeriö" => (
            "Oikeusministeriö",
            "Justitieministeriet",
            "Ministry of Justice",
        ),
        other => (other, other, other),
    };
    Localized {
        fi: fi.to_string(),
        sv: sv.to_string(),
        en: en.to_string(),
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The 54 curated definitions, each with its year range taken from the values.
pub fn curated_indicators(values_csv: &[u8]) -> anyhow::Result<Vec<Indicator>> {
    let mut range: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for row in hyte_import::data_rows(values_csv)
        .map_err(|e| anyhow::anyhow!("the embedded snapshot values are unreadable: {e}"))?
    {
        let row = row.map_err(|e| anyhow::anyhow!("the embedded snapshot values: {e}"))?;
        let y = i64::from(row.year);
        let e = range.entry(row.indicator).or_insert((y, y));
        e.0 = e.0.min(y);
        e.1 = e.1.max(y);
    }
    let mut out = Vec::new();
    for (i, rec) in csv::Reader::from_reader(CURATED.as_bytes())
        .deserialize::<CuratedRow>()
        .enumerate()
    {
        let r = rec.with_context(|| {
            format!(
                "the embedded snapshot_indicators_curated.csv is corrupt at data row {}",
                i + 1
            )
        })?;
        let polarity: Polarity = r
            .polarity
            .parse()
            .map_err(|e: String| anyhow::anyhow!("curated indicator {}: {e}", r.indicator))?;
        let denominator = match r.denominator.as_str() {
            "population" => Denominator::Population,
            "none" | "" => Denominator::None,
            other => anyhow::bail!(
                "curated indicator {}: unknown denominator '{other}'",
                r.indicator
            ),
        };
        let (start, end) = match range.get(&r.indicator) {
            Some((a, b)) => (Some(*a), Some(*b)),
            None => (None, None),
        };
        out.push(Indicator {
            id: IndicatorId(r.indicator),
            title: Localized {
                fi: r.title_fi,
                sv: r.title_sv,
                en: r.title_en,
            },
            unit: r.unit,
            decimals: r.decimals,
            polarity,
            denominator,
            kind: r.kind,
            producer: producer_names(&r.producer),
            description: Localized::default(),
            interpretation: Localized::default(),
            limits: Localized::default(),
            theme: non_empty(&r.theme),
            population_group: non_empty(&r.population_group),
            sexes: "total".into(),
            data_updated: Some("2013-09-08".into()),
            range_start: start,
            range_end: end,
            source: CURATED_SOURCE.into(),
            updated_at: now_rfc3339(),
        });
    }
    Ok(out)
}

/// What one step of the loader did.
#[derive(Debug, Clone)]
pub struct Step {
    /// What was loaded.
    pub what: String,
    /// What happened, one line.
    pub result: String,
    /// Whether it was skipped because it was already there.
    pub skipped: bool,
}

/// What [`load`] did.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    /// Steps in order.
    pub steps: Vec<Step>,
}

impl DemoReport {
    /// Whether every step was skipped (the demo was loaded before).
    pub fn nothing_done(&self) -> bool {
        self.steps.iter().all(|s| s.skipped)
    }
}

fn describe(outcome: &IngestOutcome) -> String {
    match outcome {
        IngestOutcome::Data { format, summary } => format!(
            "{}: {} rows, {} new or changed, {} unchanged, {} skipped",
            format.describe(),
            summary.rows_total,
            summary.rows_changed,
            summary.rows_unchanged,
            summary.rows_skipped
        ),
        IngestOutcome::Regions(n) => format!("{n} Sotkanet regions"),
        IngestOutcome::Indicators(n) => format!("{n} indicator titles"),
        IngestOutcome::Metadata(id) => format!("metadata of indicator {id}"),
    }
}

/// Loads the demo data set into a migrated store (see the module docs). Idempotent.
pub async fn load(store: &Store) -> anyhow::Result<DemoReport> {
    let mut report = DemoReport::default();
    let values = snapshot_values_csv()?;

    // 1. Curated definitions first, so the value imports below know which indicators
    //    have a population denominator and derive their benchmarks.
    let mut written = 0;
    let mut kept = 0;
    for ind in curated_indicators(&values)? {
        match store.indicator(ind.id).await? {
            // Only a placeholder (values imported before their definition): replace it.
            Some(old) if old.source != "data_without_metadata" => kept += 1,
            _ => {
                store.put_indicator(&ind).await?;
                written += 1;
            }
        }
    }
    report.steps.push(Step {
        what: "snapshot indicator definitions".into(),
        result: format!("{written} written, {kept} already defined"),
        skipped: written == 0,
    });

    // 2. Real Sotkanet metadata of eight indicators (titles, descriptions, producer).
    //    Metadata imports leave no import-history row, so "already loaded" means
    //    Sotkanet's metadata for that id is stored (possibly newer, from a sync).
    for (name, bytes) in METADATA {
        let id = match hyte_import::parse(bytes) {
            Ok((_, Parsed::Metadata(m))) => m.id,
            Ok(_) => anyhow::bail!("the embedded {name} is not indicator metadata"),
            Err(e) => anyhow::bail!("the embedded {name} is unreadable: {e}"),
        };
        let have = store
            .indicator(IndicatorId(id))
            .await?
            .is_some_and(|i| i.source == "sotkanet_api");
        if have {
            report.steps.push(Step {
                what: name.into(),
                result: format!("metadata of indicator {id} already stored"),
                skipped: true,
            });
            continue;
        }
        let outcome = store
            .ingest(
                name,
                bytes.to_vec(),
                None,
                "Sotkanet REST API 1.1, fetched 2025-09-09",
            )
            .await
            .with_context(|| format!("loading the demo metadata {name} failed"))?;
        report.steps.push(Step {
            what: name.into(),
            result: describe(&outcome),
            skipped: false,
        });
    }

    let loaded: HashSet<String> = store
        .import_runs(1_000_000)
        .await?
        .into_iter()
        .map(|r| r.sha256)
        .collect();

    // 3. The snapshot values (2013 municipality structure, 1990-2012).
    let name = "sotkanet_snapshot_2013_values.csv";
    if loaded.contains(&sha256_hex(&values)) {
        report.steps.push(Step {
            what: name.into(),
            result: "already imported".into(),
            skipped: true,
        });
    } else {
        let outcome = store
            .ingest(name, values, None, SNAPSHOT_SOURCE)
            .await
            .with_context(|| format!("loading the demo values {name} failed"))?;
        report.steps.push(Step {
            what: name.into(),
            result: describe(&outcome),
            skipped: false,
        });
    }

    // 4. Population (indicator 127) after the snapshot. The snapshot carries its own
    //    indicator 127 for 1990-2012 on the 2013 municipality borders, matching its
    //    other values; this file is on the 2021 borders (Sotkanet recalculates past
    //    years), so only its years after 2012 are taken, where nothing would clash.
    let name = "population_by_municipality_2000_2022.csv";
    if loaded.contains(&sha256_hex(POPULATION)) {
        report.steps.push(Step {
            what: name.into(),
            result: "already imported".into(),
            skipped: true,
        });
    } else {
        let outcome = store
            .ingest_filtered(name, POPULATION.to_vec(), None, POPULATION_SOURCE, |row| {
                row.year > SNAPSHOT_LAST_YEAR
            })
            .await
            .with_context(|| format!("loading the demo population {name} failed"))?;
        report.steps.push(Step {
            what: name.into(),
            result: format!("{} (years 2013-2022 only)", describe(&outcome)),
            skipped: false,
        });
    }
    Ok(report)
}
