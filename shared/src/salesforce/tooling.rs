//! Tooling API calls (SALESFORCE.md §2): queries, CustomField create and delete, FlowDefinition.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::client::{Call, SalesforceClient, Target};
use super::collections::SaveResult;
use super::error::SalesforceError;

/// A Tooling query page (it has `size`, `queryLocator` and `entityTypeName` besides the REST
/// query keys).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolingQueryPage {
    #[serde(default)]
    pub size: Option<u64>,
    pub total_size: u64,
    pub done: bool,
    #[serde(default)]
    pub query_locator: Option<String>,
    #[serde(default)]
    pub entity_type_name: Option<String>,
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<Value>,
}

/// A FlowDefinition row (its versions are Flow rows).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FlowDefinitionRow {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "DeveloperName")]
    pub developer_name: String,
    #[serde(rename = "ActiveVersionId", default)]
    pub active_version_id: Option<String>,
    #[serde(rename = "LatestVersionId", default)]
    pub latest_version_id: Option<String>,
}

impl SalesforceClient {
    /// `GET /tooling/query/?q=…`.
    pub async fn tooling_query(&self, soql: &str) -> Result<ToolingQueryPage, SalesforceError> {
        let target = Target::slash(self.data_path(&["tooling", "query"])).query("q", soql);
        let reply = self.execute(&Call::get(target)).await?;
        reply.json("Salesforce Tooling query").map_err(|_| {
            SalesforceError::InvalidResponse(
                "Salesforce Tooling query response missing records".into(),
            )
        })
    }

    /// The next Tooling page, from `nextRecordsUrl`.
    pub async fn tooling_query_more(
        &self,
        next_records_url: &str,
    ) -> Result<ToolingQueryPage, SalesforceError> {
        let call = Call::get(Target::Relative(next_records_url.to_string()));
        self.execute(&call).await?.json("Salesforce Tooling query")
    }

    /// `POST /tooling/sobjects/CustomField` `{"FullName": "Object.Field__c", "Metadata": {…}}`.
    /// A duplicate answers 400 `DUPLICATE_DEVELOPER_NAME`, surfaced as an error.
    pub async fn create_custom_field(
        &self,
        full_name: &str,
        metadata: &Value,
    ) -> Result<SaveResult, SalesforceError> {
        let body = json!({"FullName": full_name, "Metadata": metadata});
        let call = Call::new(
            Method::POST,
            Target::path(self.data_path(&["tooling", "sobjects", "CustomField"])),
            false,
        )
        .json(&body);
        let reply = self.execute(&call).await?;
        let value: Value = reply.json("Tooling API custom field")?;
        if !value.is_object() {
            return Err(SalesforceError::InvalidResponse(
                "Tooling API custom field response was not an object".into(),
            ));
        }
        serde_json::from_value(value).map_err(|e| {
            SalesforceError::InvalidResponse(format!("Tooling API custom field response: {e}"))
        })
    }

    /// `DELETE /tooling/sobjects/CustomField/{id}` (204).
    pub async fn delete_custom_field(&self, id: &str) -> Result<(), SalesforceError> {
        self.delete_tooling_record("CustomField", id).await
    }

    /// `DELETE /tooling/sobjects/{type}/{id}` (204).
    pub async fn delete_tooling_record(
        &self,
        sobject: &str,
        id: &str,
    ) -> Result<(), SalesforceError> {
        let target = Target::path(self.data_path(&["tooling", "sobjects", sobject, id]));
        self.execute(&Call::new(Method::DELETE, target, true))
            .await?;
        Ok(())
    }

    /// FlowDefinitions, all or those with the given developer names, ordered by name.
    pub async fn flow_definitions(
        &self,
        developer_names: &[&str],
    ) -> Result<Vec<FlowDefinitionRow>, SalesforceError> {
        let mut soql =
            "SELECT Id, DeveloperName, ActiveVersionId, LatestVersionId FROM FlowDefinition"
                .to_string();
        if !developer_names.is_empty() {
            let names: Vec<String> = developer_names.iter().map(|n| soql_quote(n)).collect();
            soql.push_str(&format!(" WHERE DeveloperName IN ({})", names.join(", ")));
        }
        soql.push_str(" ORDER BY DeveloperName");
        let mut page = self.tooling_query(&soql).await?;
        let mut rows = std::mem::take(&mut page.records);
        while let (false, Some(next)) = (page.done, page.next_records_url.clone()) {
            page = self.tooling_query_more(&next).await?;
            rows.append(&mut page.records);
        }
        rows.into_iter()
            .map(|r| {
                serde_json::from_value(r).map_err(|e| {
                    SalesforceError::InvalidResponse(format!("FlowDefinition row: {e}"))
                })
            })
            .collect()
    }

    /// Sets a flow's active version (`None` deactivates):
    /// `PATCH /tooling/sobjects/FlowDefinition/{id}` `{"Metadata": {"activeVersionNumber": n}}`.
    pub async fn set_active_flow_version(
        &self,
        flow_definition_id: &str,
        version: Option<u32>,
    ) -> Result<(), SalesforceError> {
        let target = Target::path(self.data_path(&[
            "tooling",
            "sobjects",
            "FlowDefinition",
            flow_definition_id,
        ]));
        let body = json!({"Metadata": {"activeVersionNumber": version.unwrap_or(0)}});
        self.execute(&Call::new(Method::PATCH, target, true).json(&body))
            .await?;
        Ok(())
    }
}

/// A SOQL string literal with every escape SOQL defines: backslash, single and double quote,
/// newline, carriage return, tab, backspace and form feed. LIKE wildcards are left alone (they
/// only mean something after LIKE, where callers escape them on purpose).
pub fn soql_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soql_literals_escape_quotes_and_backslashes() {
        assert_eq!(soql_quote("O'Brien\\x"), r"'O\'Brien\\x'");
        assert_eq!(
            soql_quote("a\"b\u{8}c\u{c}d\ne\rf\tg%_"),
            r#"'a\"b\bc\fd\ne\rf\tg%_'"#
        );
    }
}
