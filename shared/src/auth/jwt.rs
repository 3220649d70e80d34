//! Session JWTs: our own HS256 tokens from `/api/auth/login`, and, when configured, tokens of an
//! external identity provider verified against its JWKS (EdDSA, RS256, ES256).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;
use crate::config::JwksConfig;

/// The issuer written into (and required of) our own session tokens.
pub const LOCAL_ISSUER: &str = "sfdc-engine-x";

/// Claims of a session token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionClaims {
    pub sub: String,
    pub org_id: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    pub exp: i64,
}

/// A verified session: who, in which org, with which role and client scope.
#[derive(Debug, Clone)]
pub struct Session {
    pub sub: String,
    pub org_id: Uuid,
    pub role: Role,
    pub client_id: Option<Uuid>,
}

impl SessionClaims {
    /// Checks the claims' shapes: an org id that is a UUID, a known role, a client scope for
    /// company roles.
    fn into_session(self) -> Option<Session> {
        let org_id = Uuid::parse_str(&self.org_id).ok()?;
        let role: Role = self.role.parse().ok()?;
        let client_id = match self.client_id.as_deref() {
            None | Some("") => None,
            Some(c) => Some(Uuid::parse_str(c).ok()?),
        };
        if self.sub.is_empty() || (role.is_company() && client_id.is_none()) {
            return None;
        }
        Some(Session {
            sub: self.sub,
            org_id,
            role,
            client_id,
        })
    }
}

/// Issues an HS256 session token; returns it with its expiry (unix seconds).
pub fn issue(
    secret: &SecretString,
    ttl_seconds: i64,
    user_id: Uuid,
    org_id: Uuid,
    role: Role,
    client_id: Option<Uuid>,
) -> Result<(String, i64), jsonwebtoken::errors::Error> {
    let now = chrono::Utc::now().timestamp();
    let claims = SessionClaims {
        sub: user_id.to_string(),
        org_id: org_id.to_string(),
        role: role.as_str().to_string(),
        client_id: client_id.map(|c| c.to_string()),
        iss: Some(LOCAL_ISSUER.to_string()),
        iat: Some(now),
        exp: now + ttl_seconds,
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose_secret().as_bytes()),
    )?;
    Ok((token, claims.exp))
}

/// Verifies one of our HS256 session tokens.
pub fn verify_local(secret: &SecretString, token: &str) -> Option<Session> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_required_spec_claims(&["exp", "sub", "iss"]);
    v.set_issuer(&[LOCAL_ISSUER]);
    v.leeway = 0;
    let data = jsonwebtoken::decode::<SessionClaims>(
        token,
        &DecodingKey::from_secret(secret.expose_secret().as_bytes()),
        &v,
    )
    .ok()?;
    data.claims.into_session()
}

/// Keys of an external identity provider, fetched lazily and refetched at most once a minute,
/// only when a token names a key id we do not have.
pub struct Jwks {
    config: JwksConfig,
    http: reqwest::Client,
    state: tokio::sync::RwLock<JwksState>,
}

#[derive(Default)]
struct JwksState {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    fetched_at: Option<Instant>,
}

const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
const ALLOWED: [Algorithm; 3] = [Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256];

impl Jwks {
    pub fn new(config: JwksConfig, http: reqwest::Client) -> Self {
        Jwks {
            config,
            http,
            state: Default::default(),
        }
    }

    /// Verifies an external session token; `None` for anything that is not a valid one.
    pub async fn verify(&self, token: &str) -> Option<Session> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if !ALLOWED.contains(&header.alg) {
            return None;
        }
        let kid = header.kid?;
        let (key, alg) = self.key(&kid).await?;
        if alg != header.alg {
            return None;
        }
        let mut v = Validation::new(alg);
        v.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        v.set_issuer(&[&self.config.issuer]);
        v.set_audience(&[&self.config.audience]);
        let data = jsonwebtoken::decode::<SessionClaims>(token, &key, &v).ok()?;
        data.claims.into_session()
    }

    async fn key(&self, kid: &str) -> Option<(DecodingKey, Algorithm)> {
        if let Some(k) = self.state.read().await.keys.get(kid) {
            return Some(k.clone());
        }
        let mut state = self.state.write().await;
        if let Some(k) = state.keys.get(kid) {
            return Some(k.clone());
        }
        if state
            .fetched_at
            .is_some_and(|t| t.elapsed() < REFETCH_INTERVAL)
        {
            return None;
        }
        state.fetched_at = Some(Instant::now());
        match self.fetch().await {
            Ok(keys) => state.keys = keys,
            Err(e) => tracing::warn!(error = %e, "could not fetch the JWKS"),
        }
        state.keys.get(kid).cloned()
    }

    async fn fetch(&self) -> Result<HashMap<String, (DecodingKey, Algorithm)>, String> {
        let set: jsonwebtoken::jwk::JwkSet = self
            .http
            .get(&self.config.url)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .error_for_status()
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let alg = match &jwk.algorithm {
                jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_) => Algorithm::EdDSA,
                jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                _ => continue,
            };
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                keys.insert(kid, (key, alg));
            }
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        "0123456789abcdef0123456789abcdef".to_string().into()
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let (user, org, client) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let (token, exp) =
            issue(&secret(), 60, user, org, Role::CompanyAdmin, Some(client)).unwrap();
        assert!(exp > chrono::Utc::now().timestamp());
        let s = verify_local(&secret(), &token).unwrap();
        assert_eq!(s.sub, user.to_string());
        assert_eq!(s.org_id, org);
        assert_eq!(s.role, Role::CompanyAdmin);
        assert_eq!(s.client_id, Some(client));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other: SecretString = "another-secret-another-secret-xx".to_string().into();
        let (token, _) = issue(
            &other,
            60,
            Uuid::new_v4(),
            Uuid::new_v4(),
            Role::OrgAdmin,
            None,
        )
        .unwrap();
        assert!(verify_local(&secret(), &token).is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let (token, _) = issue(
            &secret(),
            -10,
            Uuid::new_v4(),
            Uuid::new_v4(),
            Role::OrgAdmin,
            None,
        )
        .unwrap();
        assert!(verify_local(&secret(), &token).is_none());
    }

    #[test]
    fn unknown_roles_and_unscoped_company_roles_are_refused() {
        let now = chrono::Utc::now().timestamp();
        let mk = |role: &str, client: Option<String>| SessionClaims {
            sub: "u".into(),
            org_id: Uuid::new_v4().to_string(),
            role: role.into(),
            client_id: client,
            iss: None,
            iat: None,
            exp: now + 60,
        };
        assert!(mk("superuser", None).into_session().is_none());
        assert!(mk("company_member", None).into_session().is_none());
        assert!(
            mk("company_member", Some(Uuid::new_v4().to_string()))
                .into_session()
                .is_some()
        );
        assert!(mk("org_admin", None).into_session().is_some());
    }
}
