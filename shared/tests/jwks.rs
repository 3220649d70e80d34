//! Session JWTs of an external identity provider, verified against its JWKS (served by wiremock):
//! EdDSA keys by `kid`, issuer and audience checked, keys cached and refetched at most once a
//! minute for an unknown `kid`.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use shared::auth::Role;
use shared::auth::jwt::Jwks;
use shared::config::JwksConfig;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A throwaway Ed25519 test key (PKCS#8) and its public half as a JWK `x`: not a secret.
const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIGjpJxjfisRnN8+tPomg0dZk4X6CkrCy5SrkVAXj8SuR
-----END PRIVATE KEY-----
";
const TEST_X: &str = "JoypRWJ-Mh-Tq4cmaBCHt9gzc-oo_cwVwHyjojETjZI";

async fn idp() -> (MockServer, Jwks) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k1", "alg": "EdDSA", "use": "sig", "x": TEST_X}]
        })))
        .mount(&server)
        .await;
    let jwks = Jwks::new(
        JwksConfig {
            url: format!("{}/jwks", server.uri()),
            issuer: "https://idp.example".into(),
            audience: "sfdc-engine-x".into(),
        },
        reqwest::Client::new(),
    );
    (server, jwks)
}

fn token(kid: &str, claims: serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.into());
    let key = EncodingKey::from_ed_pem(TEST_KEY.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

fn claims(role: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": "idp-user-42", "org_id": "67e55044-10b1-426f-9247-bb680e5fe0c8", "role": role,
        "client_id": "5f0c5b9e-6a63-4a8f-9d4e-3a0c0d2b6a11",
        "iss": "https://idp.example", "aud": "sfdc-engine-x", "iat": now, "exp": now + 300
    })
}

#[tokio::test]
async fn a_token_signed_by_the_identity_provider_is_a_session() {
    let (_server, jwks) = idp().await;
    let s = jwks
        .verify(&token("k1", claims("company_member")))
        .await
        .expect("valid");
    assert_eq!(s.sub, "idp-user-42");
    assert_eq!(s.role, Role::CompanyMember);
    assert_eq!(s.org_id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
    assert!(s.client_id.is_some());
}

#[tokio::test]
async fn wrong_issuer_audience_expiry_or_role_is_refused() {
    let (_server, jwks) = idp().await;
    let mut c = claims("org_admin");
    c["iss"] = json!("https://evil.example");
    assert!(jwks.verify(&token("k1", c)).await.is_none(), "issuer");
    let mut c = claims("org_admin");
    c["aud"] = json!("someone-else");
    assert!(jwks.verify(&token("k1", c)).await.is_none(), "audience");
    let mut c = claims("org_admin");
    c["exp"] = json!(chrono::Utc::now().timestamp() - 120);
    assert!(jwks.verify(&token("k1", c)).await.is_none(), "expiry");
    assert!(
        jwks.verify(&token("k1", claims("root"))).await.is_none(),
        "role"
    );
    let mut forged = token("k1", claims("org_admin"));
    forged.push('A');
    assert!(jwks.verify(&forged).await.is_none(), "signature");
}

#[tokio::test]
async fn an_unknown_kid_refetches_the_keys_at_most_once_a_minute() {
    let (server, jwks) = idp().await;
    assert!(
        jwks.verify(&token("k1", claims("org_admin")))
            .await
            .is_some()
    );
    for _ in 0..5 {
        assert!(
            jwks.verify(&token("k2", claims("org_admin")))
                .await
                .is_none()
        );
    }
    assert!(
        jwks.verify(&token("k1", claims("org_admin")))
            .await
            .is_some()
    );
    let fetches = server.received_requests().await.unwrap().len();
    assert_eq!(
        fetches, 1,
        "the warm cache answered; unknown kids did not refetch within a minute"
    );
}
