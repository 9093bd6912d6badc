// Shared by the integration tests (each test file includes it as a module).
#![allow(dead_code)]

use std::path::PathBuf;

pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn data(name: &str) -> Vec<hyte_import::DataRow> {
    match hyte_import::parse(&fixture(name)) {
        Ok((_, hyte_import::Parsed::Data(rows))) => rows,
        Ok((f, _)) => panic!("{name}: expected data, got {f:?}"),
        Err(e) => panic!("{name}: {e}"),
    }
}

pub fn err(bytes: &[u8]) -> hyte_import::ImportError {
    match hyte_import::parse(bytes) {
        Ok((f, _)) => panic!("expected an error, parsed as {f:?}"),
        Err(e) => e,
    }
}
