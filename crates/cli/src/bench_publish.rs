//! Benchmarks of publication (`bench/run page`, `bench/run pdf`): a full published
//! report built from the demo data, and a small keep-alive HTTP load generator that
//! measures Hyte and the nginx baseline the same way.

use anyhow::{bail, Context};
use hyte_domain::report::{parse_outline_template, ReportKind, THL_OUTLINE_CSV};
use hyte_domain::{IndicatorId, RegionKey, Sex};
use hyte_store::indicators::ValueQuery;
use hyte_store::reports::NewReport;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Creates and publishes a report of Asikkala with `blocks` indicator blocks (the
/// indicators with Asikkala values in id order, repeated when there are fewer, spread
/// over the THL outline's sections, charts cycling trend/compare/spine/table). Returns
/// its id.
pub async fn fixture_report(db: &str, blocks: usize) -> anyhow::Result<i64> {
    let store = crate::open_migrated(db).await?;
    let org: RegionKey = "KUNTA:016".parse()?;
    let mut ids: Vec<i64> = store.value_counts().await?.into_keys().collect();
    ids.sort();
    let mut chosen = vec![];
    for id in ids {
        if chosen.len() >= blocks || id == 127 {
            continue;
        }
        if store.indicator(IndicatorId(id)).await?.is_none() {
            continue;
        }
        let q = ValueQuery {
            regions: vec![org.clone()],
            years: vec![],
            sex: Some(Sex::Total),
        };
        if store
            .values(IndicatorId(id), &q)
            .await?
            .iter()
            .any(|v| v.value.is_some())
        {
            chosen.push(id);
        }
    }
    if chosen.is_empty() {
        bail!(
            "no indicator has values for Asikkala; load the demo data first (hyte demo --no-serve)"
        );
    }
    // The demo data has fewer indicators with Asikkala values than a full report has
    // blocks: the list repeats, and the chart cycle gives a repeated indicator another
    // chart, as a real report shows one indicator both as a trend and as a comparison.
    let distinct = chosen.len();
    let mut i = 0;
    while chosen.len() < blocks {
        chosen.push(chosen[i % distinct]);
        i += 1;
    }
    let template = parse_outline_template(THL_OUTLINE_CSV).map_err(anyhow::Error::msg)?;
    let mut tx = store.begin().await?;
    let report_id = tx
        .create_report(
            &NewReport {
                org: org.clone(),
                partners: vec![],
                kind: ReportKind::TermReport,
                title: "Asikkalan laaja hyvinvointikertomus 2025–2029 (benchmark)".into(),
                term_start: 2025,
                term_end: 2029,
                year: None,
                languages: vec!["fi".into(), "sv".into()],
                created_by: "bench@hyte.invalid".into(),
            },
            &template,
            "fi",
        )
        .await?;
    tx.commit().await?;
    let sections = store.sections(report_id).await?;
    let charts = ["trend", "compare", "spine", "table"];
    let per = chosen.len().div_ceil(sections.len().max(1));
    for (i, s) in sections.iter().enumerate() {
        let mut body = String::from(
            "Tässä luvussa kuvataan asikkalalaisten hyvinvointia ja terveyttä. **Tärkeimmät havainnot** esitetään indikaattoreittain.\n\n",
        );
        for (j, id) in chosen.iter().skip(i * per).take(per).enumerate() {
            body.push_str(&format!(
                "Indikaattorin kehitys kertoo suunnasta.\n\n{{{{indicator {id} chart={} compare=region,country}}}}\n\n",
                charts[(i + j) % charts.len()]
            ));
        }
        let mut tx = store.begin().await?;
        tx.save_section(s.id, s.revision, &body, "bench@hyte.invalid", None)
            .await?;
        tx.commit().await?;
    }
    let mut tx = store.begin().await?;
    tx.set_published(report_id, true, "bench@hyte.invalid")
        .await?;
    tx.commit().await?;
    Ok(report_id)
}

/// Result of a load run.
#[derive(Debug)]
pub struct LoadStats {
    /// Completed requests.
    pub requests: usize,
    /// Requests per second.
    pub rps: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Bytes of one answer's body.
    pub body_bytes: usize,
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns the body length.
async fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<usize> {
    buf.clear();
    let mut chunk = [0u8; 65536];
    let header_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        bail!("answer was not 200: {}", head.lines().next().unwrap_or(""));
    }
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .context("the answer has no Content-Length")?;
    while buf.len() < header_end + len {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection mid-body");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(len)
}

/// `connections` keep-alive connections each send GET `path` back to back for
/// `seconds` (after one untimed warm-up request each). Loopback only.
pub async fn load(
    addr: &str,
    path: &str,
    connections: usize,
    seconds: f64,
) -> anyhow::Result<LoadStats> {
    if !(addr.starts_with("127.") || addr.starts_with("localhost:")) {
        bail!("the load benchmark only talks to a loopback address (127.0.0.1:PORT)");
    }
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\n\r\n");
    let deadline = Instant::now() + Duration::from_secs_f64(seconds) + Duration::from_secs(2);
    let start_at = Instant::now() + Duration::from_secs(2);
    let mut tasks = vec![];
    for _ in 0..connections {
        let addr = addr.to_string();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(&addr).await?;
            s.set_nodelay(true)?;
            let mut buf = Vec::with_capacity(1 << 20);
            s.write_all(request.as_bytes()).await?;
            let body = read_response(&mut s, &mut buf).await?;
            tokio::time::sleep_until(start_at.into()).await;
            let mut times = vec![];
            while Instant::now() < deadline {
                let t = Instant::now();
                s.write_all(request.as_bytes()).await?;
                read_response(&mut s, &mut buf).await?;
                times.push(t.elapsed());
            }
            anyhow::Ok((times, body))
        }));
    }
    let mut all = vec![];
    let mut body_bytes = 0;
    for t in tasks {
        let (times, body) = t.await??;
        all.extend(times);
        body_bytes = body;
    }
    let measured = deadline.saturating_duration_since(start_at).as_secs_f64();
    all.sort();
    Ok(LoadStats {
        requests: all.len(),
        rps: all.len() as f64 / measured,
        p50: crate::bench::quantile(&all, 0.50),
        p99: crate::bench::quantile(&all, 0.99),
        body_bytes,
    })
}
