//! Report pages: list and creation, outline, sections with live indicator blocks,
//! history and comments.

use crate::AppState;
use axum::Router;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
}
