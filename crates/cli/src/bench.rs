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

/// Settings of [`load`].
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// `http://127.0.0.1:PORT` of a running `hyte serve` on `store`'s database.
    pub base: String,
    /// Concurrent readers of public pages and the API.
    pub clients: usize,
    /// Concurrent editors, each saving their own section.
    pub editors: usize,
    /// How long to run.
    pub duration: Duration,
    /// Indicator of the indicator pages and value requests.
    pub indicator: i64,
}

/// Result of [`load`].
#[derive(Debug, Clone)]
pub struct LoadStats {
    /// Requests answered (reads and saves).
    pub requests: u64,
    /// Requests per second.
    pub rps: f64,
    /// Latency percentiles over all requests.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Failed requests (transport errors and statuses other than 200, or 409 on saves).
    pub errors: u64,
    /// Acknowledged saves.
    pub saves: u64,
    /// Save conflicts (409) that were retried.
    pub conflicts: u64,
    /// Acknowledged saves not found as a revision afterwards.
    pub lost_saves: u64,
    /// The first few error descriptions.
    pub error_samples: Vec<String>,
}

/// Load test: `clients` readers GET public pages and API routes in a loop while
/// `editors` save their own section of one report (re-reading the revision on 409 and
/// retrying); afterwards every acknowledged save is looked up in the store.
///
/// Sets up its own coordinator, API token and report with one section per editor in
/// `store` (the database of the server at `opts.base`).
pub async fn load(store: &hyte_store::Store, opts: &LoadOptions) -> anyhow::Result<LoadStats> {
    use std::sync::{Arc, Mutex};
    let base = opts.base.trim_end_matches('/').to_string();
    let host_ok = ["http://127.", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| base.starts_with(p));
    if !host_ok {
        bail!("the load test only talks to a loopback address (http://127.0.0.1:PORT)");
    }
    // Setup, directly in the store.
    let stamp = crate::random_password(8).to_lowercase();
    let email = format!("load-{stamp}@kunta.example");
    let mut tx = store.begin().await?;
    let user = tx
        .create_user(&hyte_store::users::NewUser {
            email: email.clone(),
            name: "Load test".into(),
            org: Some("KUNTA:016".parse()?),
            role: hyte_domain::Role::Coordinator,
            sector: None,
            password_hash: "!".into(),
        })
        .await?;
    let token = format!("hyte_load_{}", crate::random_password(32));
    tx.create_api_token(user.id, &token, "load").await?;
    let report_id = tx
        .create_report(
            &hyte_store::reports::NewReport {
                org: "KUNTA:016".parse()?,
                partners: vec![],
                kind: hyte_domain::report::ReportKind::TermReport,
                title: format!("Kuormitustesti {stamp}"),
                term_start: 2025,
                term_end: 2029,
                year: None,
                languages: vec!["fi".into()],
                created_by: email.clone(),
            },
            &[],
            "fi",
        )
        .await?;
    let mut sections = Vec::new();
    for i in 0..opts.editors {
        sections.push(
            tx.add_section(report_id, &format!("Osio {}", i + 1), &[], None, &email)
                .await?,
        );
    }
    tx.commit().await?;

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(opts.clients + opts.editors)
        .build()?;
    let ind = opts.indicator;
    let read_paths: Vec<String> = vec![
        "/".into(),
        "/org/KUNTA:016".into(),
        "/org/KUNTA:016/indicators".into(),
        format!("/org/KUNTA:016/indicators/{ind}"),
        format!("/org/KUNTA:398/indicators/{ind}"),
        "/api/v1/indicators".into(),
        format!("/api/v1/indicators/{ind}"),
        format!("/api/v1/indicators/{ind}/values"),
        "/api/v1/organisations".into(),
    ];
    let read_paths = Arc::new(read_paths);
    let deadline = Instant::now() + opts.duration;
    #[derive(Default)]
    struct Shared {
        times: Vec<Duration>,
        errors: u64,
        samples: Vec<String>,
        acked: Vec<(i64, i64, String)>,
        conflicts: u64,
    }
    let shared: Arc<Mutex<Shared>> = Arc::default();
    let fail = |shared: &Arc<Mutex<Shared>>, what: String| {
        if let Ok(mut s) = shared.lock() {
            s.errors += 1;
            if s.samples.len() < 5 {
                s.samples.push(what);
            }
        }
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..opts.clients {
        let (client, shared, paths, base) = (
            client.clone(),
            shared.clone(),
            read_paths.clone(),
            base.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = c;
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let path = &paths[i % paths.len()];
                i += 1;
                let t = Instant::now();
                match client.get(format!("{base}{path}")).send().await {
                    Ok(r) => {
                        let status = r.status();
                        let ok = r.bytes().await.is_ok();
                        times.push(t.elapsed());
                        if !status.is_success() || !ok {
                            fail(&shared, format!("GET {path}: {status}"));
                        }
                    }
                    Err(e) => fail(&shared, format!("GET {path}: {e}")),
                }
            }
            if let Ok(mut s) = shared.lock() {
                s.times.extend(times);
            }
        }));
    }
    for (w, sid) in sections.iter().copied().enumerate() {
        let (client, shared, base, token) =
            (client.clone(), shared.clone(), base.clone(), token.clone());
        let url = format!("{base}/api/v1/reports/{}/sections/{sid}/text", report_id);
        tasks.push(tokio::spawn(async move {
            let mut rev = 0i64;
            let mut n = 0u64;
            let mut times = Vec::new();
            while Instant::now() < deadline {
                n += 1;
                let body = format!(
                    "## Osio {w}\n\nTallennus {n}: väestön hyvinvointi ja terveys.\n\n{{{{indicator {ind} region=KUNTA:016}}}}\n"
                );
                let t = Instant::now();
                let r = client
                    .put(&url)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"base_revision": rev, "body": body}))
                    .send()
                    .await;
                let r = match r {
                    Ok(r) => r,
                    Err(e) => {
                        fail(&shared, format!("PUT section {sid}: {e}"));
                        continue;
                    }
                };
                let status = r.status();
                let v: serde_json::Value = r.json().await.unwrap_or_default();
                times.push(t.elapsed());
                match status.as_u16() {
                    200 => {
                        rev = v["revision"].as_i64().unwrap_or(rev + 1);
                        if let Ok(mut s) = shared.lock() {
                            s.acked.push((sid, rev, body));
                        }
                    }
                    409 => {
                        // Someone else saved (never in this test: own sections) or our
                        // revision is stale: take the current one and retry.
                        rev = v["error"]["current_revision"].as_i64().unwrap_or(rev);
                        if let Ok(mut s) = shared.lock() {
                            s.conflicts += 1;
                        }
                    }
                    _ => fail(&shared, format!("PUT section {sid}: {status} {v}")),
                }
            }
            if let Ok(mut s) = shared.lock() {
                s.times.extend(times);
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed();
    let mut s = std::mem::take(&mut *shared.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    s.times.sort();
    let mut lost = 0;
    for (sid, number, body) in &s.acked {
        match store.revision(*sid, *number).await? {
            Some(r) if &r.body == body => {}
            _ => lost += 1,
        }
    }
    let requests = s.times.len() as u64;
    Ok(LoadStats {
        requests,
        rps: requests as f64 / elapsed.as_secs_f64().max(0.001),
        p50: quantile(&s.times, 0.50),
        p95: quantile(&s.times, 0.95),
        p99: quantile(&s.times, 0.99),
        errors: s.errors,
        saves: s.acked.len() as u64,
        conflicts: s.conflicts,
        lost_saves: lost,
        error_samples: s.samples,
    })
}
