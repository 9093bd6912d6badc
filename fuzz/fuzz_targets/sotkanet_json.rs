//! Fuzz target `sotkanet_json` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hyte_fuzz::import_with(
    r#"[{"indicator":5,"region":9001,"year":2023,"gender":"total","value":"#,
    data
));
