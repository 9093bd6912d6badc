//! Fetching from Sotkanet's REST API (version 1.1) into the store.
//!
//! A sync fetches `/regions` once, then per indicator `/indicators/{id}` and
//! `/json?indicator=ID&years=...&genders=total&genders=male&genders=female`, and
//! imports each response exactly like an uploaded file (one transaction each).
//!
//! The client is polite: it names itself in the User-Agent, waits at least the
//! configured delay (1 s by default) between requests, and retries server errors
//! (5xx, 429), time-outs and connection failures up to three attempts with
//! exponential back-off. A 4xx answer is reported at once.

use anyhow::{bail, Context};
use hyte_app::accounts::Initiator;
use hyte_app::indicators_admin::DataFile;
use hyte_app::App;
use hyte_domain::IndicatorId;
use hyte_store::ingest::IngestOutcome;
use hyte_store::users::User;
use std::time::{Duration, Instant};

/// Sotkanet's public REST API.
pub const DEFAULT_BASE_URL: &str = "https://sotkanet.fi/rest/1.1/";

/// The User-Agent Hyte sends, so THL can tell who is calling.
pub fn user_agent() -> String {
    format!(
        "Hyte/{} (+https://example.invalid/hyte; welfare-report system)",
        env!("CARGO_PKG_VERSION")
    )
}

/// How many times a request is tried before giving up.
pub const ATTEMPTS: u32 = 3;

/// A polite HTTP client for one Sotkanet base URL.
pub struct Client {
    http: reqwest::Client,
    base: String,
    delay: Duration,
    last: Option<Instant>,
    /// Requests sent, retries included.
    pub requests: u64,
}

/// Parses `A..B` (or a single year `A`) into an inclusive range.
pub fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let s = s.trim();
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim().trim_start_matches('=')),
        None => (s, s),
    };
    let year = |t: &str| -> Result<i32, String> {
        t.parse::<i32>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| format!("'{t}' is not a year between 1900 and 2100"))
    };
    let (a, b) = (year(a)?, year(b)?);
    if a > b {
        return Err(format!(
            "the range {a}..{b} is empty (write the earlier year first)"
        ));
    }
    Ok((a, b))
}

impl Client {
    /// A client for `base` (e.g. `https://sotkanet.fi/rest/1.1/`) that waits `delay`
    /// between requests and gives each request `timeout`.
    pub fn new(base: &str, delay: Duration, timeout: Duration) -> anyhow::Result<Client> {
        let base = base.trim();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!("the Sotkanet URL '{base}' must start with http:// or https://");
        }
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        let http = reqwest::Client::builder()
            .user_agent(user_agent())
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(15).min(timeout))
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(Client {
            http,
            base,
            delay,
            last: None,
            requests: 0,
        })
    }

    /// The full URL of a path below the base.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    async fn pace(&mut self) {
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.delay {
                tokio::time::sleep(self.delay - since).await;
            }
        }
        self.last = Some(Instant::now());
    }

    /// GETs a path below the base and returns the body, retrying what is worth
    /// retrying.
    pub async fn get(&mut self, path: &str) -> anyhow::Result<Vec<u8>> {
        let url = self.url(path);
        let backoff_base = self.delay.max(Duration::from_millis(200));
        let mut last_problem = String::new();
        for attempt in 1..=ATTEMPTS {
            if attempt > 1 {
                let wait = backoff_base * 2u32.pow(attempt - 1);
                tracing::warn!("{last_problem}; retrying in {} ms", wait.as_millis());
                tokio::time::sleep(wait).await;
            }
            self.pace().await;
            self.requests += 1;
            let resp = match self.http.get(&url).send().await {
                Ok(r) => r,
                Err(e) if e.is_builder() => bail!("the URL {url} is not valid: {e}"),
                Err(e) => {
                    last_problem = format!("GET {url} failed: {}", error_text(&e));
                    continue;
                }
            };
            let status = resp.status();
            if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                last_problem = format!("Sotkanet answered {status} for {url}");
                continue;
            }
            if !status.is_success() {
                bail!("Sotkanet answered {status} for {url}");
            }
            match resp.bytes().await {
                Ok(b) => return Ok(b.to_vec()),
                Err(e) => {
                    last_problem =
                        format!("reading the answer of {url} failed: {}", error_text(&e));
                    continue;
                }
            }
        }
        bail!("{last_problem} ({ATTEMPTS} attempts); try again later")
    }
}

/// A reqwest error with its causes on one line.
fn error_text(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        e.to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// What to fetch.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Base URL of the REST API.
    pub base_url: String,
    /// Indicator ids.
    pub indicators: Vec<i64>,
    /// Years (inclusive); `None` takes each indicator's range from its metadata.
    pub years: Option<(i32, i32)>,
    /// Pause between requests.
    pub delay: Duration,
    /// Time-out of one request.
    pub timeout: Duration,
    /// Who runs the sync, for the import history and the audit log.
    pub user: Option<User>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            base_url: DEFAULT_BASE_URL.into(),
            indicators: vec![],
            years: None,
            delay: Duration::from_secs(1),
            timeout: Duration::from_secs(120),
            user: None,
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Regions in `/regions`.
    pub regions: usize,
    /// Data rows read / changed per indicator.
    pub indicators: Vec<(i64, i64, i64)>,
}

/// Runs a sync; `progress` receives one line per step.
pub async fn sync(
    app: &App,
    opts: &SyncOptions,
    mut progress: impl FnMut(&str),
) -> anyhow::Result<SyncReport> {
    if opts.indicators.is_empty() {
        bail!("name at least one indicator with --indicator ID");
    }
    let mut client = Client::new(&opts.base_url, opts.delay, opts.timeout)?;
    let source = format!("Sotkanet REST API 1.1 ({})", client.base);
    // Each answer is imported as a file, by the same use case as `hyte import`: the
    // store writes it and its audit entry together.
    let ingest = |url: &str, bytes: Vec<u8>| {
        let file = DataFile {
            name: url.to_string(),
            bytes,
            source: source.clone(),
        };
        async move {
            app.import_data(Initiator::System(opts.user.as_ref()), file, None)
                .await
                .map(|(outcome, _)| outcome)
                .map_err(crate::commands::cli_error)
        }
    };
    let mut report = SyncReport::default();

    let url = client.url("regions");
    let body = client.get("regions").await?;
    match ingest(&url, body).await? {
        IngestOutcome::Regions(n) => {
            report.regions = n;
            progress(&format!("{url}: {n} regions"));
        }
        _ => bail!("{url} did not return Sotkanet's region list"),
    }

    for &id in &opts.indicators {
        let path = format!("indicators/{id}");
        let url = client.url(&path);
        let body = client.get(&path).await?;
        match ingest(&url, body).await? {
            IngestOutcome::Metadata(got) if got == id => {}
            IngestOutcome::Metadata(got) => {
                bail!("{url} returned the metadata of indicator {got}, not {id}")
            }
            _ => bail!("{url} did not return indicator metadata"),
        }
        let ind = app
            .indicator(IndicatorId(id))
            .await
            .map_err(crate::commands::cli_error)?
            .with_context(|| format!("indicator {id} was not stored"))?;
        progress(&format!("{url}: metadata of {id} {}", ind.title.get("en")));
        let (from, to) = match opts.years {
            Some(r) => r,
            None => match (ind.range_start, ind.range_end) {
                (Some(a), Some(b)) if a <= b => (a as i32, b as i32),
                _ => bail!(
                    "the metadata of indicator {id} gives no year range; pass --years FROM..TO"
                ),
            },
        };
        let mut query = format!("json?indicator={id}");
        for y in from..=to {
            query.push_str(&format!("&years={y}"));
        }
        query.push_str("&genders=total&genders=male&genders=female");
        let url = client.url(&query);
        let body = client.get(&query).await?;
        match ingest(&url, body).await? {
            IngestOutcome::Data { summary, .. } => {
                progress(&format!(
                    "indicator {id}, {from}-{to}: {} rows, {} new or changed, {} unchanged, {} skipped",
                    summary.rows_total,
                    summary.rows_changed,
                    summary.rows_unchanged,
                    summary.rows_skipped
                ));
                report
                    .indicators
                    .push((id, summary.rows_total, summary.rows_changed));
            }
            _ => bail!("{url} did not return data points"),
        }
    }
    report.requests = client.requests;
    Ok(report)
}
