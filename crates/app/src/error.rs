//! The one error type of every use case.
//!
//! A refusal carries a stable key (a Fluent message id of the web catalogue, e.g.
//! `sec-err-edit-forbidden`) and its named parameters, never translated text: the web
//! layer turns the key into the reader's language on pages and into
//! `{"error": {"status", "code", "message"}}` in the API, so there is one translation
//! scheme. Every key also has an English sentence ([`Refusal::english`]) for logs and
//! for adapters without a catalogue (the command line).

use hyte_store::StoreError;

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

/// A refusal: a stable key, its parameters and an English sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The catalogue key, e.g. `sec-err-edit-forbidden`.
    pub key: &'static str,
    /// Named parameters of the message.
    pub args: Vec<(&'static str, String)>,
    /// The same message in English.
    pub english: String,
}

impl Refusal {
    /// A refusal without parameters.
    pub fn new(key: &'static str, english: impl Into<String>) -> Self {
        Refusal {
            key,
            args: vec![],
            english: english.into(),
        }
    }

    /// Adds a named parameter.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// A refusal whose text comes from a lower layer that has no key (the store's
    /// own checks): shown as it is, under the generic key `err-detail`.
    pub fn detail(english: impl Into<String>) -> Self {
        let english = english.into();
        Refusal {
            key: "err-detail",
            args: vec![("detail", english.clone())],
            english,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english)
    }
}

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller is not signed in.
    #[error("sign in first")]
    Unauthenticated,
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("{0}")]
    NotFound(Refusal),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(Refusal),
    /// Well-formed input refused by a rule.
    #[error("{0}")]
    Refused(Refusal),
    /// One input field is not acceptable.
    #[error("{field}: {refusal}")]
    Invalid {
        /// The field's name as the form and the API spell it.
        field: &'static str,
        /// Why.
        refusal: Refusal,
    },
    /// The change conflicts with the current state (someone else changed it first).
    #[error("{0}")]
    Conflict(Refusal),
    /// The report's text is locked by its approval state.
    #[error("{0}")]
    Locked(Refusal),
    /// The database is not reachable.
    #[error("the database is not reachable right now; try again shortly")]
    Unavailable,
    /// A bug or a broken database: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// 404 with a key.
    pub fn not_found(key: &'static str, english: impl Into<String>) -> Self {
        AppError::NotFound(Refusal::new(key, english))
    }
    /// 403 with a key.
    pub fn forbidden(key: &'static str, english: impl Into<String>) -> Self {
        AppError::Forbidden(Refusal::new(key, english))
    }
    /// 422 with a key.
    pub fn refused(key: &'static str, english: impl Into<String>) -> Self {
        AppError::Refused(Refusal::new(key, english))
    }
    /// 422 naming a field.
    pub fn invalid(field: &'static str, refusal: Refusal) -> Self {
        AppError::Invalid { field, refusal }
    }

    /// The refusal inside, if any.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            AppError::NotFound(r)
            | AppError::Forbidden(r)
            | AppError::Refused(r)
            | AppError::Conflict(r)
            | AppError::Locked(r)
            | AppError::Invalid { refusal: r, .. } => Some(r),
            _ => None,
        }
    }

    /// A stable machine-readable code for the API (`not_found`, `forbidden`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::NotFound(_) => "not_found",
            AppError::Forbidden(_) => "forbidden",
            AppError::Refused(_) => "refused",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::Locked(_) => "locked",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => AppError::NotFound(Refusal::detail(m)),
            StoreError::Conflict(m) if m.contains("locked") => AppError::Locked(Refusal::detail(m)),
            StoreError::Conflict(m) => AppError::Conflict(Refusal::detail(m)),
            StoreError::Invalid(m) => AppError::Refused(Refusal::detail(m)),
            e if e.is_unavailable() => {
                tracing::warn!("database unavailable: {e}");
                AppError::Unavailable
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}
