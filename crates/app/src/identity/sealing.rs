//! Secrets sealed at rest (issue 19): values the desk must read back in clear (a TOTP
//! secret, a webhook's signing key) are stored encrypted with AES-256-GCM (NIST SP 800-38D), so a copy of the
//! database or a backup without the key reveals none of them.
//!
//! The stored form is `v1:` + base64url (no padding) of a random 96-bit nonce, the
//! ciphertext and the 128-bit tag. The owner's id is the associated data: a sealed value
//! copied onto another user's row does not open. Random nonces are safe far beyond the
//! number of values a desk seals (the GCM limit is 2^32 per key).
//!
//! The key (`[identity] sealing_key`, 32 bytes in base64, or `sealing_key_file`) lives
//! outside the database. On SQLite, when none is configured, a key file is created beside
//! the database at first start (`<database>.sealing-key`, mode 0600), as GitLab and
//! Nextcloud generate theirs at installation; on PostgreSQL every node must be given the
//! same key; without one, values are stored in clear (a warning at every start). Values in
//! clear (stored before sealing existed, or without a key) are still read, and are sealed
//! by `identity::totp::seal_stored_secrets` at the next start that has a key.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::config::{Config, ConfigError};
use crate::error::AppError;

/// The prefix of a sealed value (format version 1).
pub const PREFIX: &str = "v1:";
/// Key length in bytes (AES-256).
pub const KEY_LEN: usize = 32;

/// The sealing key. Its `Debug` never prints the key.
#[derive(Clone)]
pub struct Sealer {
    key: std::sync::Arc<LessSafeKey>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

/// Why a stored value could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    /// Not in the sealed form, or not base64.
    #[error("the stored value is not a sealed value")]
    Malformed,
    /// The tag does not verify: another key, another owner, or altered bytes.
    #[error("the stored value does not open with this key for this owner")]
    Rejected,
}

impl Sealer {
    /// A sealer from the configured key (base64, standard or URL-safe, 32 bytes).
    pub fn from_base64(text: &str) -> Result<Sealer, String> {
        let text = text.trim();
        let bytes = STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| "must be base64".to_owned())?;
        let wrong_length = || format!("must be {KEY_LEN} bytes (base64 of 32 random bytes)");
        if bytes.len() != KEY_LEN {
            return Err(wrong_length());
        }
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| wrong_length())?;
        Ok(Sealer {
            key: std::sync::Arc::new(LessSafeKey::new(key)),
        })
    }

    /// A fresh random key, as `from_base64` reads it.
    pub fn new_key_base64() -> Result<String, getrandom::Error> {
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key)?;
        Ok(STANDARD.encode(key))
    }

    /// Seals `plain` for the owner `owner` (e.g. `user:42`).
    pub fn seal(&self, owner: &str, plain: &str) -> Result<String, AppError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| AppError::internal(anyhow::anyhow!("getrandom: {e}")))?;
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut data,
            )
            .map_err(|_| AppError::internal(anyhow::anyhow!("AES-GCM seal failed")))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// Opens a value `seal` made for the same owner.
    pub fn open(&self, owner: &str, sealed: &str) -> Result<String, OpenError> {
        let body = sealed.strip_prefix(PREFIX).ok_or(OpenError::Malformed)?;
        let mut bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Malformed)?;
        if bytes.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(OpenError::Malformed);
        }
        let mut data = bytes.split_off(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = bytes.try_into().map_err(|_| OpenError::Malformed)?;
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut data,
            )
            .map_err(|_| OpenError::Rejected)?;
        String::from_utf8(plain.to_vec()).map_err(|_| OpenError::Rejected)
    }
}

/// Whether a stored value is in the sealed form (else it was stored in clear: before
/// sealing existed, or without a key).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// The form to store `plain` in: sealed when the server has a key, else in clear (a
/// PostgreSQL deployment not yet given one; the start-up log says so, and the next start
/// with a key seals it).
pub fn to_store(sealer: Option<&Sealer>, owner: &str, plain: &str) -> Result<String, AppError> {
    match sealer {
        Some(s) => s.seal(owner, plain),
        None => Ok(plain.to_owned()),
    }
}

/// Why a stored secret cannot be read back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Unreadable {
    #[error("it is sealed and the server has no sealing key (identity.sealing_key)")]
    NoKey,
    #[error(transparent)]
    Open(#[from] OpenError),
}

/// The secret a stored value holds: opened when sealed, as it is when stored in clear.
pub fn from_store(
    sealer: Option<&Sealer>,
    owner: &str,
    stored: &str,
) -> Result<String, Unreadable> {
    if !is_sealed(stored) {
        return Ok(stored.to_owned());
    }
    Ok(sealer.ok_or(Unreadable::NoKey)?.open(owner, stored)?)
}

/// Seals every secret stored in clear (before sealing existed, or without a key): two-factor
/// secrets and webhook signing keys. Run at start when a key is configured; each row is
/// replaced only if it still holds the value read, so a concurrent change is never
/// overwritten. Returns how many were sealed.
pub async fn seal_stored(app: &crate::App) -> Result<u64, AppError> {
    let Some(sealer) = app.sealer.as_ref() else {
        return Ok(0);
    };
    Ok(
        crate::identity::totp::seal_stored_secrets(app, sealer).await?
            + crate::desk::webhooks::seal_stored_secrets(app, sealer).await?,
    )
}

/// The key file used on SQLite when no key is configured: beside the database file.
/// `None` for PostgreSQL and in-memory databases.
pub fn default_key_file(database_url: &str) -> Option<PathBuf> {
    let path = database_url.strip_prefix("sqlite://")?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(PathBuf::from(format!("{path}.sealing-key")))
}

/// Gives `config.identity.sealing_key` a value when none is configured and the database is
/// a SQLite file: read from, or first created at, `default_key_file` (mode 0600, created
/// once even when two processes start together). On PostgreSQL without a key, secrets are
/// stored in clear, with a warning at every start, until one is given.
pub fn ensure_key(config: &mut Config) -> Result<(), ConfigError> {
    if config.identity.sealing_key.is_some() {
        return Ok(());
    }
    let Some(path) = default_key_file(&config.database.url) else {
        tracing::warn!(
            "identity.sealing_key is not set: two-factor secrets and webhook signing keys are \
             stored in clear until it is (give every node the same key)"
        );
        return Ok(());
    };
    let key = read_or_create(&path).map_err(|e| {
        ConfigError::new(format!(
            "identity.sealing_key: cannot read or create the key file {}: {e}",
            path.display()
        ))
    })?;
    Sealer::from_base64(&key)
        .map_err(|m| ConfigError::new(format!("identity.sealing_key ({}): {m}", path.display())))?;
    config.identity.sealing_key = Some(key);
    Ok(())
}

fn read_or_create(path: &Path) -> std::io::Result<String> {
    use std::os::unix::fs::OpenOptionsExt as _;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            let key = Sealer::new_key_base64().map_err(|e| std::io::Error::other(e.to_string()))?;
            file.write_all(format!("{key}\n").as_bytes())?;
            file.sync_all()?;
            tracing::info!(path = %path.display(), "created the sealing key: back it up apart from the database");
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // Another process may be writing it this instant: wait for a whole key.
            for _ in 0..50 {
                let text = std::fs::read_to_string(path)?;
                if text.ends_with('\n') {
                    return Ok(text.trim().to_owned());
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(std::io::Error::other("the key file is incomplete"))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::from_base64(&Sealer::new_key_base64().unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_owner() {
        let s = sealer();
        let sealed = s.seal("user:7", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(s.open("user:7", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        assert_eq!(s.open("user:8", &sealed), Err(OpenError::Rejected));
        assert_eq!(sealer().open("user:7", &sealed), Err(OpenError::Rejected));
        // Two seals of the same value differ (a fresh nonce each time).
        assert_ne!(sealed, s.seal("user:7", "JBSWY3DPEHPK3PXP").unwrap());
    }

    #[test]
    fn altered_or_foreign_values_are_refused() {
        let s = sealer();
        let sealed = s.seal("user:7", "JBSWY3DPEHPK3PXP").unwrap();
        // Flip one bit of the tag in the decoded bytes and encode again: altering a base64
        // character directly can leave non-canonical trailing bits (then it is Malformed,
        // not Rejected, depending on the random nonce).
        let mut bytes = URL_SAFE_NO_PAD
            .decode(sealed.strip_prefix(PREFIX).unwrap())
            .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let altered = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(s.open("user:7", &altered), Err(OpenError::Rejected));
        assert_eq!(
            s.open("user:7", "JBSWY3DPEHPK3PXP"),
            Err(OpenError::Malformed)
        );
        assert_eq!(s.open("user:7", "v1:AAAA"), Err(OpenError::Malformed));
        assert_eq!(s.open("user:7", "v1:!!"), Err(OpenError::Malformed));
    }

    #[test]
    fn keys_are_32_bytes_of_base64() {
        assert!(Sealer::from_base64("c2hvcnQ=").is_err());
        assert!(Sealer::from_base64("not base64 at all").is_err());
        let key = Sealer::new_key_base64().unwrap();
        assert!(Sealer::from_base64(&format!(" {key}\n")).is_ok());
    }

    #[test]
    fn the_default_key_file_sits_beside_a_sqlite_file_only() {
        assert_eq!(
            default_key_file("sqlite:///var/lib/ventanilla/desk.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/ventanilla/desk.db.sealing-key"))
        );
        assert_eq!(default_key_file("sqlite::memory:"), None);
        assert_eq!(default_key_file("postgres://postgres@127.0.0.1/x"), None);
    }

    #[test]
    fn the_key_file_is_created_once_private_and_then_read() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db.sealing-key");
        let first = read_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(read_or_create(&path).unwrap(), first);
        assert!(Sealer::from_base64(&first).is_ok());
    }
}
