//! Regions, the indicator list and indicator metadata.

mod common;

use common::{err, fixture};
use hyte_domain::{RegionCategory, RegionKey, Sex, ValueUnit};
use hyte_import::{parse, IndicatorMeta, IsoDate, Parsed, RegionRefKey, SotkanetRegion, YearRange};

fn regions(bytes: &[u8]) -> Vec<SotkanetRegion> {
    match parse(bytes) {
        Ok((_, Parsed::Regions(r))) => r,
        other => panic!("{other:?}"),
    }
}

fn meta(name: &str) -> IndicatorMeta {
    match parse(&fixture(name)) {
        Ok((_, Parsed::Metadata(m))) => *m,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn region_list() {
    let r = regions(&fixture("regions.json"));
    assert_eq!(r.len(), 6);
    let tampere = &r[0];
    assert_eq!(tampere.line, 2);
    assert_eq!(tampere.sotkanet_id, 9003);
    assert_eq!(
        tampere.key,
        RegionRefKey::Key(RegionKey::new(RegionCategory::Kunta, "837").unwrap())
    );
    assert_eq!(tampere.title_fi, "Tampere");
    assert_eq!(tampere.title_sv, "Tammerfors");
    assert_eq!(tampere.member_of, vec![970, 9101]);
    assert_eq!(
        tampere.uri.as_deref(),
        Some("http://www.yso.fi/onto/kunnat/k837")
    );
    assert_eq!(
        r[1].key,
        RegionRefKey::Key(RegionKey::new(RegionCategory::Hyvinvointialue, "08").unwrap())
    );
    assert_eq!(
        r[2].key,
        RegionRefKey::Key(RegionKey::new(RegionCategory::Maakunta, "06").unwrap())
    );
    assert_eq!(
        r[3].key,
        RegionRefKey::Key(RegionKey::new(RegionCategory::Seutukunta, "064").unwrap())
    );
    // The country maps to MAA:SSS; Sotkanet's own code is kept.
    assert_eq!(r[4].key, RegionRefKey::Key(RegionKey::country()));
    assert_eq!(r[4].sotkanet_code, "246");
    assert!(r[4].member_of.is_empty());
    // A category Hyte does not store is kept, not refused.
    assert_eq!(
        r[5].key,
        RegionRefKey::Other {
            category: "SAIRAANHOITOPIIRI".into(),
            code: "6".into()
        }
    );
}

#[test]
fn region_code_widths_are_enforced() {
    let e = err(br#"[{"id":1,"code":"91","category":"KUNTA","title":{"fi":"Helsinki"}}]"#);
    assert_eq!(e.line, Some(1));
    assert_eq!(e.field.as_deref(), Some("code"));
    assert!(
        e.reason
            .starts_with("region code '91' is not valid for KUNTA: expected 3 digits"),
        "{e}"
    );
    let e = err(b"[\n{\"id\":1,\"code\":\"1\",\"category\":\"MAAKUNTA\"},\n{\"id\":2,\"code\":\"001\",\"category\":\"HYVINVOINTIALUE\"}\n]");
    assert_eq!(e.line, Some(2));
    let e = err(br#"[{"id":1,"code":91,"category":"KUNTA"}]"#);
    assert_eq!(e.field.as_deref(), Some("code"));
    assert!(e.reason.contains("leading zeros"), "{e}");
}

#[test]
fn region_conflicts_are_reported() {
    let e = err(b"[\n{\"id\":1,\"code\":\"091\",\"category\":\"KUNTA\"},\n{\"id\":1,\"code\":\"092\",\"category\":\"KUNTA\"}\n]");
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("id")));
    assert!(e
        .reason
        .starts_with("region id 1 appears twice (first on line 2)"));
    let e = err(b"[\n{\"id\":1,\"code\":\"091\",\"category\":\"KUNTA\"},\n{\"id\":2,\"code\":\"091\",\"category\":\"KUNTA\"}\n]");
    assert_eq!(e.line, Some(3));
    assert!(e.reason.contains("KUNTA:091"), "{e}");
}

#[test]
fn indicator_list() {
    let list = match parse(&fixture("indicators.json")) {
        Ok((_, Parsed::IndicatorList(l))) => l,
        other => panic!("{other:?}"),
    };
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].id, 5);
    assert_eq!(list[0].line, 2);
    let org = list[0].organization.as_ref().unwrap();
    assert_eq!(org.id, Some(2));
    assert_eq!(
        org.title.en.as_deref(),
        Some("Finnish Institute for Health and Welfare (THL)")
    );
    assert_eq!(list[1].title.fi.as_deref(), Some("Väestö 31.12."));
    assert_eq!(list[2].organization, None);
    assert_eq!(list[2].title.sv, None, "blank text is None");
    assert_eq!(list[2].title.best("sv"), Some("Ilman tuottajaa"));
}

#[test]
fn real_metadata_186() {
    let m = meta("indicator_186.json");
    assert_eq!(m.id, 186);
    assert_eq!(
        m.title.fi.as_deref(),
        Some("Kuolleisuus / 100 000 asukasta")
    );
    assert_eq!(
        m.title.en.as_deref(),
        Some("Mortality per 100 000 inhabitants")
    );
    assert_eq!(
        m.data_updated,
        Some(IsoDate {
            year: 2025,
            month: 4,
            day: 29
        })
    );
    assert_eq!(
        m.range,
        Some(YearRange {
            start: 1990,
            end: 2024
        })
    );
    assert_eq!(m.decimals, Some(1));
    let pvt = m.primary_value_type.as_ref().unwrap();
    assert_eq!(pvt.code, "PER100000");
    assert_eq!(pvt.unit, ValueUnit::Per100000);
    assert_eq!(pvt.title.en.as_deref(), Some("Per 100 000 inhabitants"));
    assert_eq!(m.sex_values, Some(vec![Sex::Male, Sex::Female, Sex::Total]));
    assert_eq!(m.region_levels.as_ref().map(Vec::len), Some(9));
    assert_eq!(
        m.region_categories(),
        vec![
            RegionCategory::Kunta,
            RegionCategory::Maakunta,
            RegionCategory::Seutukunta,
            RegionCategory::Maa
        ]
    );
    let org = m.organization.as_ref().unwrap();
    assert_eq!(org.id, Some(3));
    assert_eq!(org.title.fi.as_deref(), Some("Tilastokeskus"));
    assert_eq!(m.groups, vec![188, 102]);
    // Empty texts are None; the <p id=...> loses its attribute.
    assert_eq!(m.interpretation.fi, None);
    assert_eq!(m.notices.sv, None);
    let desc = m.description.fi.as_deref().unwrap();
    assert!(desc.contains("<p>Väestösuhteutus"), "{desc}");
    assert!(!desc.contains("id="), "{desc}");
    assert!(m.limits.en.as_deref().unwrap().starts_with("In addition"));
}

#[test]
fn all_real_metadata_files_parse() {
    for id in [186, 322, 4461, 4559, 5033, 5034, 5527, 5529] {
        let m = meta(&format!("indicator_{id}.json"));
        assert_eq!(m.id, id);
        assert!(m.title.fi.is_some() && m.title.sv.is_some() && m.title.en.is_some());
        assert!(m.data_updated.is_some(), "{id}");
        assert!(m.range.is_some(), "{id}");
        assert!(m.primary_value_type.is_some(), "{id}");
        assert!(m.organization.is_some(), "{id}");
        for text in [&m.description, &m.limits, &m.notices, &m.interpretation] {
            for html in [&text.fi, &text.sv, &text.en].into_iter().flatten() {
                assert!(!html.contains("target="), "{id}: {html}");
                assert!(!html.contains("TARGET="), "{id}: {html}");
                assert!(!html.contains(" id="), "{id}: {html}");
            }
        }
    }
    // 5033 has no sex classification; the title's trailing space is trimmed.
    let m = meta("indicator_5033.json");
    assert_eq!(m.sex_values, None);
    assert!(m.title.fi.as_deref().unwrap().ends_with("lähetteistä"));
    assert_eq!(
        m.region_categories(),
        vec![RegionCategory::Maa],
        "Sairaanhoitopiiri is not stored"
    );
    let m = meta("indicator_4559.json");
    assert_eq!(m.primary_value_type.unwrap().unit, ValueUnit::Index);
    // Links keep their href, lose target.
    let m = meta("indicator_5034.json");
    let all: String = [&m.description, &m.limits, &m.notices]
        .iter()
        .flat_map(|t| [&t.fi, &t.sv, &t.en])
        .flatten()
        .cloned()
        .collect();
    assert!(all.contains("<a href=\"https://thl.fi/far\">"), "{all}");
}

#[test]
fn metadata_html_is_sanitised() {
    let m = meta("metadata_unsafe.json");
    assert_eq!(
        m.title.fi.as_deref(),
        Some("Esimerkki-indikaattori / 1 000 asukasta"),
        "titles are plain text"
    );
    assert_eq!(
        m.description.fi.as_deref(),
        Some(r#"<p>Kuvaus <a href="https://thl.fi">THL</a></p>div-teksti"#)
    );
    assert_eq!(
        m.description.en.as_deref(),
        Some("<ul><li>One</li><li><em>Two</em></li></ul><a>link</a>")
    );
    assert_eq!(m.description.sv, None);
    assert_eq!(
        m.limits.fi.as_deref(),
        Some("<b>Pienet luvut</b> on <i>salattu</i>.<br>")
    );
    assert_eq!(m.limits.sv, None);
    assert_eq!(m.limits.en, None);
    for text in [&m.description.fi, &m.description.en].into_iter().flatten() {
        for bad in [
            "script",
            "alert",
            "onclick",
            "onmouseover",
            "onerror",
            "style",
            "class",
            "<img",
            "<div",
            "javascript",
        ] {
            assert!(!text.contains(bad), "{bad} in {text}");
        }
    }
    assert_eq!(m.primary_value_type.unwrap().unit, ValueUnit::Per1000);
}

#[test]
fn metadata_missing_fields_are_none() {
    let m = match parse(br#"{"id": 42, "title": {"fi": "Vain otsikko"}, "range": {"start": 2000}}"#)
    {
        Ok((_, Parsed::Metadata(m))) => *m,
        other => panic!("{other:?}"),
    };
    assert_eq!(m.id, 42);
    assert_eq!(m.title.fi.as_deref(), Some("Vain otsikko"));
    assert_eq!(m.title.en, None);
    assert_eq!(m.data_updated, None);
    assert_eq!(m.range, None);
    assert_eq!(m.decimals, None);
    assert_eq!(m.primary_value_type, None);
    assert_eq!(m.sex_values, None);
    assert_eq!(m.region_levels, None);
    assert_eq!(m.organization, None);
    assert!(m.description.is_empty());
    assert!(m.groups.is_empty());
}

#[test]
fn metadata_errors_name_the_field() {
    let bad = |json: &str| err(json.as_bytes());
    let e = bad(r#"{"id": 1, "data-updated": "2025-02-30"}"#);
    assert_eq!(e.field.as_deref(), Some("data-updated"));
    assert_eq!(
        e.to_string(),
        "field 'data-updated': '2025-02-30' is not a real date (day 30)"
    );
    let e = bad(r#"{"id": 1, "range": {"start": 2020, "end": 2010}}"#);
    assert_eq!(e.field.as_deref(), Some("range.end"));
    let e = bad(r#"{"id": 1, "decimals": "one"}"#);
    assert_eq!(e.field.as_deref(), Some("decimals"));
    let e = bad(r#"{"id": 1, "classifications": {"sex": {"values": ["male", "x"]}}}"#);
    assert_eq!(e.field.as_deref(), Some("classifications.sex.values"));
    let e = bad(r#"{"id": 1, "title": {"fi": 5}, "range": {"start": 1, "end": 2}}"#);
    assert_eq!(e.field.as_deref(), Some("range.start"));
    let e = bad(r#"{"id": 1, "title": {"fi": 5}}"#);
    assert_eq!(e.field.as_deref(), Some("title.fi"));
    let e = bad("{\"id\": 1,\n \"description\": ");
    assert_eq!(e.line, Some(2));
    assert!(e.reason.contains("truncated"), "{e}");
}
