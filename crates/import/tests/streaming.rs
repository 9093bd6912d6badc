//! The streaming CSV reader.

mod common;

use std::io::Read;

use common::fixture;
use hyte_domain::{RegionCategory, RegionKey, Sex};
use hyte_import::{data_rows, parse, Format, Parsed, RegionRef};

/// A reader that hands out at most `n` bytes per call, like a slow network stream.
struct Trickle<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

#[test]
fn streams_200k_generated_rows() {
    // Shaped like the API CSV; the stream must not need the whole file in memory,
    // and the rows must equal what `parse` returns.
    let mut file = String::from("indicator;region;year;gender;primary value;absolute value\n");
    let genders = ["total", "male", "female"];
    let mut n = 0usize;
    'outer: for region in 1..=2000 {
        for year in 1990..2024 {
            for g in genders {
                if n == 200_000 {
                    break 'outer;
                }
                file.push_str(&format!(
                    "5;{region};{year};{g};{}.{};{}\n",
                    n % 100,
                    n % 10,
                    n % 5000
                ));
                n += 1;
            }
        }
    }
    let rows = data_rows(file.as_bytes()).unwrap();
    assert_eq!(rows.format(), Format::SotkanetApiCsv);
    let mut count = 0usize;
    let mut last = None;
    for row in rows {
        let row = row.unwrap();
        count += 1;
        last = Some(row);
    }
    assert_eq!(count, 200_000);
    let last = last.unwrap();
    assert_eq!(last.line, 200_001);
    let (_, Parsed::Data(all)) = parse(file.as_bytes()).unwrap() else {
        panic!("not data")
    };
    assert_eq!(all.len(), 200_000);
    assert_eq!(all[199_999], last);
}

#[test]
fn streams_web_csv_from_a_trickling_reader() {
    let bytes = fixture("web_header.csv");
    let from_slice: Vec<_> = data_rows(&bytes[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for n in [1, 2, 7, 100] {
        let rows = data_rows(Trickle { data: &bytes, n }).unwrap();
        assert_eq!(rows.format(), Format::SotkanetWebCsv);
        let got: Vec<_> = rows.collect::<Result<_, _>>().unwrap();
        assert_eq!(got, from_slice, "chunk size {n}");
    }
}

#[test]
fn counts_skipped_levels_and_continues_after_errors() {
    let file = "Indikaattori;Alue;Aluekoodi;Alueryhmä;Vuosi;Sukupuoli;Arvo\r\n\
                5;HUS;25;Sairaanhoitopiiri;2023;yhteensä;1\r\n\
                5;Helsinki;091;Kunta;20x3;yhteensä;1\r\n\
                \r\n\
                5;Helsinki;091;Kunta;2023;naiset;2,5\r\n\
                ;;;;;;\r\n";
    let mut rows = data_rows(file.as_bytes()).unwrap();
    let e = rows.next().unwrap().unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("Vuosi")));
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.line, 5);
    assert_eq!(row.sex, Sex::Female);
    assert_eq!(row.value, Some(2.5));
    assert_eq!(
        row.region,
        RegionRef::Key(RegionKey::new(RegionCategory::Kunta, "091").unwrap())
    );
    assert!(rows.next().is_none());
    assert_eq!(rows.skipped_other_levels(), 1);
}

#[test]
fn snapshot_and_population_stream_too() {
    let rows: Vec<_> = data_rows(&fixture("snapshot_small.csv")[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 3);
    let population = fixture("population_small.csv");
    let rows = data_rows(&population[..]).unwrap();
    assert_eq!(rows.format(), Format::PopulationCsv);
    assert_eq!(rows.count(), 2);
}

#[test]
fn json_is_refused_by_the_streaming_reader() {
    let e = data_rows(&fixture("data.json")[..]).unwrap_err();
    assert!(e.reason.contains("JSON"), "{e}");
    let e = data_rows(&b""[..]).unwrap_err();
    assert_eq!(e.to_string(), "the file is empty");
}
