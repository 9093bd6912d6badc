//! Indicator administration pages: an admin's curation of one indicator, the
//! import history and the upload of data files. The rules and the changes are the
//! application layer's (`hyte_app::indicators_admin`).

use crate::auth::{actor, Viewer};
use crate::extract::SignedIn;
use crate::i18n::Tr;
use crate::pages::coefficient::read_upload;
use crate::pages::process::render_refusable;
use crate::view::Page;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hyte_app::accounts::Initiator;
use hyte_app::indicators_admin::{may_import, Curation, DataFile};
use hyte_app::model::indicators::ImportRun;
use hyte_app::Changed;
use serde::Deserialize;

/// The admin curation form.
#[derive(Deserialize)]
pub struct CurateForm {
    #[serde(default)]
    csrf: String,
    polarity: String,
    denominator: String,
    kind: String,
    #[serde(default)]
    back: String,
}

/// Forgets cached outputs after a change of indicator data (public pages show live
/// values).
fn forget(state: &AppState, changed: Changed) {
    if changed == Changed::Data {
        state.outputs.clear();
    }
}

/// `POST /admin/indicators/{id}`: an admin sets what Sotkanet lacks (polarity,
/// denominator, kind); derived benchmarks are recomputed.
pub async fn curate(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<CurateForm>,
) -> AppResult<Response> {
    viewer.check_csrf(&f.csrf)?;
    let actor = actor(&viewer)?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::bad_request(format!("'{id}' is not an indicator id")))?;
    let changed = state
        .app
        .curate_indicator(
            &actor,
            id,
            &Curation {
                polarity: f.polarity,
                denominator: f.denominator,
                kind: f.kind,
            },
        )
        .await?;
    forget(&state, changed);
    let back = if f.back.starts_with("/org/") && !f.back.contains("//") {
        f.back
    } else {
        "/indicators".into()
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsTpl {
    page: Page,
    runs: Vec<ImportRun>,
    message: Option<String>,
    error: Option<String>,
    can_upload: bool,
}

async fn imports_page(
    state: &AppState,
    viewer: &Viewer,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let actor = actor(viewer)?;
    let runs = state.app.import_runs(&actor, 100).await?;
    let tr = Tr::new(viewer.lang);
    let failed = error.is_some();
    let tpl = ImportsTpl {
        page: Page::new(viewer, tr.t("imports-title"), "/admin/imports"),
        runs,
        message,
        error,
        can_upload: may_import(&actor),
    };
    render_refusable(&tpl, failed)
}

/// `GET /admin/imports`: import history and the upload form.
pub async fn imports(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
) -> AppResult<Response> {
    imports_page(&state, &viewer, None, None).await
}

/// `POST /admin/imports`: an admin uploads a Sotkanet file; it is imported whole or
/// refused whole.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (csrf, file) = read_upload(&mut multipart, "upload").await?;
    viewer.check_csrf(&csrf)?;
    let actor = actor(&viewer)?;
    let (name, bytes) = file.unwrap_or_else(|| ("upload".into(), vec![]));
    let file = DataFile {
        name,
        bytes,
        source: "upload in the browser".into(),
    };
    let tr = Tr::new(viewer.lang);
    match state
        .app
        .import_data(Initiator::User(&actor), file, None)
        .await
    {
        Ok((_, changed)) => {
            forget(&state, changed);
            imports_page(&state, &viewer, Some(tr.t("imports-done")), None).await
        }
        Err(e @ (hyte_app::AppError::Refused(_) | hyte_app::AppError::Invalid { .. })) => {
            let reason = e.refusal().map(|r| tr.refusal(r)).unwrap_or_default();
            imports_page(&state, &viewer, None, Some(reason)).await
        }
        Err(e) => Err(e.into()),
    }
}
