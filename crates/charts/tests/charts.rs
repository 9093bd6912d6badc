//! End-to-end tests: every chart parses as XML, is accessible, escapes text, and puts
//! values where the scales say. Set `HYTE_CHARTS_SAMPLES=/some/dir` to also write sample
//! SVGs there for looking at them (see `render_samples`).

use hyte_charts::*;
use roxmltree::{Document, Node};

const EVIL: &str = "<script>alert('x')</script> & \"quotes\"";

fn outcome_labels() -> OutcomeLabels {
    OutcomeLabels {
        better: "Better than Finland".into(),
        similar: "Similar to Finland".into(),
        worse: "Worse than Finland".into(),
        higher: "Higher than Finland".into(),
        lower: "Lower than Finland".into(),
        not_compared: "Not compared".into(),
    }
}

fn meta(id: &str, title: &str, width: f64) -> ChartMeta {
    ChartMeta {
        subtitle: Some("Kuopio compared with Finland, 95 % confidence".into()),
        source: Some("Source: THL, Sotkanet.fi (CC BY 4.0). Data version 2024-11-01.".into()),
        width,
        ..ChartMeta::new(id, title, "Test chart description.")
    }
}

// ---------------------------------------------------------------------------------------
// Sample inputs

fn spine_sample(width: f64) -> SpineChart {
    let row = |name: &str, v: f64, r: f64, c: f64, o: Outcome, s: [f64; 5], polarity: Polarity| {
        SpineRow {
            indicator: name.into(),
            period: "2023".into(),
            count_text: None,
            value_text: format_number(v, 1, true),
            region_text: format_number(r, 1, true),
            country_text: format_number(c, 1, true),
            value: Some(v),
            region: Some(r),
            country: Some(c),
            outcome: o,
            spread: Some(Spread {
                min: s[0],
                p25: s[1],
                median: s[2],
                p75: s[3],
                max: s[4],
            }),
            polarity,
        }
    };
    SpineChart {
        meta: meta("spine", "Kuopio: wellbeing profile 2023", width),
        labels: SpineLabels {
            indicator: "Indicator".into(),
            period: "Year".into(),
            count: "Count".into(),
            area: "Kuopio".into(),
            region: "Pohjois-Savo".into(),
            country: "Finland".into(),
            left_end: "← Worse / lower".into(),
            right_end: "Better / higher →".into(),
            spread_range: "Range of municipalities".into(),
            spread_iqr: "25th–75th percentile".into(),
            outcome: outcome_labels(),
        },
        rows: vec![
            row(
                "Unemployed, % of labour force",
                9.8,
                10.4,
                10.1,
                Outcome::Similar,
                [4.1, 8.0, 9.9, 11.8, 17.5],
                Polarity::LowIsGood,
            ),
            row(
                "Pupils who feel their health is moderate or poor, % of 8th and 9th graders",
                22.4,
                20.1,
                19.8,
                Outcome::Worse,
                [10.0, 17.0, 19.5, 22.0, 31.0],
                Polarity::LowIsGood,
            ),
            row(
                "Physically active at least 1 hour a day, % of pupils",
                41.2,
                37.0,
                36.5,
                Outcome::Better,
                [20.0, 32.0, 36.0, 40.0, 52.0],
                Polarity::HighIsGood,
            ),
            row(
                "Persons aged 75 and over living at home, % of age group",
                91.9,
                92.5,
                92.3,
                Outcome::Lower,
                [86.0, 90.8, 92.0, 93.6, 97.1],
                Polarity::NoJudgement,
            ),
            SpineRow {
                outcome: Outcome::NotCompared,
                ..row(
                    "Alcohol-related hospital periods per 10 000 inhabitants",
                    38.0,
                    41.0,
                    35.2,
                    Outcome::NotCompared,
                    [12.0, 28.0, 35.0, 44.0, 80.0],
                    Polarity::LowIsGood,
                )
            },
            row(
                "Sickness absence days per insured person aged 16–67",
                9.1,
                10.7,
                9.8,
                Outcome::Higher,
                [5.0, 8.6, 9.7, 11.0, 15.2],
                Polarity::NoJudgement,
            ),
        ],
    }
}

fn trend_sample(width: f64) -> TrendChart {
    let pt = |year: i32, v: Option<f64>, o: Outcome| TrendPoint {
        year,
        value: v,
        lower: v.map(|v| v - 2.1),
        upper: v.map(|v| v + 2.3),
        outcome: o,
    };
    TrendChart {
        meta: meta("trend", "Unemployed, % of labour force", width),
        labels: TrendLabels {
            area: "Kuopio".into(),
            y_axis: "% of labour force".into(),
            ci: "95 % confidence interval".into(),
            outcome: outcome_labels(),
        },
        decimals: 1,
        points: vec![
            pt(2012, Some(11.2), Outcome::Similar),
            pt(2013, Some(12.4), Outcome::Similar),
            pt(2014, Some(13.9), Outcome::Worse),
            pt(2015, Some(14.6), Outcome::Worse),
            pt(2016, Some(13.8), Outcome::Similar),
            pt(2017, None, Outcome::NotCompared),
            pt(2018, Some(10.1), Outcome::Similar),
            pt(2019, Some(9.0), Outcome::Better),
            pt(2020, Some(11.9), Outcome::Similar),
            pt(2021, Some(10.2), Outcome::Similar),
            pt(2022, Some(8.7), Outcome::Better),
            pt(2023, Some(9.3), Outcome::Better),
        ],
        benchmarks: vec![
            BenchmarkSeries {
                name: "Pohjois-Savo".into(),
                points: (2012..=2023)
                    .map(|y| (y, Some(12.0 + ((y - 2012) as f64 * 0.9).sin() * 2.0)))
                    .collect(),
            },
            BenchmarkSeries {
                name: "Finland".into(),
                points: (2012..=2023)
                    .map(|y| (y, Some(11.0 + ((y - 2012) as f64 * 0.7).cos() * 1.5)))
                    .collect(),
            },
        ],
        ci_style: CiStyle::Band,
        y_from_zero: true,
    }
}

fn compare_sample(width: f64) -> CompareChart {
    let names = [
        "Kuopio",
        "Siilinjärvi",
        "Varkaus",
        "Iisalmi",
        "Suonenjoki",
        "Lapinlahti",
        "Kiuruvesi",
        "Leppävirta",
        "Pielavesi",
        "Tuusniemi",
        "Keitele",
        "Sonkajärvi",
        "Rautalampi",
        "Vieremä",
        "Tervo",
        "Vesanto",
        "Rautavaara",
        "Joroinen",
    ];
    let bars = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let v = 6.0 + ((i * 37) % 17) as f64 * 0.8;
            let w = 1.2 + (i % 5) as f64 * 0.7;
            let outcome = if v + w < 10.1 {
                Outcome::Better
            } else if v - w > 10.1 {
                Outcome::Worse
            } else {
                Outcome::Similar
            };
            CompareBar {
                name: (*n).into(),
                value: if *n == "Tervo" { None } else { Some(v) },
                lower: Some(v - w),
                upper: Some(v + w),
                outcome,
                selected: *n == "Kuopio",
            }
        })
        .collect();
    CompareChart {
        meta: meta("compare", "Unemployed, % of labour force, 2023", width),
        labels: CompareLabels {
            value_axis: "% of labour force".into(),
            benchmark: "Finland".into(),
            ci: "95 % confidence interval".into(),
            missing: "no data".into(),
            outcome: outcome_labels(),
        },
        decimals: 1,
        bars,
        benchmark: Some(10.1),
        sort: SortOrder::Descending,
    }
}

fn sex_sample(width: f64, years: &[&str]) -> SexChart {
    let v = |x: f64, o: Option<Outcome>| SexValue {
        value: Some(x),
        lower: Some(x - 1.8),
        upper: Some(x + 1.9),
        outcome: o,
    };
    SexChart {
        meta: meta("sex", "Daily smokers, % of 20–64-year-olds", width),
        labels: SexLabels {
            total: "Total".into(),
            male: "Men".into(),
            female: "Women".into(),
            y_axis: "% of age group".into(),
            ci: "95 % confidence interval".into(),
            outcome: OutcomeLabels {
                higher: "Higher than total".into(),
                lower: "Lower than total".into(),
                similar: "Similar to total".into(),
                ..outcome_labels()
            },
        },
        decimals: 1,
        groups: years
            .iter()
            .enumerate()
            .map(|(i, y)| SexGroup {
                period: (*y).into(),
                total: v(14.0 - i as f64 * 0.8, None),
                male: v(17.5 - i as f64 * 0.9, Some(Outcome::Higher)),
                female: v(10.6 - i as f64 * 0.6, Some(Outcome::Lower)),
            })
            .collect(),
    }
}

fn tiny_geometry() -> MapGeometry {
    MapGeometry::from_geojson(include_str!("fixtures/tiny.geojson"), "NATCODE").unwrap()
}

fn finland_geometry() -> MapGeometry {
    MapGeometry::from_geojson(include_str!("fixtures/kuntarajat_nls.geojson"), "NATCODE").unwrap()
}

fn map_labels() -> MapLabels {
    MapLabels {
        legend_title: "Compared with Finland (99.8 %)".into(),
        quintiles: [
            "Lowest fifth".into(),
            "Second fifth".into(),
            "Middle fifth".into(),
            "Fourth fifth".into(),
            "Highest fifth".into(),
        ],
        outcome: outcome_labels(),
        no_data: "No data".into(),
    }
}

/// Deterministic pseudo-data for every feature of a geometry.
fn map_areas(geo: &MapGeometry, quintiles: bool) -> Vec<MapArea> {
    geo.features()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let h = (f.code.bytes().map(u32::from).sum::<u32>() as usize * 7 + i) % 23;
            let category = if h == 0 {
                MapCategory::NoData
            } else if quintiles {
                MapCategory::Quintile((h % 5) as u8 + 1)
            } else {
                MapCategory::Outcome(match h % 6 {
                    0..=2 => Outcome::Similar,
                    3 => Outcome::Better,
                    4 => Outcome::Worse,
                    _ => Outcome::NotCompared,
                })
            };
            MapArea {
                code: f.code.clone(),
                name: f
                    .properties
                    .get("NAMEFIN")
                    .cloned()
                    .unwrap_or_else(|| f.code.clone()),
                value_text: (category != MapCategory::NoData)
                    .then(|| format_number(5.0 + h as f64 * 0.7, 1, true)),
                category,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Helpers

/// Parse, and check the accessibility frame every chart must have.
fn check_frame(svg: &str, prefix: &str) {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("width"), Some("100%"));
    assert!(root.attribute("viewBox").is_some());
    assert!(root.attribute("height").is_none());
    assert_eq!(root.attribute("id"), Some(prefix));
    let labelled = root.attribute("aria-labelledby").unwrap();
    let ids: Vec<&str> = labelled.split_whitespace().collect();
    assert_eq!(
        ids,
        vec![format!("{prefix}-title"), format!("{prefix}-desc")]
    );
    let first: Vec<Node> = root.children().filter(|n| n.is_element()).take(2).collect();
    assert_eq!(first[0].tag_name().name(), "title");
    assert_eq!(first[0].attribute("id"), Some(ids[0]));
    assert_eq!(first[1].tag_name().name(), "desc");
    assert_eq!(first[1].attribute("id"), Some(ids[1]));
    assert!(!first[1].text().unwrap_or("").is_empty());
    // Every id in the document carries the prefix, so two charts on a page never clash.
    for n in doc.descendants().filter(|n| n.is_element()) {
        if let Some(id) = n.attribute("id") {
            assert!(id.starts_with(prefix), "id {id} lacks prefix {prefix}");
        }
        assert_ne!(n.tag_name().name(), "script");
        assert!(n.attribute("href").is_none());
        for a in n.attributes() {
            assert!(!a.name().starts_with("on"), "event handler {}", a.name());
        }
    }
}

fn class_has(n: &Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn by_class<'a>(doc: &'a Document, class: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants().filter(|n| class_has(n, class)).collect()
}

fn translate(n: &Node) -> (f64, f64) {
    let t = n.attribute("transform").unwrap();
    let inner = t
        .trim_start_matches("translate(")
        .trim_end_matches(')')
        .replace(',', " ");
    let v: Vec<f64> = inner
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    (v[0], v[1])
}

fn num(n: &Node, attr: &str) -> f64 {
    n.attribute(attr).unwrap().parse().unwrap()
}

fn all_text(doc: &Document) -> String {
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("|")
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn every_chart_is_well_formed_and_accessible() {
    for w in [360.0, 640.0, 900.0] {
        check_frame(&spine_chart(&spine_sample(w)), "spine");
        check_frame(&trend_chart(&trend_sample(w)), "trend");
        check_frame(&compare_chart(&compare_sample(w)), "compare");
        check_frame(&sex_chart(&sex_sample(w, &["2023"])), "sex");
        check_frame(
            &sex_chart(&sex_sample(w, &["2018", "2020", "2022", "2024"])),
            "sex",
        );
        let geo = tiny_geometry();
        let chart = MapChart {
            meta: meta("map", "Map", w),
            labels: map_labels(),
            geometry: &geo,
            areas: map_areas(&geo, false),
            selected: Some("001".into()),
        };
        check_frame(&choropleth_map(&chart), "map");
    }
}

#[test]
fn empty_inputs_still_give_valid_charts() {
    let mut s = spine_sample(640.0);
    s.rows.clear();
    check_frame(&spine_chart(&s), "spine");
    let mut t = trend_sample(640.0);
    t.points.clear();
    t.benchmarks.clear();
    check_frame(&trend_chart(&t), "trend");
    let mut c = compare_sample(640.0);
    c.bars.clear();
    c.benchmark = None;
    check_frame(&compare_chart(&c), "compare");
    let mut x = sex_sample(640.0, &[]);
    x.groups.clear();
    check_frame(&sex_chart(&x), "sex");
}

#[test]
fn id_prefix_is_sanitized_and_used() {
    let mut s = spine_sample(640.0);
    s.meta.id_prefix = "fig 3/a".into();
    let svg = spine_chart(&s);
    check_frame(&svg, "fig-3-a");
}

#[test]
fn text_is_escaped_everywhere() {
    let mut s = spine_sample(700.0);
    s.meta.title = EVIL.into();
    s.meta.description = EVIL.into();
    s.meta.subtitle = Some(EVIL.into());
    s.meta.source = Some(EVIL.into());
    s.labels.area = EVIL.into();
    s.labels.outcome.worse = EVIL.into();
    s.rows[0].indicator = EVIL.into();
    s.rows[0].value_text = EVIL.into();
    let svg = spine_chart(&s);
    assert!(!svg.contains("<script"));
    let doc = Document::parse(&svg).unwrap();
    assert!(doc.descendants().all(|n| n.tag_name().name() != "script"));
    let text = all_text(&doc);
    assert!(text.contains("<script>alert('x')</script>"), "{text}");

    let mut c = compare_sample(400.0);
    c.bars[0].name = EVIL.into();
    c.labels.benchmark = EVIL.into();
    let svg = compare_chart(&c);
    assert!(!svg.contains("<script"));
    Document::parse(&svg).unwrap();

    let mut t = trend_sample(400.0);
    t.labels.area = EVIL.into();
    t.benchmarks[0].name = EVIL.into();
    let svg = trend_chart(&t);
    assert!(!svg.contains("<script"));
    Document::parse(&svg).unwrap();

    let geo = tiny_geometry();
    let mut areas = map_areas(&geo, true);
    areas[0].name = EVIL.into();
    let svg = choropleth_map(&MapChart {
        meta: meta("map", EVIL, 640.0),
        labels: map_labels(),
        geometry: &geo,
        areas,
        selected: None,
    });
    assert!(!svg.contains("<script"));
    Document::parse(&svg).unwrap();
}

#[test]
fn outcome_colours_and_shapes() {
    let expected = [
        (Outcome::Better, "#0072B2", Shape::Circle),
        (Outcome::Similar, "#F0E442", Shape::Square),
        (Outcome::Worse, "#D55E00", Shape::Diamond),
        (Outcome::Higher, "#5E3C99", Shape::TriangleUp),
        (Outcome::Lower, "#B2ABD2", Shape::TriangleDown),
        (Outcome::NotCompared, "#FFFFFF", Shape::Circle),
    ];
    for (o, colour, shape) in expected {
        assert_eq!(o.colour(), colour);
        assert_eq!(o.shape(), shape);
        assert_ne!(o.stroke(), o.colour(), "{o:?} needs a visible outline");
    }
    // Judgement outcomes never share a shape.
    let judged = [Outcome::Better, Outcome::Similar, Outcome::Worse];
    for a in judged {
        for b in judged {
            if a != b {
                assert_ne!(a.shape(), b.shape());
            }
        }
    }
    // The rendered markers carry the colour and the shape of their outcome.
    let svg = spine_chart(&spine_sample(800.0));
    let doc = Document::parse(&svg).unwrap();
    let markers = by_class(&doc, "area-marker");
    assert_eq!(markers.len(), 6);
    for m in &markers {
        let outcome = Outcome::ALL
            .into_iter()
            .find(|o| class_has(m, &format!("outcome-{}", o.key())))
            .unwrap();
        assert_eq!(m.attribute("fill"), Some(outcome.colour()));
        assert_eq!(m.attribute("stroke"), Some(outcome.stroke()));
        let d = m.attribute("d").unwrap();
        match outcome.shape() {
            Shape::Circle => assert!(d.contains('A')),
            Shape::Square => assert!(d.contains('H') && d.contains('V')),
            _ => assert_eq!(
                d.matches('L').count(),
                if outcome.shape() == Shape::Diamond {
                    3
                } else {
                    2
                }
            ),
        }
    }
    // The legend lists the outcome words that occur.
    let text = all_text(&doc);
    for w in ["Better than Finland", "Worse than Finland", "Not compared"] {
        assert!(text.contains(w), "{w}");
    }
}

#[test]
fn spine_scales_each_row_around_the_country_value() {
    for width in [800.0, 360.0] {
        let mut chart = spine_sample(width);
        let base = chart.rows[0].clone();
        chart.rows = vec![
            SpineRow {
                value: Some(15.0),
                region: Some(5.0),
                country: Some(10.0),
                spread: Some(Spread {
                    min: 5.0,
                    p25: 8.0,
                    median: 10.0,
                    p75: 12.0,
                    max: 20.0,
                }),
                polarity: Polarity::HighIsGood,
                ..base.clone()
            },
            SpineRow {
                value: Some(15.0),
                region: Some(5.0),
                country: Some(10.0),
                spread: Some(Spread {
                    min: 5.0,
                    p25: 8.0,
                    median: 10.0,
                    p75: 12.0,
                    max: 20.0,
                }),
                polarity: Polarity::LowIsGood,
                ..base
            },
        ];
        let svg = spine_chart(&chart);
        let doc = Document::parse(&svg).unwrap();
        let centre = num(&by_class(&doc, "country-line")[0], "x1");
        let range = by_class(&doc, "spread-range");
        // Row 1: max is the farther extreme (10 away), so it sits at +half.
        let half = num(&range[0], "x") + num(&range[0], "width") - centre;
        assert!(half > 50.0);
        let left = num(&range[0], "x");
        assert!(
            (left - (centre - half / 2.0)).abs() < 0.02,
            "min at -half/2"
        );
        let markers = by_class(&doc, "area-marker");
        let (x0, _) = translate(&markers[0]);
        assert!(
            (x0 - (centre + half / 2.0)).abs() < 0.02,
            "{x0} vs {centre}+{half}/2"
        );
        let regions = by_class(&doc, "region-marker");
        let rx = num(&regions[0], "x") + num(&regions[0], "width") / 2.0;
        assert!((rx - (centre - half / 2.0)).abs() < 0.02);
        // Row 2 is low-is-good, so it is mirrored: the higher value is on the left.
        let (x1, _) = translate(&markers[1]);
        assert!((x1 - (centre - half / 2.0)).abs() < 0.02);
        assert!((num(&range[1], "x") - (centre - half)).abs() < 0.02);
    }
}

#[test]
fn spine_without_spread_or_country_still_draws_text() {
    let mut chart = spine_sample(700.0);
    chart.rows[0].spread = None;
    chart.rows[0].country = None;
    chart.rows[1].value = None;
    chart.rows[2].count_text = Some("1 234".into());
    let svg = spine_chart(&chart);
    check_frame(&svg, "spine");
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(by_class(&doc, "area-marker").len(), 4);
    assert!(all_text(&doc).contains("1 234"));
}

#[test]
fn trend_maps_values_linearly_and_breaks_lines_at_gaps() {
    let mut chart = trend_sample(640.0);
    chart.benchmarks.clear();
    chart.points = [(2019, 0.0), (2020, 50.0), (2021, 100.0)]
        .iter()
        .map(|(y, v)| TrendPoint {
            year: *y,
            value: Some(*v),
            lower: None,
            upper: None,
            outcome: Outcome::Similar,
        })
        .collect();
    let svg = trend_chart(&chart);
    let doc = Document::parse(&svg).unwrap();
    let pts: Vec<(f64, f64)> = by_class(&doc, "point").iter().map(translate).collect();
    assert_eq!(pts.len(), 3);
    assert!((pts[1].0 - (pts[0].0 + pts[2].0) / 2.0).abs() < 0.02);
    assert!((pts[1].1 - (pts[0].1 + pts[2].1) / 2.0).abs() < 0.02);
    assert!(pts[2].1 < pts[0].1, "higher values are drawn higher");
    // Value 0 sits on the zero gridline.
    let zero_line = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "line")
        .find(|n| {
            n.attribute("stroke") == Some("#8C8C8C") && n.attribute("y1") == n.attribute("y2")
        })
        .unwrap();
    assert!((num(&zero_line, "y1") - pts[0].1).abs() < 0.02);

    // Gaps: 2017 is missing (None) and 2020 is left out entirely.
    let mut chart = trend_sample(640.0);
    chart.points.retain(|p| p.year != 2020);
    let svg = trend_chart(&chart);
    let doc = Document::parse(&svg).unwrap();
    // Runs: 2012–2016, 2018–2019, 2021–2023.
    assert_eq!(by_class(&doc, "area-line").len(), 3);
    assert_eq!(by_class(&doc, "ci-band").len(), 3);
    assert_eq!(by_class(&doc, "point").len(), 10);
    // Each benchmark is complete, so one line each.
    assert_eq!(by_class(&doc, "benchmark-line").len(), 2);

    // Whisker style: one whisker per point with an interval, no band.
    let mut chart = trend_sample(640.0);
    chart.ci_style = CiStyle::Whiskers;
    let doc_s = trend_chart(&chart);
    let doc = Document::parse(&doc_s).unwrap();
    assert_eq!(by_class(&doc, "ci-band").len(), 0);
    assert_eq!(by_class(&doc, "ci-whisker").len(), 11);
}

#[test]
fn compare_sorts_highlights_and_scales_from_zero() {
    let chart = compare_sample(640.0);
    let svg = compare_chart(&chart);
    check_frame(&svg, "compare");
    let doc = Document::parse(&svg).unwrap();
    let bars = by_class(&doc, "bar");
    assert_eq!(
        bars.len(),
        chart.bars.len() - 1,
        "no bar for a missing value"
    );
    // Sorted descending: widths never increase down the list.
    let widths: Vec<f64> = bars.iter().map(|b| num(b, "width")).collect();
    assert!(widths.windows(2).all(|w| w[0] >= w[1] - 1e-9));
    // Bars start at zero, so width is proportional to value.
    let values: Vec<f64> = {
        let mut v: Vec<f64> = chart.bars.iter().filter_map(|b| b.value).collect();
        v.sort_by(|a, b| b.total_cmp(a));
        v
    };
    let k = widths[0] / values[0];
    for (w, v) in widths.iter().zip(&values) {
        assert!((w - v * k).abs() < 0.05);
    }
    let x0 = num(&bars[0], "x");
    assert!(bars.iter().all(|b| (num(b, "x") - x0).abs() < 1e-9));
    // Benchmark line at value 10.1.
    let bm = &by_class(&doc, "benchmark-line")[0];
    assert!((num(bm, "x1") - (x0 + 10.1 * k)).abs() < 0.05);
    // The selected area is bold and highlighted.
    let sel = by_class(&doc, "selected");
    assert_eq!(sel.len(), 1);
    let label = sel[0]
        .descendants()
        .find(|n| n.tag_name().name() == "text" && n.text() == Some("Kuopio"))
        .unwrap();
    assert_eq!(label.attribute("font-weight"), Some("600"));
    // The missing area is listed last, with its text.
    let rows = by_class(&doc, "bar-row");
    let last_texts: Vec<&str> = rows
        .last()
        .unwrap()
        .descendants()
        .filter_map(|n| n.text())
        .collect();
    assert!(last_texts.contains(&"Tervo") && last_texts.contains(&"no data"));
    // Bars are coloured by outcome.
    for b in &bars {
        let o = Outcome::ALL
            .into_iter()
            .find(|o| class_has(b, &format!("outcome-{}", o.key())))
            .unwrap();
        assert_eq!(b.attribute("fill"), Some(o.colour()));
    }
}

#[test]
fn sex_chart_draws_three_bars_per_period() {
    let chart = sex_sample(640.0, &["2018", "2020", "2022"]);
    let svg = sex_chart(&chart);
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(by_class(&doc, "bar").len(), 9);
    assert_eq!(by_class(&doc, "ci-whisker").len(), 9);
    assert_eq!(by_class(&doc, "sex-marker").len(), 6);
    let text = all_text(&doc);
    for w in ["Men", "Women", "Total", "Higher than total", "2022"] {
        assert!(text.contains(w), "{w}");
    }
    // Bar heights are proportional to values (axis from zero).
    let bars = by_class(&doc, "bar");
    let k = num(&bars[0], "height") / 14.0;
    assert!((num(&bars[1], "height") - 17.5 * k).abs() < 0.05);
    // One period: values printed on the chart.
    let svg = sex_chart(&sex_sample(640.0, &["2023"]));
    let doc = Document::parse(&svg).unwrap();
    assert!(all_text(&doc).contains("17,5"));
}

#[test]
fn map_geometry_from_small_fixture() {
    let geo = tiny_geometry();
    assert_eq!(geo.len(), 4);
    let codes: Vec<&str> = geo.features().iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["001", "002", "3", "004"]);
    // The frame's longer side is 1000 units; everything lies inside it.
    assert!((geo.width().max(geo.height()) - 1000.0).abs() < 1e-6);
    for f in geo.features() {
        assert!(f.bbox[0] >= -1e-6 && f.bbox[2] <= geo.width() + 1e-6);
        assert!(f.bbox[1] >= -1e-6 && f.bbox[3] <= geo.height() + 1e-6);
    }
    // North is up: the northern area has smaller y.
    let north = geo.feature("004").unwrap();
    let south = geo.feature("001").unwrap();
    assert!(north.bbox[3] <= south.bbox[1] + 1e-6);
    // Longitudes are shrunk by cos 64°: the 2°×1° square is 2·0.438/1 ≈ 0.88 as wide as high.
    let b = south.bbox;
    let ratio = (b[2] - b[0]) / (b[3] - b[1]);
    assert!(
        (ratio - 2.0 * 64f64.to_radians().cos()).abs() < 0.01,
        "{ratio}"
    );
    // Holes and multipolygons become several subpaths.
    assert_eq!(south.path.matches('M').count(), 2);
    assert_eq!(geo.feature("3").unwrap().path.matches('M').count(), 2);
    assert_eq!(
        south.properties.get("NAMESWE").map(String::as_str),
        Some("Hålby")
    );
}

#[test]
fn map_geometry_errors() {
    assert!(matches!(
        MapGeometry::from_geojson("{", "NATCODE"),
        Err(MapError::Json(_))
    ));
    assert_eq!(
        MapGeometry::from_geojson("{\"type\":\"Feature\"}", "NATCODE"),
        Err(MapError::NotFeatureCollection)
    );
    assert_eq!(
        MapGeometry::from_geojson(
            "{\"type\":\"FeatureCollection\",\"features\":[]}",
            "NATCODE"
        ),
        Err(MapError::Empty)
    );
    assert_eq!(
        MapGeometry::from_geojson(include_str!("fixtures/tiny.geojson"), "KUNTA"),
        Err(MapError::MissingCode { index: 0 })
    );
    let point = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"c":"1"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
    assert!(matches!(
        MapGeometry::from_geojson(point, "c"),
        Err(MapError::BadGeometry { index: 0, .. })
    ));
    let e = MapGeometry::from_geojson(point, "c").unwrap_err();
    assert!(e.to_string().contains("Point"));
}

#[test]
fn map_draws_every_feature_and_outlines_the_selection() {
    let geo = tiny_geometry();
    let mut areas = map_areas(&geo, false);
    areas[0].category = MapCategory::Outcome(Outcome::Worse);
    areas[1].category = MapCategory::Outcome(Outcome::Better);
    areas.truncate(2); // "3" and "004" have no data entry at all
    let svg = choropleth_map(&MapChart {
        meta: meta("m1", "Map", 640.0),
        labels: map_labels(),
        geometry: &geo,
        areas,
        selected: Some("002".into()),
    });
    check_frame(&svg, "m1");
    let doc = Document::parse(&svg).unwrap();
    let paths = by_class(&doc, "area");
    assert_eq!(paths.len(), geo.len());
    let sel = by_class(&doc, "selected-outline");
    assert_eq!(sel.len(), 1);
    assert_eq!(sel[0].attribute("data-code"), Some("002"));
    assert_eq!(sel[0].attribute("fill"), None);
    // Worse is hatched, better is plain blue, missing areas use the no-data pattern.
    let fill = |code: &str| {
        paths
            .iter()
            .find(|p| p.attribute("data-code") == Some(code))
            .unwrap()
            .attribute("fill")
            .unwrap()
            .to_string()
    };
    assert_eq!(fill("001"), "url(#m1-worse)");
    assert_eq!(fill("002"), "#0072B2");
    assert_eq!(fill("004"), "url(#m1-nodata)");
    assert!(doc
        .descendants()
        .any(|n| n.attribute("id") == Some("m1-nodata")));
    // Hover titles.
    let titles: Vec<&str> = paths
        .iter()
        .filter_map(|p| p.children().find(|c| c.tag_name().name() == "title"))
        .filter_map(|t| t.text())
        .collect();
    assert!(titles
        .iter()
        .any(|t| t.starts_with("Reikälä: ") && t.contains("Worse")));
    assert!(titles.contains(&"004: No data"));
    let text = all_text(&doc);
    assert!(text.contains("Better than Finland") && text.contains("No data"));
}

#[test]
fn map_quintile_palette_is_sequential() {
    // Each step is darker than the one before (relative luminance falls).
    let lum = |hex: &str| {
        let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    };
    assert!(QUINTILE_COLOURS.windows(2).all(|w| lum(w[0]) > lum(w[1])));
    let geo = tiny_geometry();
    let svg = choropleth_map(&MapChart {
        meta: meta("q", "Map", 360.0),
        labels: map_labels(),
        geometry: &geo,
        areas: map_areas(&geo, true),
        selected: None,
    });
    let doc = Document::parse(&svg).unwrap();
    let text = all_text(&doc);
    assert!(text.contains("Lowest fifth") && text.contains("Highest fifth"));
    assert!(by_class(&doc, "selected-outline").is_empty());
}

#[test]
fn real_municipal_boundaries() {
    let geo = finland_geometry();
    assert_eq!(geo.len(), 309);
    assert!(geo
        .features()
        .iter()
        .all(|f| f.points <= 300 && f.points >= 3));
    // Finland is about twice as tall as wide in this projection.
    let aspect = geo.height() / geo.width();
    assert!((1.7..2.1).contains(&aspect), "{aspect}");
    let kuopio = geo.feature("297").unwrap();
    assert_eq!(kuopio.properties["NAMEFIN"], "Kuopio");
    // Helsinki (091) is south of Rovaniemi (698).
    assert!(geo.feature("091").unwrap().bbox[1] > geo.feature("698").unwrap().bbox[3]);
    let svg = choropleth_map(&MapChart {
        meta: meta("fi", "Municipalities", 640.0),
        labels: map_labels(),
        geometry: &geo,
        areas: map_areas(&geo, false),
        selected: Some("297".into()),
    });
    check_frame(&svg, "fi");
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(by_class(&doc, "area").len(), 309);
    assert_eq!(
        by_class(&doc, "selected-outline")[0].attribute("data-code"),
        Some("297")
    );
    assert!(svg.len() < 200_000, "map SVG is {} bytes", svg.len());
}

/// Not a check: writes sample SVGs for eyeballing when HYTE_CHARTS_SAMPLES is set.
#[test]
fn render_samples() {
    let Ok(dir) = std::env::var("HYTE_CHARTS_SAMPLES") else {
        return;
    };
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    let write = |name: &str, svg: String| std::fs::write(dir.join(name), svg).unwrap();
    write("spine-800.svg", spine_chart(&spine_sample(800.0)));
    write("spine-360.svg", spine_chart(&spine_sample(360.0)));
    write("trend-640.svg", trend_chart(&trend_sample(640.0)));
    write("trend-360.svg", trend_chart(&trend_sample(360.0)));
    write("compare-640.svg", compare_chart(&compare_sample(640.0)));
    write("compare-360.svg", compare_chart(&compare_sample(360.0)));
    write("sex-one-640.svg", sex_chart(&sex_sample(640.0, &["2023"])));
    write(
        "sex-years-640.svg",
        sex_chart(&sex_sample(
            640.0,
            &["2016", "2018", "2020", "2022", "2024"],
        )),
    );
    let geo = finland_geometry();
    for (name, w, q) in [
        ("map-outcome-640.svg", 640.0, false),
        ("map-quintile-360.svg", 360.0, true),
    ] {
        let mut m = meta("map", "Unemployed, % of labour force, 2023", w);
        if q {
            m.subtitle = Some("Relative position among municipalities".into());
        }
        write(
            name,
            choropleth_map(&MapChart {
                meta: m,
                labels: MapLabels {
                    legend_title: if q {
                        "Relative position".into()
                    } else {
                        "Compared with Finland (99.8 %)".into()
                    },
                    ..map_labels()
                },
                geometry: &geo,
                areas: map_areas(&geo, q),
                selected: Some("297".into()),
            }),
        );
    }
}
