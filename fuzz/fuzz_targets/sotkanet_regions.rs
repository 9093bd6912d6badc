//! Fuzz target `sotkanet_regions` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hyte_fuzz::import_with(
    r#"[{"id":9003,"code":"837","category":"KUNTA","#,
    data
));
