//! Who is asking: the lookups behind a request's caller (a browser session, an API
//! token).

use crate::{App, AppResult};
use hyte_store::users::{Session, User};

impl App {
    /// The live session behind a session cookie's token, if any (expired sessions are
    /// not found).
    pub async fn session(&self, token: &str) -> AppResult<Option<Session>> {
        Ok(self.store.session(token).await?)
    }

    /// The user an API token belongs to, if it is valid.
    pub async fn user_by_api_token(&self, token: &str) -> AppResult<Option<User>> {
        Ok(self.store.user_by_api_token(token).await?)
    }
}
