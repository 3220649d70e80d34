//! Secret material: API tokens (generated, hashed), passwords (bcrypt), constant-time compare.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The prefix that lets secret scanners spot a leaked token.
pub const TOKEN_PREFIX: &str = "sfx_";

/// A new raw API token: `sfx_` + 43 url-safe base64 characters of 32 random bytes.
pub fn generate_api_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source failed");
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Lowercase hex SHA-256 of the raw token: the only form stored.
pub fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// Compares two secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Hash first so lengths do not leak either.
    Sha256::digest(a).ct_eq(&Sha256::digest(b)).into()
}

/// bcrypt accepts at most 72 bytes; the API refuses longer passwords (422) and shorter than 8.
pub const PASSWORD_MIN_BYTES: usize = 8;
pub const PASSWORD_MAX_BYTES: usize = 72;

/// Hashes a password off the async runtime (bcrypt is deliberately slow).
pub async fn hash_password(password: String, cost: u32) -> Result<String, String> {
    tokio::task::spawn_blocking(move || bcrypt::hash(password, cost).map_err(|e| e.to_string()))
        .await
        .map_err(|e| e.to_string())?
}

/// Verifies a password against a bcrypt hash off the async runtime; any malformed hash is a no.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_prefix_and_43_url_safe_characters() {
        let t = generate_api_token();
        let body = t.strip_prefix("sfx_").unwrap();
        assert_eq!(body.len(), 43);
        assert!(
            body.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(t, generate_api_token());
    }

    #[test]
    fn the_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_tells_equal_from_different() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }

    #[tokio::test]
    async fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("correct horse".into(), 4).await.unwrap();
        assert!(h.starts_with("$2b$04$"));
        assert!(verify_password("correct horse".into(), h.clone()).await);
        assert!(!verify_password("wrong horse".into(), h).await);
        assert!(!verify_password("x".into(), "not a hash".into()).await);
    }
}
