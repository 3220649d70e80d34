//! Nango, the OAuth broker that holds every client's Salesforce tokens (SALESFORCE.md §6).
//!
//! We never store OAuth tokens: a connection's access token is fetched from Nango when Salesforce
//! work needs one (and cached briefly by [`crate::salesforce::TokenCache`]). This module opens
//! connect sessions tagged with our org and client, reads and deletes connections, and verifies
//! the signed auth webhooks Nango sends when a connection is created, overridden or fails to
//! refresh. Errors map to the contract's shapes (API.md §5.1, API-DECISIONS §4) in [`error`].

mod client;
pub mod error;
mod identity;
mod webhook;

pub use client::{ConnectSession, Connection, NANGO_TIMEOUT, NangoClient};
pub use error::NangoError;
pub use identity::{SalesforceIdentity, extract_identity};
pub use webhook::{
    AuthOperation, AuthWebhook, NangoWebhook, SIGNATURE_HEADER, WebhookError, verify_signature,
};
