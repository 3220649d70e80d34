//! `local`: the whole service in one process.
//!
//! - `local` (or `local serve`): applies migrations (through `MIGRATION_DATABASE_URL`, default
//!   `DATABASE_URL`), then serves every group on `HOST:PORT` (default 127.0.0.1:3000).
//! - `local migrate`: applies migrations and exits (deploy pipelines).

use secrecy::ExposeSecret;
use shared::{AppState, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    shared::telemetry::init();
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    match command.as_str() {
        "migrate" => {
            let url = migration_url()?;
            let applied = local::migrate(&url).await?;
            println!("applied {} migration(s): {applied:?}", applied.len());
            Ok(())
        }
        "serve" => serve().await,
        other => Err(format!("unknown command {other:?}: use `serve` or `migrate`").into()),
    }
}

fn migration_url() -> Result<String, Box<dyn std::error::Error>> {
    std::env::var("MIGRATION_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .map_err(|_| "DATABASE_URL (or MIGRATION_DATABASE_URL) is required".into())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::load().await?;
    let applied = local::migrate(&migration_url()?).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("{host}:{port}")).await?;
    let base = format!("http://{}", listener.local_addr()?);
    print_bootstrap(&base, &config);
    let state = AppState::new(config)?;
    axum::serve(listener, local::app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

fn print_bootstrap(base: &str, config: &Config) {
    let sa = config.super_admin_secret.expose_secret();
    let sa = if sa.is_empty() {
        "<set SUPER_ADMIN_JWT_SECRET>"
    } else {
        sa
    };
    println!(
        r#"sfdc-engine-x is listening on {base}   (OpenAPI: {base}/openapi.json)

Bootstrap:
  # 1. an org (super-admin)
  curl -s {base}/api/super-admin/orgs -H 'Authorization: Bearer {sa}' -H 'Content-Type: application/json' \
       -d '{{"name":"Acme RevOps","slug":"acme"}}'
  # 2. its first admin (org_id from step 1)
  curl -s {base}/api/super-admin/users -H 'Authorization: Bearer {sa}' -H 'Content-Type: application/json' \
       -d '{{"org_id":"<org id>","email":"admin@acme.test","password":"change-me-please","role":"org_admin"}}'
  # 3. log in
  curl -s {base}/api/auth/login -H 'Content-Type: application/json' \
       -d '{{"email":"admin@acme.test","password":"change-me-please"}}'
  # 4. an API token, then who am I
  curl -s {base}/api/tokens/create -H 'Authorization: Bearer <access_token>' -H 'Content-Type: application/json' -d '{{"label":"cli"}}'
  curl -s {base}/api/auth/me -H 'Authorization: Bearer <token>'
"#
    );
}
