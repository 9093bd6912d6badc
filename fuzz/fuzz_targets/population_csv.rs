//! Fuzz target `population_csv` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hyte_fuzz::import_with(
    "sotkanet_indicator,kuntakoodi,year,population\n",
    data
));
