//! `local`: the whole service in one process.
//!
//! - `local` (or `local serve`): applies migrations (through `MIGRATION_DATABASE_URL`, default
//!   `DATABASE_URL`), then serves every group on `HOST:PORT` (default 127.0.0.1:3000).
//! - `local migrate`: applies migrations and exits (deploy pipelines).
//! - `local schedule NAME`: runs one scheduled task now (`lease_sweeper`, `connection_health`,
//!   `topology_refresh`, `push_purge`) against `DATABASE_URL`, prints its report and exits.
//!
//! `serve` runs the job worker in-process (jobs, webhook deliveries, schedules on timers).
//!
//! When `NANGO_BASE_URL` is not set, `serve` also starts the Salesforce/Nango simulator in this
//! process (on `SIM_PORT`, default 4010) and points the service at it, so the whole service can
//! be tried without a Salesforce org.

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
        "schedule" => {
            let name = std::env::args()
                .nth(2)
                .ok_or("usage: local schedule <lease_sweeper|connection_health|topology_refresh|push_purge>")?;
            let state = AppState::new(Config::load().await?)?;
            let report = jobs::local::trigger(&state, &name).await?;
            println!("{report}");
            Ok(())
        }
        other => Err(format!(
            "unknown command {other:?}: use `serve`, `migrate` or `schedule NAME`"
        )
        .into()),
    }
}

fn migration_url() -> Result<String, Box<dyn std::error::Error>> {
    std::env::var("MIGRATION_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .map_err(|_| "DATABASE_URL (or MIGRATION_DATABASE_URL) is required".into())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::load().await?;
    let applied = local::migrate(&migration_url()?).await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("{host}:{port}")).await?;
    let base = format!("http://{}", listener.local_addr()?);
    if std::env::var_os("NANGO_BASE_URL").is_none() {
        start_simulator(&mut config, &base).await?;
    }
    print_bootstrap(&base, &config);
    let state = AppState::new(config)?;
    let _worker = jobs::local::spawn(state.clone());
    axum::serve(listener, local::app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Starts the simulator and points Nango (and so Salesforce) at it; its auth webhooks come back
/// to this server.
async fn start_simulator(
    config: &mut Config,
    base: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::var("SIM_PORT").unwrap_or_else(|_| "4010".into());
    let sim_config = simulator::SimConfig {
        webhook_url: Some(format!("{base}/api/connections/webhook")),
        ..Default::default()
    };
    let (_sim, sim_url) =
        simulator::Simulator::spawn_on(sim_config.clone(), &format!("127.0.0.1:{port}")).await?;
    config.nango_base_url = format!("{sim_url}/nango");
    config.nango_secret_key = sim_config.nango_secret_key.clone().into();
    config.nango_webhook_secret = sim_config.nango_webhook_secret.clone().into();
    println!(
        "Salesforce/Nango simulator on {sim_url} (control API under {sim_url}/_sim; set NANGO_BASE_URL to use a real Nango)."
    );
    println!("Finish a connect session as a user would:");
    println!(
        "  curl -s {sim_url}/_sim/connect-sessions/complete -H 'Content-Type: application/json' -d '{{\"session_token\":\"<connect_session.token>\"}}'"
    );
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
