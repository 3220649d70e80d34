//! The Nango HTTP client: connect sessions, connections, deletes (SALESFORCE.md §6.1–6.3).

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::error::{NangoError, body_value};
use super::identity::{SalesforceIdentity, extract_identity};
use crate::Config;

/// Every Nango call gets this long (API.md §5.1).
pub const NANGO_TIMEOUT: Duration = Duration::from_secs(20);

/// Keys removed from a connection's `raw` token response before we keep it, so a `Debug` print
/// or a stored copy can never leak a credential.
const SECRET_KEYS: [&str; 4] = ["access_token", "refresh_token", "id_token", "signature"];

/// A Nango client; cheap to clone (one shared `reqwest::Client`, settings behind an `Arc`).
#[derive(Clone)]
pub struct NangoClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    secret_key: SecretString,
    default_provider_config_key: String,
    webhook_secret: SecretString,
    timeout: Duration,
}

/// A connect session: the token the front end hands to Nango's connect UI.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectSession {
    pub token: String,
    pub connect_link: Option<String>,
    pub expires_at: Option<String>,
}

/// A Nango connection with its current Salesforce credentials.
#[derive(Debug, Clone)]
pub struct Connection {
    pub connection_id: String,
    pub provider_config_key: String,
    pub provider: Option<String>,
    /// `credentials.access_token`; absent when Nango has none.
    pub access_token: Option<SecretString>,
    /// `connection_config.instance_url` (Salesforce's `instance_url` token field).
    pub instance_url: Option<String>,
    /// The tags given to the connect session (`org_id`, `client_id`), keys lower-cased by Nango.
    pub tags: Map<String, Value>,
    pub identity: SalesforceIdentity,
    /// The token response (`raw`), with every credential key removed.
    pub raw: Value,
}

impl Connection {
    /// A tag's value, when it is a string.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get(key).and_then(Value::as_str)
    }
}

impl NangoClient {
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        secret_key: SecretString,
        default_provider_config_key: &str,
        webhook_secret: SecretString,
    ) -> Self {
        NangoClient {
            inner: Arc::new(Inner {
                http,
                base_url: base_url.trim_end_matches('/').to_string(),
                secret_key,
                default_provider_config_key: default_provider_config_key.to_string(),
                webhook_secret,
                timeout: NANGO_TIMEOUT,
            }),
        }
    }

    /// The client the service uses, from its configuration.
    pub fn from_config(http: reqwest::Client, config: &Config) -> Self {
        NangoClient::new(
            http,
            &config.nango_base_url,
            config.nango_secret_key.clone(),
            &config.nango_provider_config_key,
            config.nango_webhook_secret.clone(),
        )
    }

    /// The same client with another per-call timeout (tests).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        let i = &self.inner;
        NangoClient {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                base_url: i.base_url.clone(),
                secret_key: i.secret_key.clone(),
                default_provider_config_key: i.default_provider_config_key.clone(),
                webhook_secret: i.webhook_secret.clone(),
                timeout,
            }),
        }
    }

    /// `NANGO_PROVIDER_CONFIG_KEY`, used when a connection names no integration of its own.
    pub fn default_provider_config_key(&self) -> &str {
        &self.inner.default_provider_config_key
    }

    /// The integration to use: the given one when set, else the default.
    pub fn provider_key<'a>(&'a self, key: Option<&'a str>) -> &'a str {
        key.filter(|k| !k.trim().is_empty())
            .unwrap_or(&self.inner.default_provider_config_key)
    }

    /// Opens a connect session restricted to one integration and tagged with our org and client,
    /// so the connection it produces can be matched back (and refused if it names another).
    pub async fn create_connect_session(
        &self,
        org_id: Uuid,
        client_id: Uuid,
        provider_config_key: Option<&str>,
    ) -> Result<ConnectSession, NangoError> {
        let provider = self.provider_key(provider_config_key).to_string();
        let body = json!({
            "allowed_integrations": [provider],
            "tags": {"org_id": org_id.to_string(), "client_id": client_id.to_string()},
        });
        let url = self.url(&["connect", "sessions"], &[])?;
        let value = self
            .send(Method::POST, url, Some(body), &provider)
            .await?
            .ok_or_else(|| missing_data(&provider))?;
        let data = value
            .get("data")
            .and_then(Value::as_object)
            .ok_or_else(|| missing_data(&provider))?;
        let token = data
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or(NangoError::InvalidResponse {
                provider: provider.clone(),
                code: "nango_invalid_response",
                message: "Nango connect session missing token",
            })?;
        let text = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(ConnectSession {
            token: token.to_string(),
            connect_link: text("connect_link"),
            expires_at: text("expires_at"),
        })
    }

    /// Reads a connection and its credentials. `force_refresh` makes Nango refresh the token
    /// now: Salesforce tokens carry no expiry, so Nango never refreshes them on its own
    /// (SALESFORCE.md §6.1) and a Salesforce `INVALID_SESSION_ID` must ask for it.
    pub async fn get_connection(
        &self,
        connection_id: &str,
        provider_config_key: Option<&str>,
        force_refresh: bool,
    ) -> Result<Connection, NangoError> {
        let provider = self.provider_key(provider_config_key).to_string();
        let mut query = vec![("provider_config_key", provider.as_str())];
        if force_refresh {
            query.push(("force_refresh", "true"));
        }
        let url = self.url(&["connections", connection_id], &query)?;
        let value = self
            .send(Method::GET, url, None, &provider)
            .await?
            .filter(Value::is_object)
            .ok_or(NangoError::InvalidResponse {
                provider: provider.clone(),
                code: "nango_invalid_response",
                message: "Nango connection response was not an object",
            })?;
        Ok(parse_connection(value, connection_id, &provider))
    }

    /// Deletes a connection. Nango answers an unknown connection with 400 `unknown_connection`
    /// (not 404, SALESFORCE.md §6.2): it is already gone, which is what the caller wanted.
    pub async fn delete_connection(
        &self,
        connection_id: &str,
        provider_config_key: Option<&str>,
    ) -> Result<(), NangoError> {
        let provider = self.provider_key(provider_config_key).to_string();
        let url = self.url(
            &["connections", connection_id],
            &[("provider_config_key", provider.as_str())],
        )?;
        match self.send(Method::DELETE, url, None, &provider).await {
            Ok(_) => Ok(()),
            Err(e @ NangoError::Status { status: 400, .. }) => {
                if e.nango_code() == Some("unknown_connection") {
                    Ok(())
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Checks `X-Nango-Hmac-Sha256` against the raw body; false when no secret is configured.
    pub fn verify_webhook(&self, raw_body: &[u8], signature: Option<&str>) -> bool {
        super::webhook::verify_signature(
            self.inner.webhook_secret.expose_secret().as_bytes(),
            raw_body,
            signature,
        )
    }

    /// `{base}/{segments...}?{query}`, each segment percent-escaped: connection ids are ours
    /// today (client UUIDs) but a webhook can name any string.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Url, NangoError> {
        let mut url = Url::parse(&self.inner.base_url)
            .map_err(|_| NangoError::Unreachable("NANGO_BASE_URL is not a URL".into()))?;
        url.path_segments_mut()
            .map_err(|_| NangoError::Unreachable("NANGO_BASE_URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// Sends one request; `Ok(None)` for a success without a JSON body.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        provider: &str,
    ) -> Result<Option<Value>, NangoError> {
        let secret = self.inner.secret_key.expose_secret();
        if secret.is_empty() {
            return Err(NangoError::NotConfigured);
        }
        let mut request = self
            .inner
            .http
            .request(method, url)
            .timeout(self.inner.timeout)
            .bearer_auth(secret)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if status.is_success() {
            return Ok(serde_json::from_slice(&bytes).ok());
        }
        let provider = provider.to_string();
        let body = body_value(&bytes);
        Err(match status {
            StatusCode::NOT_FOUND => NangoError::NotFound { provider, body },
            StatusCode::FAILED_DEPENDENCY => NangoError::RefreshExhausted { provider, body },
            other => NangoError::Status {
                status: other.as_u16(),
                provider,
                body,
            },
        })
    }
}

fn missing_data(provider: &str) -> NangoError {
    NangoError::InvalidResponse {
        provider: provider.to_string(),
        code: "nango_invalid_response",
        message: "Nango connect session response was missing data",
    }
}

/// A transport failure; the URL is dropped from the text because it can carry ids we do not
/// want in logs.
fn transport(e: reqwest::Error) -> NangoError {
    if e.is_timeout() {
        NangoError::Timeout
    } else {
        NangoError::Unreachable(e.without_url().to_string())
    }
}

fn parse_connection(value: Value, connection_id: &str, provider: &str) -> Connection {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let credentials = value.get("credentials");
    let raw = value
        .get("raw")
        .filter(|r| r.is_object())
        .or_else(|| {
            credentials
                .and_then(|c| c.get("raw"))
                .filter(|r| r.is_object())
        })
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let identity = extract_identity(&raw);
    let instance_url = text(
        value
            .get("connection_config")
            .and_then(|c| c.get("instance_url")),
    );
    Connection {
        connection_id: text(value.get("connection_id")).unwrap_or_else(|| connection_id.into()),
        provider_config_key: text(value.get("provider_config_key"))
            .unwrap_or_else(|| provider.into()),
        provider: text(value.get("provider")),
        access_token: text(credentials.and_then(|c| c.get("access_token"))).map(SecretString::from),
        instance_url,
        tags: value
            .get("tags")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        identity,
        raw: without_secrets(raw),
    }
}

fn without_secrets(mut raw: Value) -> Value {
    if let Some(map) = raw.as_object_mut() {
        for key in SECRET_KEYS {
            map.remove(key);
        }
    }
    raw
}
