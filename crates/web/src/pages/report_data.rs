//! Report pages: indicator list and appendix, joys and concerns, self-assessment.

use crate::AppState;
use axum::Router;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
}
