//! Salesforce: the one client every feature uses (REST, Tooling, SOAP Metadata, Bulk API 2.0)
//! and the Metadata package builder (SALESFORCE.md is the spec of every request here).
//!
//! A [`SalesforceClient`] serves one connection. It takes its access token from a
//! [`TokenSource`] (Nango behind a short cache, [`TokenCache`]), records `Sforce-Limit-Info`
//! into a shared [`LimitObserver`], refreshes the token once when Salesforce calls the session
//! invalid, and retries transient failures within a [`RetryPolicy`]. Errors are
//! [`SalesforceError`], which converts into the contract's 502/504 shapes.
//!
//! Calls live by API group: [`rest`], [`collections`], [`tooling`], [`metadata`] (SOAP), [`bulk`]; the zip
//! deployed by [`SalesforceClient::deploy`] is built by [`package`].

pub mod bulk;
mod call;
mod client;
pub mod collections;
mod deploy_result;
pub mod error;
pub mod limits;
pub mod metadata;
pub mod package;
pub mod rest;
pub mod retry;
mod soap;
pub mod token;
pub mod tooling;
pub mod xml;

pub use bulk::{
    BulkOperation, CsvRow, FailedRecord, IngestJobRequest, IngestResults, JobInfo, JobState,
    LineEnding, QueryResultsPage, SuccessfulRecord,
};
pub use client::{DEFAULT_TIMEOUT, SalesforceClient};
pub use collections::{RecordError, SaveResult};
pub use error::{ApiErrorItem, SalesforceError};
pub use limits::{ApiUsage, LimitObserver};
pub use metadata::{
    AsyncResult, CancelDeployResult, DeployMessage, DeployOptions, DeployResult, DeployStatus,
    FileProperties, ListMetadataQuery, TestLevel,
};
pub use rest::{BatchResponse, BatchResult, BatchSubrequest, Described, GlobalDescribe, QueryPage};
pub use retry::RetryPolicy;
pub use token::{AccessToken, OnUnusable, TokenCache, TokenSource};
pub use tooling::{FlowDefinitionRow, ToolingQueryPage, soql_quote};
