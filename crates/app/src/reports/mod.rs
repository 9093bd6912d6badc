//! The report document: its outline and section texts, and the comment threads.

pub mod comments;
pub mod create;
pub mod partners;
pub mod queries;
pub mod sections;
