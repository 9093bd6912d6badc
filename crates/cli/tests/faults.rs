//! Faults, with the real binary, on SQLite and PostgreSQL:
//! - `hyte import sotkanet` killed with SIGKILL in the middle of a large file: the
//!   import is wholly absent afterwards (values and import history), and importing
//!   again works;
//! - `hyte serve` killed with SIGKILL while editors save sections: every section is at
//!   a revision that exists with its text, every acknowledged save is there;
//! - PostgreSQL stopped and started under a running `hyte serve`: requests fail
//!   cleanly (503, generic page or JSON error, no panic) and succeed again without
//!   restarting Hyte.

use hyte_store as store_crate;

#[allow(unused_macros)]
#[path = "../../web/tests/common/db.rs"]
mod db;

use db::{Kind, TestDb};
use hyte_domain::report::ReportKind;
use hyte_domain::Role;
use hyte_store::reports::NewReport;
use hyte_store::users::NewUser;
use hyte_store::Store;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn hyte() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hyte"));
    c.env_remove("HYTE_DATABASE_URL").env("HYTE_LOG", "info");
    c
}

/// A running `hyte serve`, killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(url: &str) -> Server {
        let mut child = hyte()
            .args(["serve", "--addr", "127.0.0.1:0", "--database", url])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hyte serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let l = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("listening on http://") {
                    let addr: String = line[i + "listening on ".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let _ = tx.send(addr);
                }
                l.lock().unwrap().push_str(&line);
                l.lock().unwrap().push('\n');
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("hyte serve did not start: {}", log.lock().unwrap()));
        Server { child, base, log }
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn connect(url: &str) -> Store {
    Store::connect(&url.parse().unwrap()).await.unwrap()
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------
// An import killed half-way

async fn import_killed(kind: Kind) {
    let (Some(a), Some(b)) = (TestDb::new(kind).await, TestDb::new(kind).await) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let rows: i64 = 150_000;
    let out = hyte()
        .args(["bench", "gen", "--rows", &rows.to_string(), "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for db in [&a, &b] {
        let out = hyte()
            .args(["migrate", "--database", &db.url])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let import = |url: &str| {
        hyte()
            .args(["import", "sotkanet"])
            .arg(&file)
            .args(["--database", url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // A whole import, timed: wholly present.
    let t0 = Instant::now();
    let status = import(&a.url).wait().unwrap();
    let whole = t0.elapsed();
    assert!(status.success());
    let sa = connect(&a.url).await;
    assert_eq!(count(&sa, "data_point").await, rows);
    assert_eq!(count(&sa, "import_run").await, 1);
    sa.close().await;

    // The same import killed half-way: wholly absent. On a busy machine the import
    // may run faster than the timed one; then kill earlier on a fresh database.
    let mut killed = false;
    for (attempt, fraction) in [2u32, 4, 8, 16].into_iter().enumerate() {
        let fresh;
        let url = if attempt == 0 {
            b.url.clone()
        } else {
            let Some(db) = TestDb::new(kind).await else {
                return;
            };
            fresh = db;
            let out = hyte()
                .args(["migrate", "--database", &fresh.url])
                .output()
                .unwrap();
            assert!(out.status.success());
            fresh.url.clone()
        };
        let mut child = import(&url);
        std::thread::sleep(whole / fraction);
        if child.try_wait().unwrap().is_some() {
            continue;
        }
        child.kill().unwrap();
        assert!(!child.wait().unwrap().success());
        let sb = connect(&url).await;
        let (points, runs) = (
            count(&sb, "data_point").await,
            count(&sb, "import_run").await,
        );
        assert!(
            (points, runs) == (0, 0) || (points, runs) == (rows, 1),
            "after the kill: {points} values, {runs} import runs"
        );
        assert_eq!(count(&sb, "indicator").await > 0, runs == 1);
        sb.close().await;
        // Importing again completes.
        assert!(import(&url).wait().unwrap().success());
        let sb = connect(&url).await;
        assert_eq!(count(&sb, "data_point").await, rows);
        assert_eq!(count(&sb, "import_run").await, 1);
        sb.close().await;
        killed = true;
        break;
    }
    assert!(killed, "every import finished before it could be killed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_half_way_leaves_nothing_sqlite() {
    import_killed(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_half_way_leaves_nothing_postgres() {
    import_killed(Kind::Postgres).await;
}

// ---------------------------------------------------------------------------
// The server killed during section saves

const WRITERS: usize = 4;

/// A coordinator of Asikkala with an API token, and a report with one section per
/// writer. Returns (token, report id, section ids).
async fn report_setup(url: &str) -> (String, i64, Vec<i64>) {
    let store = connect(url).await;
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let u = tx
        .create_user(&NewUser {
            email: "coord@asikkala.fi".into(),
            name: "Koordinaattori".into(),
            org: Some("KUNTA:016".parse().unwrap()),
            role: Role::Coordinator,
            sector: None,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .into(),
        })
        .await
        .unwrap();
    let token = "faults-test-token-0123456789abcdef".to_string();
    tx.create_api_token(u.id, &token, "faults").await.unwrap();
    let r = tx
        .create_report(
            &NewReport {
                org: "KUNTA:016".parse().unwrap(),
                partners: vec![],
                kind: ReportKind::TermReport,
                title: "Hyvinvointikertomus 2025–2029".into(),
                term_start: 2025,
                term_end: 2029,
                year: None,
                languages: vec!["fi".into()],
                created_by: u.email.clone(),
            },
            &[],
            "fi",
        )
        .await
        .unwrap();
    let mut sections = Vec::new();
    for i in 0..WRITERS {
        sections.push(
            tx.add_section(r, &format!("Osio {i}"), &[], None, &u.email)
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    store.close().await;
    (token, r, sections)
}

async fn save_killed(kind: Kind) {
    let Some(db) = TestDb::new(kind).await else {
        return;
    };
    let (token, report, sections) = report_setup(&db.url).await;
    let mut server = Server::start(&db.url);
    let acked: Arc<Mutex<Vec<(i64, i64, String)>>> = Arc::default();
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for (w, sid) in sections.iter().copied().enumerate() {
        let (client, acked, token) = (client.clone(), acked.clone(), token.clone());
        let url = format!(
            "{}/api/v1/reports/{report}/sections/{sid}/text",
            server.base
        );
        tasks.push(tokio::spawn(async move {
            let mut base = 0i64;
            for n in 0.. {
                // Large enough that a save takes a moment to write.
                let body = format!(
                    "Kirjoittaja {w}, tallennus {n}.\n\n{}",
                    "Teksti. ".repeat(2000)
                );
                let r = client
                    .put(&url)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"base_revision": base, "body": body}))
                    .send()
                    .await;
                let Ok(r) = r else { break };
                let status = r.status().as_u16();
                let Ok(v) = r.json::<serde_json::Value>().await else {
                    break;
                };
                match status {
                    200 => {
                        base = v["revision"].as_i64().unwrap();
                        acked.lock().unwrap().push((sid, base, body));
                    }
                    409 => base = v["error"]["current_revision"].as_i64().unwrap_or(base),
                    s => panic!("save answered {s}: {v}"),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= WRITERS,
        "too few saves before the kill: {}",
        acked.len()
    );

    let store = connect(&db.url).await;
    for sid in &sections {
        let s = store.section(*sid).await.unwrap().unwrap();
        let revs = store.revisions(*sid).await.unwrap();
        let mut numbers: Vec<i64> = revs.iter().map(|r| r.number).collect();
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (0..=s.revision).collect::<Vec<_>>(),
            "section {sid} is at revision {} but has revisions {numbers:?}",
            s.revision
        );
    }
    for (sid, number, body) in &acked {
        let r = store
            .revision(*sid, *number)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged save {sid}/{number} is lost"));
        assert_eq!(&r.body, body);
    }
    store.close().await;
    // The server starts again on the same store and serves the report.
    let server = Server::start(&db.url);
    let r = client
        .get(format!("{}/api/v1/reports/{report}", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_during_saves_loses_no_acknowledged_save_sqlite() {
    save_killed(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_during_saves_loses_no_acknowledged_save_postgres() {
    save_killed(Kind::Postgres).await;
}

// ---------------------------------------------------------------------------
// PostgreSQL restarted under a running server

/// A private PostgreSQL cluster (not the shared test cluster, which other tests use).
struct PgCluster {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl PgCluster {
    fn pg_bin() -> Option<std::path::PathBuf> {
        let mut c: Vec<std::path::PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        c.push("/usr/local/bin".into());
        let mut versions: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path().join("bin"))
                    .collect()
            })
            .unwrap_or_default();
        versions.sort();
        versions.reverse();
        c.extend(versions);
        c.into_iter()
            .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    }

    fn cmd(&self, tool: &str) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(tool));
            c
        } else {
            Command::new(self.bin.join(tool))
        }
    }

    fn run(&self, mut c: Command) {
        let out = c.stdin(Stdio::null()).output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start() -> Option<PgCluster> {
        let Some(bin) = Self::pg_bin() else {
            assert!(
                !db::in_ci(),
                "PostgreSQL (initdb, pg_ctl) is required in CI"
            );
            eprintln!("SKIPPED PostgreSQL: initdb/pg_ctl not found");
            return None;
        };
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::Builder::new()
            .prefix("hyte-pgfault-")
            .tempdir()
            .unwrap();
        if as_postgres {
            let ok = Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = PgCluster {
            bin,
            dir,
            port,
            as_postgres,
        };
        let mut init = c.cmd("initdb");
        init.arg("-D").arg(c.data()).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        c.run(init);
        c.pg_ctl("start");
        Some(c)
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl(&self, action: &str) {
        let mut c = self.cmd("pg_ctl");
        c.arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("log"));
        c.args(["-w", "-t", "60", "-m", "fast", "-o"]).arg(format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        ));
        c.arg(action);
        self.run(c);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let mut c = self.cmd("pg_ctl");
        c.arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = c.stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

/// GETs a path; (status, content type, body). A connection error is a failure: the
/// server must answer even when its database is gone.
async fn get(client: &reqwest::Client, base: &str, path: &str) -> (u16, String, String) {
    let r = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: the server did not answer: {e}"));
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.text().await.unwrap_or_default())
}

const PATHS: &[&str] = &[
    "/healthz",
    "/",
    "/org/KUNTA:016",
    "/api/v1/indicators",
    "/api/v1/organisations/KUNTA:016",
];

#[tokio::test(flavor = "multi_thread")]
async fn postgres_restarted_under_a_running_server() {
    let Some(pg) = PgCluster::start() else { return };
    let mut server = Server::start(&pg.url());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for p in PATHS {
        let (s, _, body) = get(&client, &server.base, p).await;
        assert_eq!(s, 200, "{p} before the outage: {body}");
    }
    pg.pg_ctl("stop");
    let mut failed = 0;
    for p in PATHS {
        let (s, ct, body) = get(&client, &server.base, p).await;
        assert!(
            s == 200 || s == 503,
            "{p} during the outage answered {s}: {body}"
        );
        if s == 503 {
            failed += 1;
            let lower = body.to_lowercase();
            for leak in [
                "sqlx",
                "panicked",
                "connection refused",
                "127.0.0.1",
                "postgres",
            ] {
                assert!(!lower.contains(leak), "{p} leaks '{leak}': {body}");
            }
            if p.starts_with("/api/") {
                assert!(ct.starts_with("application/json"), "{p}: {ct}");
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["error"]["status"], 503);
            } else if *p != "/healthz" {
                assert!(ct.starts_with("text/html"), "{p}: {ct}");
            }
        }
    }
    assert!(failed > 0, "nothing failed while PostgreSQL was down");
    assert!(
        server.alive(),
        "the server died: {}",
        server.log.lock().unwrap()
    );
    pg.pg_ctl("start");
    // Recovers by itself (the pool reconnects), and survives a quick restart too.
    for round in 0..2 {
        if round == 1 {
            pg.pg_ctl("restart");
        }
        let t0 = Instant::now();
        loop {
            let (s, _, _) = get(&client, &server.base, "/api/v1/indicators").await;
            if s == 200 {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(30), "no recovery: {s}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for p in PATHS {
            let (s, _, body) = get(&client, &server.base, p).await;
            assert_eq!(s, 200, "{p} after the outage: {body}");
        }
    }
    let log = server.log.lock().unwrap().clone();
    assert!(!log.contains("panicked"), "{log}");
    assert!(server.alive());
}

// ---------------------------------------------------------------------------
// A tiny load test (the real one is `bench/run load`, see bench/README.md)

#[tokio::test(flavor = "multi_thread")]
async fn a_small_load_test_has_no_errors_and_loses_no_save() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.csv");
    let out = hyte()
        .args(["bench", "gen", "--rows", "3000", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = hyte()
        .args(["import", "sotkanet"])
        .arg(&file)
        .args(["--database", &db.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start(&db.url);
    let out = hyte()
        .args([
            "bench",
            "load",
            "--url",
            &server.base,
            "--database",
            &db.url,
        ])
        .args([
            "--clients",
            "8",
            "--editors",
            "3",
            "--seconds",
            "3",
            "--indicator",
            "10001",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result = stdout
        .lines()
        .find(|l| l.starts_with("RESULT load "))
        .unwrap();
    assert!(result.contains(" errors=0 lost_saves=0"), "{result}");
}
