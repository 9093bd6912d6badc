//! Municipal choropleth: GeoJSON boundaries projected and simplified once into SVG paths
//! ([`MapGeometry`]), then coloured per area by outcome or quintile class
//! ([`choropleth_map`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::svg::{
    chart_width, document, draw_swatch, esc, footer, header, legend, sanitize_id, text_lines, wrap,
    Style, Swatch, MARGIN, N, SMALL,
};
use crate::{ChartMeta, Outcome, OutcomeLabels};

/// Sequential palette for relative-position classes 1 (lowest) … 5 (highest): a single-hue
/// green ramp that darkens steadily, so order reads in greyscale and for every colour
/// vision, and that shares no hue with the outcome colours (section 4 of BENCHMARKING.md:
/// a rank must never look like Better/Worse).
pub const QUINTILE_COLOURS: [&str; 5] = ["#D9F0D3", "#A6DBA0", "#5AAE61", "#1B7837", "#00441B"];

/// Latitude whose cosine scales longitudes: Finland's middle, so shapes look right there.
const REFERENCE_LAT: f64 = 64.0;
/// Projected frame: the longer side of the whole map is this many units.
const FRAME: f64 = 1000.0;
/// Douglas–Peucker tolerance in frame units (≈ 1 km for Finland, below a pixel on screen).
const TOLERANCE: f64 = 0.8;
/// Upper bound on points per feature; the tolerance grows until a feature fits.
const MAX_POINTS: usize = 300;
/// Rings smaller than this in both directions (tiny islets) are dropped, except a
/// feature's largest ring, because they cost bytes and cannot be seen.
const MIN_RING: f64 = 1.0;
/// Fill of areas without data (under a hatch) and of the hatch lines.
const NO_DATA_FILL: &str = "#E6E6E6";
const NO_DATA_HATCH: &str = "#B0B0B0";
/// Area border: grey rather than white so white "not compared" areas stay visible.
const BORDER: &str = "#8F8F8F";

/// Why a GeoJSON document could not be turned into a [`MapGeometry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapError {
    /// The text is not valid JSON.
    Json(String),
    /// The JSON is not a GeoJSON `FeatureCollection` with a `features` array.
    NotFeatureCollection,
    /// Feature `index` lacks the code property (or it is not a string or number).
    MissingCode {
        /// Position of the feature in the `features` array.
        index: usize,
    },
    /// Feature `index` has no usable Polygon or MultiPolygon geometry.
    BadGeometry {
        /// Position of the feature in the `features` array.
        index: usize,
        /// What was wrong.
        reason: String,
    },
    /// The collection has no features.
    Empty,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::Json(e) => write!(f, "map geometry is not valid JSON: {e}"),
            MapError::NotFeatureCollection => {
                write!(f, "map geometry is not a GeoJSON FeatureCollection")
            }
            MapError::MissingCode { index } => {
                write!(f, "feature {index} has no code property")
            }
            MapError::BadGeometry { index, reason } => {
                write!(f, "feature {index} has unusable geometry: {reason}")
            }
            MapError::Empty => write!(f, "map geometry has no features"),
        }
    }
}

impl std::error::Error for MapError {}

/// One area's outline, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapFeature {
    /// Area code from the chosen property (e.g. `NATCODE` "091").
    pub code: String,
    /// SVG path data in the geometry's frame (`0..width` × `0..height`); draw with
    /// `fill-rule="evenodd"` so holes (an enclave municipality) stay holes.
    pub path: String,
    /// String and number properties of the feature (e.g. `NAMEFIN`, `NAMESWE`), kept for
    /// callers that want names from the file; the chart itself uses [`MapArea::name`].
    pub properties: BTreeMap<String, String>,
    /// Bounding box in the frame: `[min_x, min_y, max_x, max_y]`.
    pub bbox: [f64; 4],
    /// Number of points kept after simplification.
    pub points: usize,
}

/// Projected, simplified boundaries, built once (e.g. at start-up) and reused by every map.
///
/// Projection: equirectangular with longitudes scaled by cos 64°, which keeps Finland's
/// proportions within a few per cent and needs no projection library. The frame's longer
/// side is 1000 units; the chart scales it to the space available.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapGeometry {
    width: f64,
    height: f64,
    features: Vec<MapFeature>,
}

type Ring = Vec<(f64, f64)>;
/// A feature as read: code, properties, and its polygons (each a list of rings).
type RawFeature = (String, BTreeMap<String, String>, Vec<Vec<Ring>>);

impl MapGeometry {
    /// Build from a GeoJSON `FeatureCollection` in WGS84 longitude/latitude, taking each
    /// feature's code from `code_property` (a string or number property).
    ///
    /// Polygon and MultiPolygon geometries are supported. Features that share a code are
    /// merged into one. Each feature is simplified (Douglas–Peucker) to at most a few
    /// hundred points, because the municipal map is drawn at a few hundred pixels and
    /// every point costs bytes in every page and PDF.
    pub fn from_geojson(geojson: &str, code_property: &str) -> Result<MapGeometry, MapError> {
        let doc: Value =
            serde_json::from_str(geojson).map_err(|e| MapError::Json(e.to_string()))?;
        if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
            return Err(MapError::NotFeatureCollection);
        }
        let feats = doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or(MapError::NotFeatureCollection)?;
        if feats.is_empty() {
            return Err(MapError::Empty);
        }
        let k = REFERENCE_LAT.to_radians().cos();

        // Pass 1: read and project every ring (x east, y south) before fitting the frame.
        let mut raw: Vec<RawFeature> = Vec::new();
        for (index, f) in feats.iter().enumerate() {
            let props = f.get("properties").and_then(Value::as_object);
            let code = props
                .and_then(|p| p.get(code_property))
                .and_then(|v| match v {
                    Value::String(s) => Some(s.trim().to_string()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .ok_or(MapError::MissingCode { index })?;
            let properties: BTreeMap<String, String> = props
                .map(|p| {
                    p.iter()
                        .filter_map(|(key, v)| match v {
                            Value::String(s) => Some((key.clone(), s.clone())),
                            Value::Number(n) => Some((key.clone(), n.to_string())),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let bad = |reason: &str| MapError::BadGeometry {
                index,
                reason: reason.to_string(),
            };
            let geom = f.get("geometry").ok_or_else(|| bad("no geometry"))?;
            let coords = geom
                .get("coordinates")
                .ok_or_else(|| bad("no coordinates"))?;
            let polygons: Vec<&Value> = match geom.get("type").and_then(Value::as_str) {
                Some("Polygon") => vec![coords],
                Some("MultiPolygon") => coords
                    .as_array()
                    .ok_or_else(|| bad("coordinates are not an array"))?
                    .iter()
                    .collect(),
                Some(other) => return Err(bad(&format!("unsupported type {other}"))),
                None => return Err(bad("geometry has no type")),
            };
            let mut polys: Vec<Vec<Ring>> = Vec::new();
            for poly in polygons {
                let rings = poly
                    .as_array()
                    .ok_or_else(|| bad("polygon is not an array of rings"))?;
                let mut out_rings = Vec::new();
                for ring in rings {
                    let pts = ring.as_array().ok_or_else(|| bad("ring is not an array"))?;
                    let mut r: Ring = Vec::with_capacity(pts.len());
                    for p in pts {
                        let lon = p.get(0).and_then(Value::as_f64);
                        let lat = p.get(1).and_then(Value::as_f64);
                        match (lon, lat) {
                            (Some(lon), Some(lat))
                                if lon.is_finite() && (-90.0..=90.0).contains(&lat) =>
                            {
                                r.push((lon * k, -lat));
                            }
                            _ => return Err(bad("a position is not [lon, lat] in degrees")),
                        }
                    }
                    // GeoJSON repeats the first position at the end; "Z" closes instead.
                    if r.len() > 1 && r.first() == r.last() {
                        r.pop();
                    }
                    if r.len() >= 3 {
                        out_rings.push(r);
                    }
                }
                if !out_rings.is_empty() {
                    polys.push(out_rings);
                }
            }
            if polys.is_empty() {
                return Err(bad("no ring with at least three positions"));
            }
            raw.push((code, properties, polys));
        }

        // Fit the frame.
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (_, _, polys) in &raw {
            for (x, y) in polys.iter().flatten().flatten() {
                x0 = x0.min(*x);
                y0 = y0.min(*y);
                x1 = x1.max(*x);
                y1 = y1.max(*y);
            }
        }
        let span = (x1 - x0).max(y1 - y0).max(1e-9);
        let scale = FRAME / span;
        let width = ((x1 - x0) * scale).max(1.0);
        let height = ((y1 - y0) * scale).max(1.0);

        // Pass 2: to frame units, simplify, and merge features sharing a code.
        let mut order: Vec<String> = Vec::new();
        let mut merged: HashMap<String, (BTreeMap<String, String>, Vec<Ring>)> = HashMap::new();
        for (code, props, polys) in raw {
            let rings: Vec<Ring> = polys
                .into_iter()
                .flatten()
                .map(|r| {
                    r.into_iter()
                        .map(|(x, y)| ((x - x0) * scale, (y - y0) * scale))
                        .collect()
                })
                .collect();
            match merged.get_mut(&code) {
                Some(entry) => entry.1.extend(rings),
                None => {
                    order.push(code.clone());
                    merged.insert(code, (props, rings));
                }
            }
        }
        let features = order
            .into_iter()
            .map(|code| {
                let (properties, rings) = merged.remove(&code).unwrap_or_default();
                let rings = simplify_feature(&rings);
                let (path, points, bbox) = rings_to_path(&rings);
                MapFeature {
                    code,
                    path,
                    properties,
                    bbox,
                    points,
                }
            })
            .collect();
        Ok(MapGeometry {
            width,
            height,
            features,
        })
    }

    /// Width of the projected frame.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Height of the projected frame.
    pub fn height(&self) -> f64 {
        self.height
    }

    /// All features, in file order.
    pub fn features(&self) -> &[MapFeature] {
        &self.features
    }

    /// The feature with `code`, if any.
    pub fn feature(&self, code: &str) -> Option<&MapFeature> {
        self.features.iter().find(|f| f.code == code)
    }

    /// Number of features (distinct codes).
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether there are no features (never true for a geometry built by `from_geojson`).
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

fn ring_bbox(r: &Ring) -> [f64; 4] {
    r.iter().fold(
        [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
        |[a, b, c, d], (x, y)| [a.min(*x), b.min(*y), c.max(*x), d.max(*y)],
    )
}

/// Simplify all rings of one feature so that together they have at most [`MAX_POINTS`].
fn simplify_feature(rings: &[Ring]) -> Vec<Ring> {
    let area = |r: &Ring| {
        let b = ring_bbox(r);
        (b[2] - b[0]) * (b[3] - b[1])
    };
    let largest = rings
        .iter()
        .enumerate()
        .max_by(|a, b| area(a.1).total_cmp(&area(b.1)))
        .map(|(i, _)| i)
        .unwrap_or(0);
    let kept: Vec<&Ring> = rings
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            let b = ring_bbox(r);
            *i == largest || b[2] - b[0] >= MIN_RING || b[3] - b[1] >= MIN_RING
        })
        .map(|(_, r)| r)
        .collect();
    let mut tol = TOLERANCE;
    loop {
        let out: Vec<Ring> = kept.iter().map(|r| simplify_ring(r, tol)).collect();
        let total: usize = out.iter().map(Vec::len).sum();
        if total <= MAX_POINTS || tol > FRAME {
            return out;
        }
        tol *= 1.6;
    }
}

/// Douglas–Peucker on a closed ring: split at the first point and the point farthest from
/// it, simplify both halves as open lines, and keep at least a triangle.
fn simplify_ring(r: &Ring, tol: f64) -> Ring {
    let n = r.len();
    if n <= 4 {
        return r.clone();
    }
    let far = (1..n)
        .max_by(|&a, &b| dist2(r[0], r[a]).total_cmp(&dist2(r[0], r[b])))
        .unwrap_or(n / 2);
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[far] = true;
    mark(r, 0, far, tol, &mut keep);
    // Second half wraps around to the first point.
    let second: Ring = r[far..]
        .iter()
        .chain(std::iter::once(&r[0]))
        .copied()
        .collect();
    let mut keep2 = vec![false; second.len()];
    mark(&second, 0, second.len() - 1, tol, &mut keep2);
    for (i, k) in keep2.iter().enumerate().take(second.len() - 1) {
        if *k {
            keep[far + i] = true;
        }
    }
    let mut out: Ring = r
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| *p)
        .collect();
    if out.len() < 3 {
        // Keep a visible triangle: first, farthest, and the point farthest from that line.
        let third = (1..n)
            .filter(|&i| i != far)
            .max_by(|&a, &b| seg_dist(r[a], r[0], r[far]).total_cmp(&seg_dist(r[b], r[0], r[far])))
            .unwrap_or(1);
        let mut idx = [0, far, third];
        idx.sort_unstable();
        out = idx.iter().map(|&i| r[i]).collect();
    }
    out
}

/// Mark the points to keep between `a` and `b` (inclusive ends already decided), using an
/// explicit stack so that long rings cannot overflow the call stack.
fn mark(r: &Ring, a: usize, b: usize, tol: f64, keep: &mut [bool]) {
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut best, mut best_d) = (a, -1.0);
        for i in a + 1..b {
            let d = seg_dist(r[i], r[a], r[b]);
            if d > best_d {
                best = i;
                best_d = d;
            }
        }
        if best_d > tol {
            keep[best] = true;
            stack.push((a, best));
            stack.push((best, b));
        }
    }
}

fn dist2(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)
}

/// Distance from `p` to the segment `a`–`b`.
fn seg_dist(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return dist2(p, a).sqrt();
    }
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0);
    dist2(p, (a.0 + t * dx, a.1 + t * dy)).sqrt()
}

/// Compact path data: absolute move, then relative line-tos on a 0.1-unit grid. Deltas are
/// taken between *rounded* points so rounding never accumulates along a ring.
fn rings_to_path(rings: &[Ring]) -> (String, usize, [f64; 4]) {
    let mut d = String::new();
    let mut points = 0;
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for r in rings {
        let b = ring_bbox(r);
        bbox = [
            bbox[0].min(b[0]),
            bbox[1].min(b[1]),
            bbox[2].max(b[2]),
            bbox[3].max(b[3]),
        ];
        let mut prev: Option<(i64, i64)> = None;
        for (x, y) in r {
            let p = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
            match prev {
                None => {
                    let _ = write!(d, "M{},{}", Tenths(p.0), Tenths(p.1));
                }
                Some(q) if q == p => continue,
                Some(q) => {
                    let (dx, dy) = (p.0 - q.0, p.1 - q.1);
                    let sep = if prev_was_move(&d) { "l" } else { " " };
                    let _ = write!(d, "{sep}{},{}", Tenths(dx), Tenths(dy));
                }
            }
            prev = Some(p);
            points += 1;
        }
        d.push('z');
    }
    (d, points, bbox)
}

/// Whether the path's last command is the move-to (so the next pair needs an explicit `l`).
fn prev_was_move(d: &str) -> bool {
    let last_cmd = d.rfind(|c: char| c.is_ascii_alphabetic());
    last_cmd.is_some_and(|i| &d[i..=i] == "M")
}

/// An integer number of tenths printed as a decimal ("12.3", "-0.5", "7").
struct Tenths(i64);

impl fmt::Display for Tenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        if a.is_multiple_of(10) {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

/// What colours an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapCategory {
    /// Categorical: comparison with the benchmark.
    Outcome(Outcome),
    /// Relative position class 1 (lowest) … 5 (highest); other numbers count as no data.
    Quintile(u8),
    /// No value.
    NoData,
}

/// One area's data on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapArea {
    /// Code matching [`MapFeature::code`].
    pub code: String,
    /// Display name (translated by the caller), used in the hover title.
    pub name: String,
    /// Value as displayed, e.g. "12,3"; `None` shows the "no data" word.
    pub value_text: Option<String>,
    /// Colour class.
    pub category: MapCategory,
}

/// Visible words of the map, translated by the caller.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MapLabels {
    /// Legend heading, e.g. "Compared with Finland (99.8 %)" or "Relative position".
    pub legend_title: String,
    /// Names of classes 1…5, e.g. "Lowest fifth" … "Highest fifth".
    pub quintiles: [String; 5],
    /// Outcome words.
    pub outcome: OutcomeLabels,
    /// e.g. "No data".
    pub no_data: String,
}

/// Inputs of [`choropleth_map`].
#[derive(Debug, Clone)]
pub struct MapChart<'a> {
    /// Accessible name, ids, width, number style.
    pub meta: ChartMeta,
    /// Visible words.
    pub labels: MapLabels,
    /// Boundaries, built once with [`MapGeometry::from_geojson`].
    pub geometry: &'a MapGeometry,
    /// Data per area; features without an entry are drawn as "no data", and entries whose
    /// code is not in the geometry are ignored (e.g. a merged municipality).
    pub areas: Vec<MapArea>,
    /// Code of the area the page is about; drawn with a thick outline on top.
    pub selected: Option<String>,
}

/// Fill of a category; `p` is the sanitized id prefix for pattern references.
fn fill_of(cat: MapCategory, p: &str) -> String {
    match cat {
        MapCategory::Outcome(Outcome::Worse) => format!("url(#{p}-worse)"),
        MapCategory::Outcome(o) => o.colour().to_string(),
        MapCategory::Quintile(q @ 1..=5) => QUINTILE_COLOURS[q as usize - 1].to_string(),
        MapCategory::Quintile(_) | MapCategory::NoData => format!("url(#{p}-nodata)"),
    }
}

fn normalise(cat: MapCategory) -> MapCategory {
    match cat {
        MapCategory::Quintile(1..=5) | MapCategory::Outcome(_) => cat,
        _ => MapCategory::NoData,
    }
}

/// Draw a municipal choropleth. Each area is a `<path>` with `data-code`, a fill from its
/// category and a `<title>` "name: value" (hover text). "Worse" is hatched in addition to
/// its colour and "no data" is grey hatched, so the key distinctions survive greyscale
/// print and colour-vision deficiencies. The selected area is outlined on top of the
/// others. The legend sits right of the map when there is room, otherwise below it.
pub fn choropleth_map(chart: &MapChart<'_>) -> String {
    let meta = &chart.meta;
    let width = chart_width(meta);
    let l = &chart.labels;
    let p = sanitize_id(&meta.id_prefix);
    let (head, top) = header(meta, width);
    let mut body = head;
    let geo = chart.geometry;
    let by_code: HashMap<&str, &MapArea> =
        chart.areas.iter().map(|a| (a.code.as_str(), a)).collect();

    let inner = width - 2.0 * MARGIN;
    let legend_right = width >= 520.0;
    let legend_w = if legend_right {
        (width * 0.34).clamp(170.0, 260.0)
    } else {
        inner
    };
    let box_w = if legend_right {
        inner - legend_w - 16.0
    } else {
        inner
    };
    let max_h = 900.0;
    let s = (box_w / geo.width).min(max_h / geo.height);
    let (map_w, map_h) = (geo.width * s, geo.height * s);
    let ox = MARGIN + (box_w - map_w) / 2.0;
    let oy = top + 4.0;

    let defs = format!(
        "<pattern id=\"{p}-nodata\" patternUnits=\"userSpaceOnUse\" width=\"5\" height=\"5\" patternTransform=\"rotate(45)\">\
<rect width=\"5\" height=\"5\" fill=\"{NO_DATA_FILL}\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"{NO_DATA_HATCH}\" stroke-width=\"1.6\"/></pattern>\
<pattern id=\"{p}-worse\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(-45)\">\
<rect width=\"6\" height=\"6\" fill=\"{w}\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{ws}\" stroke-width=\"1.4\"/></pattern>",
        w = Outcome::Worse.colour(),
        ws = Outcome::Worse.stroke(),
    );
    // Hover feedback comes from the host stylesheet (`.chart svg .area:hover`): an
    // inline <style> would be refused by the pages' Content-Security-Policy.
    let _ = write!(
        body,
        "<g class=\"areas\" transform=\"translate({} {}) scale({})\" stroke=\"{BORDER}\" stroke-width=\"{}\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">",
        N(ox),
        N(oy),
        s,
        N4(0.5 / s)
    );
    let mut used: Vec<MapCategory> = Vec::new();
    for f in geo.features() {
        let area = by_code.get(f.code.as_str());
        let cat = area
            .map(|a| normalise(a.category))
            .unwrap_or(MapCategory::NoData);
        if !used.contains(&cat) {
            used.push(cat);
        }
        let name = area.map(|a| a.name.as_str()).unwrap_or(f.code.as_str());
        let mut tip = match area.and_then(|a| a.value_text.as_deref()) {
            Some(v) => format!("{name}: {v}"),
            None => format!("{name}: {}", l.no_data),
        };
        let word = match cat {
            MapCategory::Outcome(o) => l.outcome.get(o),
            MapCategory::Quintile(q) => l.quintiles[q as usize - 1].as_str(),
            MapCategory::NoData => "",
        };
        if !word.is_empty() && area.and_then(|a| a.value_text.as_ref()).is_some() {
            let _ = write!(tip, " ({word})");
        }
        let class = match cat {
            MapCategory::Outcome(o) => format!("outcome-{}", o.key()),
            MapCategory::Quintile(q) => format!("quintile-{q}"),
            MapCategory::NoData => "no-data".to_string(),
        };
        let _ = write!(
            body,
            "<path class=\"area {class}\" data-code=\"{}\" d=\"{}\" fill=\"{}\"><title>{}</title></path>",
            esc(&f.code),
            f.path,
            fill_of(cat, &p),
            esc(&tip)
        );
    }
    body.push_str("</g>");
    if let Some(sel) = chart.selected.as_deref().and_then(|c| geo.feature(c)) {
        // A white halo under a black line keeps the outline visible on dark and light fills.
        let _ = write!(
            body,
            "<g class=\"selected\" transform=\"translate({} {}) scale({})\" fill=\"none\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">\
<path d=\"{d}\" stroke=\"#FFFFFF\" stroke-width=\"{}\"/><path class=\"selected-outline\" data-code=\"{}\" d=\"{d}\" stroke=\"#000000\" stroke-width=\"{}\"/></g>",
            N(ox),
            N(oy),
            s,
            N4(5.0 / s),
            esc(&sel.code),
            N4(2.4 / s),
            d = sel.path
        );
    }

    // Legend entries in a fixed order: quintiles 1..5, outcomes, then no data.
    let mut items: Vec<(Swatch, String)> = Vec::new();
    if used.iter().any(|c| matches!(c, MapCategory::Quintile(_))) {
        for (i, label) in l.quintiles.iter().enumerate() {
            items.push((
                Swatch::Rect {
                    fill: QUINTILE_COLOURS[i],
                    stroke: BORDER,
                },
                label.clone(),
            ));
        }
    }
    for o in Outcome::ALL {
        if used.contains(&MapCategory::Outcome(o)) {
            let swatch = if o == Outcome::Worse {
                Swatch::Pattern {
                    id: format!("{p}-worse"),
                    stroke: BORDER,
                }
            } else {
                Swatch::Rect {
                    fill: o.colour(),
                    stroke: BORDER,
                }
            };
            items.push((swatch, l.outcome.get(o).to_string()));
        }
    }
    if used.contains(&MapCategory::NoData) {
        items.push((
            Swatch::Pattern {
                id: format!("{p}-nodata"),
                stroke: BORDER,
            },
            l.no_data.clone(),
        ));
    }
    items.retain(|(_, s)| !s.trim().is_empty());

    let (lx, mut ly) = if legend_right {
        (MARGIN + box_w + 16.0, oy)
    } else {
        (MARGIN, oy + map_h + 12.0)
    };
    if !l.legend_title.trim().is_empty() {
        let w = wrap(&l.legend_title, legend_w, 13.0, true, 3);
        text_lines(
            &mut body,
            lx,
            ly + 13.0,
            17.0,
            &w,
            &l.legend_title,
            Style::new(13.0).bold(),
        );
        ly += 17.0 * w.lines.len() as f64 + 4.0;
    }
    if legend_right {
        // One entry per line: a map legend is read as a key, top to bottom.
        body.push_str("<g class=\"legend\">");
        for (swatch, label) in &items {
            let w = wrap(label, legend_w - 30.0, SMALL, false, 2);
            draw_swatch(&mut body, swatch, lx, ly + 11.0, 22.0);
            text_lines(
                &mut body,
                lx + 30.0,
                ly + 15.0,
                15.0,
                &w,
                label,
                Style::new(SMALL),
            );
            ly += 22.0 + 15.0 * (w.lines.len() as f64 - 1.0);
        }
        body.push_str("</g>");
    } else {
        let (lg, h) = legend(&items, lx, ly, legend_w);
        body.push_str(&lg);
        ly += h;
    }
    let bottom = if legend_right {
        (oy + map_h).max(ly)
    } else {
        ly
    };
    let (foot, height) = footer(meta, width, bottom + 4.0);
    body.push_str(&foot);
    document(meta, "map", width, height, &defs, &body)
}

/// A scale-dependent width printed with enough precision for small values.
struct N4(f64);

impl fmt::Display for N4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = format!("{:.4}", self.0);
        f.write_str(s.trim_end_matches('0').trim_end_matches('.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_print_exactly() {
        assert_eq!(Tenths(123).to_string(), "12.3");
        assert_eq!(Tenths(-5).to_string(), "-0.5");
        assert_eq!(Tenths(70).to_string(), "7");
        assert_eq!(Tenths(0).to_string(), "0");
    }

    #[test]
    fn simplification_caps_points_and_keeps_shape() {
        // A 2000-point circle must come down to at most MAX_POINTS and keep its extent.
        let ring: Ring = (0..2000)
            .map(|i| {
                let a = i as f64 / 2000.0 * std::f64::consts::TAU;
                (500.0 + 400.0 * a.cos(), 500.0 + 400.0 * a.sin())
            })
            .collect();
        let out = simplify_feature(&[ring]);
        let n: usize = out.iter().map(Vec::len).sum();
        assert!((16..=MAX_POINTS).contains(&n), "{n}");
        let b = ring_bbox(&out[0]);
        assert!((b[2] - b[0] - 800.0).abs() < 5.0);
    }
}
