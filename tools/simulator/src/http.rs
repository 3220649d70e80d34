//! The simulator's own request and response types: a buffered request that handlers (and
//! composite subrequests) share, and a response that can ask for work after the lock is released.

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::Value;

use crate::json::J;

/// A buffered HTTP request.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The decoded query parameter `name`.
    pub fn param(&self, name: &str) -> Option<String> {
        query_pairs(&self.query)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The bearer token of the `Authorization` header (`Bearer x` or `OAuth x`).
    pub fn bearer(&self) -> Option<&str> {
        let h = self.header("authorization")?;
        let (scheme, tok) = h.split_once(' ')?;
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
            .then_some(tok.trim())
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| e.to_string())
    }
}

/// Percent-decodes `s` (with `+` as space when `plus` is set).
pub fn decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decoded `key=value` pairs of a query string.
pub fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k, true), decode(v, true)),
            None => (decode(kv, true), String::new()),
        })
        .collect()
}

/// Work to do once the state lock is released.
#[derive(Debug, Clone)]
pub enum After {
    /// Process a Bulk API ingest job in the background.
    Bulk { org_id: String, job_id: String },
    /// POST a signed Nango webhook.
    Webhook {
        url: String,
        body: Vec<u8>,
        signature: String,
        legacy: String,
    },
}

/// A response under construction.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub after: Vec<After>,
}

impl Resp {
    /// A JSON response.
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json;charset=UTF-8".into(),
            )],
            body: serde_json::to_vec(v).unwrap_or_default(),
            after: Vec::new(),
        }
    }

    /// A JSON response with ordered keys.
    pub fn ordered(status: u16, v: &J) -> Resp {
        Resp {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json;charset=UTF-8".into(),
            )],
            body: v.to_vec(),
            after: Vec::new(),
        }
    }

    /// An empty response.
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            after: Vec::new(),
        }
    }

    /// A response with a given content type.
    pub fn typed(status: u16, ctype: &str, body: Vec<u8>) -> Resp {
        Resp {
            status,
            headers: vec![("content-type".into(), ctype.into())],
            body,
            after: Vec::new(),
        }
    }

    /// A Salesforce REST error: `[{"message": ..., "errorCode": ...}]`.
    pub fn sf(status: u16, code: &str, message: &str) -> Resp {
        Resp::json(
            status,
            &serde_json::json!([{"message": message, "errorCode": code}]),
        )
    }

    /// Salesforce's 404 for unknown resources.
    pub fn not_found() -> Resp {
        Resp::sf(404, "NOT_FOUND", "The requested resource does not exist")
    }

    /// Adds a header.
    pub fn with_header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }

    /// The value of header `k`.
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    }
}
