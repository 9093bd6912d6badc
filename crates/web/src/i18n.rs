//! The translation catalogue (Fluent files under `locales/{fi,sv,en}`), compiled
//! into the binary.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::Loader;
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::LanguageIdentifier;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fi",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// suomi
    Fi,
    /// svenska
    Sv,
    /// English
    En,
}

impl Lang {
    /// All, in the order the switcher shows them.
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    /// ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fi => "suomi",
            Lang::Sv => "svenska",
            Lang::En => "English",
        }
    }

    /// Parses `fi`, `sv`, `en` (also `fi-FI`, `sv-SE`...).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "fi" => Some(Lang::Fi),
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the first supported language of an `Accept-Language` header.
    pub fn from_accept_language(h: &str) -> Option<Lang> {
        h.split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or_default()))
            .next()
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Fi => unic_langid::langid!("fi"),
            Lang::Sv => unic_langid::langid!("sv"),
            Lang::En => unic_langid::langid!("en"),
        }
    }
}

/// Translator for one request's language; templates call `tr.t("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
}

impl Tr {
    /// Translator for a language.
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    /// The language code, for `lang` attributes and data lookups.
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// The message for `key`; a missing key shows as itself so that it is noticed
    /// (a test checks that all languages have the same keys).
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.lang.id(), key)
            .unwrap_or_else(|| key.to_string())
    }

    /// The message for `key` with named arguments.
    pub fn ta(&self, key: &str, args: &[(&str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Owned((*k).to_string()), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(&self.lang.id(), key, &map)
            .unwrap_or_else(|| key.to_string())
    }
}

impl Tr {
    /// A use case's refusal in this language; its English sentence where the
    /// catalogue has no such key.
    pub fn refusal(&self, r: &hyte_app::Refusal) -> String {
        // Parameters that are codes of the approval workflow read as words.
        let args: Vec<(&str, String)> = r
            .args
            .iter()
            .map(|(k, v)| match *k {
                "state" | "move" => {
                    let key = format!("appr-{k}-{v}");
                    let word = self.t(&key);
                    (*k, if word == key { v.clone() } else { word })
                }
                _ => (*k, v.clone()),
            })
            .collect();
        let text = self.ta(r.key, &args);
        if text == r.key {
            r.english.clone()
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: &str) -> BTreeSet<String> {
        let dir = format!("{}/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((k, _)) = line.split_once(" =") {
                    if !k.starts_with(' ') && !k.starts_with('#') && !k.is_empty() {
                        out.insert(k.trim().to_string());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_language_has_every_key() {
        let fi = keys("fi");
        assert!(fi.len() > 50, "catalogue looks empty");
        for lang in ["sv", "en"] {
            let other = keys(lang);
            let missing: Vec<_> = fi.difference(&other).collect();
            let extra: Vec<_> = other.difference(&fi).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys fi lacks: {extra:?}");
        }
    }

    #[test]
    fn translates_and_falls_back() {
        assert_eq!(Tr::new(Lang::Sv).t("nav-login"), "Logga in");
        assert_eq!(Tr::new(Lang::Fi).t("nav-login"), "Kirjaudu");
        assert_eq!(Tr::new(Lang::En).t("no-such-key"), "no-such-key");
        assert_eq!(
            Lang::from_accept_language("de-DE, sv;q=0.8, en;q=0.5"),
            Some(Lang::Sv)
        );
    }
}
