//! Passwords and single-use secrets: hashed here, once, so that every adapter (the
//! invitation page, the JSON API, the command line) stores the same kind of hash.

use crate::{AppError, AppResult, Refusal};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use rand::RngCore;

/// The shortest password accepted ([`hyte_domain::password`]).
pub const MIN_PASSWORD_CHARS: usize = hyte_domain::password::MIN_CHARS;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// A random 256-bit secret, hex (an invitation link's token).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// The rules of a new password: typed the same twice, and acceptable by
/// [`hyte_domain::password::check`] (long enough, not common, not trivially guessable,
/// not made of `personal`: the user's e-mail address and name).
pub fn check_new_password(password: &str, repeat: &str, personal: &[&str]) -> AppResult<()> {
    if password != repeat {
        return Err(AppError::invalid(
            "password",
            Refusal::new("password-mismatch", "The new passwords do not match."),
        ));
    }
    check_password(password, personal)
}

/// [`hyte_domain::password::check`] as a refusal of the field `password`.
pub fn check_password(password: &str, personal: &[&str]) -> AppResult<()> {
    hyte_domain::password::check(password, personal).map_err(|w| {
        AppError::invalid(
            "password",
            Refusal::new(w.key(), w.english())
                .arg("min", hyte_domain::password::MIN_CHARS)
                .arg("max", hyte_domain::password::MAX_CHARS),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_tokens_differ() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert_ne!(new_token(), new_token());
        assert_eq!(new_token().len(), 64);
        assert!(check_new_password("short", "short", &[]).is_err());
        assert!(check_new_password("long enough 12", "long enough 21", &[]).is_err());
        assert!(check_new_password("long enough 12", "long enough 12", &[]).is_ok());
        let e = check_new_password("liisa.lukija1", "liisa.lukija1", &["liisa.lukija@x.fi"]);
        assert_eq!(
            e.unwrap_err().refusal().map(|r| r.key),
            Some("password-personal")
        );
    }
}
