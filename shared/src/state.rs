//! `AppState`: configuration, the database pool, the HTTP client and caches, built once per cold
//! start and cheap to clone into every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::jwt::Jwks;
use crate::config::{Config, ConfigError};
use crate::db::{self, DbError, Pool};
use crate::nango::NangoClient;
use crate::salesforce::{LimitObserver, SalesforceClient, TokenCache};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    db: Pool,
    http: reqwest::Client,
    jwks: Option<Jwks>,
    nango: NangoClient,
    tokens: TokenCache,
    limits: LimitObserver,
    /// The job queue and the signal for callers waiting on jobs.
    jobs: crate::jobs::Hub,
    /// When each API token's `last_used_at` was last written by this process.
    token_touches: Mutex<HashMap<String, Instant>>,
}

/// `last_used_at` is written at most this often per token.
const TOUCH_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("http client: {0}")]
    Http(String),
}

impl AppState {
    /// Reads configuration (environment and secret) and builds the state.
    pub async fn from_env() -> Result<AppState, StartError> {
        AppState::new(Config::load().await?)
    }

    pub fn new(config: Config) -> Result<AppState, StartError> {
        let pool = db::connect(&config)?;
        AppState::with_pool(config, pool)
    }

    /// Builds the state around an existing pool (tests, the local server).
    pub fn with_pool(config: Config, db: Pool) -> Result<AppState, StartError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| StartError::Http(e.to_string()))?;
        let jwks = config.jwks.clone().map(|j| Jwks::new(j, http.clone()));
        let nango = NangoClient::from_config(http.clone(), &config);
        let tokens = TokenCache::new(nango.clone());
        let jobs = crate::jobs::Hub::new(&config);
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                db,
                http,
                jwks,
                nango,
                tokens,
                limits: LimitObserver::new(),
                jobs,
                token_touches: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn db(&self) -> &Pool {
        &self.inner.db
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub fn jwks(&self) -> Option<&Jwks> {
        self.inner.jwks.as_ref()
    }

    /// The Nango client (connect sessions, connections, webhooks).
    pub fn nango(&self) -> &NangoClient {
        &self.inner.nango
    }

    /// Access tokens per Nango connection, cached for at most ten minutes.
    pub fn tokens(&self) -> &TokenCache {
        &self.inner.tokens
    }

    /// The latest `Sforce-Limit-Info` seen per Nango connection.
    pub fn limits(&self) -> &LimitObserver {
        &self.inner.limits
    }

    /// A Salesforce client for one Nango connection: tokens from the cache (one forced refresh
    /// on `INVALID_SESSION_ID`), usage recorded.
    pub fn salesforce(
        &self,
        nango_connection_id: &str,
        provider_config_key: Option<&str>,
    ) -> SalesforceClient {
        self.salesforce_with(
            self.inner
                .tokens
                .source(nango_connection_id, provider_config_key),
        )
    }

    /// A Salesforce client taking its tokens from `tokens` (a source of [`Self::tokens`]'s cache).
    pub fn salesforce_with(&self, tokens: crate::salesforce::TokenSource) -> SalesforceClient {
        SalesforceClient::new(
            self.inner.http.clone(),
            &self.inner.config.sfdc_api_version,
            tokens,
        )
        .with_limits(self.inner.limits.clone())
    }

    /// Where jobs are sent, and who waits on them.
    pub fn jobs(&self) -> &crate::jobs::Hub {
        &self.inner.jobs
    }

    /// Whether this request should stamp the token's `last_used_at`.
    pub fn should_touch_token(&self, hash: &str) -> bool {
        let touches = self
            .inner
            .token_touches
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        touches
            .get(hash)
            .is_none_or(|t| t.elapsed() >= TOUCH_INTERVAL)
    }

    pub fn token_touched(&self, hash: String) {
        let mut touches = self
            .inner
            .token_touches
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        touches.insert(hash, Instant::now());
    }
}
