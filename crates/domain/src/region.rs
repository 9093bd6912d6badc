//! Areas and organisations, identified by `CATEGORY:CODE` with official codes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of an area, named as Sotkanet names its region categories.
///
/// Only the categories Hyte stores are listed; the importer refuses others with a
/// clear message instead of guessing.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegionCategory {
    /// Municipality (kunta / kommun), 3-digit code.
    Kunta,
    /// Wellbeing services county (hyvinvointialue / välfärdsområde), 2-digit code;
    /// `90` is the City of Helsinki and `91` Åland.
    Hyvinvointialue,
    /// Region (maakunta / landskap), 2-digit code.
    Maakunta,
    /// Sub-region (seutukunta / ekonomisk region), 3-digit code.
    Seutukunta,
    /// The whole country; Hyte's one code is `SSS` (Statistics Finland's code for the
    /// whole country), whatever internal code a source uses.
    Maa,
}

impl RegionCategory {
    /// All categories, in hierarchy order from the country down.
    pub const ALL: [RegionCategory; 5] = [
        RegionCategory::Maa,
        RegionCategory::Hyvinvointialue,
        RegionCategory::Maakunta,
        RegionCategory::Seutukunta,
        RegionCategory::Kunta,
    ];

    /// The upper-case name used in ids, the API and Sotkanet (`KUNTA`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RegionCategory::Kunta => "KUNTA",
            RegionCategory::Hyvinvointialue => "HYVINVOINTIALUE",
            RegionCategory::Maakunta => "MAAKUNTA",
            RegionCategory::Seutukunta => "SEUTUKUNTA",
            RegionCategory::Maa => "MAA",
        }
    }

    /// Width of the official code; `None` for the country, whose code is `SSS`.
    pub fn code_width(self) -> Option<usize> {
        match self {
            RegionCategory::Kunta | RegionCategory::Seutukunta => Some(3),
            RegionCategory::Hyvinvointialue | RegionCategory::Maakunta => Some(2),
            RegionCategory::Maa => None,
        }
    }

    /// Whether organisations of this category own workspaces (reports, plans).
    pub fn is_organisation(self) -> bool {
        matches!(
            self,
            RegionCategory::Kunta | RegionCategory::Hyvinvointialue
        )
    }
}

impl fmt::Display for RegionCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegionCategory {
    type Err = RegionKeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "KUNTA" => Ok(RegionCategory::Kunta),
            "HYVINVOINTIALUE" => Ok(RegionCategory::Hyvinvointialue),
            "MAAKUNTA" => Ok(RegionCategory::Maakunta),
            "SEUTUKUNTA" => Ok(RegionCategory::Seutukunta),
            "MAA" => Ok(RegionCategory::Maa),
            other => Err(RegionKeyError::UnknownCategory(other.to_string())),
        }
    }
}

/// Why a region id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionKeyError {
    /// No `:` between category and code.
    #[error("region id '{0}' is not of the form CATEGORY:CODE, e.g. KUNTA:016")]
    Malformed(String),
    /// The category is not one Hyte knows.
    #[error(
        "unknown region category '{0}' (known: KUNTA, HYVINVOINTIALUE, MAAKUNTA, SEUTUKUNTA, MAA)"
    )]
    UnknownCategory(String),
    /// The code has the wrong width or non-digits.
    #[error("region code '{code}' is not valid for {category}: expected {expected}")]
    BadCode {
        /// The category the code was given for.
        category: RegionCategory,
        /// The code as given.
        code: String,
        /// A description of a valid code.
        expected: String,
    },
}

/// A validated area id: category plus official code, e.g. `KUNTA:016` (Asikkala),
/// `HYVINVOINTIALUE:09` (Päijät-Häme), `MAA:SSS` (the whole country).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionKey {
    category: RegionCategory,
    code: String,
}

/// The whole country's code.
pub const COUNTRY_CODE: &str = "SSS";

impl RegionKey {
    /// Builds a key, checking the code's width and digits for the category.
    pub fn new(category: RegionCategory, code: &str) -> Result<Self, RegionKeyError> {
        let code = code.trim();
        let ok = match category.code_width() {
            Some(w) => code.len() == w && code.bytes().all(|b| b.is_ascii_digit()),
            None => code == COUNTRY_CODE,
        };
        if !ok {
            let expected = match category.code_width() {
                Some(w) => format!("{w} digits"),
                None => format!("'{COUNTRY_CODE}'"),
            };
            return Err(RegionKeyError::BadCode {
                category,
                code: code.to_string(),
                expected,
            });
        }
        Ok(RegionKey {
            category,
            code: code.to_string(),
        })
    }

    /// Builds a key from a numeric code as some sources write it (`16` for `016`),
    /// padding it with leading zeros to the category's width.
    pub fn padded(category: RegionCategory, code: &str) -> Result<Self, RegionKeyError> {
        let code = code.trim();
        match category.code_width() {
            Some(w) if code.len() < w && !code.is_empty() => {
                RegionKey::new(category, &format!("{code:0>w$}"))
            }
            _ => RegionKey::new(category, code),
        }
    }

    /// The whole country.
    pub fn country() -> Self {
        RegionKey {
            category: RegionCategory::Maa,
            code: COUNTRY_CODE.to_string(),
        }
    }

    /// The category.
    pub fn category(&self) -> RegionCategory {
        self.category
    }

    /// The official code, with leading zeros.
    pub fn code(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for RegionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.category, self.code)
    }
}

impl FromStr for RegionKey {
    type Err = RegionKeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (cat, code) = s
            .split_once(':')
            .ok_or_else(|| RegionKeyError::Malformed(s.to_string()))?;
        RegionKey::new(cat.parse()?, code)
    }
}

impl Serialize for RegionKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_official_ids() {
        let k: RegionKey = "KUNTA:016".parse().unwrap();
        assert_eq!(k.category(), RegionCategory::Kunta);
        assert_eq!(k.code(), "016");
        assert_eq!(k.to_string(), "KUNTA:016");
        assert_eq!(
            "hyvinvointialue:09"
                .parse::<RegionKey>()
                .unwrap()
                .to_string(),
            "HYVINVOINTIALUE:09"
        );
        assert_eq!(
            "MAA:SSS".parse::<RegionKey>().unwrap(),
            RegionKey::country()
        );
    }

    #[test]
    fn refuses_bad_ids() {
        assert!(matches!(
            "KUNTA016".parse::<RegionKey>(),
            Err(RegionKeyError::Malformed(_))
        ));
        assert!(matches!(
            "KUNTA:16".parse::<RegionKey>(),
            Err(RegionKeyError::BadCode { .. })
        ));
        assert!(matches!(
            "KUNTA:01a".parse::<RegionKey>(),
            Err(RegionKeyError::BadCode { .. })
        ));
        assert!(matches!(
            "LAND:01".parse::<RegionKey>(),
            Err(RegionKeyError::UnknownCategory(_))
        ));
        assert!("MAA:246".parse::<RegionKey>().is_err());
    }

    #[test]
    fn pads_short_codes() {
        let k = RegionKey::padded(RegionCategory::Kunta, "16").unwrap();
        assert_eq!(k.code(), "016");
        let k = RegionKey::padded(RegionCategory::Hyvinvointialue, "5").unwrap();
        assert_eq!(k.code(), "05");
    }
}
