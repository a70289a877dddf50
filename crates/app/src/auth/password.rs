//! Password hashing with Argon2id. Hashing is CPU- and memory-heavy by design, so it runs
//! on the blocking pool, never on the async workers.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::AuthConfig;
use crate::error::AppError;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 256;

#[derive(Debug, Clone)]
pub struct Hasher {
    params: Params,
    /// A hash of a random password, verified when the account does not exist so that
    /// unknown and known emails take the same time to refuse.
    dummy_hash: String,
}

impl Hasher {
    pub fn from_config(c: &AuthConfig) -> Self {
        // Config::validate has already checked these parameters.
        let params = Params::new(
            c.argon2_memory_kib,
            c.argon2_iterations,
            c.argon2_parallelism,
            None,
        )
        .unwrap_or_default();
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
            .hash_password(b"not-a-real-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        Self { params, dummy_hash }
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Checks the password policy, then hashes it.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        check_policy(&password)?;
        let argon = self.argon();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AppError::internal(anyhow::anyhow!("argon2: {e}")))
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Verifies `password` against `hash`; with no hash, burns the same time and fails.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let argon = self.argon();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .map_err(AppError::internal)?;
        Ok(ok && known)
    }
}

/// Length is the rule that matters (NIST SP 800-63B): at least 10 characters, at most 256.
pub fn check_policy(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(ventanilla_domain::ValidationError::new(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        )
        .into());
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(ventanilla_domain::ValidationError::new(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        )
        .into());
    }
    Ok(())
}
