//! Hyte's domain model: the vocabulary every other layer speaks.
//!
//! This crate is pure: no SQL, no HTTP, no I/O. Values are parsed into validated
//! newtypes at the edges ("parse, don't validate"), so code that holds a
//! [`RegionKey`] or a [`Role`] never has to check it again.

pub mod approval;
pub mod coefficient;
pub mod document;
pub mod indicator;
pub mod password;
pub mod plan;
pub mod process;
pub mod region;
pub mod report;
pub mod role;
pub mod signin;

pub use indicator::{IndicatorId, Polarity, Sex, ValueUnit};
pub use region::{RegionCategory, RegionKey, RegionKeyError};
pub use role::Role;
