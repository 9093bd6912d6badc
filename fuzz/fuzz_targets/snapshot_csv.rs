//! Fuzz target `snapshot_csv` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hyte_fuzz::import_with(
    "indicator,region_category,region_code,region_title_fi,year,gender,value\n",
    data
));
