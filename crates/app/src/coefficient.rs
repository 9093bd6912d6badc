//! The HYTE coefficient and its TEAviisari scores.
//!
//! Who may: whoever may read an organisation (its members, its welfare region,
//! admins) reads its coefficient and scores; its coordinators and the admins enter
//! and import scores ([`can_edit_scores`]); the welfare region does not. The
//! computation itself is `hyte_domain::coefficient`'s; this module gathers its
//! inputs (TEAviisari scores, Sotkanet values of every peer), ranks the result and
//! records score changes with their audit entry in one transaction.

use crate::access::{org_access, Access};
use crate::{Actor, App, AppError, AppResult, Refusal};
use hyte_domain::coefficient::{
    compute, parse_scores_csv, parse_year, rank, ComponentKind, Config, CsvProblem, Metric,
    OrgInput, OrgResult, OutcomeData, Rank, SectorScores, Set, Source,
};
use hyte_domain::{IndicatorId, RegionKey, Role, Sex};
use hyte_store::coefficient::{ScoreChange, StoredScore};
use hyte_store::indicators::ValueQuery;
use hyte_store::orgs::Region;
use hyte_store::users::User;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

/// The shipped configuration (`data/hyte_coefficient`), parsed once.
pub fn config() -> AppResult<&'static Config> {
    static CONFIG: OnceLock<Result<Config, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| Config::shipped().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| AppError::Internal(format!("the HYTE coefficient configuration: {e}")))
}

/// The set that applies to an organisation, or 404.
pub fn set_of(region: &Region) -> AppResult<&'static Set> {
    config()?
        .set_for_level(region.key.category().as_str())
        .ok_or_else(|| {
            AppError::NotFound(
                Refusal::new(
                    "hc-err-no-set",
                    format!("{} has no HYTE coefficient", region.key),
                )
                .arg("org", &region.key),
            )
        })
}

/// Whether the user may enter TEAviisari scores of the organisation: its
/// coordinators and the admins.
pub fn can_edit_scores(user: &User, region: &Region) -> bool {
    org_access(user, region).is_some_and(|a| a.at_least(Role::Coordinator))
}

/// An organisation whose non-public work the actor may read (404 unknown, 403
/// another organisation's), with the actor's access. Shared by the coefficient and
/// the dialogue.
pub(crate) async fn readable_org(
    app: &App,
    actor: &Actor,
    key: &RegionKey,
) -> AppResult<(Region, Access)> {
    let region = app.organisation(key).await?;
    match org_access(&actor.user, &region) {
        Some(acc) => Ok((region, acc)),
        None => Err(AppError::Forbidden(
            Refusal::new(
                "err-org-forbidden",
                format!("you do not have access to {}'s work", region.name("en")),
            )
            .arg("org", region.name("fi")),
        )),
    }
}

/// One component as shown and returned by the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HyteComponent)]
pub struct ComponentView {
    /// Id within the set.
    pub id: String,
    /// `process` or `outcome`.
    pub kind: ComponentKind,
    /// Name in the request's language.
    pub name: String,
    /// Weight within the block.
    pub weight: f64,
    /// `official_concept` or `approximation`.
    pub basis: String,
    /// Source: `teaviisari`, `sotkanet` or `unavailable`.
    pub source: String,
    /// TEAviisari sector or Sotkanet indicator id.
    pub source_key: Option<String>,
    /// Whether higher values are better.
    pub high_is_good: bool,
    /// Year of the value.
    pub year: Option<i64>,
    /// Value in its own unit.
    pub value: Option<f64>,
    /// Reference value (country, or mean of peers).
    pub national: Option<f64>,
    /// Whether the reference is the country's stored value.
    pub national_is_stored: bool,
    /// Value minus reference.
    pub difference: Option<f64>,
    /// Score 0–100.
    pub score: Option<f64>,
    /// Why there is no value: `not_entered`, `no_data`, `unavailable`.
    pub missing: Option<&'static str>,
    /// Rank among all peers with a score.
    pub rank: Option<Rank>,
    /// Rank within the welfare region.
    pub rank_in_region: Option<Rank>,
}

/// A block (process, outcome) or the coefficient itself.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HyteFigure)]
pub struct Figure {
    /// Score 0–100.
    pub value: Option<f64>,
    /// Distance to the national level (50 by construction of the scores).
    pub distance_to_national: Option<f64>,
    /// Rank among all peers.
    pub rank: Option<Rank>,
    /// Rank within the welfare region.
    pub rank_in_region: Option<Rank>,
}

/// One peer in the welfare-region comparison.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HytePeer)]
pub struct PeerValue {
    /// Organisation key.
    pub org: String,
    /// Name.
    pub name: String,
    /// Coefficient (only where both blocks have a score).
    pub coefficient: Option<f64>,
    /// Outcome block.
    pub outcome: Option<f64>,
}

/// The coefficient of one organisation, for the page and the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HyteCoefficient)]
pub struct CoefficientReport {
    /// Organisation.
    pub org: String,
    /// Set id.
    pub set: String,
    /// Set name.
    pub set_name: String,
    /// Weight of the process block.
    pub process_weight: f64,
    /// Weight of the outcome block.
    pub outcome_weight: f64,
    /// The coefficient (only ranked among peers with both blocks).
    pub coefficient: Figure,
    /// The process block.
    pub process: Figure,
    /// The outcome block.
    pub outcome: Figure,
    /// Whether both blocks have a score.
    pub both_blocks: bool,
    /// Whether every component has a score.
    pub complete: bool,
    /// Components in configuration order.
    pub components: Vec<ComponentView>,
    /// How many peers (organisations of the same kind) exist.
    pub peers: usize,
    /// Peers in the same welfare region (municipalities) with their values.
    pub region_peers: Vec<PeerValue>,
    /// How the scores are computed, in one sentence (English, stable for the API).
    pub method: &'static str,
}

const METHOD: &str = "process components are the mean of the sector's TEAviisari perspective scores (latest year entered); outcome components are the latest Sotkanet value scored as 50 + 10 × z against the country's value (the peers' mean where the country has none) and the peers' standard deviation that year, turned so that better is higher and limited to 0–100; blocks and the coefficient are weighted means of what exists; see data/hyte_coefficient/README.md";

/// Latest TEAviisari year per sector of each organisation, from stored scores.
pub fn teaviisari_inputs(scores: &[StoredScore]) -> HashMap<String, SectorScores> {
    let mut out: HashMap<String, SectorScores> = HashMap::new();
    for s in scores {
        let sectors = out.entry(s.org.clone()).or_default();
        let entry = sectors
            .entry(s.sector.clone())
            .or_insert_with(|| (s.year, BTreeMap::new()));
        if s.year > entry.0 {
            *entry = (s.year, BTreeMap::new());
        }
        if s.year == entry.0 {
            entry.1.insert(s.perspective.clone(), s.score);
        }
    }
    out
}

/// Computes a set for all its peers (the organisations of its level).
async fn compute_all(app: &App, set: &Set) -> AppResult<(Vec<Region>, Vec<OrgResult>)> {
    let peers: Vec<Region> = app
        .store
        .organisations()
        .await?
        .into_iter()
        .filter(|r| r.key.category().as_str() == set.level)
        .collect();
    let keys: HashSet<String> = peers.iter().map(|r| r.key.to_string()).collect();
    let scores = app.store.all_teaviisari_scores().await?;
    let mut tv = teaviisari_inputs(&scores);
    let inputs: Vec<OrgInput> = peers
        .iter()
        .map(|r| OrgInput {
            key: r.key.to_string(),
            welfare_region: r.welfare_region.as_ref().map(|k| k.to_string()),
            teaviisari: tv.remove(&r.key.to_string()).unwrap_or_default(),
        })
        .collect();
    let mut outcomes: HashMap<i64, OutcomeData> = HashMap::new();
    for c in &set.components {
        let Source::Sotkanet(id) = c.source else {
            continue;
        };
        if outcomes.contains_key(&id) {
            continue;
        }
        let values = app
            .store
            .values(
                IndicatorId(id),
                &ValueQuery {
                    sex: Some(Sex::Total),
                    ..Default::default()
                },
            )
            .await?;
        let mut data = OutcomeData::default();
        for v in values {
            let Some(value) = v.value.filter(|x| x.is_finite()) else {
                continue;
            };
            let key = v.region.to_string();
            if v.region.category() == hyte_domain::RegionCategory::Maa {
                data.national.insert(v.year, value);
            } else if keys.contains(&key) {
                data.by_year.entry(v.year).or_default().insert(key, value);
            }
        }
        outcomes.insert(id, data);
    }
    let results = compute(set, &inputs, &outcomes);
    Ok((peers, results))
}

/// The coefficient report of one organisation.
async fn report_of(app: &App, region: &Region, lang: &str) -> AppResult<CoefficientReport> {
    let set = set_of(region)?;
    let (peers, results) = compute_all(app, set).await?;
    let key = region.key.to_string();
    let own = results
        .iter()
        .find(|r| r.key == key)
        .cloned()
        .ok_or_else(|| {
            AppError::NotFound(
                Refusal::new(
                    "hc-err-not-current",
                    format!("{key} is not a current organisation"),
                )
                .arg("org", &key),
            )
        })?;
    let wr = region.welfare_region.as_ref().map(|k| k.to_string());
    let in_region = |r: &OrgResult| wr.is_some() && r.welfare_region == wr;
    let figure = |value: Option<f64>, m: Metric<'_>| Figure {
        value,
        distance_to_national: value.map(|v| v - 50.0),
        rank: rank(&results, &key, m, |_| true),
        rank_in_region: if wr.is_some() {
            rank(&results, &key, m, in_region)
        } else {
            None
        },
    };
    let components = set
        .components
        .iter()
        .zip(&own.components)
        .map(|(c, v)| ComponentView {
            id: c.id.clone(),
            kind: c.kind,
            name: c.names.get(lang).to_string(),
            weight: c.weight,
            basis: c.basis.clone(),
            source: match &c.source {
                Source::Teaviisari(_) => "teaviisari",
                Source::Sotkanet(_) => "sotkanet",
                Source::Unavailable => "unavailable",
            }
            .to_string(),
            source_key: match &c.source {
                Source::Teaviisari(s) => Some(s.clone()),
                Source::Sotkanet(id) => Some(id.to_string()),
                Source::Unavailable => None,
            },
            high_is_good: c.high_is_good,
            year: v.year,
            value: v.value,
            national: v.national,
            national_is_stored: v.national_is_stored,
            difference: v.value.zip(v.national).map(|(a, b)| a - b),
            score: v.score,
            missing: v.missing,
            rank: rank(&results, &key, Metric::Component(&c.id), |_| true),
            rank_in_region: if wr.is_some() {
                rank(&results, &key, Metric::Component(&c.id), in_region)
            } else {
                None
            },
        })
        .collect();
    let names: HashMap<String, String> = peers
        .iter()
        .map(|r| (r.key.to_string(), r.name(lang).to_string()))
        .collect();
    let region_peers = results
        .iter()
        .filter(|r| in_region(r))
        .map(|r| PeerValue {
            org: r.key.clone(),
            name: names.get(&r.key).cloned().unwrap_or_else(|| r.key.clone()),
            coefficient: r.coefficient.filter(|_| r.both_blocks),
            outcome: r.outcome,
        })
        .collect();
    Ok(CoefficientReport {
        org: key.clone(),
        set: set.id.clone(),
        set_name: set.names.get(lang).to_string(),
        process_weight: set.process_weight,
        outcome_weight: set.outcome_weight,
        coefficient: figure(
            own.coefficient.filter(|_| own.both_blocks),
            Metric::Coefficient,
        ),
        process: figure(own.process, Metric::Process),
        outcome: figure(own.outcome, Metric::Outcome),
        both_blocks: own.both_blocks,
        complete: own.complete,
        components,
        peers: peers.len(),
        region_peers,
        method: METHOD,
    })
}

/// One TEAviisari score to set: `None` removes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreEntry {
    /// Sector id (`kuntajohto`, ...).
    pub sector: String,
    /// Perspective id (`sitoutuminen`, ...).
    pub perspective: String,
    /// Score 0–100, or `None` to remove it.
    pub score: Option<f64>,
}

/// An organisation's TEAviisari scores as the actor may see them.
#[derive(Debug, Clone)]
pub struct Teaviisari {
    /// The organisation.
    pub region: Region,
    /// Every stored score, newest year first.
    pub scores: Vec<StoredScore>,
    /// Whether the actor may enter and import scores.
    pub can_edit: bool,
}

/// What a TEAviisari CSV import did.
#[derive(Debug, Clone)]
pub enum TeaviisariImport {
    /// Imported: how many scores changed.
    Imported(usize),
    /// Refused whole, nothing changed: every problem with its line and field.
    Refused(Vec<CsvProblem>),
}

fn invalid_score(
    field: &'static str,
    key: &'static str,
    english: String,
    value: String,
) -> AppError {
    AppError::invalid(field, Refusal::new(key, english).arg("value", value))
}

impl App {
    /// The HYTE coefficient of an organisation the actor may read, with ranks among
    /// all peers and within the welfare region; names in `lang`.
    pub async fn coefficient(
        &self,
        actor: &Actor,
        org: &RegionKey,
        lang: &str,
    ) -> AppResult<(Region, CoefficientReport)> {
        let (region, _) = readable_org(self, actor, org).await?;
        let report = report_of(self, &region, lang).await?;
        Ok((region, report))
    }

    /// The TEAviisari scores of an organisation the actor may read (404 where the
    /// organisation's level has no coefficient).
    pub async fn teaviisari(&self, actor: &Actor, org: &RegionKey) -> AppResult<Teaviisari> {
        let (region, _) = readable_org(self, actor, org).await?;
        set_of(&region)?;
        let scores = self.store.teaviisari_scores(&region.key).await?;
        Ok(Teaviisari {
            can_edit: can_edit_scores(&actor.user, &region),
            region,
            scores,
        })
    }

    /// The organisation whose TEAviisari scores the actor is about to enter: 403
    /// unless a coordinator of it or an admin, 404 without a coefficient. A form
    /// asks this before reading its fields, so that a refusal comes first.
    pub async fn teaviisari_for_editing(
        &self,
        actor: &Actor,
        org: &RegionKey,
    ) -> AppResult<Region> {
        let (region, _) = readable_org(self, actor, org).await?;
        if !can_edit_scores(&actor.user, &region) {
            return Err(AppError::forbidden(
                "hc-err-edit-forbidden",
                "only the organisation's coordinators enter TEAviisari scores",
            ));
        }
        set_of(&region)?;
        Ok(region)
    }

    /// Sets or removes TEAviisari scores of one year, all or nothing: every sector
    /// must be one the organisation reports, every perspective known and every score
    /// 0–100. Returns how many scores changed; a change is audited
    /// (`teaviisari_scores`, "2025: 3 TEAviisari scores changed (form)"), `how` naming
    /// the channel.
    pub async fn save_teaviisari_scores(
        &self,
        actor: &Actor,
        org: &RegionKey,
        year: i64,
        entries: &[ScoreEntry],
        how: &str,
    ) -> AppResult<usize> {
        let region = self.teaviisari_for_editing(actor, org).await?;
        let year = parse_year(&year.to_string())
            .map_err(|e| invalid_score("year", "hc-err-year", e.to_string(), year.to_string()))?;
        let cfg = config()?;
        let sectors = cfg.sectors_for_level(region.key.category().as_str());
        let mut changes = Vec::with_capacity(entries.len());
        for e in entries {
            if !sectors.iter().any(|s| s.id == e.sector) {
                return Err(invalid_score(
                    "sector",
                    "hc-err-sector",
                    format!(
                        "'{}' is not a TEAviisari sector reported by this organisation",
                        e.sector
                    ),
                    e.sector.clone(),
                ));
            }
            if !cfg.perspectives.iter().any(|p| p.id == e.perspective) {
                return Err(invalid_score(
                    "perspective",
                    "hc-err-perspective",
                    format!("'{}' is not a TEAviisari perspective", e.perspective),
                    e.perspective.clone(),
                ));
            }
            if let Some(s) = e.score {
                if !(0.0..=100.0).contains(&s) || !s.is_finite() {
                    return Err(invalid_score(
                        "score",
                        "hc-err-range",
                        format!("{s} is not between 0 and 100"),
                        s.to_string(),
                    ));
                }
            }
            changes.push(ScoreChange {
                year,
                sector: e.sector.clone(),
                perspective: e.perspective.clone(),
                score: e.score,
            });
        }
        let mut tx = self.store.begin().await?;
        let n = tx
            .put_teaviisari_scores(&region.key, &changes, actor.email())
            .await?;
        // Saving what is already stored changes nothing and is not a change to log.
        if n > 0 {
            tx.audit(&actor.audit(
                &region.key,
                "teaviisari_scores",
                format!("{year}: {n} TEAviisari scores changed ({how})"),
            ))
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Imports a TEAviisari CSV file (`year,sector,perspective,score`; `;` and
    /// decimal commas accepted): all or nothing, every problem listed with its line
    /// and field. Audited as `teaviisari_import`.
    pub async fn import_teaviisari(
        &self,
        actor: &Actor,
        org: &RegionKey,
        file_name: &str,
        text: &str,
    ) -> AppResult<TeaviisariImport> {
        let region = self.teaviisari_for_editing(actor, org).await?;
        let cfg = config()?;
        let rows = match parse_scores_csv(text, cfg, region.key.category().as_str()) {
            Ok(r) => r,
            Err(p) => return Ok(TeaviisariImport::Refused(p)),
        };
        let changes: Vec<ScoreChange> = rows
            .iter()
            .map(|r| ScoreChange {
                year: r.year,
                sector: r.sector.clone(),
                perspective: r.perspective.clone(),
                score: Some(r.score),
            })
            .collect();
        let mut tx = self.store.begin().await?;
        let n = tx
            .put_teaviisari_scores(&region.key, &changes, actor.email())
            .await?;
        tx.audit(&actor.audit(
            &region.key,
            "teaviisari_import",
            format!(
                "{file_name}: {} rows, {n} TEAviisari scores changed",
                rows.len()
            ),
        ))
        .await?;
        tx.commit().await?;
        Ok(TeaviisariImport::Imported(n))
    }
}
