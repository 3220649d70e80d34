//! Access tokens for Salesforce work, fetched from Nango and cached per connection.
//!
//! Nango is asked at most once per connection per [`TOKEN_TTL`] (API-DECISIONS §4), instead of
//! before every Salesforce request as the existing service did. When Salesforce says the session
//! is invalid, [`TokenSource::refresh_after`] asks Nango for a forced refresh; concurrent callers
//! that saw the same stale token share one refresh instead of each forcing their own.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::nango::{NangoClient, NangoError};

/// A cached token is used for at most this long.
pub const TOKEN_TTL: Duration = Duration::from_secs(600);

/// A Salesforce access token and the instance it is valid for.
#[derive(Clone)]
pub struct AccessToken {
    token: SecretString,
    instance_url: String,
}

impl AccessToken {
    pub fn new(token: SecretString, instance_url: &str) -> Self {
        AccessToken {
            token,
            instance_url: instance_url.trim_end_matches('/').to_string(),
        }
    }

    /// The bearer token; for the Authorization header or the SOAP SessionHeader only.
    pub fn expose(&self) -> &str {
        self.token.expose_secret()
    }

    /// `https://acme.my.salesforce.com`, without a trailing slash.
    pub fn instance_url(&self) -> &str {
        &self.instance_url
    }

    fn same_as(&self, other: &AccessToken) -> bool {
        self.expose() == other.expose()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[redacted]")
            .field("instance_url", &self.instance_url)
            .finish()
    }
}

/// The process-wide cache of tokens by connection; cheap to clone. Build one in `AppState` and
/// hand out a [`TokenSource`] per connection.
#[derive(Clone)]
pub struct TokenCache {
    nango: NangoClient,
    ttl: Duration,
    slots: Arc<Mutex<Slots>>,
}

/// Token slots by (integration, connection id).
type Slots = HashMap<(String, String), Arc<Slot>>;

/// One connection's cached token; the async lock serialises fetches for that connection.
#[derive(Default)]
struct Slot {
    fetch: tokio::sync::Mutex<()>,
    cached: Mutex<Option<(AccessToken, Instant)>>,
}

impl Slot {
    fn fresh(&self, ttl: Duration) -> Option<AccessToken> {
        let cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        cached
            .as_ref()
            .filter(|(_, at)| at.elapsed() < ttl)
            .map(|(t, _)| t.clone())
    }

    fn store(&self, token: Option<AccessToken>) {
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = token.map(|t| (t, Instant::now()));
    }
}

impl TokenCache {
    pub fn new(nango: NangoClient) -> Self {
        TokenCache::with_ttl(nango, TOKEN_TTL)
    }

    pub fn with_ttl(nango: NangoClient, ttl: Duration) -> Self {
        TokenCache {
            nango,
            ttl: ttl.min(TOKEN_TTL),
            slots: Arc::default(),
        }
    }

    /// The token source of one connection; `provider_config_key` None means the default.
    pub fn source(&self, connection_id: &str, provider_config_key: Option<&str>) -> TokenSource {
        TokenSource(Kind::Nango {
            cache: self.clone(),
            connection_id: connection_id.into(),
            provider: self.nango.provider_key(provider_config_key).into(),
            on_unusable: None,
        })
    }

    /// Forgets a connection's token (after a revoke, or a reconnect with a new token).
    pub fn invalidate(&self, connection_id: &str, provider_config_key: Option<&str>) {
        let key = (
            self.nango.provider_key(provider_config_key).to_string(),
            connection_id.to_string(),
        );
        self.lock().remove(&key);
    }

    fn slot(&self, provider: &str, connection_id: &str) -> Arc<Slot> {
        self.lock()
            .entry((provider.to_string(), connection_id.to_string()))
            .or_default()
            .clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn fetch(
        &self,
        slot: &Slot,
        provider: &str,
        connection_id: &str,
        force_refresh: bool,
    ) -> Result<AccessToken, NangoError> {
        match self
            .nango
            .get_connection(connection_id, Some(provider), force_refresh)
            .await
        {
            Ok(connection) => {
                let (Some(token), Some(instance_url)) =
                    (connection.access_token, connection.instance_url)
                else {
                    slot.store(None);
                    return Err(NangoError::IncompleteCredentials {
                        provider: provider.to_string(),
                    });
                };
                let token = AccessToken::new(token, &instance_url);
                slot.store(Some(token.clone()));
                Ok(token)
            }
            Err(e) => {
                if e.is_connection_unusable() {
                    slot.store(None);
                }
                Err(e)
            }
        }
    }
}

/// What to do when Nango answers that a connection can no longer give a token (refresh
/// exhausted, connection gone): awaited before the error is returned, so the work that hit it
/// can rely on it having happened (API-DECISIONS §4: such a connection becomes `expired`).
pub trait OnUnusable: Send + Sync {
    fn unusable<'a>(
        &'a self,
        error: &'a NangoError,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
}

/// Where one Salesforce client gets its token: a connection in Nango (through the cache), or a
/// fixed token (tools, tests).
#[derive(Clone)]
pub struct TokenSource(Kind);

#[derive(Clone)]
enum Kind {
    Nango {
        cache: TokenCache,
        connection_id: Arc<str>,
        provider: Arc<str>,
        on_unusable: Option<Arc<dyn OnUnusable>>,
    },
    Fixed {
        token: AccessToken,
        connection_id: Arc<str>,
    },
}

impl TokenSource {
    /// A token that never changes; a refresh returns it again.
    pub fn fixed(connection_id: &str, token: AccessToken) -> Self {
        TokenSource(Kind::Fixed {
            token,
            connection_id: connection_id.into(),
        })
    }

    /// The Nango connection id (the key of usage records).
    pub fn connection_id(&self) -> &str {
        match &self.0 {
            Kind::Nango { connection_id, .. } | Kind::Fixed { connection_id, .. } => connection_id,
        }
    }

    /// Calls `hook` when Nango says this connection can no longer give a token.
    pub fn on_unusable(mut self, hook: Arc<dyn OnUnusable>) -> Self {
        if let Kind::Nango { on_unusable, .. } = &mut self.0 {
            *on_unusable = Some(hook);
        }
        self
    }

    async fn checked(
        &self,
        fetched: Result<AccessToken, NangoError>,
    ) -> Result<AccessToken, NangoError> {
        if let (
            Err(e),
            Kind::Nango {
                on_unusable: Some(hook),
                ..
            },
        ) = (&fetched, &self.0)
            && e.is_connection_unusable()
        {
            hook.unusable(e).await;
        }
        fetched
    }

    /// The cached token, or a fresh one from Nango.
    pub async fn get(&self) -> Result<AccessToken, NangoError> {
        let (cache, connection_id, provider) = match &self.0 {
            Kind::Fixed { token, .. } => return Ok(token.clone()),
            Kind::Nango {
                cache,
                connection_id,
                provider,
                ..
            } => (cache, connection_id, provider),
        };
        let slot = cache.slot(provider, connection_id);
        if let Some(token) = slot.fresh(cache.ttl) {
            return Ok(token);
        }
        let _guard = slot.fetch.lock().await;
        // Another task may have fetched while this one waited.
        if let Some(token) = slot.fresh(cache.ttl) {
            return Ok(token);
        }
        self.checked(cache.fetch(&slot, provider, connection_id, false).await)
            .await
    }

    /// A token refreshed by Nango now (`force_refresh=true`).
    pub async fn refresh(&self) -> Result<AccessToken, NangoError> {
        let (cache, connection_id, provider) = match &self.0 {
            Kind::Fixed { token, .. } => return Ok(token.clone()),
            Kind::Nango {
                cache,
                connection_id,
                provider,
                ..
            } => (cache, connection_id, provider),
        };
        let slot = cache.slot(provider, connection_id);
        let _guard = slot.fetch.lock().await;
        self.checked(cache.fetch(&slot, provider, connection_id, true).await)
            .await
    }

    /// A token other than `stale`, which Salesforce refused: the one another task already
    /// refreshed, else a forced refresh.
    pub async fn refresh_after(&self, stale: &AccessToken) -> Result<AccessToken, NangoError> {
        let (cache, connection_id, provider) = match &self.0 {
            Kind::Fixed { token, .. } => return Ok(token.clone()),
            Kind::Nango {
                cache,
                connection_id,
                provider,
                ..
            } => (cache, connection_id, provider),
        };
        let slot = cache.slot(provider, connection_id);
        let _guard = slot.fetch.lock().await;
        if let Some(token) = slot.fresh(cache.ttl).filter(|t| !t.same_as(stale)) {
            return Ok(token);
        }
        self.checked(cache.fetch(&slot, provider, connection_id, true).await)
            .await
    }
}
