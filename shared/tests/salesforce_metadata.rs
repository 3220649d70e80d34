//! The SOAP Metadata API against wiremock: the envelope we send, DeployResult parsing, faults.

mod salesforce_support;

use base64::Engine;
use salesforce_support::*;
use serde_json::json;
use shared::salesforce::xml;
use shared::salesforce::{DeployOptions, DeployStatus, ListMetadataQuery, TestLevel};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const SOAP_PATH: &str = "/services/Soap/m/60.0";

fn soap(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn names(node: &xml::XmlNode) -> Vec<&str> {
    node.children.iter().map(|c| c.name.as_str()).collect()
}

#[tokio::test]
async fn deploy_sends_the_zip_and_options_in_a_soap_envelope_with_the_session_header() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path(SOAP_PATH))
        .and(raw_header("content-type", "text/xml; charset=UTF-8"))
        .and(raw_header("soapaction", "\"\""))
        .respond_with(ResponseTemplate::new(200).set_body_string(soap(
            "<deployResponse><result><done>false</done><id>0Af3B00001CMyfASAT</id><state>Queued</state></result></deployResponse>",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let zip = b"PK\x03\x04 not really a zip".to_vec();
    let options = DeployOptions {
        check_only: true,
        run_tests: vec!["MyTest".into()],
        test_level: Some(TestLevel::RunSpecifiedTests),
        ..DeployOptions::default()
    };
    let out = client.deploy(&zip, &options).await.unwrap();
    assert_eq!(out.id, "0Af3B00001CMyfASAT");
    assert_eq!(out.state.as_deref(), Some("Queued"));
    assert!(!out.done);

    let requests = server.received_requests().await.unwrap();
    let sent = requests.iter().find(|r| r.url.path() == SOAP_PATH).unwrap();
    let doc = String::from_utf8(sent.body.clone()).unwrap();
    assert!(
        doc.contains(r#"xmlns:met="http://soap.sforce.com/2006/04/metadata""#),
        "{doc}"
    );
    let envelope = xml::parse(&doc).unwrap();
    assert_eq!(names(&envelope), ["Header", "Body"]);
    let session = envelope
        .child("Header")
        .unwrap()
        .child("SessionHeader")
        .unwrap();
    assert_eq!(session.text_of("sessionId"), Some(TOKEN));
    let deploy = envelope.child("Body").unwrap().child("deploy").unwrap();
    let zip_text = deploy.text_of("ZipFile").unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(zip_text)
            .unwrap(),
        zip
    );
    let opts = deploy.child("DeployOptions").unwrap();
    assert_eq!(
        names(opts),
        [
            "allowMissingFiles",
            "autoUpdatePackage",
            "checkOnly",
            "ignoreWarnings",
            "performRetrieve",
            "purgeOnDelete",
            "rollbackOnError",
            "runTests",
            "singlePackage",
            "testLevel"
        ]
    );
    assert_eq!(opts.text_of("checkOnly"), Some("true"));
    assert_eq!(opts.text_of("rollbackOnError"), Some("true"));
    assert_eq!(opts.text_of("singlePackage"), Some("true"));
    assert_eq!(opts.text_of("runTests"), Some("MyTest"));
    assert_eq!(opts.text_of("testLevel"), Some("RunSpecifiedTests"));
}

#[tokio::test]
async fn check_deploy_status_reads_a_single_component_failure() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path(SOAP_PATH))
        .and(|r: &wiremock::Request| {
            let body = String::from_utf8_lossy(&r.body);
            body.contains("<met:checkDeployStatus><met:asyncProcessId>0Af1</met:asyncProcessId><met:includeDetails>true</met:includeDetails></met:checkDeployStatus>")
        })
        .respond_with(ResponseTemplate::new(200).set_body_string(soap(
            r#"<checkDeployStatusResponse><result><checkOnly>false</checkOnly><completedDate>2025-01-01T10:00:05.000Z</completedDate><createdBy>005x</createdBy><createdByName>Ann</createdByName><createdDate>2025-01-01T10:00:00.000Z</createdDate><details><componentFailures><changed>false</changed><columnNumber>0</columnNumber><componentType>CustomField</componentType><created>false</created><createdDate>2025-01-01T10:00:04.000Z</createdDate><deleted>false</deleted><fileName>objects/Foo__c.object</fileName><fullName>Foo__c.Bar__c</fullName><lineNumber>12</lineNumber><problem>Must specify a non-empty label for the CustomObject &amp; its fields</problem><problemType>Error</problemType><success>false</success></componentFailures><runTestResult><numFailures>0</numFailures><numTestsRun>0</numTestsRun><totalTime>0.0</totalTime></runTestResult></details><done>true</done><id>0Af1</id><ignoreWarnings>false</ignoreWarnings><numberComponentErrors>1</numberComponentErrors><numberComponentsDeployed>0</numberComponentsDeployed><numberComponentsTotal>3</numberComponentsTotal><numberTestErrors>0</numberTestErrors><numberTestsCompleted>0</numberTestsCompleted><numberTestsTotal>0</numberTestsTotal><rollbackOnError>true</rollbackOnError><runTestsEnabled>false</runTestsEnabled><startDate>2025-01-01T10:00:01.000Z</startDate><status>Failed</status><success>false</success></result></checkDeployStatusResponse>"#,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let r = client.check_deploy_status("0Af1", true).await.unwrap();
    assert_eq!(r.status, DeployStatus::Failed);
    assert!(r.done && !r.success && r.status.is_terminal());
    assert_eq!(r.number_components_total, 3);
    assert_eq!(r.component_failures.len(), 1);
    let f = &r.component_failures[0];
    assert_eq!(f.full_name, "Foo__c.Bar__c");
    assert_eq!(f.component_type.as_deref(), Some("CustomField"));
    assert_eq!(f.line_number, Some(12));
    assert_eq!(f.problem_type.as_deref(), Some("Error"));
    assert_eq!(
        f.problem.as_deref(),
        Some("Must specify a non-empty label for the CustomObject & its fields")
    );
    assert!(r.failure_for("CustomField", "Foo__c.Bar__c").is_some());
    assert!(r.component_successes.is_empty());
}

#[tokio::test]
async fn check_deploy_status_reads_several_failures_and_successes_with_the_package_row() {
    let (server, client) = org().await;
    let message = |t: &str, name: &str, file: &str, ok: bool, extra: &str| {
        format!(
            "<changed>{ok}</changed><componentType>{t}</componentType><created>{ok}</created><createdDate>2025-01-01T10:00:00.000Z</createdDate><deleted>false</deleted><fileName>{file}</fileName><fullName>{name}</fullName>{extra}<success>{ok}</success>"
        )
    };
    let body = format!(
        "<checkDeployStatusResponse><result><checkOnly>false</checkOnly><createdBy>005x</createdBy><createdByName>Ann</createdByName><createdDate>2025-01-01T10:00:00.000Z</createdDate><details>\
         <componentFailures>{}</componentFailures><componentFailures>{}</componentFailures>\
         <componentSuccesses><changed>true</changed><componentType></componentType><created>false</created><createdDate>2025-01-01T10:00:00.000Z</createdDate><deleted>false</deleted><fileName>package.xml</fileName><fullName>package.xml</fullName><success>true</success></componentSuccesses>\
         <componentSuccesses>{}</componentSuccesses></details><done>true</done><id>0Af2</id><ignoreWarnings>false</ignoreWarnings><numberComponentErrors>0</numberComponentErrors><numberComponentsDeployed>1</numberComponentsDeployed><numberComponentsTotal>3</numberComponentsTotal><numberTestErrors>0</numberTestErrors><numberTestsCompleted>0</numberTestsCompleted><numberTestsTotal>0</numberTestsTotal><rollbackOnError>false</rollbackOnError><runTestsEnabled>false</runTestsEnabled><status>SucceededPartial</status><success>true</success></result></checkDeployStatusResponse>",
        message(
            "CustomField",
            "Foo__c.A__c",
            "objects/Foo__c.object",
            false,
            "<problem>Field A__c: length is required</problem><problemType>Error</problemType>"
        ),
        message(
            "ValidationRule",
            "Foo__c.R1",
            "objects/Foo__c.object",
            false,
            "<problem>Syntax error</problem><problemType>Error</problemType>"
        ),
        message(
            "CustomObject",
            "Foo__c",
            "objects/Foo__c.object",
            true,
            "<id>01I5</id>"
        ),
    );
    Mock::given(method("POST"))
        .and(path(SOAP_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(soap(&body)))
        .mount(&server)
        .await;
    let r = client.check_deploy_status("0Af2", true).await.unwrap();
    assert_eq!(r.status, DeployStatus::SucceededPartial);
    // Counters can lie (numberComponentErrors says 0): the lists are what counts.
    assert_eq!(r.component_failures.len(), 2);
    assert_eq!(r.component_failures[1].full_name, "Foo__c.R1");
    assert_eq!(r.component_successes.len(), 2);
    assert_eq!(r.component_successes[0].component_type, None);
    assert_eq!(
        r.success_for("CustomObject", "Foo__c")
            .unwrap()
            .id
            .as_deref(),
        Some("01I5")
    );
}

#[tokio::test]
async fn a_soap_fault_is_parsed_into_code_and_message() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path(SOAP_PATH))
        .respond_with(ResponseTemplate::new(500).set_body_string(soap(
            "<soapenv:Fault><faultcode>sf:INVALID_CROSS_REFERENCE_KEY</faultcode><faultstring>INVALID_CROSS_REFERENCE_KEY: invalid cross reference id</faultstring></soapenv:Fault>",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .check_deploy_status("0Afbad", false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("INVALID_CROSS_REFERENCE_KEY"));
    assert_eq!(
        rendered(err.into()),
        (
            502,
            json!({"code": "INVALID_CROSS_REFERENCE_KEY",
                     "message": "INVALID_CROSS_REFERENCE_KEY: invalid cross reference id"})
        )
    );
}

#[tokio::test]
async fn list_metadata_sends_queries_and_version_and_reads_file_properties() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path(SOAP_PATH))
        .and(|r: &wiremock::Request| {
            String::from_utf8_lossy(&r.body).contains("<met:listMetadata><met:queries><met:folder>Sales</met:folder><met:type>Report</met:type></met:queries><met:queries><met:type>Flow</met:type></met:queries><met:asOfVersion>60.0</met:asOfVersion></met:listMetadata>")
        })
        .respond_with(ResponseTemplate::new(200).set_body_string(soap(
            "<listMetadataResponse><result><createdById>005x</createdById><createdByName>Ann</createdByName><createdDate>2025-01-01T00:00:00.000Z</createdDate><fileName>reports/Sales/Pipe.report</fileName><fullName>Sales/Pipe</fullName><id>00O1</id><lastModifiedById>005x</lastModifiedById><lastModifiedByName>Ann</lastModifiedByName><lastModifiedDate>2025-01-02T00:00:00.000Z</lastModifiedDate><manageableState>unmanaged</manageableState><type>Report</type></result><result><createdById>005x</createdById><createdByName>Ann</createdByName><createdDate>2025-01-01T00:00:00.000Z</createdDate><fileName>flows/F.flow</fileName><fullName>F</fullName><id>301A</id><lastModifiedById>005x</lastModifiedById><lastModifiedByName>Ann</lastModifiedByName><lastModifiedDate>2025-01-02T00:00:00.000Z</lastModifiedDate><type>Flow</type></result></listMetadataResponse>",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let out = client
        .list_metadata(&[
            ListMetadataQuery {
                metadata_type: "Report".into(),
                folder: Some("Sales".into()),
            },
            ListMetadataQuery {
                metadata_type: "Flow".into(),
                folder: None,
            },
        ])
        .await
        .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].full_name, "Sales/Pipe");
    assert_eq!(out[1].metadata_type, "Flow");
}

#[tokio::test]
async fn read_metadata_returns_records_and_drops_empty_ones() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path(SOAP_PATH))
        .and(|r: &wiremock::Request| {
            String::from_utf8_lossy(&r.body).contains("<met:readMetadata><met:type>CustomObject</met:type><met:fullNames>Foo__c</met:fullNames><met:fullNames>Gone__c</met:fullNames></met:readMetadata>")
        })
        .respond_with(ResponseTemplate::new(200).set_body_string(soap(
            r#"<readMetadataResponse><result><records xsi:type="CustomObject"><fullName>Foo__c</fullName><label>Foo</label><sharingModel>ReadWrite</sharingModel></records><records xsi:type="CustomObject"/></result></readMetadataResponse>"#,
        )))
        .mount(&server)
        .await;
    let out = client
        .read_metadata("CustomObject", &["Foo__c".into(), "Gone__c".into()])
        .await
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].attribute("type"), Some("CustomObject"));
    assert_eq!(out[0].to_json()["label"], "Foo");
}

#[tokio::test]
async fn cancel_deploy_sends_the_id_as_the_wsdl_string_parameter() {
    let (server, client) = org().await;
    Mock::given(method("POST"))
        .and(path(SOAP_PATH))
        .and(|r: &wiremock::Request| {
            String::from_utf8_lossy(&r.body).contains("<met:cancelDeploy><met:String>0Af9</met:String></met:cancelDeploy>")
        })
        .respond_with(ResponseTemplate::new(200).set_body_string(soap(
            "<cancelDeployResponse><result><done>true</done><id>0Af9</id></result></cancelDeployResponse>",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let out = client.cancel_deploy("0Af9").await.unwrap();
    assert!(out.done);
}
