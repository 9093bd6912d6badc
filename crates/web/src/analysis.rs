//! The stored values with their benchmarks and judgements live in the application
//! layer (`hyte_app::analysis`); this path stays for the web modules that render them.

pub use hyte_app::analysis::*;
