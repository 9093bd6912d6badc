//! What makes a password acceptable (OWASP ASVS 4.0, V2.1): long enough, not too
//! long to hash, not one of the passwords people use most, not trivially guessable,
//! and no composition rules (ASVS 2.1.9: no "one capital and one digit").
//!
//! The common passwords are the list of the zxcvbn project (`@zxcvbn-ts/language-common`
//! 4.1.3, `passwords.json`, MIT licence, Dropbox and the zxcvbn-ts authors; see
//! data/SOURCES.md): 49 233 passwords, most common first, lower case.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The shortest password accepted (ASVS 2.1.1: at least 12 characters).
pub const MIN_CHARS: usize = 12;
/// The longest password accepted (ASVS 2.1.2 asks to allow at least 64): longer ones
/// only cost hashing time.
pub const MAX_CHARS: usize = 256;

const COMMON_TEXT: &str = include_str!("../../../data/security/common_passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COMMON_TEXT.lines().filter(|l| !l.is_empty()).collect());

/// Why a password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// Shorter than [`MIN_CHARS`].
    TooShort,
    /// Longer than [`MAX_CHARS`].
    TooLong,
    /// One of the common passwords, or one with only digits and marks around it.
    Common,
    /// One character or a short piece repeated (`aaaaaaaaaaaa`, `abcabcabcabc`).
    Repeated,
    /// A run along the keyboard, the alphabet or the digits (`qwertyuiop12`).
    Sequence,
    /// The user's own e-mail address or name with little else.
    Personal,
}

impl Weakness {
    /// The message key of the catalogue that explains the refusal.
    pub fn key(self) -> &'static str {
        match self {
            Weakness::TooShort => "password-too-short",
            Weakness::TooLong => "password-too-long",
            Weakness::Common => "password-common",
            Weakness::Repeated => "password-repeated",
            Weakness::Sequence => "password-sequence",
            Weakness::Personal => "password-personal",
        }
    }

    /// The explanation in English (logs, the command line).
    pub fn english(self) -> String {
        match self {
            Weakness::TooShort => {
                format!("The password must have at least {MIN_CHARS} characters.")
            }
            Weakness::TooLong => format!("The password may have at most {MAX_CHARS} characters."),
            Weakness::Common => {
                "The password is one of the most commonly used passwords; choose another.".into()
            }
            Weakness::Repeated => {
                "The password repeats one character or a short piece; choose another.".into()
            }
            Weakness::Sequence => {
                "The password follows the keyboard, the alphabet or the digits; choose another."
                    .into()
            }
            Weakness::Personal => {
                "The password is made of your own e-mail address or name; choose another.".into()
            }
        }
    }
}

/// Rows of the Finnish/Swedish keyboard, the alphabet and the digits: a password that
/// mostly steps along one of them is guessed at once.
const SEQUENCES: &[&str] = &[
    "1234567890",
    "qwertyuiopå",
    "asdfghjklöä",
    "zxcvbnm",
    "abcdefghijklmnopqrstuvwxyzåäö",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
];

fn is_step(a: char, b: char) -> bool {
    SEQUENCES.iter().any(|s| {
        let chars: Vec<char> = s.chars().collect();
        chars
            .windows(2)
            .any(|w| (w[0] == a && w[1] == b) || (w[0] == b && w[1] == a))
    })
}

fn is_sequence(lower: &[char]) -> bool {
    let steps = lower.windows(2).filter(|w| is_step(w[0], w[1])).count();
    // Four in five transitions along a row: `qwertyuiop12`, `1234567890ab`.
    steps * 5 >= (lower.len() - 1) * 4
}

fn is_repeated(lower: &[char]) -> bool {
    (1..=4).any(|unit| {
        lower.len() > unit && lower.iter().enumerate().all(|(i, c)| *c == lower[i % unit])
    })
}

/// The password without digits and marks at its ends (`password1234!` → `password`).
fn core(lower: &str) -> &str {
    lower.trim_matches(|c: char| !c.is_alphabetic())
}

fn is_common(lower: &str) -> bool {
    if COMMON.contains(lower) {
        return true;
    }
    let c = core(lower);
    // A common word with a year or a few digits around it is guessed as early.
    c.chars().count() >= 4 && c.len() * 2 >= lower.len() && COMMON.contains(c)
}

fn is_personal(lower: &str, personal: &[&str]) -> bool {
    let mut rest = lower.replace(char::is_whitespace, "");
    let mut found = false;
    for text in personal {
        let text = text.trim().to_lowercase();
        // The whole address, its part before @, the whole name and each of its parts.
        let local = text.split('@').next().unwrap_or_default().to_string();
        let mut pieces: Vec<String> = vec![text.replace(char::is_whitespace, ""), local];
        pieces.extend(
            text.split(|c: char| !c.is_alphanumeric())
                .map(str::to_string),
        );
        pieces.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
        for piece in pieces.iter().filter(|p| p.chars().count() >= 4) {
            if rest.contains(piece.as_str()) {
                rest = rest.replace(piece.as_str(), "");
                found = true;
            }
        }
    }
    // What is left besides the personal part is too little to guess at.
    found && rest.chars().filter(|c| c.is_alphanumeric()).count() < 8
}

/// Checks a new password; `personal` holds what an attacker knows of the user (their
/// e-mail address and name).
pub fn check(password: &str, personal: &[&str]) -> Result<(), Weakness> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(Weakness::TooShort);
    }
    if n > MAX_CHARS {
        return Err(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    if is_repeated(&chars) {
        return Err(Weakness::Repeated);
    }
    if is_sequence(&chars) {
        return Err(Weakness::Sequence);
    }
    if is_common(&lower) {
        return Err(Weakness::Common);
    }
    if is_personal(&lower, personal) {
        return Err(Weakness::Personal);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &[&str] = &["kaija.koordinaattori@asikkala.fi", "Kaija Koordinaattori"];

    #[test]
    fn the_shipped_list_is_the_real_one() {
        assert_eq!(COMMON.len(), 49_233);
        for p in ["123456", "password", "qwerty", "letmein", "1qaz2wsx3edc"] {
            assert!(COMMON.contains(p), "{p}");
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_their_reason() {
        for (pw, why) in [
            ("aaaaaaaaaa", Weakness::TooShort),
            ("aaaaaaaaaaaa", Weakness::Repeated),
            ("AAAAAAAAAAAAAAAA", Weakness::Repeated),
            ("abcabcabcabc", Weakness::Repeated),
            ("121212121212", Weakness::Repeated),
            ("123456789012", Weakness::Sequence),
            ("qwertyuiopå1", Weakness::Sequence),
            ("abcdefghijklm", Weakness::Sequence),
            ("0987654321ab", Weakness::Sequence),
            ("1qaz2wsx3edc", Weakness::Sequence),
            ("leavemealone", Weakness::Common),
            ("password1234", Weakness::Common),
            ("Password2026!", Weakness::Common),
            ("sunshine12345", Weakness::Common),
            ("kaija.koordinaattori", Weakness::Personal),
            ("KaijaKoordinaattori1", Weakness::Personal),
            ("koordinaattori2026", Weakness::Personal),
        ] {
            assert_eq!(check(pw, ME), Err(why), "{pw}");
        }
        assert_eq!(check(&"x7".repeat(200), ME), Err(Weakness::TooLong));
    }

    #[test]
    fn good_passwords_pass_without_composition_rules() {
        for pw in [
            "pitkä salasana 1",
            "a long enough password",
            "kahvia ja pullaa aamulla",
            "Kaija juo aina teetä kello viisi",
            "uusi-salasana-123",
            "x7#Lp9!qRt2m",
            "lumiukko talvella",
        ] {
            assert_eq!(check(pw, ME), Ok(()), "{pw}");
        }
        // 64 characters are allowed (ASVS 2.1.2).
        let long = "Tänä vuonna hyvinvointikertomus valmistuu ajoissa, ja se on hyvä";
        assert_eq!(long.chars().count(), 64);
        assert_eq!(check(long, &[]), Ok(()));
    }
}
