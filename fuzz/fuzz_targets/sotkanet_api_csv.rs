//! Fuzz target `sotkanet_api_csv` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hyte_fuzz::import_with(
    "indicator;region;year;gender;primary value;absolute value\n",
    data
));
