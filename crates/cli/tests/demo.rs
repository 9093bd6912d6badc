//! The embedded demo data set loads into a fresh SQLite database, derives the
//! benchmark values, and loading it again changes nothing.

use hyte_domain::{IndicatorId, RegionCategory, RegionKey, Sex};
use hyte_store::indicators::{Denominator, ValueQuery};
use hyte_store::Store;
use std::collections::HashMap;

fn key(s: &str) -> RegionKey {
    s.parse().unwrap()
}

/// Values of one indicator in one year (gender total), by area key.
async fn year_values(store: &Store, id: i64, year: i64) -> HashMap<String, (f64, bool)> {
    store
        .values(
            IndicatorId(id),
            &ValueQuery {
                regions: vec![],
                years: vec![year],
                sex: Some(Sex::Total),
            },
        )
        .await
        .unwrap()
        .into_iter()
        .filter_map(|v| v.value.map(|x| (v.region.to_string(), (x, v.derived))))
        .collect()
}

/// A snapshot of everything the loader may touch.
async fn fingerprint(store: &Store) -> String {
    let inds = serde_json::to_string(&store.indicators().await.unwrap()).unwrap();
    let mut counts: Vec<_> = store.value_counts().await.unwrap().into_iter().collect();
    counts.sort();
    let runs = store.import_runs(1000).await.unwrap().len();
    let audit = store.audit_entries(None, 10_000).await.unwrap().len();
    format!("{inds}|{counts:?}|{runs}|{audit}")
}

#[tokio::test]
async fn demo_loads_derives_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let store = hyte::open_migrated(&url).await.unwrap();
    let report = hyte::demo::load(&store).await.unwrap();
    assert!(!report.nothing_done());

    // 54 curated snapshot indicators and 8 with real Sotkanet metadata.
    let inds = store.indicators().await.unwrap();
    assert_eq!(inds.len(), 54 + 8);
    let i127 = inds.iter().find(|i| i.id.0 == 127).unwrap();
    assert_eq!(i127.title.en, "Population on 31 Dec");
    assert_eq!(i127.producer.en, "Statistics Finland");
    assert_eq!(i127.source, "sotkanet_snapshot_2013");
    assert_eq!((i127.range_start, i127.range_end), (Some(1990), Some(2012)));
    let i475 = inds.iter().find(|i| i.id.0 == 475).unwrap();
    assert_eq!(i475.producer.sv, "Folkpensionsanstalten (FPA)");
    let i186 = inds.iter().find(|i| i.id.0 == 186).unwrap();
    assert_eq!(i186.title.sv, "Dödlighet / 100 000 invånare");
    assert_eq!(i186.source, "sotkanet_api");

    // Asikkala's population in 2012 is the snapshot's own figure.
    let csv = hyte::demo::snapshot_values_csv().unwrap();
    let text = String::from_utf8(csv).unwrap();
    let snap: f64 = text
        .lines()
        .find(|l| l.starts_with("127,KUNTA,016,") && l.contains(",2012,total,"))
        .and_then(|l| l.rsplit(',').next())
        .and_then(|v| v.parse().ok())
        .expect("the snapshot has Asikkala 2012");
    let pop = year_values(&store, 127, 2012).await;
    assert_eq!(pop["KUNTA:016"], (snap, false));

    // The benchmarks are derived: sums of the members for population...
    let munis = store.regions(Some(RegionCategory::Kunta)).await.unwrap();
    let welfare: HashMap<String, Option<String>> = munis
        .iter()
        .map(|m| {
            (
                m.key.to_string(),
                m.welfare_region.as_ref().map(|w| w.to_string()),
            )
        })
        .collect();
    let mut sum_09 = 0.0;
    let mut sum_all = 0.0;
    for (k, (v, derived)) in &pop {
        if k.starts_with("KUNTA:") {
            assert!(!derived);
            sum_all += v;
            if welfare[k].as_deref() == Some("HYVINVOINTIALUE:09") {
                sum_09 += v;
            }
        }
    }
    let (v09, d09) = pop["HYVINVOINTIALUE:09"];
    let (vmaa, dmaa) = pop["MAA:SSS"];
    assert!(d09 && dmaa, "derived flags");
    assert!((v09 - sum_09).abs() < 0.5, "{v09} vs {sum_09}");
    assert!((vmaa - sum_all).abs() < 0.5, "{vmaa} vs {sum_all}");
    assert!(sum_all > 5_000_000.0);

    // ...and population-weighted means for a share of the population (170, 65-74 %).
    let i170 = inds.iter().find(|i| i.id.0 == 170).unwrap();
    assert_eq!(i170.denominator, Denominator::Population);
    let share = year_values(&store, 170, 2012).await;
    let mut num = 0.0;
    let mut den = 0.0;
    for (k, (v, _)) in &share {
        if welfare.get(k).and_then(|w| w.as_deref()) == Some("HYVINVOINTIALUE:09") {
            let p = pop[k].0;
            num += v * p;
            den += p;
        }
    }
    let (s09, sd09) = share["HYVINVOINTIALUE:09"];
    assert!(sd09);
    assert!((s09 - num / den).abs() < 1e-6, "{s09} vs {}", num / den);
    assert!(share["MAA:SSS"].1);

    // Population after the snapshot comes from the population file (2021 borders).
    let pop2022 = year_values(&store, 127, 2022).await;
    assert!(pop2022.contains_key("KUNTA:016"));
    let total_2022: f64 = pop2022
        .iter()
        .filter(|(k, _)| k.starts_with("KUNTA:"))
        .map(|(_, (v, _))| v)
        .sum();
    assert_eq!(total_2022, 5_563_970.0);
    assert!(store
        .region(&key("HYVINVOINTIALUE:09"))
        .await
        .unwrap()
        .is_some());

    // Loading again changes nothing.
    let before = fingerprint(&store).await;
    let again = hyte::demo::load(&store).await.unwrap();
    assert!(again.nothing_done(), "{:?}", again.steps);
    assert_eq!(fingerprint(&store).await, before);
}
