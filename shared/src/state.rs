//! `AppState`: configuration, the database pool, the HTTP client and caches, built once per cold
//! start and cheap to clone into every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::jwt::Jwks;
use crate::config::{Config, ConfigError};
use crate::db::{self, DbError, Pool};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    db: Pool,
    http: reqwest::Client,
    jwks: Option<Jwks>,
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
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                db,
                http,
                jwks,
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
