//! Broken files: every error names the line and field precisely.

mod common;

use common::{err, fixture};
use hyte_import::{data_rows, detect, ImportError};

fn at(line: usize, field: &str) -> (Option<usize>, Option<String>) {
    (Some(line), Some(field.to_string()))
}

fn pos(e: &ImportError) -> (Option<usize>, Option<String>) {
    (e.line, e.field.clone())
}

#[test]
fn bad_year_names_line_and_field() {
    let e = err(&fixture("bad_year.csv"));
    assert_eq!(pos(&e), at(4, "year"));
    assert_eq!(e.to_string(), "line 4, field 'year': '20x3' is not a year");
}

#[test]
fn year_out_of_range() {
    let e = err(b"indicator;region;year;gender;primary value\n5;1;1899;total;1\n");
    assert_eq!(pos(&e), at(2, "year"));
    assert_eq!(e.reason, "1899 is not a year between 1900 and 2100");
    let e = err(b"[{\"indicator\":5,\"region\":1,\"year\":2101,\"gender\":\"total\",\"value\":1}]");
    assert_eq!(pos(&e), at(1, "year"));
    assert!(
        e.reason
            .starts_with("2101 is not a year between 1900 and 2100"),
        "{e}"
    );
}

#[test]
fn unknown_gender_in_json() {
    let e = err(&fixture("bad_gender.json"));
    assert_eq!(pos(&e), at(4, "gender"));
    assert!(
        e.reason.starts_with("'other' is not a known gender"),
        "{}",
        e.reason
    );
    assert!(
        e.reason.ends_with("(object 3 in the array)"),
        "{}",
        e.reason
    );
}

#[test]
fn unknown_gender_in_web_csv_uses_the_header_spelling() {
    let e = err("Indikaattori;Alue;Aluekoodi;Vuosi;Sukupuoli;Arvo\n5;Helsinki;091;2023;yhteensä;1\n5;Helsinki;091;2023;lapset;1\n".as_bytes());
    assert_eq!(pos(&e), at(3, "Sukupuoli"));
    assert_eq!(
        e.to_string(),
        "line 3, field 'Sukupuoli': 'lapset' is not a known gender (expected total, male, female or yhteensä, miehet, naiset)"
    );
}

#[test]
fn truncated_json() {
    let bytes = fixture("truncated.json");
    // Detection only needs the first element, which is complete.
    assert_eq!(detect(&bytes).unwrap(), hyte_import::Format::SotkanetJson);
    let e = err(&bytes);
    assert_eq!(e.line, Some(3));
    assert_eq!(e.field, None);
    assert!(e.reason.contains("truncated"), "{e}");

    let e = err(b"[\n  {\"indicator\": 5, \"regi");
    assert_eq!(e.line, Some(2));
    assert!(e.reason.contains("truncated"), "{e}");
    let e = err(b"[\n\n");
    assert_eq!(e.line, Some(3));
    assert!(e.reason.contains("truncated"), "{e}");
}

#[test]
fn duplicate_rows_name_both_lines() {
    let e = err(&fixture("duplicate.csv"));
    assert_eq!(e.line, Some(5));
    assert_eq!(
        e.reason,
        "duplicate row: indicator 5, Sotkanet region 9002, year 2023, gender total already appears on line 3"
    );
    let e = err(&fixture("duplicate.json"));
    assert_eq!(e.line, Some(1));
    assert_eq!(
        e.reason,
        "duplicate row: indicator 5, Sotkanet region 9001, year 2023, gender total already appears on line 1 (objects 1 and 3 in the array)"
    );
    // Web CSV: the same municipality written with and without the leading zero.
    let e = err(
        "Indikaattori;Aluekoodi;Alueryhmä;Vuosi;Arvo\n5;091;Kunta;2023;1\n5;91;Kunta;2023;2\n"
            .as_bytes(),
    );
    assert_eq!(e.line, Some(3));
    assert!(e.reason.contains("KUNTA:091"), "{e}");
    assert!(e.reason.ends_with("on line 2"), "{e}");
}

#[test]
fn streaming_reader_leaves_duplicates_to_the_caller() {
    let rows: Vec<_> = data_rows(&fixture("duplicate.csv")[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 4);
}

#[test]
fn negative_absolute_value() {
    let e = err(&fixture("negative_abs.csv"));
    assert_eq!(pos(&e), at(3, "absolute value"));
    assert!(e.reason.contains("negative"), "{e}");
    let e = err(b"[{\"indicator\":5,\"region\":1,\"year\":2020,\"gender\":\"total\",\"value\":1,\"absValue\":-1}]");
    assert_eq!(pos(&e), at(1, "absValue"));
}

#[test]
fn non_numeric_and_non_finite_values() {
    let e =
        err(b"indicator;region;year;gender;primary value\n5;1;2020;total;1\n5;1;2021;total;abc\n");
    assert_eq!(pos(&e), at(3, "primary value"));
    assert!(e.reason.starts_with("'abc' is not a number"), "{e}");
    let e = err(b"indicator;region;year;gender;primary value\n5;1;2021;total;NaN\n");
    assert_eq!(pos(&e), at(2, "primary value"));
    assert!(e.reason.contains("finite"), "{e}");
    let e = err(b"indicator,region_category,region_code,region_title_fi,year,gender,value\n4,KUNTA,005,A,2000,total,1\n4,KUNTA,005,A,2001,total,\"2,5\"\n");
    assert_eq!(pos(&e), at(3, "value"));
    let e = err(
        b"[{\"indicator\":5,\"region\":1,\"year\":2020,\"gender\":\"total\",\"value\":\"4.7\"}]",
    );
    assert_eq!(pos(&e), at(1, "value"));
    assert!(
        e.reason.starts_with("expected a number, found a string"),
        "{e}"
    );
}

#[test]
fn json_that_is_not_an_array_of_objects() {
    let e = err(
        b"{\"indicator\": 5, \"region\": 1, \"year\": 2020, \"gender\": \"total\", \"value\": 1}",
    );
    assert!(e.reason.contains("must be a JSON array of objects"), "{e}");
    let e = err(b"[1, 2, 3]");
    assert_eq!(
        e.reason,
        "a JSON data file must be an array of objects, but its first element is a number"
    );
    let e = err(b"[{\"indicator\":5,\"region\":1,\"year\":2020,\"gender\":\"total\"},\n 7]");
    assert_eq!(e.line, Some(2));
    assert_eq!(
        e.reason,
        "element 2 of the array is a number, expected an object"
    );
    let e = err(b"[{\"foo\": 1}]");
    assert!(e
        .reason
        .starts_with("unrecognised JSON array: its first object has the keys [foo]"));
}

#[test]
fn missing_json_fields() {
    let e = err(b"[\n{\"indicator\":5,\"year\":2020,\"gender\":\"total\",\"value\":1}\n]");
    assert_eq!(pos(&e), at(2, "region"));
    assert!(e.reason.starts_with("the field is missing"));
    let e = err(b"[{\"indicator\":5,\"region\":1.5,\"year\":2020,\"gender\":\"total\"}]");
    assert_eq!(pos(&e), at(1, "region"));
    assert!(e.reason.starts_with("1.5 is not a whole number"), "{e}");
}

#[test]
fn short_rows_and_bad_regions_in_csv() {
    let e = err(b"5;Helsinki;091;2023;total;1\n5;Helsinki;091\n");
    assert_eq!(e.line, Some(2));
    assert_eq!(e.field, None);
    assert_eq!(e.reason, "the row has 3 columns, expected at least 6");

    let e = err(b"5;Somewhere;1234;2023;total;1\n");
    assert_eq!(pos(&e), at(1, "region code"));
    assert!(e.reason.contains("neither a municipality code"), "{e}");

    let e = err("Indikaattori;Aluekoodi;Alueryhmä;Vuosi;Arvo\n5;091;Planeetta;2023;1\n".as_bytes());
    assert_eq!(pos(&e), at(2, "Alueryhmä"));
    assert!(e
        .reason
        .starts_with("'Planeetta' is not a known region level"));

    let e = err(b"indicator,region_category,region_code,region_title_fi,year,gender,value\n4,KUNTA,05,A,2000,total,1\n");
    assert_eq!(pos(&e), at(2, "region_code"));
    assert_eq!(
        e.reason,
        "region code '05' is not valid for KUNTA: expected 3 digits"
    );

    let e = err(b"sotkanet_indicator,kuntakoodi,year,population\n127,005,2000,1\n127,x,2000,1\n");
    assert_eq!(pos(&e), at(3, "kuntakoodi"));
}

#[test]
fn bad_headers_and_unknown_files() {
    let e = err(b"a,b,c\n1,2,3\n");
    assert_eq!(e.line, Some(1));
    assert!(e.reason.starts_with("unrecognised comma-separated file"));
    let e = err(b"Vuosi;Arvo;Sukupuoli\n2023;1;total\n");
    assert_eq!(e.line, Some(1));
    assert!(
        e.reason
            .starts_with("the header has no indicator id column"),
        "{e}"
    );
    let e = err(b"");
    assert_eq!(e.to_string(), "the file is empty");
    let e = err(b"just some text\n");
    assert!(e.reason.starts_with("not a recognised file"));
    let e = err(b"indicator;region;year;gender;primary value\n5;1;2020;total;\"1\n");
    assert_eq!(e.line, Some(2));
    assert!(e.reason.contains("closing quote"), "{e}");
}

#[test]
fn indicator_ids_must_be_positive_whole_numbers() {
    let e = err(b"indicator;region;year;gender;primary value\n-5;1;2020;total;1\n");
    assert_eq!(pos(&e), at(2, "indicator"));
    assert_eq!(
        e.reason,
        "'-5' is not an indicator id (a positive whole number)"
    );
}
