//! Fuzz target `sotkanet_indicator_metadata` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hyte_fuzz::import_with(
    r#"{"id":186,"data-updated":"2025-04-29","#,
    data
));
