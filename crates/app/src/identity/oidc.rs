//! OpenID Connect sign-in (issue 19): the authorization code flow with PKCE against one
//! configured provider. `GET /auth/oidc/login` discovers the provider, keeps the state,
//! nonce and PKCE verifier in a short-lived HttpOnly cookie and sends the browser to the
//! provider; `GET /auth/oidc/callback` checks the state, exchanges the code (with the PKCE
//! verifier) and verifies the ID token — signature against the provider's keys (unsigned
//! tokens refused), issuer, audience, expiry (by the desk's clock) and nonce — then finds the
//! user by subject or e-mail, or creates them with the configured default role, and starts a
//! session (two-factor still applies). Every refusal is a stable code on the sign-in page
//! and an audit entry `login.failed` with `method: oidc` and the reason.

use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use ventanilla_domain::directory::{NAME_MAX, NewDepartment, NewUser, UserPatch};
use ventanilla_domain::{DepartmentId, Email, Language, OrganisationId, Text, UserId};
use ventanilla_store::audit::NewAudit;

use super::config::OidcConfig;
use crate::AppState;
use crate::auth::ClientInfo;
use crate::error::AppError;

/// The source name of users signed in through the provider.
pub const SOURCE: &str = "oidc";
/// The cookie that carries the sign-in in progress.
pub const FLOW_COOKIE: &str = "ventanilla_oidc";
const FLOW_PATH: &str = "/auth/oidc";

/// A refusal of the sign-in, with a stable code.
fn refused(code: &'static str, message: &str) -> AppError {
    AppError::Refused {
        status: http::StatusCode::BAD_REQUEST,
        code,
        message: message.to_owned(),
        field: None,
    }
}

fn provider_down(e: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %e, "OpenID provider unavailable");
    AppError::Refused {
        status: http::StatusCode::BAD_GATEWAY,
        code: "oidc_provider_unavailable",
        message: "the sign-in provider cannot be reached or answered wrongly".into(),
        field: None,
    }
}

/// What the browser keeps between leaving for the provider and coming back.
#[derive(Debug, Serialize, Deserialize)]
pub struct Flow {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub next: String,
    /// When the sign-in started (Unix seconds, the desk's clock): older than ten minutes
    /// is refused.
    pub at: i64,
}

impl Flow {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(s: &str) -> Option<Flow> {
        let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

fn http_client(cfg: &OidcConfig) -> Result<openidconnect::reqwest::Client, AppError> {
    openidconnect::reqwest::ClientBuilder::new()
        // The provider's answers are never followed elsewhere (SSRF, RFC 6749 §10).
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(cfg.timeout_secs.max(1)))
        .build()
        .map_err(AppError::internal)
}

fn secret_of(cfg: &OidcConfig) -> Result<Option<ClientSecret>, AppError> {
    if let Some(s) = &cfg.client_secret {
        return Ok(Some(ClientSecret::new(s.clone())));
    }
    if let Some(f) = &cfg.client_secret_file {
        let s = std::fs::read_to_string(f)
            .map_err(|e| AppError::internal(anyhow::anyhow!("client_secret_file: {e}")))?;
        return Ok(Some(ClientSecret::new(s.trim_end().to_owned())));
    }
    Ok(None)
}

fn redirect_url(state: &AppState) -> Result<RedirectUrl, AppError> {
    let base = state.config.server.public_url.trim_end_matches('/');
    RedirectUrl::new(format!("{base}{FLOW_PATH}/callback")).map_err(AppError::internal)
}

async fn metadata(
    cfg: &OidcConfig,
    http: &openidconnect::reqwest::Client,
) -> Result<openidconnect::ProviderMetadataWithLogout, AppError> {
    if !cfg.allow_http && !cfg.issuer.starts_with("https://") {
        return Err(AppError::internal(anyhow::anyhow!(
            "[identity.oidc] issuer must be https (allow_http is for loopback tests)"
        )));
    }
    let issuer = IssuerUrl::new(cfg.issuer.clone()).map_err(AppError::internal)?;
    // Discovery checks that the document's issuer is the configured one.
    // With `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0), for sign-out.
    openidconnect::ProviderMetadataWithLogout::discover_async(issuer, http)
        .await
        .map_err(|e| match e {
            openidconnect::DiscoveryError::Validation(why) => {
                tracing::warn!(error = %why, "OpenID discovery document refused");
                AppError::Refused {
                    status: http::StatusCode::BAD_GATEWAY,
                    code: "oidc_discovery_invalid",
                    message:
                        "the sign-in provider's description does not match the configured issuer"
                            .into(),
                    field: None,
                }
            }
            other => provider_down(other),
        })
}

/// Where a browser signed in through the provider goes to sign out there too (OpenID Connect
/// RP-Initiated Logout 1.0): the provider's `end_session_endpoint` with this client and the
/// sign-in page to come back to (`<public_url>/login`, to register at the provider). `None`
/// when no provider is configured, it offers no such endpoint or cannot be reached: the
/// desk's own session has ended by then, which is what signing out must guarantee.
pub async fn logout_url(state: &AppState) -> Option<String> {
    let cfg = state.config.identity.oidc.as_ref()?;
    let found = async {
        let http = http_client(cfg)?;
        metadata(cfg, &http).await
    }
    .await;
    let meta = match found {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "OpenID provider out of reach at sign-out");
            return None;
        }
    };
    let endpoint = meta.additional_metadata().end_session_endpoint.clone()?;
    let base = state.config.server.public_url.trim_end_matches('/');
    let back = openidconnect::PostLogoutRedirectUrl::new(format!("{base}/login")).ok()?;
    let request = openidconnect::LogoutRequest::from(endpoint)
        .set_client_id(ClientId::new(cfg.client_id.clone()))
        .set_post_logout_redirect_uri(back);
    Some(request.http_get_url().to_string())
}

/// Starts the sign-in: the provider's authorization URL and the cookie to set.
pub async fn start(state: &AppState, next: &str) -> Result<(String, Cookie<'static>), AppError> {
    let Some(cfg) = state.config.identity.oidc.as_ref() else {
        return Err(AppError::NotFound);
    };
    let http = http_client(cfg)?;
    let meta = metadata(cfg, &http).await?;
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(cfg.client_id.clone()),
        secret_of(cfg)?,
    )
    .set_redirect_uri(redirect_url(state)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for s in &cfg.scopes {
        req = req.add_scope(Scope::new(s.clone()));
    }
    let (url, csrf, nonce) = req.set_pkce_challenge(challenge).url();
    let flow = Flow {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next: next.to_owned(),
        at: state.now().as_second(),
    };
    let cookie = Cookie::build((FLOW_COOKIE, flow.encode()))
        .http_only(true)
        // Lax: the provider's redirect back is a top-level GET, which carries it.
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .path(FLOW_PATH)
        .build();
    Ok((url.to_string(), cookie))
}

/// The cookie that drops the flow.
pub fn flow_removal() -> Cookie<'static> {
    let mut c = Cookie::build((FLOW_COOKIE, "")).path(FLOW_PATH).build();
    c.make_removal();
    c
}

/// What the provider said about the person, once verified.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub locale: Option<String>,
    /// Every claim, for the configured mappings.
    pub claims: serde_json::Value,
}

fn chrono_now(now: jiff::Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(now.as_second(), now.subsec_nanosecond().max(0) as u32)
        .unwrap_or_default()
}

/// Checks the state, exchanges the code and verifies the ID token.
pub async fn finish_flow(
    state: &AppState,
    jar: &CookieJar,
    code: &str,
    returned_state: &str,
) -> Result<(Identity, String), AppError> {
    let Some(cfg) = state.config.identity.oidc.as_ref() else {
        return Err(AppError::NotFound);
    };
    let flow = jar
        .get(FLOW_COOKIE)
        .and_then(|c| Flow::decode(c.value()))
        .ok_or_else(|| {
            refused(
                "oidc_no_flow",
                "the sign-in expired or was not started here",
            )
        })?;
    if state.now().as_second() - flow.at > 600 {
        return Err(refused("oidc_no_flow", "the sign-in expired; start again"));
    }
    if !crate::auth::secret::constant_time_eq(returned_state, &flow.state) {
        return Err(refused(
            "oidc_state_mismatch",
            "the sign-in answer does not match the request",
        ));
    }
    if code.is_empty() {
        return Err(refused("oidc_denied", "the provider did not sign you in"));
    }
    let http = http_client(cfg)?;
    let meta = metadata(cfg, &http).await?;
    let meta_jwks = meta.jwks().clone();
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(cfg.client_id.clone()),
        secret_of(cfg)?,
    )
    .set_redirect_uri(redirect_url(state)?);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(provider_down)?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "OpenID code exchange failed");
            refused(
                "oidc_exchange_failed",
                "the provider refused the sign-in code",
            )
        })?;
    let id_token = token
        .id_token()
        .ok_or_else(|| refused("oidc_token_invalid", "the provider sent no ID token"))?;
    let issuer = IssuerUrl::new(cfg.issuer.clone()).map_err(AppError::internal)?;
    let verifier = verifier_for(
        ClientId::new(cfg.client_id.clone()),
        secret_of(cfg)?,
        issuer,
        meta_jwks,
        state.now(),
    );
    let mut who = identity_from(id_token, &verifier, &Nonce::new(flow.nonce.clone()))?;
    let mapped = [
        &cfg.claim_role,
        &cfg.claim_organisation,
        &cfg.claim_department,
    ];
    let unmapped = mapped
        .iter()
        .any(|c| !c.is_empty() && who.claims.get(c.as_str()).is_none());
    if who.email.is_none() || unmapped {
        // Providers may keep profile and custom claims out of the ID token (oidc-provider
        // does by default): the UserInfo endpoint, bound to the same subject, has them.
        let info: openidconnect::UserInfoClaims<ExtraClaims, openidconnect::core::CoreGenderClaim> =
            client
                .user_info(
                    token.access_token().clone(),
                    Some(openidconnect::SubjectIdentifier::new(who.subject.clone())),
                )
                .map_err(provider_down)?
                .request_async(&http)
                .await
                .map_err(provider_down)?;
        if who.email.is_none() {
            who.email = info.email().map(|e| e.as_str().to_owned());
            who.email_verified = info.email_verified().unwrap_or(false);
        }
        if who.name.is_none() {
            who.name = info
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned());
        }
        if who.locale.is_none() {
            who.locale = info.locale().map(|l| l.as_str().to_owned());
        }
        if let (Some(all), Ok(serde_json::Value::Object(more))) =
            (who.claims.as_object_mut(), serde_json::to_value(&info))
        {
            for (k, v) in more {
                all.entry(k).or_insert(v);
            }
        }
    }
    Ok((who, flow.next))
}

/// The ID token verifier the desk uses: RS256 signatures by the provider's keys only (an
/// unsigned or HMAC-signed token is refused), the configured issuer, this client in the
/// audience, expiry judged by the desk's clock `now`.
pub fn verifier_for(
    client_id: ClientId,
    secret: Option<ClientSecret>,
    issuer: IssuerUrl,
    jwks: CoreJsonWebKeySet,
    now: jiff::Timestamp,
) -> CoreIdTokenVerifier<'static> {
    let v = match secret {
        Some(s) => CoreIdTokenVerifier::new_confidential_client(client_id, s, issuer, jwks),
        None => CoreIdTokenVerifier::new_public_client(client_id, issuer, jwks),
    };
    v.set_time_fn(move || chrono_now(now))
}

/// Verifies an ID token (signature, issuer, audience, expiry, nonce) and reads the person.
pub fn identity_from(
    id_token: &CoreIdToken,
    verifier: &CoreIdTokenVerifier<'_>,
    nonce: &Nonce,
) -> Result<Identity, AppError> {
    let claims = id_token.claims(verifier, nonce).map_err(|e| {
        tracing::warn!(error = %e, "OpenID ID token refused");
        AppError::Refused {
            status: http::StatusCode::BAD_REQUEST,
            code: "oidc_token_invalid",
            message: format!("the ID token was refused: {e}"),
            field: None,
        }
    })?;
    // Every claim, custom ones too (a role, an organisation): the verified token's payload,
    // which the typed claims above keep only the standard part of.
    let all = payload_of(id_token)
        .or_else(|| serde_json::to_value(claims).ok())
        .unwrap_or_default();
    Ok(Identity {
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|e| e.as_str().to_owned()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
        locale: claims.locale().map(|l| l.as_str().to_owned()),
        claims: all,
    })
}

/// Claims beyond the standard ones, as the provider sent them (`claim_role`,
/// `claim_organisation`, `claim_department` name some of them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ExtraClaims {
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl openidconnect::AdditionalClaims for ExtraClaims {}

/// The JSON payload of a JWT (an ID token already verified by the caller).
fn payload_of(token: &CoreIdToken) -> Option<serde_json::Value> {
    let jwt = token.to_string();
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes)
        .ok()
        .filter(serde_json::Value::is_object)
}

fn claim_str(claims: &serde_json::Value, name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    match claims.get(name)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.iter().find_map(|v| v.as_str().map(str::to_owned)),
        _ => None,
    }
}

/// The role the claims map to (`claim_role` + `role_values`), if any.
fn mapped_role(cfg: &OidcConfig, claims: &serde_json::Value) -> Option<String> {
    if cfg.claim_role.is_empty() {
        return None;
    }
    let values: Vec<String> = match claims.get(&cfg.claim_role)? {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    cfg.role_values
        .iter()
        .find(|m| values.contains(&m.group))
        .map(|m| m.value.clone())
}

/// The local user for a verified identity: linked by subject, else matched by a verified
/// e-mail (and linked), else created (when allowed) with the default or mapped role.
pub async fn user_for(
    state: &AppState,
    who: &Identity,
    client: &ClientInfo,
) -> Result<UserId, AppError> {
    let Some(cfg) = state.config.identity.oidc.as_ref() else {
        return Err(AppError::NotFound);
    };
    if let Some(id) = state
        .store
        .identity()
        .by_external(SOURCE, &who.subject)
        .await?
    {
        reapply_claims(state, cfg, id, who, client).await?;
        return Ok(id);
    }
    let email = who
        .email
        .as_deref()
        .ok_or_else(|| {
            refused(
                "oidc_no_email",
                "the provider did not say your e-mail address",
            )
        })
        .and_then(|e| Email::parse(e).map_err(AppError::from))?;
    match state.store.users().credentials(&email).await {
        Ok(c) => {
            if !who.email_verified {
                return Err(refused(
                    "oidc_email_unverified",
                    "the provider has not verified your e-mail address",
                ));
            }
            state
                .store
                .identity()
                .link_external(c.user_id, SOURCE, &who.subject)
                .await?;
            reapply_claims(state, cfg, c.user_id, who, client).await?;
            return Ok(c.user_id);
        }
        Err(ventanilla_store::StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    if !cfg.create_users {
        return Err(refused(
            "oidc_unknown_user",
            "there is no account for you here",
        ));
    }
    let role_name = mapped_role(cfg, &who.claims).unwrap_or_else(|| cfg.default_role.clone());
    let role = state.store.roles().by_name(&role_name).await.map_err(|_| {
        AppError::internal(anyhow::anyhow!(
            "[identity.oidc] names unknown role {role_name:?}"
        ))
    })?;
    let language = claim_str(&who.claims, &cfg.claim_language)
        .or_else(|| who.locale.clone())
        .and_then(|l| l.get(..2).and_then(|p| p.parse::<Language>().ok()))
        .unwrap_or(Language::Es);
    let name = who
        .name
        .clone()
        .unwrap_or_else(|| email.as_str().to_owned());
    let (organisation_id, department_id) = placement(state, cfg, &who.claims, client).await?;
    let new = NewUser {
        email: email.clone(),
        name: Text::parse("name", &name, 200)?,
        phone: None,
        organisation_id,
        department_id,
        language,
        time_zone: state.config.defaults.time_zone()?,
        role_id: role.id,
        organisation_manager: false,
        password_hash: None,
    };
    let entry = NewAudit::new(state.now(), None, "user.create", client.ip_string())
        .target("user", None)
        .detail(serde_json::json!({ "email": email, "role": role.name, "via": "oidc" }));
    let user = state.store.users().create(&new, &entry).await?;
    state
        .store
        .identity()
        .link_external(user.id, SOURCE, &who.subject)
        .await?;
    Ok(user.id)
}

/// Brings a known user's role, organisation and department in line with the provider's
/// claims at sign-in (`[identity.oidc] reapply_claims`, on by default), so a move or a
/// change of duties at the provider reaches the desk at the next sign-in, as the directory
/// sync does for LDAP. A claim that is absent or maps to nothing leaves the field as it is
/// (an administrator's choice stands); the language stays the user's own preference. A
/// change is one `user.update` in the audit log, with the fields before and after.
async fn reapply_claims(
    state: &AppState,
    cfg: &OidcConfig,
    user: UserId,
    who: &Identity,
    client: &ClientInfo,
) -> Result<(), AppError> {
    if !cfg.reapply_claims {
        return Ok(());
    }
    let current = state.store.users().get(user).await?;
    let mut patch = UserPatch::default();
    let (mut before, mut after) = (serde_json::Map::new(), serde_json::Map::new());
    if let Some(name) = mapped_role(cfg, &who.claims)
        && name != current.role
    {
        let role = state.store.roles().by_name(&name).await.map_err(|_| {
            AppError::internal(anyhow::anyhow!(
                "[identity.oidc] names unknown role {name:?}"
            ))
        })?;
        before.insert("role".into(), current.role.clone().into());
        after.insert("role".into(), role.name.clone().into());
        patch.role_id = Some(role.id);
    }
    let (organisation, department) = placement(state, cfg, &who.claims, client).await?;
    let moved = organisation.is_some() && organisation != current.organisation_id;
    if moved {
        before.insert(
            "organisation_id".into(),
            current.organisation_id.map(|o| o.get()).into(),
        );
        after.insert(
            "organisation_id".into(),
            organisation.map(|o| o.get()).into(),
        );
        patch.organisation_id = Some(organisation);
    }
    // A new organisation takes the claim's department or none (the old one belongs to the
    // old organisation); in the same organisation, only a named department moves them.
    if (moved || department.is_some()) && department != current.department_id {
        before.insert(
            "department_id".into(),
            current.department_id.map(|d| d.get()).into(),
        );
        after.insert("department_id".into(), department.map(|d| d.get()).into());
        patch.department_id = Some(department);
    }
    if patch.is_empty() {
        return Ok(());
    }
    let entry = NewAudit::new(state.now(), None, "user.update", client.ip_string())
        .target("user", Some(user.get()))
        .change(
            serde_json::Value::Object(before),
            serde_json::Value::Object(after),
        )
        .detail(serde_json::json!({ "via": "oidc" }));
    state.store.users().update(user, &patch, &entry).await?;
    Ok(())
}

/// The organisation and department the claims place a user in (`claim_organisation`,
/// `claim_department`). The organisation is matched by code or name among the desk's own
/// and never created from a claim (a provider must not be able to mint customers); an
/// unknown one leaves the user without, for an administrator to place. The department is
/// found in that organisation or created there, as the directory sync does (audited).
async fn placement(
    state: &AppState,
    cfg: &OidcConfig,
    claims: &serde_json::Value,
    client: &ClientInfo,
) -> Result<(Option<OrganisationId>, Option<DepartmentId>), AppError> {
    let Some(key) = claim_str(claims, &cfg.claim_organisation) else {
        return Ok((None, None));
    };
    let organisation = match state
        .store
        .organisations()
        .by_name_or_code(key.trim())
        .await
    {
        Ok(o) => o.id,
        Err(ventanilla_store::StoreError::NotFound) => return Ok((None, None)),
        Err(e) => return Err(e.into()),
    };
    let Some(name) = claim_str(claims, &cfg.claim_department)
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
    else {
        return Ok((Some(organisation), None));
    };
    let departments = state.store.departments();
    let department = match departments.by_name(organisation, &name).await {
        Ok(d) => d.id,
        Err(ventanilla_store::StoreError::NotFound) => {
            let new = NewDepartment {
                organisation_id: organisation,
                name: Text::parse("department", &name, NAME_MAX)?,
            };
            let entry = NewAudit::new(state.now(), None, "department.create", client.ip_string())
                .target("department", None)
                .detail(serde_json::json!({
                    "organisation_id": organisation, "name": name, "via": "oidc",
                }));
            match departments.create(&new, &entry).await {
                Ok(d) => d.id,
                // Created meanwhile by another sign-in: use that one.
                Err(ventanilla_store::StoreError::Conflict { .. }) => {
                    departments.by_name(organisation, &name).await?.id
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => return Err(e.into()),
    };
    Ok((Some(organisation), Some(department)))
}

/// Audits a refused OpenID sign-in.
pub async fn audit_failure(
    state: &AppState,
    client: &ClientInfo,
    e: &AppError,
) -> Result<(), AppError> {
    let entry = NewAudit::new(state.now(), None, "login.failed", client.ip_string())
        .detail(serde_json::json!({ "method": "oidc", "reason": e.code() }));
    state.store.audit().record(&entry).await?;
    Ok(())
}
