//! SOAP Metadata API calls (SALESFORCE.md §3): file-based deploy and its status, cancel, and
//! the listMetadata / readMetadata reads.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use quick_xml::Writer;
use quick_xml::events::BytesText;
use reqwest::Method;

use super::client::{Call, SalesforceClient, SoapBody, Target};
use super::deploy_result::parse_deploy_result;
pub use super::deploy_result::{DeployMessage, DeployResult, DeployStatus, TestFailure};
use super::error::SalesforceError;
use super::soap::{response_results, text_element};
use super::xml::XmlNode;

/// readMetadata takes at most 10 names per call; listMetadata 3 queries (SALESFORCE.md §3.4).
pub const MAX_READ_METADATA: usize = 10;
pub const MAX_LIST_METADATA_QUERIES: usize = 3;
/// Uploading a zip can take longer than an ordinary call.
const DEPLOY_TIMEOUT: Duration = Duration::from_secs(120);

/// Which tests a deploy runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestLevel {
    NoTestRun,
    RunSpecifiedTests,
    RunLocalTests,
    RunAllTestsInOrg,
}

impl TestLevel {
    fn as_str(self) -> &'static str {
        match self {
            TestLevel::NoTestRun => "NoTestRun",
            TestLevel::RunSpecifiedTests => "RunSpecifiedTests",
            TestLevel::RunLocalTests => "RunLocalTests",
            TestLevel::RunAllTestsInOrg => "RunAllTestsInOrg",
        }
    }
}

/// `DeployOptions`, written in the WSDL's order; every boolean is always sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployOptions {
    pub allow_missing_files: bool,
    pub auto_update_package: bool,
    /// Validate only; nothing changes.
    pub check_only: bool,
    pub ignore_warnings: bool,
    pub perform_retrieve: bool,
    pub purge_on_delete: bool,
    pub rollback_on_error: bool,
    pub run_tests: Vec<String>,
    pub single_package: bool,
    pub test_level: Option<TestLevel>,
}

impl Default for DeployOptions {
    /// All or nothing, one package, no tests: what the deploy features want.
    fn default() -> Self {
        DeployOptions {
            allow_missing_files: false,
            auto_update_package: false,
            check_only: false,
            ignore_warnings: false,
            perform_retrieve: false,
            purge_on_delete: false,
            rollback_on_error: true,
            run_tests: Vec::new(),
            single_package: true,
            test_level: Some(TestLevel::NoTestRun),
        }
    }
}

/// The answer to `deploy`: the async process id to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncResult {
    pub id: String,
    pub done: bool,
    /// `Queued | InProgress | Completed | Error`.
    pub state: Option<String>,
    pub message: Option<String>,
    pub status_code: Option<String>,
}

/// `CancelDeployResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelDeployResult {
    pub id: String,
    pub done: bool,
}

/// One `ListMetadataQuery`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMetadataQuery {
    pub metadata_type: String,
    /// For folder-based types (Report, Dashboard): the folder.
    pub folder: Option<String>,
}

/// `FileProperties` of listMetadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProperties {
    pub full_name: String,
    pub file_name: String,
    pub metadata_type: String,
    pub id: String,
    pub created_date: Option<String>,
    pub last_modified_date: Option<String>,
    pub manageable_state: Option<String>,
    pub namespace_prefix: Option<String>,
}

impl SalesforceClient {
    /// `deploy`: submits a zip (see [`super::package`]); poll with
    /// [`Self::check_deploy_status`]. Not retried after an ambiguous failure: a second
    /// submission would deploy twice.
    pub async fn deploy(
        &self,
        zip: &[u8],
        options: &DeployOptions,
    ) -> Result<AsyncResult, SalesforceError> {
        let zip_base64 = base64::engine::general_purpose::STANDARD.encode(zip);
        let options = options.clone();
        let body: Arc<SoapBody> = Arc::new(move |w| {
            w.create_element("met:deploy").write_inner_content(|w| {
                w.create_element("met:ZipFile")
                    .write_text_content(BytesText::from_escaped(zip_base64.as_str()))?;
                w.create_element("met:DeployOptions")
                    .write_inner_content(|w| write_deploy_options(w, &options))?;
                Ok(())
            })?;
            Ok(())
        });
        let reply = self
            .execute(&self.soap_call(body, false).timeout(DEPLOY_TIMEOUT))
            .await?;
        let result = first_result(&reply.body, "deploy")?;
        Ok(AsyncResult {
            id: result.string("id"),
            done: result.flag("done"),
            state: result.opt_string("state"),
            message: result.opt_string("message"),
            status_code: result.opt_string("statusCode"),
        })
    }

    /// `checkDeployStatus(asyncProcessId, includeDetails)`.
    pub async fn check_deploy_status(
        &self,
        id: &str,
        include_details: bool,
    ) -> Result<DeployResult, SalesforceError> {
        let id = id.to_string();
        let body: Arc<SoapBody> = Arc::new(move |w| {
            w.create_element("met:checkDeployStatus")
                .write_inner_content(|w| {
                    text_element(w, "asyncProcessId", &id)?;
                    text_element(w, "includeDetails", bool_text(include_details))
                })?;
            Ok(())
        });
        let reply = self.execute(&self.soap_call(body, true)).await?;
        Ok(parse_deploy_result(&first_result(
            &reply.body,
            "checkDeployStatus",
        )?))
    }

    /// `cancelDeploy(id)`.
    pub async fn cancel_deploy(&self, id: &str) -> Result<CancelDeployResult, SalesforceError> {
        let id = id.to_string();
        let body: Arc<SoapBody> = Arc::new(move |w| {
            w.create_element("met:cancelDeploy")
                .write_inner_content(|w| text_element(w, "String", &id))?;
            Ok(())
        });
        let reply = self.execute(&self.soap_call(body, true)).await?;
        let result = first_result(&reply.body, "cancelDeploy")?;
        Ok(CancelDeployResult {
            id: result.string("id"),
            done: result.flag("done"),
        })
    }

    /// `listMetadata(queries, asOfVersion)`, at most 3 queries.
    pub async fn list_metadata(
        &self,
        queries: &[ListMetadataQuery],
    ) -> Result<Vec<FileProperties>, SalesforceError> {
        if queries.is_empty() || queries.len() > MAX_LIST_METADATA_QUERIES {
            return Err(SalesforceError::InvalidRequest(format!(
                "listMetadata takes 1 to {MAX_LIST_METADATA_QUERIES} queries, got {}",
                queries.len()
            )));
        }
        let queries = queries.to_vec();
        let version = self.metadata_version().to_string();
        let body: Arc<SoapBody> = Arc::new(move |w| {
            w.create_element("met:listMetadata")
                .write_inner_content(|w| {
                    for q in &queries {
                        w.create_element("met:queries").write_inner_content(|w| {
                            if let Some(folder) = &q.folder {
                                text_element(w, "folder", folder)?;
                            }
                            text_element(w, "type", &q.metadata_type)
                        })?;
                    }
                    text_element(w, "asOfVersion", &version)
                })?;
            Ok(())
        });
        let reply = self.execute(&self.soap_call(body, true)).await?;
        Ok(response_results(&reply.body, "listMetadata")?
            .iter()
            .map(|r| FileProperties {
                full_name: r.string("fullName"),
                file_name: r.string("fileName"),
                metadata_type: r.string("type"),
                id: r.string("id"),
                created_date: r.opt_string("createdDate"),
                last_modified_date: r.opt_string("lastModifiedDate"),
                manageable_state: r.opt_string("manageableState"),
                namespace_prefix: r.opt_string("namespacePrefix"),
            })
            .collect())
    }

    /// `readMetadata(type, fullNames)`, at most 10 names: the `records` elements as read.
    /// Salesforce answers a missing name with an empty record (only `xsi:type`), which is
    /// dropped here.
    pub async fn read_metadata(
        &self,
        metadata_type: &str,
        full_names: &[String],
    ) -> Result<Vec<XmlNode>, SalesforceError> {
        if full_names.is_empty() || full_names.len() > MAX_READ_METADATA {
            return Err(SalesforceError::InvalidRequest(format!(
                "readMetadata takes 1 to {MAX_READ_METADATA} names, got {}",
                full_names.len()
            )));
        }
        let metadata_type = metadata_type.to_string();
        let full_names = full_names.to_vec();
        let body: Arc<SoapBody> = Arc::new(move |w| {
            w.create_element("met:readMetadata")
                .write_inner_content(|w| {
                    text_element(w, "type", &metadata_type)?;
                    for name in &full_names {
                        text_element(w, "fullNames", name)?;
                    }
                    Ok(())
                })?;
            Ok(())
        });
        let reply = self.execute(&self.soap_call(body, true)).await?;
        let result = first_result(&reply.body, "readMetadata")?;
        Ok(result
            .children_named("records")
            .filter(|r| !r.children.is_empty())
            .cloned()
            .collect())
    }

    fn soap_call(&self, body: Arc<SoapBody>, idempotent: bool) -> Call {
        let path = vec![
            "services".to_string(),
            "Soap".to_string(),
            "m".to_string(),
            self.metadata_version().to_string(),
        ];
        Call::new(Method::POST, Target::path(path), idempotent).soap(body)
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn write_deploy_options(w: &mut Writer<Vec<u8>>, o: &DeployOptions) -> std::io::Result<()> {
    text_element(w, "allowMissingFiles", bool_text(o.allow_missing_files))?;
    text_element(w, "autoUpdatePackage", bool_text(o.auto_update_package))?;
    text_element(w, "checkOnly", bool_text(o.check_only))?;
    text_element(w, "ignoreWarnings", bool_text(o.ignore_warnings))?;
    text_element(w, "performRetrieve", bool_text(o.perform_retrieve))?;
    text_element(w, "purgeOnDelete", bool_text(o.purge_on_delete))?;
    text_element(w, "rollbackOnError", bool_text(o.rollback_on_error))?;
    for test in &o.run_tests {
        text_element(w, "runTests", test)?;
    }
    text_element(w, "singlePackage", bool_text(o.single_package))?;
    if let Some(level) = o.test_level {
        text_element(w, "testLevel", level.as_str())?;
    }
    Ok(())
}

fn first_result(body: &[u8], op: &str) -> Result<XmlNode, SalesforceError> {
    response_results(body, op)?
        .into_iter()
        .next()
        .ok_or_else(|| SalesforceError::InvalidResponse(format!("{op} response had no result")))
}
