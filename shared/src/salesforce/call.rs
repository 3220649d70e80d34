//! One Salesforce request as the transport sends it (rebuilt the same way for every attempt),
//! and the response as received.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use quick_xml::Writer;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{SalesforceError, parse_rest_error};
use super::soap;

/// Where a call goes: segments under the instance URL (each percent-escaped), or a path
/// Salesforce handed us (`nextRecordsUrl`), used as-is.
pub(crate) enum Target {
    Path {
        segments: Vec<String>,
        trailing_slash: bool,
        query: Vec<(String, String)>,
    },
    Relative(String),
}

impl Target {
    pub(crate) fn path(segments: Vec<String>) -> Target {
        Target::Path {
            segments,
            trailing_slash: false,
            query: Vec::new(),
        }
    }

    /// The same path with a trailing `/` (Salesforce's documented form for `sobjects/`,
    /// `describe/`, `query/`, `limits/`).
    pub(crate) fn slash(segments: Vec<String>) -> Target {
        Target::Path {
            segments,
            trailing_slash: true,
            query: Vec::new(),
        }
    }

    pub(crate) fn query(mut self, key: &str, value: impl Into<String>) -> Target {
        if let Target::Path { query, .. } = &mut self {
            query.push((key.to_string(), value.into()));
        }
        self
    }
}

/// A SOAP body writer: called once per attempt inside a fresh envelope, since the session id
/// (the token) may change between attempts.
pub(crate) type SoapBody = dyn Fn(&mut Writer<Vec<u8>>) -> std::io::Result<()> + Send + Sync;

pub(crate) enum Payload {
    Empty,
    Json(Bytes),
    Csv(Bytes),
    Soap(Arc<SoapBody>),
}

/// One request, rebuilt identically for every attempt.
pub(crate) struct Call {
    pub method: Method,
    pub target: Target,
    pub payload: Payload,
    pub headers: Vec<(&'static str, String)>,
    /// Whether sending it twice is harmless (reads, deletes, upserts, status checks).
    pub idempotent: bool,
    pub timeout: Option<Duration>,
}

impl Call {
    pub(crate) fn new(method: Method, target: Target, idempotent: bool) -> Call {
        Call {
            method,
            target,
            payload: Payload::Empty,
            headers: Vec::new(),
            idempotent,
            timeout: None,
        }
    }

    pub(crate) fn get(target: Target) -> Call {
        Call::new(Method::GET, target, true)
    }

    pub(crate) fn json(mut self, body: &Value) -> Call {
        self.payload = Payload::Json(Bytes::from(body.to_string()));
        self
    }

    pub(crate) fn csv(mut self, body: Bytes) -> Call {
        self.payload = Payload::Csv(body);
        self
    }

    pub(crate) fn soap(mut self, body: Arc<SoapBody>) -> Call {
        self.payload = Payload::Soap(body);
        self
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn timeout(mut self, timeout: Duration) -> Call {
        self.timeout = Some(timeout);
        self
    }

    pub(crate) fn is_soap(&self) -> bool {
        matches!(self.payload, Payload::Soap(_))
    }
}

/// A response as received.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON of type `T`; `what` names the call in the error.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, SalesforceError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            SalesforceError::InvalidResponse(format!("{what} response was not understood: {e}"))
        })
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn error(&self, soap: bool) -> SalesforceError {
        if soap && let Some(fault) = soap::parse_fault(self.status.as_u16(), &self.body) {
            return fault;
        }
        parse_rest_error(self.status.as_u16(), &self.body)
    }
}
