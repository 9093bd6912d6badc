//! The HYTE coefficient (hyte-kerroin) and TEAviisari scores.
//!
//! The indicator sets are configuration data (`data/hyte_coefficient/*.csv`, see its
//! README for what is the official definition and what is an approximation), read by
//! [`Config::parse`]. The computation is pure: callers hand in TEAviisari scores and
//! Sotkanet values per organisation, [`compute`] scores every component on a 0–100
//! scale, combines them per block (process, outcome) and into the coefficient, and
//! [`rank`] places one organisation among its peers.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The shipped sets (`data/hyte_coefficient/sets.csv`).
pub const SHIPPED_SETS: &str = include_str!("../../../data/hyte_coefficient/sets.csv");
/// The shipped components (`data/hyte_coefficient/components.csv`).
pub const SHIPPED_COMPONENTS: &str = include_str!("../../../data/hyte_coefficient/components.csv");
/// The shipped TEAviisari sectors and perspectives (`data/hyte_coefficient/teaviisari.csv`).
pub const SHIPPED_TEAVIISARI: &str = include_str!("../../../data/hyte_coefficient/teaviisari.csv");

/// A configuration file that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct ConfigError {
    /// File name.
    pub file: &'static str,
    /// Line number (1 = header).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// A name in the three UI languages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Names {
    /// Finnish.
    pub fi: String,
    /// Swedish.
    pub sv: String,
    /// English.
    pub en: String,
}

impl Names {
    /// The name in a UI language, Finnish as the fallback.
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "sv" if !self.sv.is_empty() => &self.sv,
            "en" if !self.en.is_empty() => &self.en,
            _ => &self.fi,
        }
    }
}

/// Process (what the organisation does, from TEAviisari) or outcome (the population's
/// health and welfare, from Sotkanet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// Toimintaa kuvaava (process) indicator.
    Process,
    /// Tulosta kuvaava (outcome) indicator.
    Outcome,
}

impl ComponentKind {
    /// Storage and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Process => "process",
            ComponentKind::Outcome => "outcome",
        }
    }
}

/// Where a component's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "key", rename_all = "snake_case")]
pub enum Source {
    /// The mean of the organisation's TEAviisari perspective scores of this sector.
    Teaviisari(String),
    /// A Sotkanet indicator's stored values.
    Sotkanet(i64),
    /// Part of the official set but not available in Hyte's offline data.
    Unavailable,
}

/// One indicator of a set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// Id within the set.
    pub id: String,
    /// Process or outcome.
    pub kind: ComponentKind,
    /// Name.
    pub names: Names,
    /// Weight within its block.
    pub weight: f64,
    /// Source of the value.
    pub source: Source,
    /// Whether higher values are better.
    pub high_is_good: bool,
    /// `official_concept` (an item of the official set) or `approximation`.
    pub basis: String,
}

/// One coefficient definition (municipal or welfare-region).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Set {
    /// Id, e.g. `municipal`.
    pub id: String,
    /// Region category of the organisations it applies to (`KUNTA`, `HYVINVOINTIALUE`).
    pub level: String,
    /// Name.
    pub names: Names,
    /// Weight of the process block.
    pub process_weight: f64,
    /// Weight of the outcome block.
    pub outcome_weight: f64,
    /// Its components.
    pub components: Vec<Component>,
}

/// A TEAviisari sector or perspective.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Dimension {
    /// Id (used in forms, the API and CSV files).
    pub id: String,
    /// For sectors, the region category whose organisations report it.
    pub level: String,
    /// Name.
    pub names: Names,
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Coefficient sets.
    pub sets: Vec<Set>,
    /// TEAviisari sectors.
    pub sectors: Vec<Dimension>,
    /// TEAviisari perspectives.
    pub perspectives: Vec<Dimension>,
}

/// Splits one CSV line (RFC 4180 quotes, given delimiter).
pub fn split_csv_line(line: &str, delim: char) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.is_empty() {
            quoted = true;
        } else if c == delim {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    out.push(cur);
    Ok(out)
}

/// A row of a configuration CSV: its line number and its cells by column name.
type ConfigRow = (usize, HashMap<String, String>);

/// Rows of a configuration CSV as header-keyed maps, with their line numbers.
fn rows(file: &'static str, text: &str) -> Result<Vec<ConfigRow>, ConfigError> {
    let err = |line, reason: String| ConfigError { file, line, reason };
    let mut lines = text.lines().enumerate();
    let header = match lines.next() {
        Some((_, h)) => {
            split_csv_line(h.trim_start_matches('\u{feff}'), ',').map_err(|e| err(1, e))?
        }
        None => return Err(err(1, "the file is empty".into())),
    };
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_csv_line(line, ',').map_err(|e| err(i + 1, e))?;
        if cells.len() != header.len() {
            return Err(err(
                i + 1,
                format!("{} fields, the header has {}", cells.len(), header.len()),
            ));
        }
        out.push((
            i + 1,
            header
                .iter()
                .cloned()
                .zip(cells.into_iter().map(|c| c.trim().to_string()))
                .collect(),
        ));
    }
    Ok(out)
}

fn field<'a>(
    file: &'static str,
    line: usize,
    row: &'a HashMap<String, String>,
    name: &str,
) -> Result<&'a str, ConfigError> {
    row.get(name).map(String::as_str).ok_or(ConfigError {
        file,
        line,
        reason: format!("column '{name}' is missing"),
    })
}

fn names(
    file: &'static str,
    line: usize,
    row: &HashMap<String, String>,
) -> Result<Names, ConfigError> {
    Ok(Names {
        fi: field(file, line, row, "name_fi")?.to_string(),
        sv: field(file, line, row, "name_sv")?.to_string(),
        en: field(file, line, row, "name_en")?.to_string(),
    })
}

fn weight(file: &'static str, line: usize, s: &str) -> Result<f64, ConfigError> {
    s.parse::<f64>()
        .ok()
        .filter(|w| w.is_finite() && *w >= 0.0)
        .ok_or(ConfigError {
            file,
            line,
            reason: format!("weight '{s}' is not a non-negative number"),
        })
}

impl Config {
    /// The configuration shipped with Hyte.
    pub fn shipped() -> Result<Config, ConfigError> {
        Config::parse(SHIPPED_SETS, SHIPPED_COMPONENTS, SHIPPED_TEAVIISARI)
    }

    /// Parses the three configuration files; every reference is checked (unknown set,
    /// unknown TEAviisari sector, bad weight, kind, source or polarity).
    pub fn parse(sets: &str, components: &str, teaviisari: &str) -> Result<Config, ConfigError> {
        const T: &str = "teaviisari.csv";
        let mut sectors = Vec::new();
        let mut perspectives = Vec::new();
        for (line, row) in rows(T, teaviisari)? {
            let d = Dimension {
                id: field(T, line, &row, "id")?.to_string(),
                level: field(T, line, &row, "level")?.to_string(),
                names: names(T, line, &row)?,
            };
            match field(T, line, &row, "dimension")? {
                "sector" => sectors.push(d),
                "perspective" => perspectives.push(d),
                other => {
                    return Err(ConfigError {
                        file: T,
                        line,
                        reason: format!("dimension '{other}' is not sector or perspective"),
                    })
                }
            }
        }
        const S: &str = "sets.csv";
        let mut out = Vec::new();
        for (line, row) in rows(S, sets)? {
            out.push(Set {
                id: field(S, line, &row, "set")?.to_string(),
                level: field(S, line, &row, "level")?.to_string(),
                names: names(S, line, &row)?,
                process_weight: weight(S, line, field(S, line, &row, "process_weight")?)?,
                outcome_weight: weight(S, line, field(S, line, &row, "outcome_weight")?)?,
                components: vec![],
            });
        }
        const C: &str = "components.csv";
        for (line, row) in rows(C, components)? {
            let e = |reason: String| ConfigError {
                file: C,
                line,
                reason,
            };
            let set_id = field(C, line, &row, "set")?;
            let kind = match field(C, line, &row, "kind")? {
                "process" => ComponentKind::Process,
                "outcome" => ComponentKind::Outcome,
                k => return Err(e(format!("kind '{k}' is not process or outcome"))),
            };
            let key = field(C, line, &row, "key")?;
            let source = match field(C, line, &row, "source")? {
                "teaviisari" => {
                    if !sectors.iter().any(|s| s.id == key) {
                        return Err(e(format!("'{key}' is not a TEAviisari sector")));
                    }
                    Source::Teaviisari(key.to_string())
                }
                "sotkanet" => Source::Sotkanet(
                    key.parse()
                        .map_err(|_| e(format!("'{key}' is not a Sotkanet indicator id")))?,
                ),
                "unavailable" => Source::Unavailable,
                s => {
                    return Err(e(format!(
                        "source '{s}' is not teaviisari, sotkanet or unavailable"
                    )))
                }
            };
            let high_is_good = match field(C, line, &row, "polarity")? {
                "high_is_good" => true,
                "low_is_good" => false,
                p => {
                    return Err(e(format!(
                        "polarity '{p}' is not high_is_good or low_is_good"
                    )))
                }
            };
            let component = Component {
                id: field(C, line, &row, "id")?.to_string(),
                kind,
                names: names(C, line, &row)?,
                weight: weight(C, line, field(C, line, &row, "weight")?)?,
                source,
                high_is_good,
                basis: field(C, line, &row, "basis")?.to_string(),
            };
            let set = out
                .iter_mut()
                .find(|s| s.id == set_id)
                .ok_or_else(|| e(format!("set '{set_id}' is not in sets.csv")))?;
            if set.components.iter().any(|c| c.id == component.id) {
                return Err(e(format!("component '{}' is listed twice", component.id)));
            }
            set.components.push(component);
        }
        Ok(Config {
            sets: out,
            sectors,
            perspectives,
        })
    }

    /// The set for organisations of a region category (`KUNTA`, `HYVINVOINTIALUE`).
    pub fn set_for_level(&self, level: &str) -> Option<&Set> {
        self.sets.iter().find(|s| s.level == level)
    }

    /// The TEAviisari sectors an organisation of this category reports.
    pub fn sectors_for_level(&self, level: &str) -> Vec<&Dimension> {
        self.sectors.iter().filter(|s| s.level == level).collect()
    }
}

// ---------------------------------------------------------------------------
// TEAviisari scores: validation and CSV import
// ---------------------------------------------------------------------------

/// A TEAviisari score that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// Not a number.
    #[error("'{0}' is not a number")]
    NotNumber(String),
    /// Outside 0–100.
    #[error("{0} is not between 0 and 100")]
    OutOfRange(String),
    /// The year is not plausible.
    #[error("year '{0}' is not a year from 2010 to 2100")]
    BadYear(String),
}

/// Parses a score typed by a person: decimal point or comma, 0–100.
pub fn parse_score(text: &str) -> Result<f64, ScoreError> {
    let t = text.trim().replace(',', ".");
    let v: f64 = t
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| ScoreError::NotNumber(text.trim().to_string()))?;
    if !(0.0..=100.0).contains(&v) {
        return Err(ScoreError::OutOfRange(text.trim().to_string()));
    }
    Ok(v)
}

/// Parses a year of TEAviisari data collection (TEAviisari started in 2010).
pub fn parse_year(text: &str) -> Result<i64, ScoreError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2010..=2100).contains(y))
        .ok_or_else(|| ScoreError::BadYear(text.trim().to_string()))
}

/// One TEAviisari score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    /// Year of data collection.
    pub year: i64,
    /// Sector id.
    pub sector: String,
    /// Perspective id.
    pub perspective: String,
    /// Score 0–100.
    pub score: f64,
}

/// A problem in an imported CSV file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CsvProblem {
    /// Line number in the file (1 = header).
    pub line: usize,
    /// Column name.
    pub field: String,
    /// What is wrong, in English.
    pub reason: String,
    /// What is wrong, as a stable code for translations: `empty`, `quote`, `header`,
    /// `field_count`, `not_number`, `out_of_range`, `bad_year`, `unknown_sector`,
    /// `unknown_perspective`, `duplicate`, `no_scores`.
    pub code: &'static str,
    /// The offending value (or, for `duplicate`, the earlier line; for `field_count`,
    /// the number of fields).
    pub value: String,
}

impl std::fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, field {}: {}",
            self.line, self.field, self.reason
        )
    }
}

/// Parses a TEAviisari CSV file: header `year,sector,perspective,score` (any order;
/// `;` as the delimiter with decimal commas also accepted, as exported by Finnish
/// spreadsheets). Sectors must be ones the organisation's level reports. Returns every
/// problem found, so that a person can fix the file in one go; the caller saves
/// nothing unless the list is empty.
pub fn parse_scores_csv(
    text: &str,
    config: &Config,
    level: &str,
) -> Result<Vec<ScoreRow>, Vec<CsvProblem>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate();
    let problem =
        |line: usize, field: &str, code: &'static str, value: String, reason: String| CsvProblem {
            line,
            field: field.to_string(),
            reason,
            code,
            value,
        };
    let Some((_, header_line)) = lines.next() else {
        return Err(vec![problem(
            1,
            "header",
            "empty",
            String::new(),
            "the file is empty".into(),
        )]);
    };
    let delim = if header_line.contains(';') { ';' } else { ',' };
    let header: Vec<String> = match split_csv_line(header_line, delim) {
        Ok(h) => h.into_iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => return Err(vec![problem(1, "header", "quote", String::new(), e)]),
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(cy), Some(cs), Some(cp), Some(cv)) =
        (col("year"), col("sector"), col("perspective"), col("score"))
    else {
        return Err(vec![problem(
            1,
            "header",
            "header",
            header_line.to_string(),
            "the header must name the columns year, sector, perspective and score".into(),
        )]);
    };
    let sectors = config.sectors_for_level(level);
    let mut out: Vec<ScoreRow> = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<(i64, String, String), usize> = HashMap::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells = match split_csv_line(line, delim) {
            Ok(c) if c.len() == header.len() => c,
            Ok(c) => {
                problems.push(problem(
                    n,
                    "row",
                    "field_count",
                    c.len().to_string(),
                    format!("{} fields, the header has {}", c.len(), header.len()),
                ));
                continue;
            }
            Err(e) => {
                problems.push(problem(n, "row", "quote", String::new(), e));
                continue;
            }
        };
        let before = problems.len();
        let year = parse_year(&cells[cy]).map_err(|e| {
            problems.push(problem(
                n,
                "year",
                "bad_year",
                cells[cy].trim().to_string(),
                e.to_string(),
            ))
        });
        let sector = cells[cs].trim().to_string();
        if !sectors.iter().any(|s| s.id == sector) {
            let known: Vec<&str> = sectors.iter().map(|s| s.id.as_str()).collect();
            problems.push(problem(
                n,
                "sector",
                "unknown_sector",
                sector.clone(),
                format!(
                    "'{sector}' is not a sector reported here ({})",
                    known.join(", ")
                ),
            ));
        }
        let perspective = cells[cp].trim().to_string();
        if !config.perspectives.iter().any(|p| p.id == perspective) {
            let known: Vec<&str> = config.perspectives.iter().map(|p| p.id.as_str()).collect();
            problems.push(problem(
                n,
                "perspective",
                "unknown_perspective",
                perspective.clone(),
                format!(
                    "'{perspective}' is not a perspective ({})",
                    known.join(", ")
                ),
            ));
        }
        let score = parse_score(&cells[cv]).map_err(|e| {
            let code = match e {
                ScoreError::OutOfRange(_) => "out_of_range",
                _ => "not_number",
            };
            problems.push(problem(
                n,
                "score",
                code,
                cells[cv].trim().to_string(),
                e.to_string(),
            ))
        });
        if problems.len() > before {
            continue;
        }
        if let (Ok(year), Ok(score)) = (year, score) {
            if let Some(first) = seen.insert((year, sector.clone(), perspective.clone()), n) {
                problems.push(problem(
                    n,
                    "row",
                    "duplicate",
                    first.to_string(),
                    format!("the same year, sector and perspective are already on line {first}"),
                ));
                continue;
            }
            out.push(ScoreRow {
                year,
                sector,
                perspective,
                score,
            });
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(problem(
            2,
            "row",
            "no_scores",
            String::new(),
            "the file has no scores".into(),
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------
// Computation
// ---------------------------------------------------------------------------

/// TEAviisari scores of one organisation: sector → (latest year, perspective → score).
pub type SectorScores = HashMap<String, (i64, BTreeMap<String, f64>)>;

/// The inputs of one organisation.
#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    /// Organisation key.
    pub key: String,
    /// Its welfare region, for ranks within the region.
    pub welfare_region: Option<String>,
    /// Latest TEAviisari scores per sector: `(year, perspective → score)`.
    pub teaviisari: SectorScores,
}

/// The values of one Sotkanet indicator: year → organisation → value, and the
/// country's value per year where stored.
#[derive(Debug, Clone, Default)]
pub struct OutcomeData {
    /// Values of the peers (organisations of the set's level).
    pub by_year: BTreeMap<i64, HashMap<String, f64>>,
    /// The whole country's value per year.
    pub national: BTreeMap<i64, f64>,
}

/// One component's result for one organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentValue {
    /// Component id.
    pub id: String,
    /// Process or outcome.
    pub kind: ComponentKind,
    /// Year of the value.
    pub year: Option<i64>,
    /// The value in its own unit (TEAviisari points, or the indicator's unit).
    pub value: Option<f64>,
    /// The reference value: the country's (or, when the country has no stored value,
    /// the mean of the peers), for TEAviisari the mean of the peers with scores.
    pub national: Option<f64>,
    /// Whether `national` is the country's stored value (`false`: the peers' mean).
    pub national_is_stored: bool,
    /// The 0–100 score used in the coefficient.
    pub score: Option<f64>,
    /// Why there is no value: `not_entered`, `no_data`, `unavailable`.
    pub missing: Option<&'static str>,
}

/// One organisation's coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgResult {
    /// Organisation key.
    pub key: String,
    /// Welfare region.
    pub welfare_region: Option<String>,
    /// Every component, in configuration order.
    pub components: Vec<ComponentValue>,
    /// Weighted mean of the process components with a score.
    pub process: Option<f64>,
    /// Weighted mean of the outcome components with a score.
    pub outcome: Option<f64>,
    /// The coefficient: weighted mean of the blocks that have a score.
    pub coefficient: Option<f64>,
    /// Whether both blocks have a score (ranks of the coefficient compare only these).
    pub both_blocks: bool,
    /// Whether every configured component has a score.
    pub complete: bool,
}

fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    Some((m, var.sqrt()))
}

/// Scores a value against the reference as a T-score: 50 at the reference, ±10 per
/// standard deviation of the peers' values (sign turned so that better is higher),
/// limited to 0–100. With no spread every value scores 50.
pub fn standardised_score(value: f64, reference: f64, sd: f64, high_is_good: bool) -> f64 {
    if sd.is_nan() || sd <= 0.0 {
        return 50.0;
    }
    let z = (value - reference) / sd;
    let z = if high_is_good { z } else { -z };
    (50.0 + 10.0 * z).clamp(0.0, 100.0)
}

fn weighted_mean(pairs: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut sum, mut w) = (0.0, 0.0);
    for (v, wt) in pairs {
        sum += v * wt;
        w += wt;
    }
    (w > 0.0).then(|| sum / w)
}

/// Computes the coefficient of every organisation of a set.
///
/// - A TEAviisari component is the mean of the sector's perspective scores of the
///   latest year entered (already 0–100); its reference is the mean of the peers.
/// - A Sotkanet component takes the organisation's latest year with a value and scores
///   it with [`standardised_score`] against the country's value of that year (the
///   peers' mean if the country has none) and the spread of the peers that year.
/// - Blocks are weighted means of the components that have a score; the coefficient is
///   the weighted mean of the blocks that have one. Missing data is never filled in.
pub fn compute(
    set: &Set,
    orgs: &[OrgInput],
    outcomes: &HashMap<i64, OutcomeData>,
) -> Vec<OrgResult> {
    // Reference for TEAviisari sectors: mean of the peers' sector means.
    let sector_mean = |o: &OrgInput, sector: &str| -> Option<(i64, f64)> {
        let (year, scores) = o.teaviisari.get(sector)?;
        let v: Vec<f64> = scores.values().copied().collect();
        mean_sd(&v).map(|(m, _)| (*year, m))
    };
    let mut teaviisari_ref: HashMap<&str, f64> = HashMap::new();
    for c in &set.components {
        if let Source::Teaviisari(sector) = &c.source {
            let v: Vec<f64> = orgs
                .iter()
                .filter_map(|o| sector_mean(o, sector))
                .map(|x| x.1)
                .collect();
            if let Some((m, _)) = mean_sd(&v) {
                teaviisari_ref.insert(sector.as_str(), m);
            }
        }
    }
    // Mean and spread per Sotkanet indicator and year.
    let mut spread: HashMap<(i64, i64), (f64, f64)> = HashMap::new();
    for (id, data) in outcomes {
        for (year, by_org) in &data.by_year {
            let v: Vec<f64> = by_org.values().copied().collect();
            if let Some(ms) = mean_sd(&v) {
                spread.insert((*id, *year), ms);
            }
        }
    }
    orgs.iter()
        .map(|o| {
            let components: Vec<ComponentValue> = set
                .components
                .iter()
                .map(|c| {
                    let mut cv = ComponentValue {
                        id: c.id.clone(),
                        kind: c.kind,
                        year: None,
                        value: None,
                        national: None,
                        national_is_stored: false,
                        score: None,
                        missing: None,
                    };
                    match &c.source {
                        Source::Unavailable => cv.missing = Some("unavailable"),
                        Source::Teaviisari(sector) => {
                            cv.national = teaviisari_ref.get(sector.as_str()).copied();
                            match sector_mean(o, sector) {
                                Some((year, v)) => {
                                    cv.year = Some(year);
                                    cv.value = Some(v);
                                    cv.score = Some(v);
                                }
                                None => cv.missing = Some("not_entered"),
                            }
                        }
                        Source::Sotkanet(id) => {
                            let latest = outcomes.get(id).and_then(|d| {
                                d.by_year
                                    .iter()
                                    .rev()
                                    .find_map(|(y, m)| m.get(&o.key).map(|v| (*y, *v)))
                            });
                            match latest {
                                Some((year, v)) => {
                                    let (mean, sd) =
                                        spread.get(&(*id, year)).copied().unwrap_or((v, 0.0));
                                    let stored = outcomes
                                        .get(id)
                                        .and_then(|d| d.national.get(&year))
                                        .copied();
                                    let reference = stored.unwrap_or(mean);
                                    cv.year = Some(year);
                                    cv.value = Some(v);
                                    cv.national = Some(reference);
                                    cv.national_is_stored = stored.is_some();
                                    cv.score =
                                        Some(standardised_score(v, reference, sd, c.high_is_good));
                                }
                                None => cv.missing = Some("no_data"),
                            }
                        }
                    }
                    cv
                })
                .collect();
            let block = |kind: ComponentKind| {
                weighted_mean(
                    set.components
                        .iter()
                        .zip(&components)
                        .filter(|(c, _)| c.kind == kind)
                        .filter_map(|(c, v)| v.score.map(|s| (s, c.weight))),
                )
            };
            let process = block(ComponentKind::Process);
            let outcome = block(ComponentKind::Outcome);
            let coefficient = weighted_mean(
                [(process, set.process_weight), (outcome, set.outcome_weight)]
                    .into_iter()
                    .filter_map(|(v, w)| v.map(|v| (v, w))),
            );
            OrgResult {
                key: o.key.clone(),
                welfare_region: o.welfare_region.clone(),
                complete: components.iter().all(|c| c.score.is_some()),
                both_blocks: process.is_some() && outcome.is_some(),
                components,
                process,
                outcome,
                coefficient,
            }
        })
        .collect()
}

/// A place in a ranking: 1 is the best; ties share the better place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = HyteRank)]
pub struct Rank {
    /// Position.
    pub position: usize,
    /// How many were ranked.
    pub of: usize,
}

/// What to rank by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric<'a> {
    /// The coefficient, among organisations that have both blocks.
    Coefficient,
    /// The process block.
    Process,
    /// The outcome block.
    Outcome,
    /// One component's score.
    Component(&'a str),
}

fn metric_value(r: &OrgResult, m: Metric<'_>) -> Option<f64> {
    match m {
        Metric::Coefficient => r.coefficient.filter(|_| r.both_blocks),
        Metric::Process => r.process,
        Metric::Outcome => r.outcome,
        Metric::Component(id) => r
            .components
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.score),
    }
}

/// The rank of `key` by `metric` among `results` accepted by `peer` (higher is
/// better). `None` when the organisation itself has no value.
pub fn rank(
    results: &[OrgResult],
    key: &str,
    metric: Metric<'_>,
    peer: impl Fn(&OrgResult) -> bool,
) -> Option<Rank> {
    let own = results
        .iter()
        .find(|r| r.key == key)
        .and_then(|r| metric_value(r, metric))?;
    let values: Vec<f64> = results
        .iter()
        .filter(|r| peer(r) || r.key == key)
        .filter_map(|r| metric_value(r, metric))
        .collect();
    Some(Rank {
        position: 1 + values.iter().filter(|v| **v > own + 1e-9).count(),
        of: values.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config::shipped().expect("shipped configuration parses")
    }

    #[test]
    fn shipped_configuration_is_valid() {
        let c = cfg();
        let m = c.set_for_level("KUNTA").unwrap();
        assert_eq!(
            m.components
                .iter()
                .filter(|c| c.kind == ComponentKind::Process)
                .count(),
            4
        );
        // The official process weights follow the item counts per sector (5+4+5+1 = 15).
        let w: f64 = m
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::Process)
            .map(|c| c.weight)
            .sum();
        assert_eq!(w, 15.0);
        assert!(c.set_for_level("HYVINVOINTIALUE").is_some());
        assert_eq!(c.perspectives.len(), 7);
        assert_eq!(c.sectors_for_level("KUNTA").len(), 5);
    }

    #[test]
    fn configuration_errors_name_file_and_line() {
        let bad = "set,id,kind,name_fi,name_sv,name_en,weight,source,key,polarity,basis\nmunicipal,x,process,a,b,c,1,teaviisari,nope,high_is_good,approximation\n";
        let e = Config::parse(SHIPPED_SETS, bad, SHIPPED_TEAVIISARI).unwrap_err();
        assert_eq!((e.file, e.line), ("components.csv", 2));
        assert!(e.reason.contains("nope"));
    }

    #[test]
    fn scores_are_validated() {
        assert_eq!(parse_score("87,5"), Ok(87.5));
        assert_eq!(parse_score(" 0 "), Ok(0.0));
        assert!(matches!(
            parse_score("100.1"),
            Err(ScoreError::OutOfRange(_))
        ));
        assert!(matches!(parse_score("-1"), Err(ScoreError::OutOfRange(_))));
        assert!(matches!(parse_score("abc"), Err(ScoreError::NotNumber(_))));
        assert!(matches!(parse_score("NaN"), Err(ScoreError::NotNumber(_))));
        assert!(parse_year("2009").is_err());
        assert_eq!(parse_year("2025"), Ok(2025));
    }

    #[test]
    fn csv_problems_carry_line_and_field() {
        let c = cfg();
        let text = "year,sector,perspective,score\n2025,kuntajohto,sitoutuminen,80\n2025,kuntajohto,johtaminen,120\n20x5,kunta,sitoutuminen,50\n2025,kuntajohto,sitoutuminen,70\n";
        let p = parse_scores_csv(text, &c, "KUNTA").unwrap_err();
        let got: Vec<(usize, &str)> = p.iter().map(|p| (p.line, p.field.as_str())).collect();
        assert_eq!(
            got,
            vec![(3, "score"), (4, "year"), (4, "sector"), (5, "row")]
        );
        let ok = parse_scores_csv("vuosi;x\n", &c, "KUNTA").unwrap_err();
        assert_eq!(ok[0].field, "header");
        let semi = parse_scores_csv(
            "year;sector;perspective;score\n2025;liikunta;osallisuus;66,5\n",
            &c,
            "KUNTA",
        )
        .unwrap();
        assert_eq!(semi[0].score, 66.5);
        // A welfare region does not report the municipal sectors.
        assert!(parse_scores_csv(
            "year,sector,perspective,score\n2025,liikunta,osallisuus,5\n",
            &c,
            "HYVINVOINTIALUE"
        )
        .is_err());
    }

    #[test]
    fn standardised_scores_by_hand() {
        // Values 10, 20, 30: mean 20, population sd sqrt(200/3) = 8.16497.
        let sd = (200.0f64 / 3.0).sqrt();
        // 10 where low is good: z = +1.224745 → 62.247.
        assert!((standardised_score(10.0, 20.0, sd, false) - 62.247_45).abs() < 1e-4);
        assert!((standardised_score(30.0, 20.0, sd, false) - 37.752_55).abs() < 1e-4);
        assert_eq!(standardised_score(20.0, 20.0, sd, true), 50.0);
        assert_eq!(standardised_score(1000.0, 20.0, sd, true), 100.0);
        assert_eq!(standardised_score(5.0, 5.0, 0.0, true), 50.0);
    }

    fn small_set() -> Set {
        let comp = |id: &str, kind, weight, source, high| Component {
            id: id.into(),
            kind,
            names: Names::default(),
            weight,
            source,
            high_is_good: high,
            basis: "approximation".into(),
        };
        Set {
            id: "t".into(),
            level: "KUNTA".into(),
            names: Names::default(),
            process_weight: 0.5,
            outcome_weight: 0.5,
            components: vec![
                comp(
                    "a",
                    ComponentKind::Process,
                    3.0,
                    Source::Teaviisari("kuntajohto".into()),
                    true,
                ),
                comp(
                    "b",
                    ComponentKind::Process,
                    1.0,
                    Source::Teaviisari("kulttuuri".into()),
                    true,
                ),
                comp("o", ComponentKind::Outcome, 1.0, Source::Sotkanet(1), false),
                comp("u", ComponentKind::Outcome, 1.0, Source::Unavailable, false),
            ],
        }
    }

    /// Test input: (sector, year, [(perspective, score)]).
    type Entered<'a> = (&'a str, i64, &'a [(&'a str, f64)]);

    fn org(key: &str, region: &str, tv: &[Entered<'_>]) -> OrgInput {
        OrgInput {
            key: key.into(),
            welfare_region: Some(region.into()),
            teaviisari: tv
                .iter()
                .map(|(s, y, p)| {
                    (
                        s.to_string(),
                        (*y, p.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn coefficient_and_ranks_by_hand() {
        let set = small_set();
        let orgs = vec![
            org(
                "A",
                "R1",
                &[
                    (
                        "kuntajohto",
                        2025,
                        &[("sitoutuminen", 80.0), ("johtaminen", 60.0)],
                    ),
                    ("kulttuuri", 2024, &[("osallisuus", 30.0)]),
                ],
            ),
            org("B", "R1", &[]),
            org(
                "C",
                "R2",
                &[("kuntajohto", 2025, &[("sitoutuminen", 90.0)])],
            ),
        ];
        let mut data = OutcomeData::default();
        // 2012 is the latest year for A and C; B has only 2011.
        data.by_year.insert(2011, [("B".to_string(), 40.0)].into());
        data.by_year.insert(
            2012,
            [
                ("A".to_string(), 10.0),
                ("C".to_string(), 30.0),
                ("X".to_string(), 20.0),
            ]
            .into(),
        );
        data.national.insert(2012, 20.0);
        let out = compute(&set, &orgs, &[(1, data)].into());
        let a = &out[0];
        // Process: kuntajohto mean 70 (weight 3), kulttuuri 30 (weight 1) → (210+30)/4 = 60.
        assert_eq!(a.components[0].value, Some(70.0));
        assert_eq!(a.process, Some(60.0));
        // Outcome: 10 vs national 20, sd of {10, 30, 20} = 8.16497, low is good → 62.247.
        assert!((a.outcome.unwrap() - 62.247_45).abs() < 1e-4);
        // Coefficient: (60 + 62.247) / 2 = 61.124.
        assert!((a.coefficient.unwrap() - 61.123_72).abs() < 1e-4);
        assert!(a.both_blocks && !a.complete);
        assert_eq!(a.components[3].missing, Some("unavailable"));
        // Reference of kuntajohto: mean of A 70 and C 90 = 80.
        assert_eq!(a.components[0].national, Some(80.0));
        // B: nothing entered; outcome of its own latest year 2011 (single value → 50).
        let b = &out[1];
        assert_eq!(b.process, None);
        assert_eq!(b.components[0].missing, Some("not_entered"));
        assert_eq!(b.components[2].year, Some(2011));
        assert_eq!(b.coefficient, Some(50.0));
        assert!(!b.both_blocks);
        // C: process 90, outcome 37.75 → 63.876.
        let c = &out[2];
        assert!((c.coefficient.unwrap() - 63.876_27).abs() < 1e-4);
        // Ranks of the coefficient compare only organisations with both blocks: C, A.
        assert_eq!(
            rank(&out, "A", Metric::Coefficient, |_| true),
            Some(Rank { position: 2, of: 2 })
        );
        assert_eq!(rank(&out, "B", Metric::Coefficient, |_| true), None);
        // Outcome ranks: A 62.2, B 50, C 37.8.
        assert_eq!(
            rank(&out, "B", Metric::Outcome, |_| true),
            Some(Rank { position: 2, of: 3 })
        );
        // Within region R1: A and B.
        assert_eq!(
            rank(&out, "B", Metric::Outcome, |r| r.welfare_region.as_deref()
                == Some("R1")),
            Some(Rank { position: 2, of: 2 })
        );
        assert_eq!(
            rank(&out, "A", Metric::Component("o"), |_| true),
            Some(Rank { position: 1, of: 3 })
        );
    }
}
