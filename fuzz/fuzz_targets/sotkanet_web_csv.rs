//! Fuzz target `sotkanet_web_csv` (see fuzz/README.md).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hyte_fuzz::import_with("\"Indikaattori id\";\"Indikaattori\";\"Alue\";\"Aluekoodi\";\"Alueryhmä\";\"Vuosi\";\"Sukupuoli\";\"Arvo\";\"Absoluuttinen arvo\"\n", data)
});
