//! Test support for the web behaviour suite: a [`TestApp`] (after crates.io's idea)
//! serves the real router on a throwaway database (see [`db`]) and drives it over
//! HTTP like a browser or an API client would.

#![allow(dead_code)]

/// The store, for fixtures (see `db.rs`).
use hyte_app::testing as store_crate;

#[macro_use]
pub mod db;

pub use db::{Kind, TestDb};

use hyte_app::model::users::{NewUser, User};
use hyte_app::testing::Store;
use hyte_domain::{RegionKey, Role};
use hyte_web::{AppState, Config};
use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use std::sync::atomic::{AtomicU64, Ordering};

/// The password every test user gets unless a test chooses another.
pub const PASSWORD: &str = "correct horse battery staple";

/// A user made for a test, with the password needed to sign in.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// The stored user.
    pub user: User,
    /// Sign-in e-mail.
    pub email: String,
    /// Plain password.
    pub password: String,
}

/// Builds a [`TestApp`] with non-default settings.
pub struct TestAppBuilder {
    config: Config,
}

impl TestAppBuilder {
    /// Changes the web node's settings.
    pub fn config(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    /// Starts on SQLite.
    pub async fn sqlite(self) -> TestApp {
        self.start(TestDb::sqlite()).await
    }

    /// Starts on PostgreSQL (`None` = skipped outside CI).
    pub async fn postgres(self) -> Option<TestApp> {
        Some(self.start(TestDb::postgres().await?).await)
    }

    /// Starts on the given database.
    pub async fn start(self, db: TestDb) -> TestApp {
        let store = db.store().await;
        let state = AppState::new(hyte_app::App::new(store.clone()), self.config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            if let Err(e) = hyte_web::serve_on(state, listener).await {
                panic!("test server stopped: {e}");
            }
        });
        TestApp {
            kind: db.kind,
            store,
            base: format!("http://{addr}"),
            client: new_client(),
            server,
            _db: db,
        }
    }
}

/// The application served on a loopback port over a migrated throwaway database.
pub struct TestApp {
    /// The backend.
    pub kind: Kind,
    /// The store the server uses (for setting up and checking state directly).
    pub store: Store,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A browser-like client: cookie store, redirects not followed.
    pub client: Client,
    server: tokio::task::JoinHandle<()>,
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A browser-like client: its own cookie jar, redirects returned, not followed.
pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

/// A client without cookies (an API client, or a browser replaying a given cookie).
pub fn plain_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

impl TestApp {
    /// A builder for non-default settings.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            config: Config::default(),
        }
    }

    /// Default settings on SQLite.
    pub async fn sqlite() -> TestApp {
        TestApp::builder().sqlite().await
    }

    /// Default settings on PostgreSQL (`None` = skipped outside CI).
    pub async fn postgres() -> Option<TestApp> {
        TestApp::builder().postgres().await
    }

    /// Absolute URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET with the app's default client.
    pub async fn get(&self, path: &str) -> Response {
        self.get_with(&self.client, path).await
    }

    /// GET with a given client.
    pub async fn get_with(&self, client: &Client, path: &str) -> Response {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET returning status and body text.
    pub async fn get_text(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let res = self.get_with(client, path).await;
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    /// POST an urlencoded form.
    pub async fn post_form(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// GET with `Authorization: Bearer TOKEN` and no cookies.
    pub async fn get_bearer(&self, token: &str, path: &str) -> Response {
        plain_client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET with exactly this session cookie (and no cookie jar).
    pub async fn get_with_session(&self, session_token: &str, path: &str) -> Response {
        plain_client()
            .get(self.url(path))
            .header(
                reqwest::header::COOKIE,
                format!("{}={session_token}", hyte_web::auth::SESSION_COOKIE),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Creates a user directly in the store (as `hyte user add` does).
    pub async fn create_user(
        &self,
        email: &str,
        org: Option<&str>,
        role: Role,
        password: &str,
    ) -> TestUser {
        let mut tx = self.store.begin().await.expect("begin");
        let user = tx
            .create_user(&NewUser {
                email: email.to_string(),
                name: format!("Test {role} {}", org.unwrap_or("admin")),
                org: org.map(|o| o.parse::<RegionKey>().expect("org id")),
                role,
                sector: None,
                password_hash: hyte_web::auth::hash_password(password).expect("hash"),
            })
            .await
            .unwrap_or_else(|e| panic!("creating user {email}: {e}"));
        tx.commit().await.expect("commit");
        TestUser {
            user,
            email: email.to_string(),
            password: password.to_string(),
        }
    }

    /// A user with a generated e-mail and [`PASSWORD`].
    pub async fn user(&self, org: &str, role: Role) -> TestUser {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let email = format!(
            "{role}-{n}@{}.example.fi",
            org.to_ascii_lowercase().replace(':', "-")
        );
        self.create_user(&email, Some(org), role, PASSWORD).await
    }

    /// Signs in through the real form: GET /login, read `login_csrf`, POST the form.
    /// Returns the POST's response (303 on success, redirects are not followed).
    pub async fn login(&self, client: &Client, email: &str, password: &str) -> Response {
        let (status, html) = self.get_text(client, "/login").await;
        assert_eq!(status, StatusCode::OK, "GET /login");
        let login_csrf = hidden_input(&html, "login_csrf").expect("login form has login_csrf");
        self.post_form(
            client,
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("login_csrf", &login_csrf),
                ("next", ""),
            ],
        )
        .await
    }

    /// A user and a client signed in as them.
    pub async fn signed_in(&self, org: &str, role: Role) -> (TestUser, Client) {
        let user = self.user(org, role).await;
        let client = new_client();
        let res = self.login(&client, &user.email, &user.password).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {}",
            user.email
        );
        (user, client)
    }

    /// The `csrf` hidden input of the page at `path`, as `client` sees it.
    pub async fn csrf(&self, client: &Client, path: &str) -> String {
        let (status, html) = self.get_text(client, path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}");
        hidden_input(&html, "csrf").unwrap_or_else(|| panic!("{path} has no csrf input"))
    }

    /// A personal API token for a user, made directly in the store.
    pub async fn api_token(&self, user: &TestUser) -> String {
        let token = format!("hyte_{}", hyte_web::auth::random_token());
        let mut tx = self.store.begin().await.expect("begin");
        tx.create_api_token(user.user.id, &token, "test")
            .await
            .expect("create API token");
        tx.commit().await.expect("commit");
        token
    }
}

/// The value of `<input ... name="NAME" ... value="...">` in a page.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    let at = html.find(&needle)?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + "value=\"".len();
    let len = tag[v..].find('"')?;
    Some(tag[v..v + len].to_string())
}

/// The text of the element with `id="ID"` (first child text, up to the next `<`).
pub fn element_text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = at + html[at..].find('>')? + 1;
    let len = html[start..].find('<')?;
    Some(html[start..start + len].to_string())
}

/// All `Set-Cookie` header values.
pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

/// The `Set-Cookie` line that sets a cookie, if any.
pub fn set_cookie_line(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(headers)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
}

/// The value a response sets for a cookie.
pub fn set_cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let line = set_cookie_line(headers, name)?;
    let v = line[name.len() + 1..].split(';').next()?.trim();
    Some(v.to_string())
}

/// The `Location` of a redirect.
pub fn location(res: &Response) -> String {
    res.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Parses a JSON body, failing with the body shown when it is not JSON.
pub async fn json(res: Response) -> serde_json::Value {
    let ctype = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = res.text().await.expect("body");
    assert!(
        ctype.starts_with("application/json"),
        "expected JSON, got {ctype}: {body}"
    );
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("invalid JSON ({e}): {body}"))
}

/// The `error.message` of a JSON error answer with the given status.
pub async fn json_error(res: Response, status: StatusCode) -> String {
    assert_eq!(res.status(), status, "status of {}", res.url());
    let v = json(res).await;
    assert_eq!(v["error"]["status"], status.as_u16(), "{v}");
    let msg = v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!msg.trim().is_empty(), "error without message: {v}");
    msg
}

/// Asikkala, the municipality most tests work in.
pub const ASIKKALA: &str = "KUNTA:016";
/// Lahti: another municipality of the same welfare region (the "foreign" organisation).
pub const LAHTI: &str = "KUNTA:398";
/// Päijät-Häme, the welfare region of Asikkala and Lahti.
pub const PAIJAT_HAME: &str = "HYVINVOINTIALUE:09";

/// One `/api/v1` request with a bearer token and an optional JSON body.
pub async fn api(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Response {
    let mut req = plain_client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// The JSON body of an answer that must have `status` (the body is shown otherwise).
pub async fn ok_json(res: Response, status: StatusCode) -> serde_json::Value {
    let got = res.status();
    let url = res.url().to_string();
    let v = json(res).await;
    assert_eq!(got, status, "{url}: {v}");
    v
}

/// A JSON `POST`/`PUT`/… through the API that must answer `status`; its JSON body.
pub async fn api_ok(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
    status: StatusCode,
) -> serde_json::Value {
    ok_json(api(app, token, method, path, Some(body)).await, status).await
}

/// Takes a draft report through commenting and board review to the council's approval
/// (decision 2026-05-18, § 45), which freezes version 1.
pub async fn approve_by_council(app: &TestApp, token: &str, id: i64) {
    for m in [
        serde_json::json!({"move": "start_commenting"}),
        serde_json::json!({"move": "to_board"}),
        serde_json::json!({"move": "council_approve", "decision_date": "2026-05-18", "minutes_section": "§ 45"}),
    ] {
        api_ok(
            app,
            token,
            reqwest::Method::POST,
            &format!("/api/v1/reports/{id}/approval/transitions"),
            m,
            StatusCode::CREATED,
        )
        .await;
    }
}

/// A test indicator definition (percentages per population, Finnish title as given).
pub fn definition(id: i64, title: &str, polarity: &str) -> hyte_app::model::indicators::Indicator {
    use hyte_app::model::indicators::{Denominator, Indicator, Localized};
    Indicator {
        id: hyte_domain::IndicatorId(id),
        title: Localized {
            fi: title.to_string(),
            sv: format!("{title} (sv)"),
            en: format!("{title} (en)"),
        },
        unit: "PROS".into(),
        decimals: 1,
        polarity: polarity.parse().expect("polarity"),
        denominator: Denominator::Population,
        kind: "register".into(),
        producer: Localized::default(),
        description: Localized::default(),
        interpretation: Localized::default(),
        limits: Localized::default(),
        theme: Some("Testi".into()),
        population_group: Some("working_age".into()),
        sexes: "total".into(),
        data_updated: None,
        range_start: None,
        range_end: None,
        source: "test".into(),
        updated_at: String::new(),
    }
}

/// A report written directly into the store, as a fixture (no user, no audit).
pub async fn store_report(
    store: &Store,
    new: &hyte_app::model::reports::NewReport,
    template: &[hyte_domain::report::TemplateSection],
) -> hyte_app::model::reports::Report {
    let mut tx = store.begin().await.expect("begin");
    let id = tx
        .create_report(new, template, "fi")
        .await
        .expect("create report");
    tx.commit().await.expect("commit");
    store.report(id).await.expect("read").expect("report")
}
