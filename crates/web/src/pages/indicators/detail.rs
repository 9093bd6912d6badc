//! One indicator in depth: trend, compare areas (by welfare region, urban/rural
//! class or size), sex, map, table and metadata.

use super::*;
use hyte_app::model::indicators::Denominator;

/// A row of the indicator page's table.
pub struct SeriesRow {
    /// Year.
    pub year: i64,
    /// Value.
    pub value: String,
    /// Derived flag.
    pub derived: bool,
    /// Interval.
    pub ci: String,
    /// Region value.
    pub region_value: String,
    /// Outcome vs region.
    pub vs_region: Option<Badge>,
    /// Country value.
    pub country_value: String,
    /// Outcome vs country.
    pub vs_country: Option<Badge>,
}

/// A row of the compare-areas table.
pub struct AreaRow {
    /// Area name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Interval.
    pub ci: String,
    /// Outcome vs country.
    pub vs_country: Option<Badge>,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorTpl {
    page: Page,
    org: Region,
    ind: Indicator,
    title: String,
    unit_text: String,
    polarity_text: String,
    producer: String,
    description: String,
    interpretation: String,
    limits: String,
    sotkanet_url: String,
    attribution: String,
    trend_svg: String,
    trend_word: String,
    compare_svg: String,
    compare_rows: Vec<AreaRow>,
    sex_svg: String,
    map_svg: String,
    rows: Vec<SeriesRow>,
    level: &'static str,
    set: &'static str,
    set_label: String,
    year: i64,
    years: Vec<i64>,
    is_admin: bool,
    merged_names: String,
    has_derived: bool,
}

/// Which municipalities the compare-areas chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ComparisonSet {
    /// Municipalities of the same welfare region.
    Region,
    /// The same urban/rural class (Statistics Finland's kuntaryhmitys).
    Urban,
    /// A similar size: the same population band in the chosen year.
    Size,
}

impl ComparisonSet {
    fn parse(s: Option<&str>) -> AppResult<ComparisonSet> {
        match s.unwrap_or("") {
            "" | "region" => Ok(ComparisonSet::Region),
            "urban" => Ok(ComparisonSet::Urban),
            "size" => Ok(ComparisonSet::Size),
            other => Err(AppError::bad_request(format!(
                "unknown comparison set '{other}': use region, urban or size"
            ))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ComparisonSet::Region => "region",
            ComparisonSet::Urban => "urban",
            ComparisonSet::Size => "size",
        }
    }
}

/// Population bands for "similar size": under 5 000, 5 000–9 999, 10 000–19 999,
/// 20 000–49 999, 50 000–99 999, and 100 000 or more residents.
fn size_band(population: f64) -> u8 {
    match population {
        p if p < 5_000.0 => 0,
        p if p < 10_000.0 => 1,
        p if p < 20_000.0 => 2,
        p if p < 50_000.0 => 3,
        p if p < 100_000.0 => 4,
        _ => 5,
    }
}

/// `GET /org/{org}/indicators/{id}`: one indicator in depth.
pub async fn indicator_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
    Path((org, id)): Path<(String, String)>,
    Query(q): Query<ExplorerQuery>,
) -> AppResult<Response> {
    let (region, ind, level) = indicator_in(&state, &org, &id, &q).await?;
    let tr = Tr::new(viewer.lang);
    let fmt = Fmt::new(&ind, &tr);
    let (trend_word, _) = trend_text(&state, &ind, &region.key, &tr).await?;
    let series = state
        .app
        .assess(&ind, &area_series(&region.key), level)
        .await?;
    let totals: Vec<&AssessedValue> = series.iter().filter(|a| a.gender == Sex::Total).collect();
    let years: Vec<i64> = state.app.indicator_years(ind.id).await?;
    let year = chosen_year(q.year.as_deref(), &totals, &years)?;
    let rows = series_rows(&totals, &fmt, &tr, level);
    let has_derived = totals
        .iter()
        .any(|a| a.derived || a.comparisons.iter().any(|c| c.benchmark_derived));
    let page = DetailPage {
        region: &region,
        ind: &ind,
        fmt: &fmt,
        tr: &tr,
        level,
        year,
    };
    let trend_svg = page.trend_svg(&totals);
    // Compare areas of a comparison set in the chosen year: the same welfare region
    // (default), the same urban/rural class, or a similar size (population band).
    let set = ComparisonSet::parse(q.set.as_deref())?;
    let bands = size_bands(&state, set, year).await?;
    let ((compare_svg, compare_rows), map_svg) = match page.group_key() {
        Some(gk) => (
            page.compare(&state, set, &gk, &bands).await?,
            page.map_svg(&state).await?,
        ),
        None => ((String::new(), vec![]), String::new()),
    };
    finish_indicator_page(
        &state,
        viewer,
        uri,
        region,
        ind,
        level,
        set,
        year,
        years,
        rows,
        trend_svg,
        trend_word,
        compare_svg,
        compare_rows,
        map_svg,
        series,
        has_derived,
        &fmt,
    )
    .await
}

/// The year asked for (400 when the indicator has no data for it), or the latest with
/// an own value.
fn chosen_year(asked: Option<&str>, totals: &[&AssessedValue], years: &[i64]) -> AppResult<i64> {
    let latest = totals
        .iter()
        .rev()
        .find(|a| a.value.is_some())
        .map(|a| a.year)
        .or_else(|| years.last().copied())
        .unwrap_or(0);
    Ok(match asked {
        Some(y) if !y.is_empty() => y
            .parse::<i64>()
            .ok()
            .filter(|y| years.contains(y))
            .ok_or_else(|| AppError::bad_request(format!("no data for year '{y}'")))?,
        _ => latest,
    })
}

/// The table rows: each year's total with its outcomes against the welfare region
/// and the country.
fn series_rows(totals: &[&AssessedValue], fmt: &Fmt, tr: &Tr, level: CiLevel) -> Vec<SeriesRow> {
    let region_label = tr.t("ind-region");
    totals
        .iter()
        .map(|a| {
            let reg = a.against(RegionCategory::Hyvinvointialue);
            let cty = a.against(RegionCategory::Maa);
            SeriesRow {
                year: a.year,
                value: fmt.num(a.value),
                derived: a.derived,
                ci: fmt.ci(a).unwrap_or_else(|| tr.t("ind-no-ci")),
                region_value: fmt.num(reg.and_then(|c| c.benchmark_value)),
                vs_region: fmt.vs(tr, reg, &region_label, level),
                country_value: fmt.num(cty.and_then(|c| c.benchmark_value)),
                vs_country: fmt.vs(tr, cty, &tr.t("ind-country"), level),
            }
        })
        .collect()
}

/// Each municipality's population band in the year, for the "similar size" set
/// (empty for the other sets).
async fn size_bands(
    state: &AppState,
    set: ComparisonSet,
    year: i64,
) -> AppResult<HashMap<String, u8>> {
    if set != ComparisonSet::Size {
        return Ok(HashMap::new());
    }
    let population = IndicatorId(crate::analysis::POPULATION_INDICATOR);
    Ok(
        municipality_totals(&state.app.live_values(), population, year)
            .await?
            .into_iter()
            .map(|(k, p)| (k.to_string(), size_band(p)))
            .collect(),
    )
}

/// What every chart of the page shares: the area, the indicator, the year and the
/// reader's language.
struct DetailPage<'a> {
    region: &'a Region,
    ind: &'a Indicator,
    fmt: &'a Fmt,
    tr: &'a Tr,
    level: CiLevel,
    year: i64,
}

impl DetailPage<'_> {
    fn name(&self) -> String {
        self.region.name(self.tr.code()).to_string()
    }

    fn title(&self) -> String {
        self.ind.title.get(self.tr.code()).to_string()
    }

    /// Chart metadata of the page: its id, title, description, width and source.
    fn meta(&self, id: &str, title: &str, description: &str, width: f64) -> charts::ChartMeta {
        let mut meta = charts::ChartMeta::new(id, title, description);
        meta.decimal_comma = self.tr.code() != "en";
        meta.width = width;
        meta.source = Some(source_line(self.ind, self.tr.code()));
        meta
    }

    /// The welfare region whose municipalities are compared (the area itself for a
    /// welfare region); `None` for an area in none.
    fn group_key(&self) -> Option<RegionKey> {
        match self.region.key.category() {
            RegionCategory::Hyvinvointialue => Some(self.region.key.clone()),
            _ => self.region.welfare_region.clone(),
        }
    }

    /// Trend chart with the welfare region and the country as benchmark lines.
    fn trend_svg(&self, totals: &[&AssessedValue]) -> String {
        if totals.is_empty() {
            return String::new();
        }
        let (tr, name) = (self.tr, self.name());
        let meta = self.meta(
            "trend",
            &format!("{}: {name}", self.title()),
            &format!("{} {}", tr.t("ind-trend"), name),
            760.0,
        );
        let benchmarks = totals
            .first()
            .map(|a| &a.comparisons[..])
            .unwrap_or_default()
            .iter()
            .map(|c| charts::BenchmarkSeries {
                name: if c.benchmark.category() == RegionCategory::Maa {
                    tr.t("ind-country")
                } else {
                    tr.t("ind-region")
                },
                points: benchmark_points(totals, &c.benchmark),
            })
            .collect();
        charts::trend_chart(&charts::TrendChart {
            meta,
            labels: charts::TrendLabels {
                area: name,
                y_axis: unit_label(tr, &self.ind.unit),
                ci: format!("{} {} %", tr.t("ind-ci"), self.level.as_str()),
                outcome: outcome_labels(tr),
            },
            decimals: self.fmt.decimals,
            points: trend_points(totals),
            benchmarks,
            ci_style: charts::CiStyle::Band,
            y_from_zero: false,
        })
    }
    /// The compare-areas chart and table: the municipalities of the comparison set in
    /// the year, against the country.
    async fn compare(
        &self,
        state: &AppState,
        set: ComparisonSet,
        gk: &RegionKey,
        bands: &HashMap<String, u8>,
    ) -> AppResult<(String, Vec<AreaRow>)> {
        let (tr, fmt, year) = (self.tr, self.fmt, self.year);
        let all = state
            .app
            .assess(self.ind, &year_totals(year), self.level)
            .await?;
        let regions: HashMap<String, Region> = state
            .app
            .regions(Some(RegionCategory::Kunta))
            .await?
            .into_iter()
            .map(|r| (r.key.to_string(), r))
            .collect();
        let country_value = all
            .iter()
            .find(|a| a.region.category() == RegionCategory::Maa)
            .and_then(|a| a.value);
        let own_band = bands.get(&self.region.key.to_string()).copied();
        let region = self.region;
        let members = all.iter().filter(|a| {
            let Some(r) = regions.get(&a.region.to_string()) else {
                return false;
            };
            match set {
                ComparisonSet::Region => r.welfare_region.as_ref() == Some(gk),
                ComparisonSet::Urban => {
                    region.urban_class.is_some() && r.urban_class == region.urban_class
                }
                ComparisonSet::Size => {
                    own_band.is_some() && bands.get(&a.region.to_string()).copied() == own_band
                }
            }
        });
        let mut rows = vec![];
        let mut bars = vec![];
        for a in members {
            let name = regions[&a.region.to_string()].name(tr.code()).to_string();
            let cty = a.against(RegionCategory::Maa);
            rows.push(AreaRow {
                name: name.clone(),
                value: fmt.num(a.value),
                ci: fmt.ci(a).unwrap_or_else(|| tr.t("ind-no-ci")),
                vs_country: fmt.vs(tr, cty, &tr.t("ind-country"), self.level),
            });
            bars.push(charts::CompareBar {
                name,
                value: a.value,
                lower: a.ci_lower,
                upper: a.ci_upper,
                outcome: chart_outcome(cty.map(|c| c.outcome).unwrap_or(Outcome::NotCompared)),
                selected: a.region == region.key,
            });
        }
        if bars.is_empty() {
            return Ok((String::new(), rows));
        }
        let title = self.title();
        let meta = self.meta(
            "compare",
            &format!("{title} {year}"),
            &format!("{} ({year})", tr.t("ind-compare")),
            760.0,
        );
        let svg = charts::compare_chart(&charts::CompareChart {
            meta,
            labels: charts::CompareLabels {
                value_axis: unit_label(tr, &self.ind.unit),
                benchmark: tr.t("ind-country"),
                ci: format!("{} {} %", tr.t("ind-ci"), self.level.as_str()),
                missing: tr.t("ind-no-data"),
                outcome: outcome_labels(tr),
            },
            decimals: fmt.decimals,
            bars,
            benchmark: country_value,
            sort: charts::SortOrder::Descending,
        });
        Ok((svg, rows))
    }

    /// Map of all municipalities: outcome against the country at the 99.8 % level
    /// when showing ~300 areas at once (BENCHMARKING.md section 1).
    async fn map_svg(&self, state: &AppState) -> AppResult<String> {
        let Some(geo) = geometry() else {
            return Ok(String::new());
        };
        let (tr, year) = (self.tr, self.year);
        let wide = state
            .app
            .assess(self.ind, &year_totals(year), CiLevel::P998)
            .await?;
        let by_code: HashMap<&str, &AssessedValue> = wide
            .iter()
            .filter(|a| a.region.category() == RegionCategory::Kunta)
            .map(|a| (a.region.code(), a))
            .collect();
        let any_ci = by_code.values().any(|a| a.ci_lower.is_some());
        let areas = self.map_areas(geo, &by_code, any_ci);
        let title = self.title();
        let mut meta = self.meta(
            "map",
            &format!("{title} {year}"),
            &format!("{} ({year})", tr.t("ind-map")),
            640.0,
        );
        let source = source_line(self.ind, tr.code());
        meta.source = Some(format!("{source} · Maanmittauslaitos CC BY 4.0"));
        Ok(charts::choropleth_map(&charts::MapChart {
            meta,
            labels: charts::MapLabels {
                legend_title: if any_ci {
                    format!("{} (99,8 %)", tr.t("ind-outcome"))
                } else {
                    tr.t("ind-position")
                },
                quintiles: ["1".into(), "2".into(), "3".into(), "4".into(), "5".into()],
                outcome: outcome_labels(tr),
                no_data: tr.t("ind-no-data"),
            },
            geometry: geo,
            areas,
            selected: Some(self.region.key.code().to_string()),
        }))
    }

    /// Each area of the map with its value and colour: the outcome against the
    /// country where intervals exist, the quintile among municipalities otherwise.
    fn map_areas(
        &self,
        geo: &charts::MapGeometry,
        by_code: &HashMap<&str, &AssessedValue>,
        any_ci: bool,
    ) -> Vec<charts::MapArea> {
        let peers: Vec<f64> = by_code.values().filter_map(|a| a.value).collect();
        let name_key = if self.tr.code() == "sv" {
            "NAMESWE"
        } else {
            "NAMEFIN"
        };
        geo.features()
            .iter()
            .map(|f| {
                let a = by_code.get(f.code.as_str());
                let category = match a.and_then(|a| a.value) {
                    None => charts::MapCategory::NoData,
                    Some(_) if any_ci => charts::MapCategory::Outcome(chart_outcome(
                        a.and_then(|a| a.against(RegionCategory::Maa))
                            .map(|c| c.outcome)
                            .unwrap_or(Outcome::NotCompared),
                    )),
                    Some(v) => {
                        charts::MapCategory::Quintile(hyte_stats::quintile(v, &peers).unwrap_or(3))
                    }
                };
                charts::MapArea {
                    code: f.code.clone(),
                    name: f
                        .properties
                        .get(name_key)
                        .cloned()
                        .unwrap_or_else(|| f.code.clone()),
                    value_text: a.map(|a| self.fmt.num(a.value)),
                    category,
                }
            })
            .collect()
    }
}

#[allow(clippy::too_many_arguments)]
async fn finish_indicator_page(
    state: &AppState,
    viewer: Viewer,
    uri: Uri,
    region: Region,
    ind: Indicator,
    level: CiLevel,
    set: ComparisonSet,
    year: i64,
    years: Vec<i64>,
    rows: Vec<SeriesRow>,
    trend_svg: String,
    trend_word: String,
    compare_svg: String,
    compare_rows: Vec<AreaRow>,
    map_svg: String,
    series: Vec<AssessedValue>,
    has_derived: bool,
    fmt: &Fmt,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let name = region.name(lang).to_string();
    let title = ind.title.get(lang).to_string();
    // Sex breakdown where the data has it.
    let groups: Vec<charts::SexGroup> = sex_groups(&series);
    let sex_svg = if groups.is_empty() {
        String::new()
    } else {
        let mut meta = charts::ChartMeta::new("sex", &format!("{title}: {name}"), &tr.t("ind-sex"));
        meta.decimal_comma = lang != "en";
        charts::sex_chart(&charts::SexChart {
            meta,
            labels: charts::SexLabels {
                total: tr.t("sex-total"),
                male: tr.t("sex-male"),
                female: tr.t("sex-female"),
                y_axis: unit_label(&tr, &ind.unit),
                ci: tr.t("ind-ci"),
                outcome: outcome_labels(&tr),
            },
            decimals: fmt.decimals,
            groups,
        })
    };
    let merged_names = state
        .app
        .predecessors_of(&region.key)
        .await?
        .iter()
        .map(|p| p.name(lang).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let page = Page::new(&viewer, format!("{title} – {name}"), &uri.to_string());
    render(&IndicatorTpl {
        title,
        unit_text: unit_label(&tr, &ind.unit),
        polarity_text: tr.t(&format!("polarity-{}", ind.polarity.as_str())),
        producer: ind.producer.get(lang).to_string(),
        description: ind.description.get(lang).to_string(),
        interpretation: ind.interpretation.get(lang).to_string(),
        limits: ind.limits.get(lang).to_string(),
        sotkanet_url: ind.sotkanet_url(lang),
        attribution: attribution(&ind, lang),
        is_admin: viewer.is_admin(),
        page,
        org: region,
        ind,
        trend_svg,
        trend_word,
        compare_svg,
        compare_rows,
        sex_svg,
        map_svg,
        rows,
        level: level.as_str(),
        set: set.as_str(),
        set_label: tr.t(&format!("set-{}", set.as_str())),
        year,
        years,
        merged_names,
        has_derived,
    })
}
