//! The connection pool: built once per cold start, small on Lambda, TLS (rustls) when the URL
//! asks for it.

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use secrecy::ExposeSecret;
use tokio_postgres::config::SslMode;

use super::DbError;
use crate::config::Config;

/// Builds the pool. No connection is opened until the first request needs one.
pub fn connect(config: &Config) -> Result<Pool, DbError> {
    super::set_statement_cache(config.database_statement_cache);
    build(
        config.database_url.expose_secret(),
        config.database_pool_size,
        config.database_ca_file.as_deref(),
    )
}

/// Builds a pool for a URL (also used by tools and tests).
pub fn build(url: &str, max_size: usize, ca_file: Option<&str>) -> Result<Pool, DbError> {
    let pg: tokio_postgres::Config = url
        .parse()
        .map_err(|e| DbError::Setup(format!("DATABASE_URL: {e}")))?;
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = if pg.get_ssl_mode() == SslMode::Disable {
        Manager::from_config(pg, tokio_postgres::NoTls, manager_config)
    } else {
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(ca_file)?);
        Manager::from_config(pg, tls, manager_config)
    };
    Pool::builder(manager)
        .max_size(max_size.max(1))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .map_err(|e| DbError::Setup(e.to_string()))
}

fn tls_config(ca_file: Option<&str>) -> Result<rustls::ClientConfig, DbError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| DbError::Setup(format!("DATABASE_CA_FILE {path}: {e}")))?;
            for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
                let cert: rustls::pki_types::CertificateDer<'static> =
                    cert.map_err(|e| DbError::Setup(format!("DATABASE_CA_FILE: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| DbError::Setup(format!("DATABASE_CA_FILE: {e}")))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Setup(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
