//! `hyte sotkanet sync` against a local server that serves API-shaped fixtures and
//! fails the first request with 503. Never touches the internet.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyte::sotkanet::{self, SyncOptions};
use hyte_domain::{IndicatorId, RegionKey, Sex};
use hyte_store::indicators::ValueQuery;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const REGIONS: &str = include_str!("fixtures/sotkanet/regions.json");
const META_322: &str = include_str!("fixtures/sotkanet/indicator_322.json");
const DATA_322: &str = include_str!("fixtures/sotkanet/data_322.json");

#[derive(Default)]
struct Seen {
    hits: AtomicU64,
    fail_first: bool,
    log: Mutex<Vec<String>>,
    agents: Mutex<Vec<String>>,
}

fn json(body: &'static str) -> Response {
    ([("content-type", "application/json;charset=utf-8")], body).into_response()
}

fn record(seen: &Seen, headers: &HeaderMap, what: String) -> bool {
    let n = seen.hits.fetch_add(1, Ordering::SeqCst);
    seen.log.lock().unwrap().push(what);
    seen.agents.lock().unwrap().push(
        headers
            .get("user-agent")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
            .to_string(),
    );
    seen.fail_first && n == 0
}

async fn regions(State(seen): State<Arc<Seen>>, headers: HeaderMap) -> Response {
    if record(&seen, &headers, "/regions".into()) {
        return (StatusCode::SERVICE_UNAVAILABLE, "try later").into_response();
    }
    json(REGIONS)
}

async fn indicator(
    State(seen): State<Arc<Seen>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    record(&seen, &headers, format!("/indicators/{id}"));
    if id == "322" {
        json(META_322)
    } else {
        (StatusCode::NOT_FOUND, "no such indicator").into_response()
    }
}

async fn data(
    State(seen): State<Arc<Seen>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let q = q.unwrap_or_default();
    record(&seen, &headers, format!("/json?{q}"));
    if q.starts_with("indicator=322&") {
        json(DATA_322)
    } else {
        json("[]")
    }
}

/// Starts the fixture server on a free loopback port; returns its base URL.
async fn start(fail_first: bool) -> (String, Arc<Seen>) {
    let seen = Arc::new(Seen {
        fail_first,
        ..Default::default()
    });
    let app = Router::new()
        .route("/rest/1.1/regions", get(regions))
        .route("/rest/1.1/indicators/{id}", get(indicator))
        .route("/rest/1.1/json", get(data))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/rest/1.1/"), seen)
}

async fn temp_store(dir: &tempfile::TempDir) -> hyte_store::Store {
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    hyte::open_migrated(&url).await.unwrap()
}

fn key(s: &str) -> RegionKey {
    s.parse().unwrap()
}

#[tokio::test]
async fn sync_fetches_regions_metadata_and_values_and_retries_a_503() {
    let (base, seen) = start(true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(&dir).await;
    let opts = SyncOptions {
        base_url: base,
        indicators: vec![322],
        years: None,
        delay: Duration::from_millis(10),
        timeout: Duration::from_secs(10),
        user: None,
    };
    let mut lines = vec![];
    let report = sotkanet::sync(&hyte_app::App::new(store.clone()), &opts, |l| {
        lines.push(l.to_string())
    })
    .await
    .unwrap();

    // 503 once, then regions, metadata, data.
    let log = seen.log.lock().unwrap().clone();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(log[0], "/regions");
    assert_eq!(log[1], "/regions");
    assert_eq!(log[2], "/indicators/322");
    assert_eq!(
        log[3],
        "/json?indicator=322&years=2022&years=2023&genders=total&genders=male&genders=female"
    );
    assert_eq!(report.requests, 4);
    assert_eq!(report.regions, 5);
    for ua in seen.agents.lock().unwrap().iter() {
        assert!(ua.starts_with("Hyte/"), "{ua}");
        assert!(ua.contains("welfare-report system"), "{ua}");
    }
    // 30 rows: 24 stored, 6 of the hospital district skipped.
    assert_eq!(report.indicators, vec![(322, 30, 24)]);
    assert!(
        lines.iter().any(|l| l.contains("24 new or changed")),
        "{lines:?}"
    );

    let ind = store.indicator(IndicatorId(322)).await.unwrap().unwrap();
    assert_eq!(
        ind.title.en,
        "Deaths per 100 000 inhabitants (test fixture)"
    );
    assert_eq!(ind.producer.en, "Statistics Finland");
    assert_eq!(ind.unit, "PER100000");
    assert_eq!((ind.range_start, ind.range_end), (Some(2022), Some(2023)));

    let vals = store
        .values(
            IndicatorId(322),
            &ValueQuery {
                regions: vec![key("KUNTA:016"), key("HYVINVOINTIALUE:09"), key("MAA:SSS")],
                years: vec![2023],
                sex: Some(Sex::Female),
            },
        )
        .await
        .unwrap();
    let got: Vec<(String, Option<f64>, bool)> = vals
        .iter()
        .map(|v| (v.region.to_string(), v.value, v.derived))
        .collect();
    assert_eq!(
        got,
        vec![
            ("HYVINVOINTIALUE:09".to_string(), Some(1140.0), false),
            ("KUNTA:016".to_string(), Some(1320.0), false),
            ("MAA:SSS".to_string(), Some(1050.0), false),
        ]
    );

    // A second sync changes nothing.
    seen.log.lock().unwrap().clear();
    let again = sotkanet::sync(&hyte_app::App::new(store.clone()), &opts, |_| {})
        .await
        .unwrap();
    assert_eq!(again.indicators, vec![(322, 30, 0)]);
    assert_eq!(again.requests, 3);
}

#[tokio::test]
async fn unknown_indicator_is_a_clear_error_without_retries() {
    let (base, seen) = start(false).await;
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(&dir).await;
    let opts = SyncOptions {
        base_url: base.clone(),
        indicators: vec![999_999],
        years: Some((2020, 2021)),
        delay: Duration::ZERO,
        timeout: Duration::from_secs(10),
        user: None,
    };
    let err = sotkanet::sync(&hyte_app::App::new(store.clone()), &opts, |_| {})
        .await
        .unwrap_err();
    let msg = hyte::one_line(&err);
    assert!(msg.contains("404"), "{msg}");
    assert!(msg.contains(&format!("{base}indicators/999999")), "{msg}");
    // /regions and one metadata request; a 4xx is not retried.
    assert_eq!(seen.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unreachable_server_is_retried_then_reported() {
    // Bind and drop to get a loopback port with nothing listening.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(&dir).await;
    let opts = SyncOptions {
        base_url: format!("http://127.0.0.1:{port}/rest/1.1"),
        indicators: vec![322],
        years: None,
        delay: Duration::ZERO,
        timeout: Duration::from_secs(5),
        user: None,
    };
    let err = sotkanet::sync(&hyte_app::App::new(store.clone()), &opts, |_| {})
        .await
        .unwrap_err();
    let msg = hyte::one_line(&err);
    assert!(msg.contains("could not connect"), "{msg}");
    assert!(msg.contains("3 attempts"), "{msg}");
}

#[tokio::test]
async fn the_binary_syncs_and_prints_a_summary() {
    let (base, _seen) = start(true).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("h.db").display());
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_hyte"))
        .args([
            "sotkanet",
            "sync",
            "--indicator",
            "322",
            "--years",
            "2022..2023",
            "--delay-ms",
            "0",
            "--base-url",
            &base,
            "--database",
            &db,
        ])
        .env_remove("HYTE_DATABASE_URL")
        .env_remove("HYTE_SOTKANET_URL")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("5 regions"), "{stdout}");
    assert!(
        stdout.contains("indicator 322, 2022-2023: 30 rows, 24 new or changed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Synchronised 1 indicator(s) with 4 request(s)."),
        "{stdout}"
    );
    assert!(stderr.contains("503"), "the retry is logged: {stderr}");

    let bad = tokio::process::Command::new(env!("CARGO_BIN_EXE_hyte"))
        .args([
            "sotkanet",
            "sync",
            "--indicator",
            "5",
            "--years",
            "1800..2000",
            "--database",
            &db,
        ])
        .output()
        .await
        .unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("hyte: "), "{stderr}");
}
