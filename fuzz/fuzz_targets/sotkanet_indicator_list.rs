//! Fuzz target `sotkanet_indicator_list` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hyte_fuzz::import_with(r#"[{"id":5,"title":"#, data));
