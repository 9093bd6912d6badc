//! Public data: the indicator catalogue, stored values and the areas
//! (organisations, municipalities, welfare regions). Anyone may read them (open
//! data under CC BY 4.0), so these queries take no actor.

use crate::analysis::{assess_in, AssessedValue};
use crate::{App, AppResult};
use hyte_domain::{IndicatorId, RegionCategory, RegionKey};
use hyte_stats::CiLevel;
use hyte_store::indicators::{Indicator, StoredValue, ValueQuery};
use hyte_store::orgs::Region;
use std::collections::HashMap;

impl App {
    /// An indicator definition.
    pub async fn indicator(&self, id: IndicatorId) -> AppResult<Option<Indicator>> {
        Ok(self.store.indicator(id).await?)
    }

    /// Every indicator definition.
    pub async fn indicators(&self) -> AppResult<Vec<Indicator>> {
        Ok(self.store.indicators().await?)
    }

    /// Stored values of an indicator for a query.
    pub async fn values(&self, id: IndicatorId, q: &ValueQuery) -> AppResult<Vec<StoredValue>> {
        Ok(self.store.values(id, q).await?)
    }

    /// Years with values of an indicator.
    pub async fn indicator_years(&self, id: IndicatorId) -> AppResult<Vec<i64>> {
        Ok(self.store.indicator_years(id).await?)
    }

    /// Number of stored values per indicator id.
    pub async fn value_counts(&self) -> AppResult<HashMap<i64, i64>> {
        Ok(self.store.value_counts().await?)
    }

    /// Current values of an indicator for the query, each with its interval and
    /// comparisons (the live data; see [`crate::analysis::assess_in`]).
    pub async fn assess(
        &self,
        ind: &Indicator,
        q: &ValueQuery,
        level: CiLevel,
    ) -> AppResult<Vec<AssessedValue>> {
        assess_in(&self.live_values(), ind, q, level).await
    }

    /// An area by key.
    pub async fn region(&self, key: &RegionKey) -> AppResult<Option<Region>> {
        Ok(self.store.region(key).await?)
    }

    /// Areas, optionally of one category.
    pub async fn regions(&self, category: Option<RegionCategory>) -> AppResult<Vec<Region>> {
        Ok(self.store.regions(category).await?)
    }

    /// Every organisation (areas that can write reports).
    pub async fn organisations(&self) -> AppResult<Vec<Region>> {
        Ok(self.store.organisations().await?)
    }

    /// Member municipalities of a welfare region.
    pub async fn members_of(&self, welfare_region: &RegionKey) -> AppResult<Vec<Region>> {
        Ok(self.store.members_of(welfare_region).await?)
    }

    /// Areas merged into this one.
    pub async fn predecessors_of(&self, key: &RegionKey) -> AppResult<Vec<Region>> {
        Ok(self.store.predecessors_of(key).await?)
    }
}
