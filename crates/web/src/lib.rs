//! Hyte's web layer: server-rendered pages and the JSON API over one [`AppState`].
//!
//! Handlers are grouped per domain (`pages::*` for HTML, `api::*` for JSON); every
//! handler returns [`AppResult`], whose error renders as an HTML page for browsers and
//! as JSON under `/api`. Permission checks live in [`auth`] and are applied on the
//! server for every route.

pub mod analysis;
pub mod api;
pub mod auth;
pub mod blocks;
pub mod client;
pub mod error;
pub mod export;
pub mod extract;
pub mod i18n;
pub mod pages;
pub mod security;
pub mod view;

use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

pub use error::{AppError, AppResult};

/// Settings of one web node.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` and send HSTS (set when served over TLS, directly or
    /// behind a proxy that terminates it).
    pub secure_cookies: bool,
    /// Session lifetime in seconds.
    pub session_ttl_secs: i64,
    /// Failed logins per e-mail or address allowed within [`Config::login_window_secs`].
    pub login_max_failures: i64,
    /// Window of the login rate limit.
    pub login_window_secs: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (`HYTE_TRUSTED_PROXIES`; see [`client`]).
    pub trusted_proxies: client::TrustedProxies,
    /// The public address users reach Hyte at (`HYTE_PUBLIC_URL`, e.g.
    /// `https://hyte.kunta.example`): the base of invitation and password-reset links.
    pub public_url: Option<String>,
    /// Refuse invitation and reset links while [`Config::public_url`] is not set
    /// (production, `hyte serve`); otherwise (`hyte demo`, tests) they are made from
    /// the request's `Host` header.
    pub require_public_url: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_ttl_secs: 8 * 3600,
            login_max_failures: 5,
            login_window_secs: 15 * 60,
            trusted_proxies: client::TrustedProxies::default(),
            public_url: None,
            require_public_url: false,
        }
    }
}

/// Shared state of the application.
#[derive(Clone)]
pub struct AppState {
    /// The application layer: every use case and every read the pages and the API
    /// show (the web never reads the store itself).
    pub app: hyte_app::App,
    /// Settings.
    pub config: Arc<Config>,
    /// Rendered outputs of published reports (pages, PDFs, summaries).
    pub outputs: pages::public::OutputCache,
}

impl AppState {
    /// The state of a web node over the application.
    pub fn new(app: hyte_app::App, config: Config) -> AppState {
        let public = hyte_app::lifecycle::PublicUrl::new(
            config.public_url.clone(),
            config.require_public_url,
        );
        AppState {
            app: app.with_public_url(public),
            config: Arc::new(config),
            outputs: Default::default(),
        }
    }

    /// Forgets the cached outputs a use case's change makes stale: the report's for
    /// a change of one report or its plan, all of them for new indicator data.
    pub fn refresh(&self, changed: hyte_app::Changed) {
        match changed {
            hyte_app::Changed::Plan(id) | hyte_app::Changed::Report(id) => self.outputs.forget(id),
            hyte_app::Changed::Data => self.outputs.clear(),
        }
    }
}

/// Largest request body of every route but the import upload: a section of
/// `MAX_SECTION_CHARS` characters, form-encoded, fits with room to spare. Larger
/// bodies get 413.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;
/// Largest upload of `/admin/imports` (Sotkanet files).
pub const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Builds the whole router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(pages::health))
        .route("/", get(pages::home))
        .route("/static/{file}", get(pages::static_file))
        .route(
            "/login",
            get(pages::account::login_form).post(pages::account::login),
        )
        .route("/logout", post(pages::account::logout))
        .route(
            "/account/password",
            get(pages::account::password_form).post(pages::account::change_password),
        )
        .route(
            "/account/tokens",
            get(pages::account::tokens).post(pages::account::create_token),
        )
        .route(
            "/account/tokens/{id}/delete",
            post(pages::account::delete_token),
        )
        .route("/org/{org}", get(pages::org::dashboard))
        .route("/org/{org}/indicators", get(pages::indicators::explorer))
        .route(
            "/org/{org}/indicators/{id}",
            get(pages::indicators::indicator_page),
        )
        .route(
            "/org/{org}/indicators/{id}/table.csv",
            get(pages::indicators::table_csv),
        )
        .route("/indicators", get(pages::indicators::catalogue))
        .route("/admin/indicators/{id}", post(pages::indicators::curate))
        .route(
            "/admin/imports",
            get(pages::indicators::imports)
                .post(pages::indicators::upload)
                // Sotkanet files are large; only this route takes them (and
                // `security::body_limit` names it too).
                .layer(axum::extract::DefaultBodyLimit::max(security::body_limit(
                    "/admin/imports",
                ))),
        )
        .merge(pages::reports::routes())
        .merge(pages::report_data::routes())
        .merge(pages::process::routes())
        .merge(pages::lifecycle::routes())
        .merge(pages::approval::routes())
        .merge(pages::plan::routes())
        .merge(pages::coefficient::routes())
        .merge(pages::dialogue::routes())
        .merge(pages::partners::routes())
        .merge(pages::public::routes())
        .merge(pages::embed::routes())
        .nest("/api/v1", api::routes())
        .fallback(pages::not_found)
        // Innermost first: NUL characters and oversized bodies are refused before any
        // handler; `headers` translates those refusals on pages and adds the security
        // headers; `no_store` sees the final answer (also the translated error page);
        // `log_forbidden` sees every 403, whichever layer made it.
        .layer(axum::middleware::from_fn(security::refuse_nul))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(axum::middleware::from_fn(security::no_store))
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), Arc::new(security::ForbiddenLog::default())),
            security::log_forbidden,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Serves the app on `addr` until the process is stopped.
pub async fn serve(state: AppState, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {addr}: {e} (is another program using the port?)")
    })?;
    serve_on(state, listener).await
}

/// Serves the app on an already bound listener (tests bind port 0).
pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
