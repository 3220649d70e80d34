//! The common crate: everything two functions need.
//!
//! A request travels API Gateway → function → axum router → [`auth::AuthContext`] → [`http::Json`]
//! (422) → permission and client-access checks → handler → [`db`] inside a row-level-security
//! transaction → response. Handlers never parse headers, never contain SQL and never call
//! reqwest directly; they return `Result<_, ApiError>`.

pub mod accounts;
pub mod auth;
pub mod config;
pub mod crm;
pub mod db;
pub mod error;
pub mod http;
pub mod jobs;
pub mod lambda;
pub mod nango;
pub mod salesforce;
pub mod state;
pub mod telemetry;
pub mod time;

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;
