//! What every page template needs: translator, signed-in user, CSRF token, language
//! switcher links.

use crate::auth::Viewer;
use crate::i18n::{Lang, Tr};

/// One language link in the switcher.
#[derive(Debug, Clone)]
pub struct LangLink {
    /// ISO code.
    pub code: &'static str,
    /// Native name.
    pub name: &'static str,
    /// Link to the same page in that language.
    pub href: String,
    /// Whether it is the current language.
    pub current: bool,
}

/// Common template context.
#[derive(Debug, Clone)]
pub struct Page {
    /// Translator.
    pub tr: Tr,
    /// Page title (already translated).
    pub title: String,
    /// Signed-in user's name.
    pub user_name: Option<String>,
    /// Signed-in user's organisation id.
    pub user_org: Option<String>,
    /// Whether the user is a system admin.
    pub is_admin: bool,
    /// CSRF token for forms (empty when signed out).
    pub csrf: String,
    /// Language switcher.
    pub langs: Vec<LangLink>,
}

impl Page {
    /// Builds the context for a request to `path` (with its query, if any).
    pub fn new(viewer: &Viewer, title: impl Into<String>, path_and_query: &str) -> Page {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let rest: Vec<&str> = query
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
            .collect();
        let langs = Lang::ALL
            .iter()
            .map(|l| {
                let mut q = rest.clone();
                let lq = format!("lang={}", l.code());
                q.push(&lq);
                LangLink {
                    code: l.code(),
                    name: l.native_name(),
                    href: format!("{path}?{}", q.join("&")),
                    current: *l == viewer.lang,
                }
            })
            .collect();
        Page {
            tr: Tr::new(viewer.lang),
            title: title.into(),
            user_name: viewer.user.as_ref().map(|u| u.name.clone()),
            user_org: viewer
                .user
                .as_ref()
                .and_then(|u| u.org.as_ref())
                .map(|k| k.to_string()),
            is_admin: viewer.is_admin(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
            langs,
        }
    }

    /// The language code.
    pub fn lang(&self) -> &'static str {
        self.tr.code()
    }

    /// Shortcut for templates: `page.t("key")`.
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
}
