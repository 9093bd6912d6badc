//! Helpers of the benchmark runner (`bench/run`), reachable as hidden subcommands:
//! `hyte bench gen` writes a large Sotkanet-format CSV, `hyte bench query` times
//! sequential API requests against a running server.

use anyhow::{bail, Context};
use hyte_domain::RegionCategory;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// First indicator id of generated data (far from real Sotkanet ids in the demo).
pub const GEN_FIRST_INDICATOR: i64 = 10_001;
/// Years of generated data.
pub const GEN_YEARS: std::ops::RangeInclusive<i64> = 1990..=2024;
const GENDERS: [&str; 3] = ["total", "male", "female"];

/// Writes `rows` data rows in the Hyte snapshot CSV format
/// (`indicator,region_category,region_code,region_title_fi,year,gender,value`):
/// the 308 current municipalities × years × genders × as many indicators as needed,
/// so every key is unique. Returns the number of indicators used.
pub fn generate(out: &Path, rows: u64) -> anyhow::Result<u64> {
    let munis: Vec<(String, String)> = hyte_store::seed::reference_regions()?
        .into_iter()
        .filter(|r| r.key.category() == RegionCategory::Kunta && r.is_current())
        .map(|r| (r.key.code().to_string(), r.name_fi))
        .collect();
    if munis.is_empty() {
        bail!("no municipalities in the reference data");
    }
    let f =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    writeln!(
        w,
        "indicator,region_category,region_code,region_title_fi,year,gender,value"
    )?;
    let mut n = 0u64;
    let mut indicator = GEN_FIRST_INDICATOR;
    // A cheap deterministic value stream (xorshift) so values vary.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    'outer: loop {
        for (code, name) in &munis {
            for year in GEN_YEARS {
                for g in GENDERS {
                    if n >= rows {
                        break 'outer;
                    }
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let v = x % 100_000;
                    writeln!(
                        w,
                        "{indicator},KUNTA,{code},{name},{year},{g},{}.{}",
                        v / 10,
                        v % 10
                    )?;
                    n += 1;
                }
            }
        }
        indicator += 1;
    }
    w.flush()?;
    let used = if n == 0 {
        0
    } else {
        (indicator - GEN_FIRST_INDICATOR + 1) as u64
    };
    Ok(used)
}

/// Result of [`query`].
#[derive(Debug, Clone)]
pub struct QueryStats {
    /// Requests timed.
    pub requests: usize,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Slowest.
    pub max: Duration,
    /// Size of one response body.
    pub bytes: usize,
    /// Items in one response.
    pub items: u64,
}

/// The `q`-quantile of sorted durations (nearest rank).
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Sends `requests` sequential `GET {base}/api/v1/indicators/{id}/values` (after a
/// few untimed warm-up requests) to a loopback server and returns the latencies.
pub async fn query(base: &str, indicator: i64, requests: usize) -> anyhow::Result<QueryStats> {
    let base = base.trim_end_matches('/');
    let host_ok = ["http://127.", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| base.starts_with(p));
    if !host_ok {
        bail!("the query benchmark only talks to a loopback address (http://127.0.0.1:PORT)");
    }
    let url = format!("{base}/api/v1/indicators/{indicator}/values");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()?;
    let mut bytes = 0;
    let mut items = 0;
    for _ in 0..3 {
        let resp = client
            .get(&url)
            .send()
            .await
            .with_context(|| format!("GET {url} failed"))?;
        let status = resp.status();
        let body = resp.bytes().await?;
        if !status.is_success() {
            bail!(
                "GET {url} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
        bytes = body.len();
        let v: serde_json::Value =
            serde_json::from_slice(&body).context("the answer is not JSON")?;
        items = v.get("count").and_then(|c| c.as_u64()).unwrap_or(0);
    }
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let t = Instant::now();
        let resp = client.get(&url).send().await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        let dt = t.elapsed();
        if !status.is_success() {
            bail!("GET {url} answered {status}");
        }
        bytes = body.len();
        times.push(dt);
    }
    times.sort();
    Ok(QueryStats {
        requests,
        p50: quantile(&times, 0.50),
        p99: quantile(&times, 0.99),
        max: times.last().copied().unwrap_or_default(),
        bytes,
        items,
    })
}
