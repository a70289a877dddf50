//! Random secrets (session ids, CSRF and API tokens) and their stored hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// 32 bytes from the operating system's CSPRNG, URL-safe base64 (43 characters).
pub fn random_token() -> Result<String, AppError> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| AppError::internal(anyhow::anyhow!("getrandom: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// The SHA-256 of a secret, hex-encoded. Secrets are high-entropy, so a fast hash is right
/// here (unlike passwords): it makes a stolen table useless without slowing every request.
pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// API tokens carry a recognisable prefix so secret scanners and people can spot them.
pub const TOKEN_PREFIX: &str = "vt_";

pub fn new_api_token() -> Result<String, AppError> {
    Ok(format!("{TOKEN_PREFIX}{}", random_token()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(new_api_token().unwrap().starts_with("vt_"));
    }
}
