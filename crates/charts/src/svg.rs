//! Small SVG toolkit shared by the charts: escaping, number output, text measuring and
//! wrapping, outcome markers, legends, and the accessible document frame.
//!
//! Charts write SVG by hand into a `String`. A DOM builder would be heavier than the
//! charts themselves, and hand-written output is easy to read in snapshots and tests.

use std::fmt::{self, Write};

use crate::{ChartMeta, Outcome, Shape};

/// Main text colour: near-black, softer than pure black on screen, still black in print.
pub(crate) const INK: &str = "#1A1A1A";
/// Secondary text (axis labels, notes): passes WCAG AA contrast on white.
pub(crate) const MUTED: &str = "#555555";
/// Gridlines: visible but quieter than data.
pub(crate) const GRID: &str = "#E3E3E3";
/// Axis lines and tick marks.
pub(crate) const AXIS: &str = "#8C8C8C";
/// Outer margin on the left and right.
pub(crate) const MARGIN: f64 = 12.0;
/// Body text size in user units.
pub(crate) const FONT: f64 = 13.0;
/// Small text size (axis ticks, legend, notes). Kept at 12 so phones stay readable.
pub(crate) const SMALL: f64 = 12.0;

/// Escape text for XML content and attribute values.
///
/// Besides the five markup characters this drops control characters that XML 1.0 forbids
/// outright (a stray U+0001 in a label would otherwise make the whole SVG unparseable).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate printed with at most two decimals and no trailing zeros, which keeps the
/// SVG small and byte-stable across platforms.
#[derive(Clone, Copy)]
pub(crate) struct N(pub f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() { self.0 } else { 0.0 };
        let r = (v * 100.0).round() / 100.0;
        let r = if r == 0.0 { 0.0 } else { r }; // no "-0"
        let s = format!("{r:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        f.write_str(s)
    }
}

/// Make an id prefix valid as the start of an XML id (letters, digits, `-`, `_`, `.`).
pub(crate) fn sanitize_id(prefix: &str) -> String {
    let mut s: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert(0, 'c');
    }
    s
}

/// Estimated rendered width of `s` at `size` in a typical system UI font.
///
/// There are no font metrics without I/O, so this uses per-class advance widths. They are
/// calibrated on DejaVu Sans, the widest common fallback for `sans-serif` (Linux desktops,
/// librsvg exports); Segoe UI, Roboto and San Francisco are 5–12 % narrower. Erring wide
/// means text wraps a little early on those, instead of overflowing on the wide font.
pub(crate) fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.29,
            ' ' | '\u{a0}' | '\u{202f}' => 0.32,
            'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '-' => 0.41,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.96,
            '0'..='9' | '\u{2212}' | '\u{2013}' | '+' | '=' => 0.64,
            'A'..='Z' | 'Å' | 'Ä' | 'Ö' | '\u{2014}' | '\u{2192}' | '\u{2190}' => 0.72,
            _ => 0.62,
        })
        .sum();
    em * size * if bold { 1.1 } else { 1.0 }
}

/// Text broken into lines that fit a width.
pub(crate) struct Wrapped {
    /// The lines, the last one ending in "…" when the text did not fit.
    pub lines: Vec<String>,
    /// Whether text was cut; the caller then adds a `<title>` with the full text.
    pub truncated: bool,
}

/// Greedy word wrap into at most `max_lines` lines of `max_w` width.
pub(crate) fn wrap(s: &str, max_w: f64, size: f64, bold: bool, max_lines: usize) -> Wrapped {
    let max_lines = max_lines.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut truncated = false;
    for word in s.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&candidate, size, bold) <= max_w || cur.is_empty() {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
        if lines.len() >= max_lines {
            truncated = true;
            break;
        }
    }
    if !truncated && !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        truncated = true;
    }
    // A single over-long word (or the cut last line) is shortened with an ellipsis.
    for (i, line) in lines.iter_mut().enumerate() {
        let last = i + 1 == max_lines;
        if text_width(line, size, bold) > max_w || (last && truncated) {
            *line = ellipsize(line, max_w, size, bold, last && truncated);
            truncated = true;
        }
    }
    Wrapped { lines, truncated }
}

/// Shorten `s` with a trailing "…" so it fits `max_w`; `force` adds the ellipsis even when
/// the line fits, because text after it was dropped.
pub(crate) fn ellipsize(s: &str, max_w: f64, size: f64, bold: bool, force: bool) -> String {
    if !force && text_width(s, size, bold) <= max_w {
        return s.to_string();
    }
    let mut out: String = s.trim_end().to_string();
    while !out.is_empty() && text_width(&format!("{out}…"), size, bold) > max_w {
        out.pop();
    }
    let out = out.trim_end();
    format!("{out}…")
}

/// Horizontal text alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        }
    }
}

/// Text style for [`text`].
#[derive(Clone, Copy)]
pub(crate) struct Style {
    pub size: f64,
    pub bold: bool,
    pub fill: &'static str,
    pub anchor: Anchor,
    /// Tabular figures so that right-aligned numbers line up digit by digit.
    pub numeric: bool,
}

impl Style {
    pub(crate) fn new(size: f64) -> Style {
        Style {
            size,
            bold: false,
            fill: INK,
            anchor: Anchor::Start,
            numeric: false,
        }
    }
    pub(crate) fn bold(mut self) -> Style {
        self.bold = true;
        self
    }
    pub(crate) fn fill(mut self, fill: &'static str) -> Style {
        self.fill = fill;
        self
    }
    pub(crate) fn anchor(mut self, anchor: Anchor) -> Style {
        self.anchor = anchor;
        self
    }
    pub(crate) fn numeric(mut self) -> Style {
        self.numeric = true;
        self
    }
}

/// One `<text>` element with its baseline at `y`.
pub(crate) fn text(out: &mut String, x: f64, y: f64, s: &str, st: Style) {
    let _ = write!(out, "<text x=\"{}\" y=\"{}\"", N(x), N(y));
    if st.size != FONT {
        let _ = write!(out, " font-size=\"{}\"", N(st.size));
    }
    if st.bold {
        out.push_str(" font-weight=\"600\"");
    }
    if st.fill != INK {
        let _ = write!(out, " fill=\"{}\"", st.fill);
    }
    out.push_str(st.anchor.attr());
    if st.numeric {
        // A class, not a style attribute: pages forbid inline styles (CSP), and the
        // host stylesheet sets `.tnum { font-variant-numeric: tabular-nums }`.
        out.push_str(" class=\"tnum\"");
    }
    let _ = write!(out, ">{}</text>", esc(s));
}

/// Several lines of text from a [`Wrapped`]; the first baseline at `y`. When the text was
/// shortened the lines are grouped under a `<title>` carrying the full text, so hovering
/// still reveals it.
pub(crate) fn text_lines(
    out: &mut String,
    x: f64,
    y: f64,
    line_h: f64,
    w: &Wrapped,
    full: &str,
    st: Style,
) {
    if w.truncated {
        let _ = write!(out, "<g><title>{}</title>", esc(full));
    }
    for (i, line) in w.lines.iter().enumerate() {
        text(out, x, y + i as f64 * line_h, line, st);
    }
    if w.truncated {
        out.push_str("</g>");
    }
}

/// Path data of a marker shape centred on the origin, sized to roughly equal area for a
/// circle of radius `r` (so no outcome looks more important because its shape is bigger).
pub(crate) fn shape_path(shape: Shape, r: f64) -> String {
    match shape {
        Shape::Circle => format!(
            "M{},0A{r2},{r2} 0 1 0 {},0A{r2},{r2} 0 1 0 {},0Z",
            N(-r),
            N(r),
            N(-r),
            r2 = N(r)
        ),
        Shape::Square => {
            let h = r * 0.89;
            format!("M{},{}H{}V{}H{}Z", N(-h), N(-h), N(h), N(h), N(-h))
        }
        Shape::Diamond => {
            let d = r * 1.25;
            format!("M0,{}L{},0L0,{}L{},0Z", N(-d), N(d), N(d), N(-d))
        }
        Shape::TriangleUp => {
            let (t, b, s) = (r * 1.3, r * 0.95, r * 1.4);
            format!("M0,{}L{},{}L{},{}Z", N(-t), N(s), N(b), N(-s), N(b))
        }
        Shape::TriangleDown => {
            let (t, b, s) = (r * 1.3, r * 0.95, r * 1.4);
            format!("M0,{}L{},{}L{},{}Z", N(t), N(s), N(-b), N(-s), N(-b))
        }
    }
}

/// An outcome marker at (`x`, `y`). It is a `<path>` placed by `transform` so that every
/// shape is drawn the same way and tests can read the position from one attribute.
/// `tooltip` becomes a child `<title>` (hover text in browsers).
pub(crate) fn marker(
    out: &mut String,
    outcome: Outcome,
    x: f64,
    y: f64,
    r: f64,
    class: &str,
    tooltip: Option<&str>,
) {
    let _ = write!(
        out,
        "<path class=\"{class} outcome-{}\" transform=\"translate({} {})\" d=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.2\"",
        outcome.key(),
        N(x),
        N(y),
        shape_path(outcome.shape(), r),
        outcome.colour(),
        outcome.stroke()
    );
    match tooltip {
        Some(t) => {
            let _ = write!(out, "><title>{}</title></path>", esc(t));
        }
        None => out.push_str("/>"),
    }
}

/// The glyph drawn before a legend entry.
pub(crate) enum Swatch {
    /// An outcome marker.
    Marker(Outcome),
    /// A line sample (series or benchmark).
    Line {
        colour: &'static str,
        dash: Option<&'static str>,
        width: f64,
    },
    /// A translucent band (confidence interval, spread).
    Band { fill: &'static str, opacity: f64 },
    /// A filled box with outline (bars, map classes).
    Rect {
        fill: &'static str,
        stroke: &'static str,
    },
    /// A box filled with a pattern from `<defs>` (map "no data").
    Pattern { id: String, stroke: &'static str },
    /// A confidence-interval whisker with end caps.
    Whisker,
    /// The spine chart's region tick.
    Tick,
}

/// Draw a legend that flows left to right and wraps within `max_w`. Returns the markup and
/// the height used, so the caller can place what comes below.
pub(crate) fn legend(items: &[(Swatch, String)], x0: f64, y0: f64, max_w: f64) -> (String, f64) {
    const ROW: f64 = 22.0;
    const SW: f64 = 22.0;
    let mut out = String::from("<g class=\"legend\">");
    if items.is_empty() {
        out.push_str("</g>");
        return (out, 0.0);
    }
    let (mut x, mut y) = (x0, y0);
    for (swatch, label) in items {
        let label = ellipsize(label, max_w - SW - 6.0, SMALL, false, false);
        let w = SW + 6.0 + text_width(&label, SMALL, false);
        if x > x0 && x + w > x0 + max_w {
            x = x0;
            y += ROW;
        }
        let cy = y + ROW / 2.0;
        draw_swatch(&mut out, swatch, x, cy, SW);
        text(
            &mut out,
            x + SW + 6.0,
            cy + SMALL * 0.35,
            &label,
            Style::new(SMALL),
        );
        x += w + 16.0;
    }
    out.push_str("</g>");
    (out, y + ROW - y0)
}

/// Draw one legend glyph `sw` wide, vertically centred on `cy`.
pub(crate) fn draw_swatch(out: &mut String, swatch: &Swatch, x: f64, cy: f64, sw: f64) {
    match swatch {
        Swatch::Marker(o) => marker(out, *o, x + sw / 2.0, cy, 5.5, "legend-marker", None),
        Swatch::Line {
            colour,
            dash,
            width,
        } => {
            let _ = write!(
                out,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"{}\"{}/>",
                N(x),
                N(cy),
                N(x + sw),
                N(cy),
                N(*width),
                dash.map(|d| format!(" stroke-dasharray=\"{d}\""))
                    .unwrap_or_default()
            );
        }
        Swatch::Band { fill, opacity } => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{fill}\" fill-opacity=\"{}\"/>",
                N(x),
                N(cy - 6.0),
                N(sw),
                N(*opacity)
            );
        }
        Swatch::Rect { fill, stroke } => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{fill}\" stroke=\"{stroke}\"/>",
                N(x + 2.0),
                N(cy - 6.0),
                N(sw - 4.0)
            );
        }
        Swatch::Pattern { id, stroke } => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"url(#{id})\" stroke=\"{stroke}\"/>",
                N(x + 2.0),
                N(cy - 6.0),
                N(sw - 4.0)
            );
        }
        Swatch::Whisker => {
            let (l, r) = (x + 3.0, x + sw - 3.0);
            let _ = write!(
                out,
                "<path d=\"M{l},{cy}H{r}M{l},{t}V{b}M{r},{t}V{b}\" stroke=\"{INK}\" stroke-width=\"1.2\" fill=\"none\"/>",
                l = N(l),
                r = N(r),
                cy = N(cy),
                t = N(cy - 5.0),
                b = N(cy + 5.0)
            );
        }
        Swatch::Tick => region_tick(out, x + sw / 2.0, cy, 16.0, None),
    }
}

/// The spine chart's region marker: a short, thick dark bar, unlike any outcome shape.
pub(crate) fn region_tick(out: &mut String, x: f64, cy: f64, h: f64, tooltip: Option<&str>) {
    let _ = write!(
        out,
        "<rect class=\"region-marker\" x=\"{}\" y=\"{}\" width=\"4\" height=\"{}\" fill=\"#333333\" stroke=\"#FFFFFF\" stroke-width=\"0.8\"",
        N(x - 2.0),
        N(cy - h / 2.0),
        N(h)
    );
    match tooltip {
        Some(t) => {
            let _ = write!(out, "><title>{}</title></rect>", esc(t));
        }
        None => out.push_str("/>"),
    }
}

/// Heading (title and subtitle) at the top. Returns markup and the y where the body starts.
pub(crate) fn header(meta: &ChartMeta, width: f64) -> (String, f64) {
    let mut out = String::new();
    let inner = width - 2.0 * MARGIN;
    let mut y = 8.0;
    if meta.show_title && !meta.title.trim().is_empty() {
        let w = wrap(&meta.title, inner, 17.0, true, 3);
        y += 18.0;
        text_lines(
            &mut out,
            MARGIN,
            y,
            22.0,
            &w,
            &meta.title,
            Style::new(17.0).bold(),
        );
        y += 22.0 * (w.lines.len() as f64 - 1.0) + 6.0;
    }
    if let Some(sub) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let w = wrap(sub, inner, FONT, false, 3);
        y += 15.0;
        text_lines(
            &mut out,
            MARGIN,
            y,
            18.0,
            &w,
            sub,
            Style::new(FONT).fill(MUTED),
        );
        y += 18.0 * (w.lines.len() as f64 - 1.0) + 4.0;
    }
    (out, y + 10.0)
}

/// Source/attribution footer starting at `y`. Returns markup and the total height of the
/// chart (the footer's bottom plus padding).
pub(crate) fn footer(meta: &ChartMeta, width: f64, y: f64) -> (String, f64) {
    let mut out = String::new();
    let mut y = y;
    if let Some(src) = meta.source.as_deref().filter(|s| !s.trim().is_empty()) {
        let w = wrap(src, width - 2.0 * MARGIN, 11.0, false, 3);
        y += 16.0;
        text_lines(
            &mut out,
            MARGIN,
            y,
            15.0,
            &w,
            src,
            Style::new(11.0).fill("#666666"),
        );
        y += 15.0 * (w.lines.len() as f64 - 1.0);
    }
    (out, y + 10.0)
}

/// Wrap the parts into the root `<svg>` with the accessible name and description.
pub(crate) fn document(
    meta: &ChartMeta,
    kind: &str,
    width: f64,
    height: f64,
    defs: &str,
    body: &str,
) -> String {
    let p = sanitize_id(&meta.id_prefix);
    let mut out = String::with_capacity(body.len() + defs.len() + 1024);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{p}\" class=\"hyte-chart hyte-chart-{kind}\" \
viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-labelledby=\"{p}-title {p}-desc\" \
font-family=\"system-ui, sans-serif\" font-size=\"{fs}\" fill=\"{INK}\">\
<title id=\"{p}-title\">{title}</title><desc id=\"{p}-desc\">{desc}</desc>",
        w = N(width),
        h = N(height.ceil()),
        fs = N(FONT),
        title = esc(&meta.title),
        desc = esc(&meta.description),
    );
    if !defs.is_empty() {
        let _ = write!(out, "<defs>{defs}</defs>");
    }
    // An explicit white background: exported PNGs and dark-mode pages otherwise show the
    // chart on transparent/black, where the dark text disappears.
    let _ = write!(
        out,
        "<rect class=\"background\" width=\"{}\" height=\"{}\" fill=\"#FFFFFF\"/>",
        N(width),
        N(height.ceil())
    );
    out.push_str(body);
    out.push_str("</svg>");
    out
}

/// The unit / axis title above a plot, wrapped to two lines; horizontal rather than
/// rotated, because rotated text is hard to read on a phone. Returns the y below it.
pub(crate) fn axis_title(out: &mut String, title: &str, y: f64, width: f64) -> f64 {
    if title.trim().is_empty() {
        return y;
    }
    let w = wrap(title, width - 2.0 * MARGIN, SMALL, false, 2);
    text_lines(
        out,
        MARGIN,
        y + 10.0,
        15.0,
        &w,
        title,
        Style::new(SMALL).fill(MUTED),
    );
    y + 22.0 + 15.0 * (w.lines.len() as f64 - 1.0)
}

/// Clamp `width` to something every layout can handle (a chart narrower than a phone is
/// not useful, and absurd widths would only stretch lines).
pub(crate) fn chart_width(meta: &ChartMeta) -> f64 {
    if meta.width.is_finite() {
        meta.width.clamp(280.0, 2000.0)
    } else {
        640.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            esc("<a href='x'>&\"\u{1}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(N(1.0).to_string(), "1");
        assert_eq!(N(1.256).to_string(), "1.26");
        assert_eq!(N(-0.001).to_string(), "0");
        assert_eq!(N(10.5).to_string(), "10.5");
    }

    #[test]
    fn ids_are_valid() {
        assert_eq!(sanitize_id("spine 1"), "spine-1");
        assert_eq!(sanitize_id("1x"), "c1x");
    }

    #[test]
    fn wraps_and_truncates() {
        let w = wrap("one two three four five six", 60.0, 13.0, false, 2);
        assert_eq!(w.lines.len(), 2);
        assert!(w.truncated);
        assert!(w.lines[1].ends_with('…'));
        let w = wrap("short", 200.0, 13.0, false, 2);
        assert_eq!(w.lines, vec!["short".to_string()]);
        assert!(!w.truncated);
    }
}
