//! Hyte's application layer: every change a user can make, written once.
//!
//! Each use case is a function of [`App`] that takes the acting user ([`Actor`]) and a
//! typed input and returns a typed output or an [`AppError`]. It authorises (with the
//! one access model of [`access`]), applies the pure rule from `hyte-domain`, and
//! writes the change **and its audit entry in one transaction** (`hyte_store::Tx`).
//! It returns what changed, so that an adapter can refresh its caches explicitly.
//!
//! The web pages, the JSON API and the command line are adapters over these
//! functions; none of them decides a rule of its own. There are no HTTP, HTML or
//! translation types here: refusals carry catalogue keys ([`Refusal`]).

pub mod access;
pub mod accounts;
pub mod actor;
pub mod analysis;
pub mod approval;
pub mod coefficient;
pub mod dialogue;
pub mod error;
pub mod indicators;
pub mod indicators_admin;
pub mod indicators_data;
pub mod lifecycle;
pub mod observations;
pub mod plan;
pub mod process;
pub mod public;
pub mod publication;
pub mod reports;
pub mod sessions;

/// The read models the adapters show, as the store defines them (the application
/// layer's vocabulary for its answers; adapters import them from here, not from
/// `hyte-store`).
pub mod model {
    pub use hyte_store::{
        approval, audit, coefficient, dialogue, indicators, ingest, orgs, plan, process,
        publication, reports, users, versions,
    };
}

/// The store itself, for the adapters' tests only (feature `test-support`): they make
/// fixtures directly in a throwaway database.
#[cfg(feature = "test-support")]
pub mod testing {
    pub use hyte_store::{DatabaseUrl, Store, StoreError, Tx};
}

pub use access::{Access, ReportCtx};
pub use actor::Actor;
pub use error::{AppError, AppResult, Refusal};

use hyte_store::Store;

/// The application: the store behind every use case. Cheap to clone.
#[derive(Clone)]
pub struct App {
    /// The database: only the use cases and queries of this crate touch it, so that
    /// no adapter can change anything past a rule or an audit entry.
    pub(crate) store: Store,
    /// Where the links the application hands out point (`lifecycle::PublicUrl`).
    pub(crate) public_url: lifecycle::PublicUrl,
}

impl App {
    /// The application over a store.
    pub fn new(store: Store) -> Self {
        App {
            store,
            public_url: Default::default(),
        }
    }
}

/// What a use case changed, so that adapters can forget cached outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// A report's text, lists or state.
    Report(i64),
    /// A report's plan (shown live on its public page).
    Plan(i64),
    /// Indicator data (every derived output).
    Data,
}
