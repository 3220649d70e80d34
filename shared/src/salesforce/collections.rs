//! sObject Collections (SALESFORCE.md §1.5): create, update, upsert on an external id and
//! delete, up to 200 records a call, with Salesforce's per-record results.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::{Call, Reply, SalesforceClient, Target};
use super::error::SalesforceError;

/// sObject Collections take at most this many records (SALESFORCE.md §1.5).
pub const MAX_COLLECTION_RECORDS: usize = 200;
/// A per-record error of sObject Collections (note `statusCode`, not `errorCode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordError {
    pub status_code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// A per-record result of create, update, upsert or delete; `created` only for upserts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveResult {
    #[serde(default)]
    pub id: Option<String>,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<RecordError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
}

impl SalesforceClient {
    /// sObject Collections create: `POST /composite/sobjects`. Records without `attributes`
    /// get `{"type": object}`. Not retried after an ambiguous failure: it is not idempotent.
    pub async fn create_records(
        &self,
        object: &str,
        records: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let body = collection_body(object, records, all_or_none)?;
        let call = Call::new(
            Method::POST,
            Target::path(self.data_path(&["composite", "sobjects"])),
            false,
        )
        .json(&body);
        save_results(&self.execute(&call).await?, "Salesforce composite create")
    }

    /// sObject Collections update: `PATCH /composite/sobjects`; each record has its `Id`.
    pub async fn update_records(
        &self,
        object: &str,
        records: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let body = collection_body(object, records, all_or_none)?;
        let call = Call::new(
            Method::PATCH,
            Target::path(self.data_path(&["composite", "sobjects"])),
            true,
        )
        .json(&body);
        save_results(&self.execute(&call).await?, "Salesforce composite update")
    }

    /// sObject Collections upsert on an external id:
    /// `PATCH /composite/sobjects/{object}/{external_id_field}`.
    pub async fn upsert_records(
        &self,
        object: &str,
        external_id_field: &str,
        records: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let body = collection_body(object, records, all_or_none)?;
        let call = Call::new(
            Method::PATCH,
            Target::path(self.data_path(&["composite", "sobjects", object, external_id_field])),
            true,
        )
        .json(&body);
        save_results(&self.execute(&call).await?, "Salesforce composite upsert")
    }

    /// sObject Collections delete: `DELETE /composite/sobjects?ids=a,b&allOrNone=…`.
    pub async fn delete_records(
        &self,
        ids: &[String],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        if ids.len() > MAX_COLLECTION_RECORDS {
            return Err(too_many(ids.len()));
        }
        let target = Target::path(self.data_path(&["composite", "sobjects"]))
            .query("ids", ids.join(","))
            .query("allOrNone", all_or_none.to_string());
        let call = Call::new(Method::DELETE, target, true);
        save_results(&self.execute(&call).await?, "Salesforce composite delete")
    }
}

fn too_many(n: usize) -> SalesforceError {
    SalesforceError::InvalidRequest(format!(
        "sObject Collections take at most {MAX_COLLECTION_RECORDS} records, got {n}"
    ))
}

/// `{"allOrNone", "records"}`, each record typed. Chunking is the caller's: splitting silently
/// would break `allOrNone`.
fn collection_body(
    object: &str,
    records: &[Value],
    all_or_none: bool,
) -> Result<Value, SalesforceError> {
    if records.len() > MAX_COLLECTION_RECORDS {
        return Err(too_many(records.len()));
    }
    let records: Vec<Value> = records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(map) = r.as_object_mut() {
                map.entry("attributes")
                    .or_insert_with(|| json!({"type": object}));
            }
            r
        })
        .collect();
    Ok(json!({"allOrNone": all_or_none, "records": records}))
}

fn save_results(reply: &Reply, what: &str) -> Result<Vec<SaveResult>, SalesforceError> {
    let value: Value = reply.json(what)?;
    if !value.is_array() {
        return Err(SalesforceError::InvalidResponse(format!(
            "{what} response was not a list"
        )));
    }
    serde_json::from_value(value)
        .map_err(|e| SalesforceError::InvalidResponse(format!("{what} response: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_records_keep_their_own_attributes() {
        let body = collection_body(
            "Account",
            &[
                json!({"Name": "a"}),
                json!({"attributes": {"type": "Contact"}, "LastName": "b"}),
            ],
            true,
        )
        .unwrap();
        assert_eq!(body["records"][0]["attributes"]["type"], "Account");
        assert_eq!(body["records"][1]["attributes"]["type"], "Contact");
        assert_eq!(body["allOrNone"], true);
    }

    #[test]
    fn more_than_two_hundred_records_are_refused_not_split() {
        let records = vec![json!({}); 201];
        assert!(collection_body("Account", &records, false).is_err());
    }
}
