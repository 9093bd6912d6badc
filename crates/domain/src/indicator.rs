//! Indicator vocabulary shared by import, statistics, storage and the UI.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Sotkanet indicator id (Hyte uses Sotkanet's ids as its own).
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
#[serde(transparent)]
pub struct IndicatorId(pub i64);

impl fmt::Display for IndicatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Sex breakdown as Sotkanet names it (`male`, `female`, `total`).
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
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Both sexes together.
    Total,
    /// Men.
    Male,
    /// Women.
    Female,
}

impl Sex {
    /// All values, total first.
    pub const ALL: [Sex; 3] = [Sex::Total, Sex::Male, Sex::Female];

    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Total => "total",
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// A compact storage code (0 total, 1 male, 2 female).
    pub fn code(self) -> i64 {
        match self {
            Sex::Total => 0,
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }

    /// Inverse of [`Sex::code`].
    pub fn from_code(code: i64) -> Option<Sex> {
        match code {
            0 => Some(Sex::Total),
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => None,
        }
    }
}

impl FromStr for Sex {
    type Err = String;
    /// Accepts the API words and the Finnish and Swedish words of Sotkanet's web export.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "total" | "yhteensä" | "yhteensa" | "totalt" | "kaikki" => Ok(Sex::Total),
            "male" | "miehet" | "män" | "men" | "pojat" => Ok(Sex::Male),
            "female" | "naiset" | "kvinnor" | "women" | "tytöt" => Ok(Sex::Female),
            other => Err(format!(
                "unknown gender '{other}' (expected total/male/female or yhteensä/miehet/naiset)"
            )),
        }
    }
}

/// Which direction of an indicator is good; not in Sotkanet, curated by Hyte.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Higher values are better (e.g. employment rate).
    HighIsGood,
    /// Lower values are better (e.g. unemployment).
    LowIsGood,
    /// No judgement: outcomes are Higher/Lower/Similar.
    #[default]
    NoJudgement,
}

impl Polarity {
    /// The storage and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::HighIsGood => "high_is_good",
            Polarity::LowIsGood => "low_is_good",
            Polarity::NoJudgement => "no_judgement",
        }
    }
}

impl FromStr for Polarity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "high_is_good" => Ok(Polarity::HighIsGood),
            "low_is_good" => Ok(Polarity::LowIsGood),
            "no_judgement" | "" => Ok(Polarity::NoJudgement),
            other => Err(format!(
                "unknown polarity '{other}' (expected high_is_good, low_is_good or no_judgement)"
            )),
        }
    }
}

/// The unit of an indicator's primary value, from Sotkanet's `primaryValueType.code`.
///
/// Kept as an open set: codes Hyte does not know stay [`ValueUnit::Other`] and simply
/// get no confidence interval.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValueUnit {
    /// Percent (`PROS`): a proportion times 100.
    Percent,
    /// Per 1 000 (residents or of the named population).
    Per1000,
    /// Per 10 000.
    Per10000,
    /// Per 100 000.
    Per100000,
    /// A count of persons or events.
    Count,
    /// An index (`INDEKSI`); no interval.
    Index,
    /// Euros; no interval.
    Euro,
    /// Any other code, kept as given.
    Other(String),
}

impl ValueUnit {
    /// Parses a Sotkanet `primaryValueType.code` (case-insensitive).
    pub fn from_code(code: &str) -> ValueUnit {
        match code.trim().to_ascii_uppercase().as_str() {
            "PROS" | "PERCENT" | "%" => ValueUnit::Percent,
            "PER1000" | "PROMILLE" => ValueUnit::Per1000,
            "PER10000" => ValueUnit::Per10000,
            "PER100000" => ValueUnit::Per100000,
            "LKM" | "COUNT" | "ABS" => ValueUnit::Count,
            "INDEKSI" | "INDEX" => ValueUnit::Index,
            "EUROA" | "EURO" | "EUR" => ValueUnit::Euro,
            _ => ValueUnit::Other(code.trim().to_string()),
        }
    }

    /// The code Hyte stores (Sotkanet's spelling where it has one).
    pub fn code(&self) -> &str {
        match self {
            ValueUnit::Percent => "PROS",
            ValueUnit::Per1000 => "PER1000",
            ValueUnit::Per10000 => "PER10000",
            ValueUnit::Per100000 => "PER100000",
            ValueUnit::Count => "LKM",
            ValueUnit::Index => "INDEKSI",
            ValueUnit::Euro => "EUROA",
            ValueUnit::Other(c) => c,
        }
    }

    /// The multiplier that turns a fraction into this unit (100 for percent), if the
    /// unit is a proportion or rate; `None` for counts, indices and money.
    pub fn multiplier(&self) -> Option<f64> {
        match self {
            ValueUnit::Percent => Some(100.0),
            ValueUnit::Per1000 => Some(1_000.0),
            ValueUnit::Per10000 => Some(10_000.0),
            ValueUnit::Per100000 => Some(100_000.0),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_words() {
        assert_eq!("yhteensä".parse::<Sex>().unwrap(), Sex::Total);
        assert_eq!("Miehet".parse::<Sex>().unwrap(), Sex::Male);
        assert_eq!("naiset".parse::<Sex>().unwrap(), Sex::Female);
        assert!("x".parse::<Sex>().is_err());
        for s in Sex::ALL {
            assert_eq!(Sex::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn units() {
        assert_eq!(ValueUnit::from_code("PROS").multiplier(), Some(100.0));
        assert_eq!(ValueUnit::from_code("per100000"), ValueUnit::Per100000);
        assert_eq!(ValueUnit::from_code("INDEKSI").multiplier(), None);
        assert_eq!(ValueUnit::from_code("XYZ").code(), "XYZ");
    }
}
