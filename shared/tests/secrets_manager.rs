//! Configuration from one AWS Secrets Manager secret, against an AWS-compatible endpoint (moto)
//! that the test command starts (`TEST_AWS_ENDPOINT`).

use std::collections::HashMap;

use secrecy::ExposeSecret;
use shared::config::{Config, Source, fetch_secret};

async fn sdk(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .load()
        .await
}

fn endpoint() -> Option<String> {
    let e = std::env::var("TEST_AWS_ENDPOINT").ok();
    if e.is_none() {
        eprintln!("TEST_AWS_ENDPOINT is not set: run scripts/test (it starts moto)");
    }
    e
}

#[tokio::test]
async fn configuration_is_read_from_the_secret_and_the_environment_overrides_it() {
    let Some(endpoint) = endpoint() else { return };
    let sdk = sdk(&endpoint).await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let name = format!("sfdc-test-{}", uuid::Uuid::new_v4());
    let created = client
        .create_secret()
        .name(&name)
        .secret_string(
            serde_json::json!({
                "DATABASE_URL": "postgresql://app@db.internal/sfdc",
                "JWT_SECRET": "0123456789abcdef0123456789abcdef-from-secret",
                "SUPER_ADMIN_JWT_SECRET": "sa-from-secret",
                "SYNC_WAIT_SECONDS": 7,
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let secret = fetch_secret(&sdk, created.arn().unwrap()).await.unwrap();
    assert_eq!(secret["SYNC_WAIT_SECONDS"], "7");
    let env: HashMap<&str, &str> = [("SUPER_ADMIN_JWT_SECRET", "sa-from-env")].into();
    let config = Config::from_source(&Source::new(
        move |k| env.get(k).map(|v| v.to_string()),
        secret,
    ))
    .unwrap();
    assert_eq!(
        config.database_url.expose_secret(),
        "postgresql://app@db.internal/sfdc"
    );
    assert_eq!(config.sync_wait_seconds, 7);
    assert_eq!(config.super_admin_secret.expose_secret(), "sa-from-env");
}

#[tokio::test]
async fn a_missing_secret_is_a_clear_error() {
    let Some(endpoint) = endpoint() else { return };
    let sdk = sdk(&endpoint).await;
    let err = fetch_secret(
        &sdk,
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf",
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("could not read the secret named by SECRETS_ARN"),
        "{err}"
    );
}

#[tokio::test]
async fn a_secret_that_is_not_a_json_object_is_refused() {
    let Some(endpoint) = endpoint() else { return };
    let sdk = sdk(&endpoint).await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    let created = client
        .create_secret()
        .name(format!("sfdc-test-{}", uuid::Uuid::new_v4()))
        .secret_string("just text")
        .send()
        .await
        .unwrap();
    let err = fetch_secret(&sdk, created.arn().unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a JSON object"), "{err}");
}
