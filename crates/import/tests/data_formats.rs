//! Data files: detection and parsing of every data format.

mod common;

use common::{data, fixture};
use hyte_domain::{RegionCategory, RegionKey, Sex};
use hyte_import::{detect, parse, DataRow, Format, Parsed, RegionRef};

fn key(cat: RegionCategory, code: &str) -> RegionRef {
    RegionRef::Key(RegionKey::new(cat, code).unwrap())
}

#[test]
fn detects_every_format_from_content() {
    let cases = [
        ("data.json", Format::SotkanetJson),
        ("data_api.csv", Format::SotkanetApiCsv),
        ("web_header.csv", Format::SotkanetWebCsv),
        ("web_noheader.csv", Format::SotkanetWebCsv),
        ("regions.json", Format::SotkanetRegions),
        ("indicators.json", Format::SotkanetIndicatorList),
        ("indicator_186.json", Format::SotkanetIndicatorMetadata),
        ("metadata_unsafe.json", Format::SotkanetIndicatorMetadata),
        ("snapshot_small.csv", Format::HyteSnapshotCsv),
        ("population_small.csv", Format::PopulationCsv),
    ];
    for (name, expected) in cases {
        assert_eq!(detect(&fixture(name)).unwrap(), expected, "{name}");
    }
    assert_eq!(detect(b"[]").unwrap(), Format::SotkanetJson);
    assert_eq!(detect(b"  \n [ \n ] ").unwrap(), Format::SotkanetJson);
}

#[test]
fn json_data_points() {
    let rows = data("data.json");
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0],
        DataRow {
            line: 2,
            indicator: 5,
            region: RegionRef::SotkanetId(9001),
            region_name: None,
            year: 2023,
            sex: Sex::Total,
            value: Some(4.7),
            abs_value: Some(1532.0),
        }
    );
    assert_eq!(rows[1].sex, Sex::Male);
    assert_eq!(rows[1].abs_value, Some(874.0));
    assert_eq!(rows[2].sex, Sex::Female);
    assert_eq!(rows[3].value, Some(6.0));
    assert_eq!(rows[3].abs_value, None);
    assert_eq!(rows[4].line, 6);
    assert_eq!(rows[4].value, None);
    assert_eq!(rows[4].abs_value, None);
}

#[test]
fn json_accepts_expanded_ids_and_a_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(
        br#"[{"indicator":{"id":5},"region":{"id":9001,"code":"091"},"year":2023.0,"gender":"female","value":1}]"#,
    );
    let (format, Parsed::Data(rows)) = parse(&bytes).unwrap() else {
        panic!("not data")
    };
    assert_eq!(format, Format::SotkanetJson);
    assert_eq!(rows[0].indicator, 5);
    assert_eq!(rows[0].region, RegionRef::SotkanetId(9001));
    assert_eq!(rows[0].year, 2023);
}

#[test]
fn api_csv() {
    let rows = data("data_api.csv");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[0].region, RegionRef::SotkanetId(9001));
    assert_eq!(rows[0].value, Some(4.7));
    assert_eq!(rows[0].abs_value, Some(1532.0));
    assert_eq!(rows[2].abs_value, None);
    assert_eq!(rows[3].value, None, "empty value cell is a missing value");
    assert_eq!(rows[3].sex, Sex::Female);
}

#[test]
fn api_csv_header_variants() {
    for header in [
        "indicator;region;year;gender;primary.value;absolute.value",
        "\"indicator\";\"region\";\"year\";\"gender\";\"primary value\";\"absolute value\"",
        "Indicator;Region;Year;Gender;Primary_Value;Absolute_Value",
        "INDICATOR;REGION;YEAR;GENDER;PRIMARY VALUE",
    ] {
        let file = format!("{header}\r\n5;9001;2023;total;4.7;1532\r\n");
        let (format, Parsed::Data(rows)) = parse(file.as_bytes()).unwrap() else {
            panic!("not data")
        };
        assert_eq!(format, Format::SotkanetApiCsv, "{header}");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].value, Some(4.7));
        let expected_abs = if header.contains("bsolute") {
            Some(1532.0)
        } else {
            None
        };
        assert_eq!(rows[0].abs_value, expected_abs, "{header}");
    }
}

#[test]
fn api_csv_without_header_is_recognised() {
    let (format, Parsed::Data(rows)) =
        parse(b"5;9001;2023;total;4.7;1532\n5;9002;2023;male;1.5;\n").unwrap()
    else {
        panic!("not data")
    };
    assert_eq!(format, Format::SotkanetApiCsv);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].line, 2);
    assert_eq!(rows[1].region, RegionRef::SotkanetId(9002));
}

#[test]
fn web_csv_with_finnish_header() {
    let rows = data("web_header.csv");
    // 7 data lines, one hospital-district row skipped.
    assert_eq!(rows.len(), 6);
    let hki = key(RegionCategory::Kunta, "091");
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[0].indicator, 5);
    assert_eq!(rows[0].region, hki);
    assert_eq!(rows[0].region_name.as_deref(), Some("Helsinki"));
    assert_eq!(rows[0].sex, Sex::Total);
    assert_eq!(rows[0].value, Some(4.7));
    assert_eq!(
        rows[0].abs_value,
        Some(1532.0),
        "'1 532' with digit grouping"
    );
    assert_eq!(rows[1].sex, Sex::Male);
    assert_eq!(rows[2].sex, Sex::Female);
    assert_eq!(rows[2].value, Some(4.1));
    // Level column + short code: padded to the category's width.
    assert_eq!(rows[3].region, key(RegionCategory::Hyvinvointialue, "08"));
    assert_eq!(rows[3].abs_value, None);
    // Line 6 (HUS, Sairaanhoitopiiri) is skipped; the country row is line 7.
    assert_eq!(rows[4].line, 7);
    assert_eq!(rows[4].region, RegionRef::Key(RegionKey::country()));
    assert_eq!(rows[5].region, key(RegionCategory::Maakunta, "01"));
    assert_eq!(rows[5].value, None);
}

#[test]
fn web_csv_without_header() {
    let rows = data("web_noheader.csv");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].line, 1);
    assert_eq!(rows[0].region, key(RegionCategory::Kunta, "091"));
    assert_eq!(rows[0].value, Some(4.5));
    assert_eq!(rows[0].abs_value, Some(1490.0));
    assert_eq!(rows[1].sex, Sex::Male);
    assert_eq!(rows[1].value, Some(5.1));
    assert_eq!(rows[1].abs_value, None);
    // 2 digits without a level column: a wellbeing services county.
    assert_eq!(rows[2].region, key(RegionCategory::Hyvinvointialue, "04"));
    assert_eq!(
        rows[2].abs_value, None,
        "row without the optional last column"
    );
    assert_eq!(rows[3].region, RegionRef::Key(RegionKey::country()));
}

#[test]
fn web_csv_english_and_swedish_headers() {
    let en = "Indicator;Region;Code;Year;Gender;Value\n5;Helsinki;091;2023;Women;4.1\n";
    let rows = match parse(en.as_bytes()).unwrap() {
        (Format::SotkanetWebCsv, Parsed::Data(rows)) => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(rows[0].sex, Sex::Female);
    assert_eq!(rows[0].region, key(RegionCategory::Kunta, "091"));

    let sv = "Indikator;Område;Kod;Områdesnivå;År;Kön;Värde\n5;Tammerfors ekonomiska region;064;Ekonomisk region;2023;totalt;3,0\n5;Hela landet;;Hela landet;2023;män;2,0\n";
    let rows = match parse(sv.as_bytes()).unwrap() {
        (Format::SotkanetWebCsv, Parsed::Data(rows)) => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(rows[0].region, key(RegionCategory::Seutukunta, "064"));
    assert_eq!(rows[0].value, Some(3.0));
    assert_eq!(rows[1].region, RegionRef::Key(RegionKey::country()));
    assert_eq!(rows[1].sex, Sex::Male);
}

#[test]
fn web_csv_title_column_next_to_id_column() {
    // "Indikaattori" holds the title when an explicit id column exists.
    let file =
        "Indikaattori;Indikaattori id;Kuntakoodi;Vuosi;Arvo\nVäestö 31.12.;127;005;2022;9 300\n";
    let rows = data_of(file.as_bytes());
    assert_eq!(rows[0].indicator, 127);
    assert_eq!(rows[0].sex, Sex::Total, "no gender column: totals");
    assert_eq!(rows[0].value, Some(9300.0));
    assert_eq!(rows[0].region_name, None);
}

#[test]
fn web_csv_in_windows_1252() {
    // "Alueryhmä", "Hämeenlinna" and "yhteensä" in Windows-1252, plus Excel's sep line.
    let mut file =
        b"sep=;\r\nIndikaattori;Alue;Aluekoodi;Alueryhm\xe4;Vuosi;Sukupuoli;Arvo\r\n".to_vec();
    file.extend_from_slice(b"5;H\xe4meenlinna;109;Kunta;2023;yhteens\xe4;3,3\r\n");
    let (format, Parsed::Data(rows)) = parse(&file).unwrap() else {
        panic!("not data")
    };
    assert_eq!(format, Format::SotkanetWebCsv);
    assert_eq!(rows[0].line, 3);
    assert_eq!(rows[0].region_name.as_deref(), Some("Hämeenlinna"));
    assert_eq!(rows[0].sex, Sex::Total);
    assert_eq!(rows[0].value, Some(3.3));
}

#[test]
fn snapshot_and_population() {
    let rows = data("snapshot_small.csv");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].region, key(RegionCategory::Kunta, "005"));
    assert_eq!(rows[0].region_name.as_deref(), Some("Alajärvi"));
    assert_eq!(rows[1].region, key(RegionCategory::Maakunta, "14"));
    assert_eq!(rows[2].region, key(RegionCategory::Seutukunta, "146"));
    assert_eq!(rows[2].value, None);
    assert_eq!(rows[2].line, 4);

    let rows = data("population_small.csv");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].indicator, 127);
    assert_eq!(rows[1].region, key(RegionCategory::Kunta, "091"));
    assert_eq!(rows[1].sex, Sex::Total);
    assert_eq!(rows[1].value, Some(555474.0));
}

#[test]
fn shipped_data_files_parse_if_present() {
    // The real files live in the repository's shared/ folder, beside the work tree;
    // skip quietly where it is not checked out.
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let cases = [
        (
            "sotkanet/sotkanet_snapshot_2013_values.csv",
            Format::HyteSnapshotCsv,
            275_271,
        ),
        (
            "population/population_by_municipality_2000_2022.csv",
            Format::PopulationCsv,
            7_107,
        ),
    ];
    for (path, format, count) in cases {
        let Ok(bytes) = std::fs::read(base.join(path)) else {
            eprintln!("skipping {path}: not present");
            continue;
        };
        let (got, Parsed::Data(rows)) = parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
        else {
            panic!("{path}: not data")
        };
        assert_eq!(got, format);
        assert_eq!(rows.len(), count, "{path}");
    }
}

fn data_of(bytes: &[u8]) -> Vec<DataRow> {
    match parse(bytes) {
        Ok((_, Parsed::Data(rows))) => rows,
        other => panic!("{other:?}"),
    }
}
