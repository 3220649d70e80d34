//! Which Salesforce org and user a Nango connection authorised, read from the token response.
//!
//! The rules are the existing service's (API.md §4.7), in order; Salesforce's own token response
//! carries only `id`, the identity URL `https://login.salesforce.com/id/<org>/<user>`, so rule 4
//! is the one that matters in practice, and the others keep tokens from other brokers working.

use serde_json::Value;

/// The Salesforce org id (`00D…`) and user id (`005…`) of a connection, when known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesforceIdentity {
    pub org_id: Option<String>,
    pub user_id: Option<String>,
}

/// Extracts the identity from a connection's `raw` token response.
pub fn extract_identity(raw: &Value) -> SalesforceIdentity {
    let mut org: Option<String> = None;
    let mut user: Option<String> = None;
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };

    // 1 and 2: an `identity` object or string.
    match raw.get("identity") {
        Some(Value::Object(identity)) => {
            org = text(identity.get("organization_id")).or_else(|| text(identity.get("org_id")));
            user = text(identity.get("user_id")).or_else(|| text(identity.get("id")));
        }
        Some(Value::String(identity)) => {
            let parts: Vec<&str> = identity.split('/').filter(|p| !p.is_empty()).collect();
            if parts.len() >= 2 {
                org = Some(parts[parts.len() - 2].to_string());
                user = Some(parts[parts.len() - 1].to_string());
            }
        }
        _ => {}
    }
    // 3: flat keys.
    if org.is_none() {
        org = text(raw.get("organization_id")).or_else(|| text(raw.get("org_id")));
    }
    if user.is_none() {
        user = text(raw.get("user_id"));
    }
    // 4: Salesforce's identity URL `…/id/<org>/<user>`.
    if let Some(id) = raw.get("id").and_then(Value::as_str) {
        let parts: Vec<&str> = id.split('/').filter(|p| !p.is_empty()).collect();
        if parts.len() >= 3 && parts[parts.len() - 3] == "id" {
            if org.is_none() {
                org = Some(parts[parts.len() - 2].to_string());
            }
            if user.is_none() {
                user = Some(parts[parts.len() - 1].to_string());
            }
        }
    }
    SalesforceIdentity {
        org_id: org,
        user_id: user,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_salesforce_identity_url_gives_org_and_user() {
        let raw = json!({"id": "https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sv6m"});
        let id = extract_identity(&raw);
        assert_eq!(id.org_id.as_deref(), Some("00Dxx0000001gPL"));
        assert_eq!(id.user_id.as_deref(), Some("005xx000001Sv6m"));
    }

    #[test]
    fn an_identity_object_wins_over_the_identity_url() {
        let raw = json!({"identity": {"org_id": "00DA", "id": "005A"},
                         "id": "https://login.salesforce.com/id/00DB/005B"});
        let id = extract_identity(&raw);
        assert_eq!(id.org_id.as_deref(), Some("00DA"));
        assert_eq!(id.user_id.as_deref(), Some("005A"));
    }

    #[test]
    fn an_identity_string_is_split_on_slashes() {
        let id = extract_identity(&json!({"identity": "/x/00DC/005C/"}));
        assert_eq!(id.org_id.as_deref(), Some("00DC"));
        assert_eq!(id.user_id.as_deref(), Some("005C"));
    }

    #[test]
    fn the_identity_url_fills_only_what_is_missing() {
        let raw =
            json!({"organization_id": "00DD", "id": "https://login.salesforce.com/id/00DE/005E"});
        let id = extract_identity(&raw);
        assert_eq!(id.org_id.as_deref(), Some("00DD"));
        assert_eq!(id.user_id.as_deref(), Some("005E"));
    }

    #[test]
    fn an_id_that_is_not_an_identity_url_is_ignored() {
        let id = extract_identity(&json!({"id": "https://example.com/a/b/c"}));
        assert_eq!(id, SalesforceIdentity::default());
    }
}
