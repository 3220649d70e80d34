//! Webhooks: secrets, signatures, the server-side request forgery guard, and the
//! `webhook.deliver` job that POSTs one event to one webhook.
//!
//! **Secrets** are derived, never stored: `whsec_` + hex HMAC-SHA256(`WEBHOOK_SIGNING_KEY`,
//! webhook id). `webhooks/create` shows it once; the table keeps only its SHA-256.
//!
//! **Signatures**: every delivery carries `X-Sfdc-Engine-Signature: t=<unix seconds>,v1=<hex>`
//! where `<hex>` is HMAC-SHA256 keyed with the secret (the whole `whsec_...` text) over
//! `"<t>.<raw body>"`. A receiver recomputes it over the raw bytes it received, compares in
//! constant time, and refuses a `t` too far from its clock (replays); see [`verify`].
//!
//! **Retries**: any answer but 2xx, and any network error, is retried with exponential backoff
//! (`JOB_BACKOFF_BASE_MS`, 5 s by default, doubling, capped at 1 h) for 24 hours after the
//! event. **Deduplication**: one delivery row per (webhook, event), and a delivery that succeeded
//! is never sent again, however often its job is redelivered.
//!
//! **Forgery guard**: only `https://` URLs, and no private, loopback, link-local, shared,
//! multicast or unspecified address, checked on the literal host when the webhook is created and
//! on every resolved address before each delivery; the connection is pinned to the addresses that
//! were checked and redirects are not followed. `ALLOW_HTTP_WEBHOOKS=true` (local runs) lifts
//! both rules.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hmac::{KeyInit, Mac};
use reqwest::Url;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::registry::RetryPolicy;
use super::worker::retry_delay;
use super::{Job, JobError};
use crate::db::{self, webhooks::Attempt};
use crate::state::AppState;

/// The kind of delivery jobs.
pub const DELIVER: &str = "webhook.deliver";
/// Attempts of a delivery; the 24-hour deadline ends it first (about 31 attempts at the default
/// base).
pub const MAX_ATTEMPTS: i32 = 100;
/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-sfdc-engine-signature";
/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

type HmacSha256 = hmac::Hmac<Sha256>;

/// Backoff capped at one hour, for 24 hours.
pub fn retry_policy() -> RetryPolicy {
    RetryPolicy {
        cap: Duration::from_secs(3600),
        give_up_after: Some(Duration::from_secs(24 * 3600)),
    }
}

fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    for p in parts {
        mac.update(p);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The signing secret of a webhook, derived from the server's key and the webhook's id.
pub fn secret(signing_key: &str, webhook_id: Uuid) -> String {
    format!(
        "whsec_{}",
        hmac_hex(signing_key.as_bytes(), &[webhook_id.to_string().as_bytes()])
    )
}

/// What `webhooks.secret_hash` holds.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The `X-Sfdc-Engine-Signature` value of `body` sent at `timestamp` (unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    format!(
        "t={t},v1={}",
        hmac_hex(secret.as_bytes(), &[t.as_bytes(), b".", body])
    )
}

/// What a receiver does: checks `header` against the raw `body`, with `t` at most `tolerance`
/// seconds from `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance: i64) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1.push(value.to_string()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > tolerance {
        return false;
    }
    let expected = hmac_hex(secret.as_bytes(), &[t.to_string().as_bytes(), b".", body]);
    v1.iter()
        .any(|given| crate::auth::secrets::constant_time_eq(given.as_bytes(), expected.as_bytes()))
}

/// Whether an address is one a webhook may not reach: loopback, private (RFC 1918, unique
/// local), link-local, shared (100.64/10), unspecified, broadcast, multicast, documentation and
/// the IPv4 ranges reserved for special use; IPv4-mapped IPv6 addresses are judged as IPv4.
pub fn forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || (first == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64 of any v4
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

/// Checks a webhook URL as given (no DNS): the message is the 422's. `allow_private` is
/// `ALLOW_HTTP_WEBHOOKS`.
pub fn check_url(url: &str, allow_private: bool) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|_| "Input should be a valid URL".to_string())?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("Webhook URLs must use https".into()),
    }
    let Some(host) = parsed.host_str() else {
        return Err("Webhook URLs must name a host".into());
    };
    if allow_private {
        return Ok(parsed);
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let refused = match host.parse::<IpAddr>() {
        Ok(ip) => forbidden_ip(ip),
        Err(_) => {
            let d = host.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".internal")
        }
    };
    if refused {
        return Err("Webhook URLs may not target private, loopback or link-local addresses".into());
    }
    Ok(parsed)
}

/// Why a delivery was not attempted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Url(String),
    #[error("the webhook host does not resolve")]
    Unresolved,
    #[error("the webhook host resolves to a private, loopback or link-local address")]
    Private,
}

/// Resolves the URL's host and checks every address; the addresses to connect to.
pub async fn vet(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, Refusal> {
    vet_with(url, allow_private, async |host: &str, port: u16| {
        tokio::net::lookup_host((host, port))
            .await
            .map(|a| a.collect::<Vec<_>>())
    })
    .await
}

/// [`vet`] with a given resolver (tests).
pub async fn vet_with(
    url: &Url,
    allow_private: bool,
    resolve: impl AsyncFn(&str, u16) -> std::io::Result<Vec<SocketAddr>>,
) -> Result<Vec<SocketAddr>, Refusal> {
    check_url(url.as_str(), allow_private).map_err(Refusal::Url)?;
    let host = url.host_str().ok_or(Refusal::Unresolved)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = resolve(host, port).await.map_err(|_| Refusal::Unresolved)?;
    if addrs.is_empty() {
        return Err(Refusal::Unresolved);
    }
    if !allow_private && addrs.iter().any(|a| forbidden_ip(a.ip())) {
        return Err(Refusal::Private);
    }
    Ok(addrs)
}

/// The `webhook.deliver` kind: POSTs the event of one delivery to its webhook, signed.
pub async fn deliver(state: AppState, job: Job) -> Result<Value, JobError> {
    let org_id = job.org_id;
    let delivery_id = job.payload["delivery_id"]
        .as_str()
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or_else(|| JobError::permanent(500, "bad_payload", "The job names no delivery"))?;
    let (delivery, webhook, event) = {
        let mut conn = db::conn(state.db()).await?;
        let tx = db::begin(&mut conn, org_id).await?;
        let Some(delivery) = db::webhooks::get_delivery(&tx, org_id, delivery_id).await? else {
            return Ok(json!({"delivered": false, "reason": "webhook deleted"}));
        };
        if delivery.status == "succeeded" {
            return Ok(json!({"delivered": true, "deduplicated": true}));
        }
        let webhook = db::webhooks::get_active(&tx, org_id, delivery.webhook_id).await?;
        let event = db::events::get(&tx, org_id, delivery.event_id).await?;
        tx.commit().await?;
        (delivery, webhook, event)
    };
    let (Some(webhook), Some(event)) = (webhook, event) else {
        give_up(
            &state,
            org_id,
            delivery.id,
            "the webhook or the event is gone",
        )
        .await?;
        return Ok(json!({"delivered": false, "reason": "webhook deleted"}));
    };
    let key = state.config().webhook_signing_key.expose_secret();
    if key.is_empty() {
        give_up(
            &state,
            org_id,
            delivery.id,
            "WEBHOOK_SIGNING_KEY is not set",
        )
        .await?;
        return Err(JobError::permanent(
            500,
            "webhook_signing_key_missing",
            "WEBHOOK_SIGNING_KEY is not set",
        ));
    }
    let secret = secret(key, webhook.id);
    let allow = state.config().allow_http_webhooks;
    let url = Url::parse(&webhook.url).map_err(|_| {
        JobError::permanent(400, "webhook_url_invalid", "The webhook URL is invalid")
    })?;
    let addrs = match vet(&url, allow).await {
        Ok(a) => a,
        Err(refusal) => {
            give_up(&state, org_id, delivery.id, &refusal.to_string()).await?;
            return Err(JobError::permanent(
                400,
                "webhook_target_refused",
                refusal.to_string(),
            ));
        }
    };
    let client = if allow {
        state.http().clone()
    } else {
        pinned_client(&url, &addrs)?
    };
    let body = serde_json::to_vec(&db::webhooks::event_body(&event))
        .map_err(|e| JobError::permanent(500, "encode_failed", e.to_string()))?;
    let sig = signature(&secret, chrono::Utc::now().timestamp(), &body);
    let sent = client
        .post(url)
        .timeout(TIMEOUT)
        .header("content-type", "application/json")
        .header("user-agent", "sfdc-engine-x-webhooks/1")
        .header(SIGNATURE_HEADER, sig)
        .header("x-sfdc-engine-event", event.kind.as_str())
        .header("x-sfdc-engine-delivery", delivery.id.to_string())
        .body(body)
        .send()
        .await;
    let (code, problem) = match sent {
        Ok(res) if res.status().is_success() => {
            let code = i32::from(res.status().as_u16());
            record(
                &state,
                org_id,
                delivery.id,
                Attempt::Delivered { status_code: code },
            )
            .await?;
            return Ok(json!({"delivered": true, "status_code": code}));
        }
        Ok(res) => (
            Some(i32::from(res.status().as_u16())),
            format!("the receiver answered HTTP {}", res.status().as_u16()),
        ),
        Err(e) if e.is_timeout() => (None, "the receiver did not answer in time".to_string()),
        Err(e) if e.is_connect() => (None, "could not connect to the receiver".to_string()),
        Err(_) => (None, "the request to the receiver failed".to_string()),
    };
    let err = JobError::retryable("webhook_delivery_failed", problem.clone());
    let attempt = if retry_delay(&state, &retry_policy(), &job, &err).is_some() {
        Attempt::Refused {
            status_code: code,
            error: &problem,
        }
    } else {
        Attempt::GaveUp { error: &problem }
    };
    record(&state, org_id, delivery.id, attempt).await?;
    Err(err)
}

fn pinned_client(url: &Url, addrs: &[SocketAddr]) -> Result<reqwest::Client, JobError> {
    let host = url.host_str().unwrap_or_default();
    reqwest::Client::builder()
        .resolve_to_addrs(host, addrs)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(TIMEOUT)
        .build()
        .map_err(|e| JobError::retryable("http_client", e.to_string()))
}

async fn record(
    state: &AppState,
    org_id: Uuid,
    delivery_id: Uuid,
    attempt: Attempt<'_>,
) -> Result<(), JobError> {
    let mut conn = db::conn(state.db()).await?;
    let tx = db::begin(&mut conn, org_id).await?;
    db::webhooks::record_attempt(&tx, org_id, delivery_id, attempt).await?;
    tx.commit().await?;
    Ok(())
}

async fn give_up(
    state: &AppState,
    org_id: Uuid,
    delivery_id: Uuid,
    why: &str,
) -> Result<(), JobError> {
    record(state, org_id, delivery_id, Attempt::GaveUp { error: why }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_tampered_body_or_old_timestamp_does_not() {
        let s = secret("k".repeat(32).as_str(), Uuid::nil());
        assert!(s.starts_with("whsec_") && s.len() == 6 + 64);
        let body = br#"{"id":"x"}"#;
        let header = signature(&s, 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify(&s, &header, body, 1_700_000_100, 300));
        assert!(!verify(&s, &header, br#"{"id":"y"}"#, 1_700_000_100, 300));
        assert!(!verify(&s, &header, body, 1_700_001_000, 300));
        assert!(!verify("whsec_other", &header, body, 1_700_000_100, 300));
    }

    #[test]
    fn secrets_differ_per_webhook_and_per_key() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let k1 = "1".repeat(32);
        let k2 = "2".repeat(32);
        assert_ne!(secret(&k1, a), secret(&k1, b));
        assert_ne!(secret(&k1, a), secret(&k2, a));
        assert_eq!(secret(&k1, a), secret(&k1, a));
    }

    #[test]
    fn only_https_urls_to_public_hosts_are_accepted() {
        assert!(check_url("https://hooks.example.com/x", false).is_ok());
        for bad in [
            "http://hooks.example.com/x",
            "ftp://hooks.example.com/x",
            "not a url",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://0.0.0.0/x",
            "https://100.64.0.1/x",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://localhost/x",
            "https://api.localhost/x",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad} was accepted");
        }
        assert!(check_url("http://127.0.0.1:8080/x", true).is_ok());
        assert!(check_url("ftp://127.0.0.1/x", true).is_err());
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ok in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!forbidden_ip(ok.parse().unwrap()), "{ok}");
        }
    }

    #[tokio::test]
    async fn a_public_looking_name_that_resolves_to_a_private_address_is_refused() {
        let url = Url::parse("https://hooks.example.com/hook").unwrap();
        for target in ["127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "fd12::1"] {
            let ip: IpAddr = target.parse().unwrap();
            let resolve = async |_: &str, port: u16| Ok(vec![SocketAddr::new(ip, port)]);
            assert_eq!(
                vet_with(&url, false, resolve).await,
                Err(Refusal::Private),
                "{target}"
            );
            assert!(vet_with(&url, true, resolve).await.is_ok());
        }
        // One bad address among good ones is enough to refuse.
        let mixed = async |_: &str, port: u16| {
            Ok(vec![
                SocketAddr::new("93.184.216.34".parse().unwrap(), port),
                SocketAddr::new("127.0.0.1".parse().unwrap(), port),
            ])
        };
        assert_eq!(vet_with(&url, false, mixed).await, Err(Refusal::Private));
        let public = async |_: &str, port: u16| {
            Ok(vec![SocketAddr::new(
                "93.184.216.34".parse().unwrap(),
                port,
            )])
        };
        assert_eq!(vet_with(&url, false, public).await.unwrap()[0].port(), 443);
        let nothing = async |_: &str, _: u16| Err(std::io::Error::other("NXDOMAIN"));
        assert_eq!(
            vet_with(&url, false, nothing).await,
            Err(Refusal::Unresolved)
        );
    }
}
