//! Stable string labels for the public enums.
//!
//! Storage and the web layer keep these enums as text, so each one gets an `as_str` and a
//! matching `FromStr`; one macro keeps the two spellings from drifting apart.

use std::fmt;

/// A label that none of the variants of an enum spells.
///
/// Returned by the `FromStr` implementations, so that a corrupt or outdated stored value
/// is reported with its enum's name instead of silently mapped to a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLabelError {
    /// The enum that was being parsed, e.g. `"Outcome"`.
    pub kind: &'static str,
    /// The text that did not match.
    pub input: String,
}

impl fmt::Display for ParseLabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} label '{}'", self.kind, self.input)
    }
}

impl std::error::Error for ParseLabelError {}

/// Implements `ALL`, `as_str` and `FromStr` for a field-less enum from one table.
macro_rules! labels {
    ($ty:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in declaration order (for tests, menus and legends).
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The storage and API spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $label),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::labels::ParseLabelError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($label => Ok($ty::$variant),)+
                    other => Err($crate::labels::ParseLabelError {
                        kind: stringify!($ty),
                        input: other.to_string(),
                    }),
                }
            }
        }
    };
}

pub(crate) use labels;
