//! Typed configuration, read once per cold start.
//!
//! Every value comes from the environment or, when `SECRETS_ARN` names an AWS Secrets Manager
//! secret, from that secret's JSON object (string values keyed by the same variable names). The
//! environment wins where both have a value, so a deploy can override one setting without
//! editing the secret. A missing required value fails the start with the variable's name.

use std::collections::HashMap;

use secrecy::SecretString;

/// What went wrong while reading configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required but not set")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("could not read the secret named by SECRETS_ARN: {0}")]
    Secret(String),
}

/// An external identity provider whose session JWTs we accept.
#[derive(Debug, Clone)]
pub struct JwksConfig {
    pub url: String,
    pub issuer: String,
    pub audience: String,
}

/// The service's settings. Secrets are [`SecretString`] and never printed.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: SecretString,
    pub database_pool_size: usize,
    pub database_statement_cache: bool,
    pub database_ca_file: Option<String>,
    pub super_admin_secret: SecretString,
    pub jwt_secret: SecretString,
    pub jwt_ttl_seconds: i64,
    pub jwks: Option<JwksConfig>,
    pub bcrypt_cost: u32,
    pub sfdc_api_version: String,
    pub nango_base_url: String,
    pub nango_secret_key: SecretString,
    pub nango_provider_config_key: String,
    pub nango_webhook_secret: SecretString,
    pub sync_wait_seconds: u64,
    /// `JOBS_QUEUE_URL`: the SQS queue jobs are sent to. Unset: the in-process worker (local runs).
    pub jobs_queue_url: Option<String>,
    /// `JOB_LEASE_SECONDS` (default 60): how long a claimed job is a worker's before another may
    /// take it over. A running job renews its lease every third of this.
    pub job_lease_seconds: u64,
    /// `JOB_BACKOFF_BASE_MS` (default 5000): the first retry's delay; each retry doubles it.
    pub job_backoff_base_ms: u64,
    /// `WEBHOOK_SIGNING_KEY`: the key every webhook's signing secret is derived from (HMAC of the
    /// webhook id), so no secret is stored. Empty: webhooks cannot be created or delivered.
    pub webhook_signing_key: SecretString,
    /// `ALLOW_HTTP_WEBHOOKS` (default false): allows `http://` webhook URLs and private, loopback
    /// and link-local targets. For local runs only.
    pub allow_http_webhooks: bool,
    /// `PUSH_PAYLOAD_RETENTION_DAYS` (default 30): push payloads older than this are purged.
    pub push_payload_retention_days: i32,
    /// `BULK_THRESHOLD` (default 2000): pushes of more records than this go through Bulk API 2.0.
    pub bulk_threshold: usize,
    /// `PUSH_CONCURRENCY` (default 4): sObject Collections calls in flight per push.
    pub push_concurrency: usize,
    /// `DEPLOY_POLL_BUDGET_SECONDS` (default 120): how long one run of a deploy job polls
    /// Salesforce; a deploy still running then stays `in_progress` and the job comes back later.
    pub deploy_poll_budget_seconds: u64,
    /// `DEPLOY_POLL_INTERVAL_MS` (default 2000): the longest pause between two status polls (the
    /// first ones come sooner).
    pub deploy_poll_interval_ms: u64,
}

/// Looks a variable up by name.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Where values are looked up: the environment first, then the secret's JSON.
pub struct Source {
    env: Box<Lookup>,
    secret: HashMap<String, String>,
}

impl Source {
    /// The process environment, with no secret.
    pub fn environment() -> Self {
        Source::new(|k| std::env::var(k).ok(), HashMap::new())
    }

    pub fn new(
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
        secret: HashMap<String, String>,
    ) -> Self {
        Source {
            env: Box::new(env),
            secret,
        }
    }

    /// A non-empty value, from the environment or the secret.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.env)(name)
            .filter(|v| !v.is_empty())
            .or_else(|| self.secret.get(name).cloned())
            .filter(|v| !v.is_empty())
    }

    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.get(name).ok_or(ConfigError::Missing(name))
    }

    fn parsed<T: std::str::FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: e.to_string(),
            }),
        }
    }

    fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).as_deref().map(str::trim) {
            None => Ok(default),
            Some("1" | "true" | "TRUE" | "True" | "yes") => Ok(true),
            Some("0" | "false" | "FALSE" | "False" | "no") => Ok(false),
            Some(other) => Err(ConfigError::Invalid {
                name,
                reason: format!("expected true or false, got {other:?}"),
            }),
        }
    }
}

impl Config {
    /// Reads the environment, and the secret named by `SECRETS_ARN` when it is set.
    pub async fn load() -> Result<Config, ConfigError> {
        let env = Source::environment();
        let Some(arn) = env.get("SECRETS_ARN") else {
            return Config::from_source(&env);
        };
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let secret = fetch_secret(&sdk, &arn).await?;
        Config::from_source(&Source::new(|k| std::env::var(k).ok(), secret))
    }

    /// Builds the configuration from a source; pure, so tests need not touch the environment.
    pub fn from_source(src: &Source) -> Result<Config, ConfigError> {
        let in_lambda = src.get("AWS_LAMBDA_FUNCTION_NAME").is_some();
        let jwks = match (
            src.get("JWT_JWKS_URL"),
            src.get("JWT_ISSUER"),
            src.get("JWT_AUDIENCE"),
        ) {
            (Some(url), Some(issuer), Some(audience)) => Some(JwksConfig {
                url,
                issuer,
                audience,
            }),
            (None, None, None) => None,
            (Some(_), _, _) | (_, Some(_), _) | (_, _, Some(_)) => {
                return Err(ConfigError::Invalid {
                    name: "JWT_JWKS_URL",
                    reason: "JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE go together".into(),
                });
            }
        };
        let bcrypt_cost = src.parsed("BCRYPT_COST", 12u32)?;
        if !(4..=31).contains(&bcrypt_cost) {
            return Err(ConfigError::Invalid {
                name: "BCRYPT_COST",
                reason: "must be between 4 and 31".into(),
            });
        }
        let jwt_secret = src.required("JWT_SECRET")?;
        if jwt_secret.len() < 32 {
            return Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                reason: "must be at least 32 bytes".into(),
            });
        }
        let webhook_signing_key = src.get("WEBHOOK_SIGNING_KEY").unwrap_or_default();
        if !webhook_signing_key.is_empty() && webhook_signing_key.len() < 32 {
            return Err(ConfigError::Invalid {
                name: "WEBHOOK_SIGNING_KEY",
                reason: "must be at least 32 bytes".into(),
            });
        }
        Ok(Config {
            database_url: src.required("DATABASE_URL")?.into(),
            database_pool_size: src.parsed("DATABASE_POOL_SIZE", if in_lambda { 2 } else { 16 })?,
            database_statement_cache: src.flag("DATABASE_STATEMENT_CACHE", true)?,
            database_ca_file: src.get("DATABASE_CA_FILE"),
            super_admin_secret: src.get("SUPER_ADMIN_JWT_SECRET").unwrap_or_default().into(),
            jwt_secret: jwt_secret.into(),
            jwt_ttl_seconds: src.parsed("JWT_TTL_SECONDS", 12 * 3600i64)?,
            jwks,
            bcrypt_cost,
            sfdc_api_version: src
                .get("SFDC_API_VERSION")
                .unwrap_or_else(|| "v60.0".to_string()),
            nango_base_url: src
                .get("NANGO_BASE_URL")
                .unwrap_or_else(|| "https://api.nango.dev".to_string())
                .trim_end_matches('/')
                .to_string(),
            nango_secret_key: src.get("NANGO_SECRET_KEY").unwrap_or_default().into(),
            nango_provider_config_key: src
                .get("NANGO_PROVIDER_CONFIG_KEY")
                .unwrap_or_else(|| "salesforce".to_string()),
            nango_webhook_secret: src.get("NANGO_WEBHOOK_SECRET").unwrap_or_default().into(),
            sync_wait_seconds: src.parsed("SYNC_WAIT_SECONDS", 20u64)?,
            jobs_queue_url: src.get("JOBS_QUEUE_URL"),
            job_lease_seconds: positive(
                src.parsed("JOB_LEASE_SECONDS", 60u64)?,
                "JOB_LEASE_SECONDS",
            )?,
            job_backoff_base_ms: src.parsed("JOB_BACKOFF_BASE_MS", 5000u64)?,
            webhook_signing_key: webhook_signing_key.into(),
            allow_http_webhooks: src.flag("ALLOW_HTTP_WEBHOOKS", false)?,
            push_payload_retention_days: positive(
                src.parsed("PUSH_PAYLOAD_RETENTION_DAYS", 30i32)?,
                "PUSH_PAYLOAD_RETENTION_DAYS",
            )?,
            bulk_threshold: src.parsed("BULK_THRESHOLD", 2000usize)?,
            push_concurrency: positive(
                src.parsed("PUSH_CONCURRENCY", 4usize)?,
                "PUSH_CONCURRENCY",
            )?,
            deploy_poll_budget_seconds: src.parsed("DEPLOY_POLL_BUDGET_SECONDS", 120u64)?,
            deploy_poll_interval_ms: positive(
                src.parsed("DEPLOY_POLL_INTERVAL_MS", 2000u64)?,
                "DEPLOY_POLL_INTERVAL_MS",
            )?,
        })
    }
}

/// A setting that must be above zero.
fn positive<T: PartialOrd + Default>(value: T, name: &'static str) -> Result<T, ConfigError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            name,
            reason: "must be greater than 0".into(),
        })
    }
}

/// Reads one Secrets Manager secret whose value is a JSON object of strings.
pub async fn fetch_secret(
    sdk: &aws_config::SdkConfig,
    arn: &str,
) -> Result<HashMap<String, String>, ConfigError> {
    let client = aws_sdk_secretsmanager::Client::new(sdk);
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            ConfigError::Secret(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())
        })?;
    let text = out
        .secret_string()
        .ok_or_else(|| ConfigError::Secret("the secret has no string value".into()))?;
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| ConfigError::Secret("the secret is not a JSON object".into()))?;
    let object = value
        .as_object()
        .ok_or_else(|| ConfigError::Secret("the secret is not a JSON object".into()))?;
    Ok(object
        .iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Some((k.clone(), n.to_string())),
            serde_json::Value::Bool(b) => Some((k.clone(), b.to_string())),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn source(pairs: &[(&str, &str)]) -> Source {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Source::new(move |k| map.get(k).cloned(), HashMap::new())
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_missing_database_url_is_named() {
        let err = Config::from_source(&source(&[("JWT_SECRET", SECRET)])).unwrap_err();
        assert_eq!(err.to_string(), "DATABASE_URL is required but not set");
    }

    #[test]
    fn defaults_match_the_existing_service() {
        let c = Config::from_source(&source(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET", SECRET),
            ("NANGO_BASE_URL", "http://nango.local/"),
        ]))
        .unwrap();
        assert_eq!(c.sfdc_api_version, "v60.0");
        assert_eq!(c.nango_base_url, "http://nango.local");
        assert_eq!(c.nango_provider_config_key, "salesforce");
        assert_eq!(c.sync_wait_seconds, 20);
        assert_eq!(c.jwt_ttl_seconds, 43200);
        assert!(c.super_admin_secret.expose_secret().is_empty());
        assert!(c.jwks.is_none());
        assert_eq!(c.jobs_queue_url, None);
        assert_eq!(c.job_lease_seconds, 60);
        assert_eq!(c.job_backoff_base_ms, 5000);
        assert!(!c.allow_http_webhooks);
        assert_eq!(c.push_payload_retention_days, 30);
        assert_eq!((c.bulk_threshold, c.push_concurrency), (2000, 4));
    }

    #[test]
    fn a_short_webhook_signing_key_and_a_zero_lease_are_refused() {
        let err = Config::from_source(&source(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET", SECRET),
            ("WEBHOOK_SIGNING_KEY", "short"),
        ]))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("WEBHOOK_SIGNING_KEY is invalid"),
            "{err}"
        );
        let err = Config::from_source(&source(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET", SECRET),
            ("JOB_LEASE_SECONDS", "0"),
        ]))
        .unwrap_err();
        assert!(
            err.to_string().starts_with("JOB_LEASE_SECONDS is invalid"),
            "{err}"
        );
    }

    #[test]
    fn the_environment_wins_over_the_secret() {
        let secret: HashMap<String, String> = [
            (
                "DATABASE_URL".to_string(),
                "postgres://secret/db".to_string(),
            ),
            ("JWT_SECRET".to_string(), SECRET.to_string()),
            ("SFDC_API_VERSION".to_string(), "v61.0".to_string()),
        ]
        .into();
        let src = Source::new(
            |k| (k == "SFDC_API_VERSION").then(|| "v62.0".to_string()),
            secret,
        );
        let c = Config::from_source(&src).unwrap();
        assert_eq!(c.database_url.expose_secret(), "postgres://secret/db");
        assert_eq!(c.sfdc_api_version, "v62.0");
    }

    #[test]
    fn a_partial_jwks_setting_is_refused() {
        let err = Config::from_source(&source(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET", SECRET),
            ("JWT_JWKS_URL", "https://idp/jwks"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("go together"), "{err}");
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let err = Config::from_source(&source(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("JWT_SECRET", "short"),
        ]))
        .unwrap_err();
        assert!(
            err.to_string().starts_with("JWT_SECRET is invalid"),
            "{err}"
        );
    }
}
