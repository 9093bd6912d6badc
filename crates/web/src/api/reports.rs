//! Reports through the JSON API.

use crate::AppState;
use axum::Router;

/// Routes of this module (mounted under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
}
