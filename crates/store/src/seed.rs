//! Reference areas shipped in the binary: Statistics Finland's classification of
//! 1 Jan 2026 (308 municipalities, 21 wellbeing services counties plus Helsinki and
//! Åland, 19 regions and their sub-regions), the whole country, and the municipalities
//! that merged after 2013 (so that the 2013 Sotkanet snapshot's codes resolve).
//!
//! Source: Statistics Finland classifications via rOpenGov/geofi, CC BY 4.0; see
//! `data/SOURCES.md`.

use crate::orgs::{upsert_region_on, Region};
use crate::{Store, StoreError, StoreResult};
use hyte_domain::{RegionCategory, RegionKey};
use serde::Deserialize;
use std::collections::BTreeMap;

const MUNICIPALITIES: &str = include_str!("../../../data/municipalities/municipalities_2026.csv");
const WELFARE_REGIONS: &str =
    include_str!("../../../data/municipalities/hyvinvointialueet_2026.csv");
const MAAKUNNAT: &str = include_str!("../../../data/municipalities/maakunnat_2026.csv");
const KEY_2013_2026: &str =
    include_str!("../../../data/municipalities/municipality_key_2013_2026.csv");
const MERGERS: &str = include_str!("../../../data/municipalities/mergers_2013_2026.csv");

#[derive(Deserialize)]
struct MunicipalityRow {
    kuntakoodi: String,
    name_fi: String,
    name_sv: String,
    name_en: String,
    hyvinvointialue_code: String,
    maakunta_code: String,
    seutukunta_code: String,
    seutukunta_name_fi: String,
    kielisuhde_code: i64,
    kuntaryhmitys_code: i64,
}

#[derive(Deserialize)]
struct WelfareRegionRow {
    hyvinvointialue_code: String,
    hyvinvointialue_name_fi: String,
    hyvinvointialue_name_sv: String,
    hyvinvointialue_name_en: String,
    sotkanet_region_id: Option<i64>,
}

#[derive(Deserialize)]
struct MaakuntaRow {
    maakunta_code: String,
    maakunta_name_fi: String,
    maakunta_name_sv: String,
    maakunta_name_en: String,
}

#[derive(Deserialize)]
struct KeyRow {
    year: i64,
    kuntakoodi: String,
    municipality_name_fi: String,
    municipality_name_sv: String,
    municipality_name_en: String,
    maakunta_code: String,
    seutukunta_code: String,
    seutukunta_name_fi: String,
}

#[derive(Deserialize)]
struct MergerRow {
    former_code: String,
    successor_code: String,
}

fn rows<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> StoreResult<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| StoreError::Invalid(format!("shipped file {name} is corrupt: {e}")))
}

fn key(cat: RegionCategory, code: &str) -> StoreResult<RegionKey> {
    RegionKey::padded(cat, code).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn plain(key: RegionKey, fi: &str, sv: &str, en: &str) -> Region {
    Region {
        key,
        name_fi: fi.to_string(),
        name_sv: sv.to_string(),
        name_en: en.to_string(),
        welfare_region: None,
        maakunta: None,
        seutukunta: None,
        language_status: None,
        urban_class: None,
        valid_to: None,
        successor: None,
        sotkanet_id: None,
    }
}

/// Builds every reference area from the shipped files.
pub fn reference_regions() -> StoreResult<Vec<Region>> {
    let mut out = vec![plain(
        RegionKey::country(),
        "Koko maa",
        "Hela landet",
        "Whole country",
    )];
    for w in rows::<WelfareRegionRow>("hyvinvointialueet_2026.csv", WELFARE_REGIONS)? {
        let mut r = plain(
            key(RegionCategory::Hyvinvointialue, &w.hyvinvointialue_code)?,
            &w.hyvinvointialue_name_fi,
            &w.hyvinvointialue_name_sv,
            &w.hyvinvointialue_name_en,
        );
        r.sotkanet_id = w.sotkanet_region_id;
        out.push(r);
    }
    for m in rows::<MaakuntaRow>("maakunnat_2026.csv", MAAKUNNAT)? {
        out.push(plain(
            key(RegionCategory::Maakunta, &m.maakunta_code)?,
            &m.maakunta_name_fi,
            &m.maakunta_name_sv,
            &m.maakunta_name_en,
        ));
    }
    // Sub-regions: current ones from 2026, and 2013-era ones the snapshot uses.
    let mut seutukunnat: BTreeMap<String, (String, Option<i64>)> = BTreeMap::new();
    let municipalities = rows::<MunicipalityRow>("municipalities_2026.csv", MUNICIPALITIES)?;
    let current: std::collections::HashSet<String> = municipalities
        .iter()
        .map(|m| m.kuntakoodi.clone())
        .collect();
    for m in &municipalities {
        seutukunnat.insert(
            m.seutukunta_code.clone(),
            (m.seutukunta_name_fi.clone(), None),
        );
        let mut r = plain(
            key(RegionCategory::Kunta, &m.kuntakoodi)?,
            &m.name_fi,
            &m.name_sv,
            &m.name_en,
        );
        r.welfare_region = Some(key(
            RegionCategory::Hyvinvointialue,
            &m.hyvinvointialue_code,
        )?);
        r.maakunta = Some(key(RegionCategory::Maakunta, &m.maakunta_code)?);
        r.seutukunta = Some(key(RegionCategory::Seutukunta, &m.seutukunta_code)?);
        r.language_status = Some(m.kielisuhde_code);
        r.urban_class = Some(m.kuntaryhmitys_code);
        out.push(r);
    }
    let mergers = rows::<MergerRow>("mergers_2013_2026.csv", MERGERS)?;
    let successor: BTreeMap<String, String> = mergers
        .iter()
        .map(|m| (m.former_code.clone(), m.successor_code.clone()))
        .collect();
    let mut former: BTreeMap<String, (KeyRow, i64)> = BTreeMap::new();
    for k in rows::<KeyRow>("municipality_key_2013_2026.csv", KEY_2013_2026)? {
        let entry = seutukunnat
            .entry(k.seutukunta_code.clone())
            .or_insert_with(|| (k.seutukunta_name_fi.clone(), Some(k.year)));
        if let Some(y) = entry.1.as_mut() {
            *y = (*y).max(k.year);
        }
        if !current.contains(&k.kuntakoodi) {
            let year = k.year;
            former
                .entry(k.kuntakoodi.clone())
                .and_modify(|e| e.1 = e.1.max(year))
                .or_insert((k, year));
        }
    }
    for (code, (k, last_year)) in former {
        let mut r = plain(
            key(RegionCategory::Kunta, &code)?,
            &k.municipality_name_fi,
            &k.municipality_name_sv,
            &k.municipality_name_en,
        );
        r.maakunta = Some(key(RegionCategory::Maakunta, &k.maakunta_code)?);
        r.seutukunta = Some(key(RegionCategory::Seutukunta, &k.seutukunta_code)?);
        r.valid_to = Some(last_year);
        let succ = successor.get(&code).ok_or_else(|| {
            StoreError::Invalid(format!(
                "former municipality {code} has no row in mergers_2013_2026.csv"
            ))
        })?;
        let succ_key = key(RegionCategory::Kunta, succ)?;
        r.welfare_region = municipalities
            .iter()
            .find(|m| &m.kuntakoodi == succ)
            .map(|m| key(RegionCategory::Hyvinvointialue, &m.hyvinvointialue_code))
            .transpose()?;
        r.successor = Some(succ_key);
        out.push(r);
    }
    for (code, (name, last_seen)) in seutukunnat {
        let mut r = plain(key(RegionCategory::Seutukunta, &code)?, &name, &name, &name);
        // A sub-region missing from 2026 existed only in older classifications.
        if let Some(y) = last_seen {
            if y < 2026 {
                r.valid_to = Some(y);
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// Upserts the reference areas in one transaction; idempotent, so a newer binary
/// with a newer classification updates names in place.
pub async fn load_reference_regions(store: &Store) -> StoreResult<()> {
    let regions = reference_regions()?;
    let mut tx = store.pool().begin().await?;
    for r in &regions {
        upsert_region_on(&mut *tx, r).await?;
    }
    tx.commit().await?;
    store.invalidate_regions();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_counts() {
        let all = reference_regions().unwrap();
        let count = |c: RegionCategory, current: bool| {
            all.iter()
                .filter(|r| r.key.category() == c && r.valid_to.is_none() == current)
                .count()
        };
        assert_eq!(count(RegionCategory::Kunta, true), 308);
        assert_eq!(count(RegionCategory::Kunta, false), 12);
        assert_eq!(count(RegionCategory::Hyvinvointialue, true), 23);
        assert_eq!(count(RegionCategory::Maakunta, true), 19);
        assert_eq!(count(RegionCategory::Maa, true), 1);
        let asikkala = all
            .iter()
            .find(|r| r.key.to_string() == "KUNTA:016")
            .unwrap();
        assert_eq!(asikkala.name_fi, "Asikkala");
        assert_eq!(
            asikkala.welfare_region.as_ref().unwrap().to_string(),
            "HYVINVOINTIALUE:09"
        );
        let nastola = all
            .iter()
            .find(|r| r.key.to_string() == "KUNTA:532")
            .unwrap();
        assert_eq!(nastola.successor.as_ref().unwrap().to_string(), "KUNTA:398");
        assert_eq!(nastola.valid_to, Some(2015));
    }
}
