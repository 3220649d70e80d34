//! The result of a deploy as `checkDeployStatus` reports it (SALESFORCE.md §3.2): status,
//! per-component successes and failures, test failures.

use super::xml::XmlNode;

/// A deploy's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployStatus {
    Pending,
    InProgress,
    Succeeded,
    SucceededPartial,
    Failed,
    Canceling,
    Canceled,
    Other(String),
}

impl DeployStatus {
    fn parse(s: &str) -> DeployStatus {
        match s {
            "Pending" => DeployStatus::Pending,
            "InProgress" => DeployStatus::InProgress,
            "Succeeded" => DeployStatus::Succeeded,
            "SucceededPartial" => DeployStatus::SucceededPartial,
            "Failed" => DeployStatus::Failed,
            "Canceling" => DeployStatus::Canceling,
            "Canceled" => DeployStatus::Canceled,
            other => DeployStatus::Other(other.to_string()),
        }
    }

    /// Whether the deploy has finished (one way or another).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            DeployStatus::Succeeded
                | DeployStatus::SucceededPartial
                | DeployStatus::Failed
                | DeployStatus::Canceled
        )
    }
}

/// One component's outcome (`DeployMessage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployMessage {
    pub changed: bool,
    pub column_number: Option<i64>,
    /// Empty for the `package.xml` row.
    pub component_type: Option<String>,
    pub created: bool,
    pub created_date: Option<String>,
    pub deleted: bool,
    pub file_name: String,
    pub full_name: String,
    pub id: Option<String>,
    pub line_number: Option<i64>,
    pub problem: Option<String>,
    /// `Warning | Error | Info`.
    pub problem_type: Option<String>,
    pub success: bool,
}

/// A failed Apex test of the deploy's test run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFailure {
    pub name: String,
    pub method_name: Option<String>,
    pub message: String,
    pub stack_trace: Option<String>,
}

/// `DeployResult`, with the details of `includeDetails=true`. Read `status`, `success` and the
/// component lists: counters are not reliable (SALESFORCE.md §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployResult {
    pub id: String,
    pub done: bool,
    pub status: DeployStatus,
    pub success: bool,
    pub check_only: bool,
    pub error_message: Option<String>,
    pub error_status_code: Option<String>,
    pub state_detail: Option<String>,
    pub created_date: Option<String>,
    pub start_date: Option<String>,
    pub completed_date: Option<String>,
    pub number_component_errors: i64,
    pub number_components_deployed: i64,
    pub number_components_total: i64,
    pub number_test_errors: i64,
    pub number_tests_completed: i64,
    pub number_tests_total: i64,
    pub component_successes: Vec<DeployMessage>,
    pub component_failures: Vec<DeployMessage>,
    pub test_failures: Vec<TestFailure>,
}

impl DeployResult {
    /// The failure for a component, by type and full name.
    pub fn failure_for(&self, component_type: &str, full_name: &str) -> Option<&DeployMessage> {
        self.component_failures.iter().find(|m| {
            m.full_name == full_name && m.component_type.as_deref() == Some(component_type)
        })
    }

    /// The success entry for a component, by type and full name.
    pub fn success_for(&self, component_type: &str, full_name: &str) -> Option<&DeployMessage> {
        self.component_successes.iter().find(|m| {
            m.full_name == full_name && m.component_type.as_deref() == Some(component_type)
        })
    }
}

/// Reads a `DeployResult` element.
pub fn parse_deploy_result(r: &XmlNode) -> DeployResult {
    let details = r.child("details");
    let messages = |name: &str| -> Vec<DeployMessage> {
        details
            .map(|d| d.children_named(name).map(parse_deploy_message).collect())
            .unwrap_or_default()
    };
    let test_failures = details
        .and_then(|d| d.child("runTestResult"))
        .map(|t| {
            t.children_named("failures")
                .map(|f| TestFailure {
                    name: f.string("name"),
                    method_name: f.opt_string("methodName"),
                    message: f.string("message"),
                    stack_trace: f.opt_string("stackTrace"),
                })
                .collect()
        })
        .unwrap_or_default();
    DeployResult {
        id: r.string("id"),
        done: r.flag("done"),
        status: DeployStatus::parse(r.text_of("status").unwrap_or_default().trim()),
        success: r.flag("success"),
        check_only: r.flag("checkOnly"),
        error_message: r.opt_string("errorMessage"),
        error_status_code: r.opt_string("errorStatusCode"),
        state_detail: r.opt_string("stateDetail"),
        created_date: r.opt_string("createdDate"),
        start_date: r.opt_string("startDate"),
        completed_date: r.opt_string("completedDate"),
        number_component_errors: r.int("numberComponentErrors"),
        number_components_deployed: r.int("numberComponentsDeployed"),
        number_components_total: r.int("numberComponentsTotal"),
        number_test_errors: r.int("numberTestErrors"),
        number_tests_completed: r.int("numberTestsCompleted"),
        number_tests_total: r.int("numberTestsTotal"),
        component_successes: messages("componentSuccesses"),
        component_failures: messages("componentFailures"),
        test_failures,
    }
}

fn parse_deploy_message(m: &XmlNode) -> DeployMessage {
    DeployMessage {
        changed: m.flag("changed"),
        column_number: m.opt_int("columnNumber"),
        component_type: m.opt_string("componentType"),
        created: m.flag("created"),
        created_date: m.opt_string("createdDate"),
        deleted: m.flag("deleted"),
        file_name: m.string("fileName"),
        full_name: m.string("fullName"),
        id: m.opt_string("id"),
        line_number: m.opt_int("lineNumber"),
        problem: m.opt_string("problem"),
        problem_type: m.opt_string("problemType"),
        success: m.flag("success"),
    }
}
