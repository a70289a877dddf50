//! Two-factor authentication with time-based one-time passwords (RFC 6238: HMAC-SHA-1,
//! six digits, 30-second steps, one step of drift either way) and single-use recovery codes.
//!
//! A code is accepted at most once: the store keeps the last accepted time step per user and
//! moves it forward in one atomic statement, so a replayed code (or the same code raced by
//! two requests) is refused. Verification is throttled per user like passwords are per
//! account. Every outcome is in the audit log (`totp.enrol`, `totp.verified`, `totp.failed`,
//! `totp.recovery_used`, `totp.disable`, `totp.reset`).
//!
//! Secrets are stored sealed (`identity::sealing`): the database and its backups hold no
//! secret an attacker could generate codes from.

use jiff::Timestamp;
use serde::Serialize;
use totp_rs::{Builder, Secret, Totp};
use ventanilla_domain::UserId;
use ventanilla_store::audit::NewAudit;
use ventanilla_store::identity::TotpRecord;

use crate::AppState;
use crate::auth::{ClientInfo, secret, throttle};
use crate::error::AppError;
use crate::identity::sealing;

/// Seconds per step.
pub const STEP_SECS: u64 = 30;
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

fn totp_of(secret_b32: &str, issuer: &str, account: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| AppError::internal(anyhow::anyhow!("stored TOTP secret: {e}")))?;
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(issuer))
        .with_account_name(account)
        .build()
        .map_err(|e| AppError::internal(anyhow::anyhow!("TOTP: {e}")))
}

/// A fresh 160-bit secret, base32.
pub fn new_secret() -> Result<String, AppError> {
    let mut buf = [0u8; 20];
    getrandom::fill(&mut buf).map_err(|e| AppError::internal(anyhow::anyhow!("getrandom: {e}")))?;
    Ok(Secret::from(buf).to_base32())
}

fn unix_secs(now: Timestamp) -> u64 {
    u64::try_from(now.as_second()).unwrap_or(0)
}

/// The time step whose code `code` is at `now` (the step before, the current one or the
/// next), or `None`.
pub fn matching_step(
    secret_b32: &str,
    code: &str,
    now: Timestamp,
) -> Result<Option<i64>, AppError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp_of(secret_b32, "x", "x")?;
    Ok(totp
        .check(&code, unix_secs(now))
        .and_then(|s| i64::try_from(s).ok()))
}

/// The code for `now` (tests and the command line's `totp code` for operators).
pub fn code_at(secret_b32: &str, now: Timestamp) -> Result<String, AppError> {
    Ok(totp_of(secret_b32, "x", "x")?
        .generate(unix_secs(now))
        .to_string())
}

/// The `otpauth://` URI an authenticator app reads (from a QR code or pasted).
pub fn otpauth_uri(secret_b32: &str, issuer: &str, account: &str) -> Result<String, AppError> {
    totp_of(secret_b32, issuer, account)?
        .to_url()
        .map_err(|e| AppError::internal(anyhow::anyhow!("otpauth: {e}")))
}

/// Ten recovery codes like `k7qxm-2rfpd`: 50 random bits each, shown once, stored hashed.
pub fn new_recovery_codes() -> Result<Vec<String>, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut buf = [0u8; 10];
        getrandom::fill(&mut buf)
            .map_err(|e| AppError::internal(anyhow::anyhow!("getrandom: {e}")))?;
        let s: String = buf
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        out.push(format!("{}-{}", &s[..5], &s[5..]));
    }
    Ok(out)
}

/// The stored form of a recovery code: case, spaces and dashes do not matter.
pub fn recovery_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    secret::hash(&format!("recovery:{norm}"))
}

/// What a user sees of their two-factor settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TotpStatus {
    /// Two-factor is on: sign-in asks for a code.
    pub enabled: bool,
    /// An enrolment was started and waits for its first code.
    pub pending: bool,
    /// The user's role requires two-factor.
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// A started enrolment: the secret to put in an authenticator app.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// Base32, for typing into an app.
    pub secret: String,
    /// `otpauth://totp/…`, for a QR code.
    pub otpauth_uri: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Whether `role` must use two-factor under `[identity] totp_required_roles`.
pub fn required_for(state: &AppState, role: &str) -> bool {
    state
        .config
        .identity
        .totp_required_roles
        .iter()
        .any(|r| r == role)
}

pub async fn status(state: &AppState, user: UserId, role: &str) -> Result<TotpStatus, AppError> {
    let rec = state.store.identity().totp(user).await?;
    Ok(TotpStatus {
        enabled: rec.as_ref().is_some_and(|r| r.confirmed_at.is_some()),
        pending: rec.as_ref().is_some_and(|r| r.confirmed_at.is_none()),
        required: required_for(state, role),
        recovery_codes_left: state.store.identity().recovery_codes_left(user).await?,
    })
}

/// Whether the user has confirmed two-factor.
pub async fn enabled(state: &AppState, user: UserId) -> Result<bool, AppError> {
    Ok(state
        .store
        .identity()
        .totp(user)
        .await?
        .is_some_and(|r| r.confirmed_at.is_some()))
}

/// The sealing "owner" of a user's TOTP secret: a sealed secret opens for this user only.
fn owner(user: UserId) -> String {
    format!("user_totp:{}", user.get())
}

/// 503 `two_factor_unavailable`: the stored secret cannot be read back (sealed, and the
/// server has no key or another one).
fn unavailable(user: UserId, why: &sealing::Unreadable) -> AppError {
    tracing::error!(user = user.get(), "two-factor secret unreadable: {why}");
    AppError::Refused {
        status: http::StatusCode::SERVICE_UNAVAILABLE,
        code: "two_factor_unavailable",
        message: "two-factor authentication is unavailable: the stored secret does not open \
                  with this server's sealing key; use a recovery code or ask an administrator"
            .into(),
        field: None,
    }
}

/// The base32 secret of a stored enrolment (see `identity::sealing::from_store`).
pub fn secret_of(state: &AppState, user: UserId, rec: &TotpRecord) -> Result<String, AppError> {
    sealing::from_store(state.sealer.as_ref(), &owner(user), &rec.secret)
        .map_err(|e| unavailable(user, &e))
}

/// Seals the two-factor secrets stored in clear (see `sealing::seal_stored`); returns how
/// many were sealed.
pub(crate) async fn seal_stored_secrets(
    app: &crate::App,
    sealer: &sealing::Sealer,
) -> Result<u64, AppError> {
    let mut sealed = 0;
    for (user, plain) in app
        .store
        .identity()
        .plain_totp_secrets(sealing::PREFIX)
        .await?
    {
        let new = sealer.seal(&owner(user), &plain)?;
        if app.store.identity().reseal_totp(user, &plain, &new).await? {
            sealed += 1;
        }
    }
    Ok(sealed)
}

fn already_enabled() -> AppError {
    AppError::Refused {
        status: http::StatusCode::CONFLICT,
        code: "totp_already_enabled",
        message: "two-factor authentication is already on; turn it off first".into(),
        field: None,
    }
}

fn bad_code() -> AppError {
    AppError::Refused {
        status: http::StatusCode::UNPROCESSABLE_ENTITY,
        code: "totp_code_invalid",
        message: "the code is wrong, expired or already used".into(),
        field: Some("code".into()),
    }
}

/// Starts an enrolment: a new secret (replacing an unconfirmed one).
pub async fn begin(state: &AppState, user: UserId, email: &str) -> Result<Enrolment, AppError> {
    let secret = new_secret()?;
    let stored = sealing::to_store(state.sealer.as_ref(), &owner(user), &secret)?;
    if !state
        .store
        .identity()
        .begin_totp(user, &stored, state.now())
        .await?
    {
        return Err(already_enabled());
    }
    let uri = otpauth_uri(&secret, &state.config.identity.totp_issuer, email)?;
    Ok(Enrolment {
        secret,
        otpauth_uri: uri,
    })
}

fn throttle_key(user: UserId) -> String {
    format!("totp:{}", user.get())
}

/// Confirms an enrolment with the first code from the app: two-factor is on from now, and
/// the recovery codes are handed out (once).
pub async fn confirm(
    state: &AppState,
    user: UserId,
    code: &str,
    client: &ClientInfo,
) -> Result<RecoveryCodes, AppError> {
    let rec = state.store.identity().totp(user).await?;
    let Some(rec) = rec else {
        return Err(AppError::Refused {
            status: http::StatusCode::CONFLICT,
            code: "totp_not_started",
            message: "start the enrolment first".into(),
            field: None,
        });
    };
    if rec.confirmed_at.is_some() {
        return Err(already_enabled());
    }
    let permit = throttle::take(
        state,
        &[(throttle_key(user), state.config.identity.totp_max_failures)],
    )
    .await?;
    let now = state.now();
    let step = matching_step(&secret_of(state, user, &rec)?, code, now)?;
    let accepted = match step {
        Some(s) => state.store.identity().accept_step(user, s, false).await?,
        None => false,
    };
    if !accepted {
        drop(permit);
        return Err(bad_code());
    }
    throttle::succeeded(state, permit).await?;
    let codes = new_recovery_codes()?;
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    let entry = NewAudit::new(now, Some(user), "totp.enrol", client.ip_string())
        .target("user", Some(user.get()));
    state
        .store
        .identity()
        .confirm_totp(user, &hashes, &entry)
        .await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// How a second factor was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Code,
    RecoveryCode,
}

/// Checks a code from the app (six digits) or a recovery code, throttled per user. A code
/// is accepted once; a recovery code is used up.
pub async fn verify(
    state: &AppState,
    user: UserId,
    code: &str,
    client: &ClientInfo,
) -> Result<Proof, AppError> {
    let rec = state
        .store
        .identity()
        .totp(user)
        .await?
        .filter(|r| r.confirmed_at.is_some());
    let Some(rec) = rec else {
        return Err(AppError::Refused {
            status: http::StatusCode::CONFLICT,
            code: "totp_not_enabled",
            message: "two-factor authentication is not on for this account".into(),
            field: None,
        });
    };
    let permit = throttle::take(
        state,
        &[(throttle_key(user), state.config.identity.totp_max_failures)],
    )
    .await?;
    let now = state.now();
    let trimmed = code.trim();
    let is_digits = trimmed.len() == 6 && trimmed.bytes().all(|b| b.is_ascii_digit());
    let proof = if is_digits {
        match matching_step(&secret_of(state, user, &rec)?, trimmed, now)? {
            Some(s) if state.store.identity().accept_step(user, s, true).await? => {
                Some(Proof::Code)
            }
            _ => None,
        }
    } else if !trimmed.is_empty()
        && state
            .store
            .identity()
            .use_recovery_code(user, &recovery_hash(trimmed), now)
            .await?
    {
        Some(Proof::RecoveryCode)
    } else {
        None
    };
    let Some(proof) = proof else {
        drop(permit);
        let entry = NewAudit::new(now, Some(user), "totp.failed", client.ip_string())
            .target("user", Some(user.get()));
        state.store.audit().record(&entry).await?;
        return Err(bad_code());
    };
    throttle::succeeded(state, permit).await?;
    let action = match proof {
        Proof::Code => "totp.verified",
        Proof::RecoveryCode => "totp.recovery_used",
    };
    let entry =
        NewAudit::new(now, Some(user), action, client.ip_string()).target("user", Some(user.get()));
    state.store.audit().record(&entry).await?;
    Ok(proof)
}

/// New recovery codes (the old ones stop working); needs a current code.
pub async fn regenerate_codes(
    state: &AppState,
    user: UserId,
    code: &str,
    client: &ClientInfo,
) -> Result<RecoveryCodes, AppError> {
    verify(state, user, code, client).await?;
    let codes = new_recovery_codes()?;
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    let entry = NewAudit::new(
        state.now(),
        Some(user),
        "totp.recovery_codes",
        client.ip_string(),
    )
    .target("user", Some(user.get()));
    state
        .store
        .identity()
        .replace_recovery_codes(user, &hashes, &entry)
        .await?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// Turns two-factor off for oneself (needs a current code; refused when the role requires
/// two-factor).
pub async fn disable(
    state: &AppState,
    user: UserId,
    role: &str,
    code: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    if required_for(state, role) {
        return Err(AppError::Refused {
            status: http::StatusCode::CONFLICT,
            code: "totp_required",
            message: "your role requires two-factor authentication".into(),
            field: None,
        });
    }
    verify(state, user, code, client).await?;
    let entry = NewAudit::new(state.now(), Some(user), "totp.disable", client.ip_string())
        .target("user", Some(user.get()))
        .change(
            serde_json::json!({ "totp": true }),
            serde_json::json!({ "totp": false }),
        );
    state.store.identity().remove_totp(user, &entry).await?;
    Ok(())
}
