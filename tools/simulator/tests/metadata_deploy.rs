//! SOAP Metadata deploys that really change the org: every field type maps to the describe shape
//! of SALESFORCE.md §1.2, destructive changes remove it, failures and checkOnly leave it alone.

mod common;

use std::io::Write;

use base64::Engine;
use reqwest::Method;
use serde_json::Value;
use simulator::DeployBehaviour;
use zip::write::SimpleFileOptions;

const NS: &str = r#"xmlns="http://soap.sforce.com/2006/04/metadata""#;

fn zip(files: &[(&str, String)]) -> String {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, body) in files {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(buf.into_inner())
}

fn package(types: &[(&str, &[&str])]) -> String {
    let mut s = format!(r#"<?xml version="1.0" encoding="UTF-8"?><Package {NS}>"#);
    for (name, members) in types {
        s.push_str("<types>");
        for m in *members {
            s.push_str(&format!("<members>{m}</members>"));
        }
        s.push_str(&format!("<name>{name}</name></types>"));
    }
    s.push_str("<version>60.0</version></Package>");
    s
}

fn envelope(token: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:met="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><met:SessionHeader><met:sessionId>{token}</met:sessionId></met:SessionHeader></soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

async fn soap(e: &common::Env, body: &str) -> (u16, String) {
    let r = e
        .http
        .post(format!("{}/services/Soap/m/60.0", e.base))
        .header("Content-Type", "text/xml; charset=UTF-8")
        .header("SOAPAction", "\"\"")
        .body(envelope(&e.token, body))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let i = xml.find(&open)? + open.len();
    let j = xml[i..].find(&format!("</{name}>"))? + i;
    Some(&xml[i..j])
}

async fn deploy(e: &common::Env, zip_b64: &str, check_only: bool) -> String {
    let body = format!(
        "<met:deploy><met:ZipFile>{zip_b64}</met:ZipFile><met:DeployOptions><met:allowMissingFiles>false</met:allowMissingFiles><met:autoUpdatePackage>false</met:autoUpdatePackage><met:checkOnly>{check_only}</met:checkOnly><met:ignoreWarnings>false</met:ignoreWarnings><met:performRetrieve>false</met:performRetrieve><met:purgeOnDelete>false</met:purgeOnDelete><met:rollbackOnError>true</met:rollbackOnError><met:singlePackage>true</met:singlePackage><met:testLevel>NoTestRun</met:testLevel></met:DeployOptions></met:deploy>"
    );
    let (s, xml) = soap(e, &body).await;
    assert_eq!(s, 200, "{xml}");
    assert_eq!(tag(&xml, "state"), Some("Queued"));
    assert_eq!(tag(&xml, "done"), Some("false"));
    tag(&xml, "id").unwrap().to_string()
}

async fn check(e: &common::Env, id: &str) -> String {
    let body = format!(
        "<met:checkDeployStatus><met:asyncProcessId>{id}</met:asyncProcessId><met:includeDetails>true</met:includeDetails></met:checkDeployStatus>"
    );
    let (s, xml) = soap(e, &body).await;
    assert_eq!(s, 200, "{xml}");
    xml
}

async fn wait(e: &common::Env, id: &str) -> String {
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let xml = check(e, id).await;
        statuses.push(tag(&xml, "status").unwrap_or_default().to_string());
        if tag(&xml, "done") == Some("true") {
            assert!(statuses.iter().any(|s| s == "InProgress"), "{statuses:?}");
            return xml;
        }
    }
    panic!("deploy never finished: {statuses:?}");
}

fn parent_object() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><CustomObject {NS}><deploymentStatus>Deployed</deploymentStatus><label>Parent</label><nameField><label>Parent Name</label><type>Text</type></nameField><pluralLabel>Parents</pluralLabel><sharingModel>ReadWrite</sharingModel>
<fields><fullName>Code__c</fullName><externalId>true</externalId><label>Code</label><length>40</length><required>false</required><type>Text</type><unique>true</unique></fields>
<fields><fullName>Notes__c</fullName><label>Notes</label><type>TextArea</type></fields>
<fields><fullName>Story__c</fullName><label>Story</label><length>32768</length><type>LongTextArea</type><visibleLines>3</visibleLines></fields>
<fields><fullName>Score__c</fullName><label>Score</label><precision>10</precision><scale>2</scale><type>Number</type></fields>
<fields><fullName>Budget__c</fullName><label>Budget</label><precision>18</precision><scale>0</scale><type>Currency</type></fields>
<fields><fullName>Rate__c</fullName><label>Rate</label><precision>5</precision><scale>2</scale><type>Percent</type></fields>
<fields><fullName>Active__c</fullName><defaultValue>false</defaultValue><label>Active</label><type>Checkbox</type></fields>
<fields><fullName>Start__c</fullName><label>Start</label><type>Date</type></fields>
<fields><fullName>Seen__c</fullName><label>Seen</label><type>DateTime</type></fields>
<fields><fullName>Mail__c</fullName><label>Mail</label><type>Email</type></fields>
<fields><fullName>Tel__c</fullName><label>Tel</label><type>Phone</type></fields>
<fields><fullName>Site__c</fullName><label>Site</label><type>Url</type></fields>
<fields><fullName>Stage__c</fullName><label>Stage</label><type>Picklist</type><valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted><value><fullName>New</fullName><default>true</default><label>New</label></value><value><fullName>Done</fullName><default>false</default><label>Done</label></value></valueSetDefinition></valueSet></fields>
<fields><fullName>Tags__c</fullName><label>Tags</label><type>MultiselectPicklist</type><visibleLines>3</visibleLines><valueSet><valueSetDefinition><sorted>false</sorted><value><fullName>A</fullName><default>false</default><label>A</label></value><value><fullName>B</fullName><default>false</default><label>B</label></value></valueSetDefinition></valueSet></fields>
<fields><fullName>Account__c</fullName><deleteConstraint>SetNull</deleteConstraint><label>Account</label><referenceTo>Account</referenceTo><relationshipName>Parents</relationshipName><type>Lookup</type></fields>
<validationRules><fullName>Needs_Code</fullName><active>true</active><errorConditionFormula>ISBLANK(Code__c)</errorConditionFormula><errorMessage>Code is required</errorMessage></validationRules>
</CustomObject>"#
    )
}

fn child_object(sharing: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><CustomObject {NS}><deploymentStatus>Deployed</deploymentStatus><label>Child</label><nameField><label>Child Name</label><type>Text</type></nameField><pluralLabel>Children</pluralLabel><sharingModel>{sharing}</sharingModel>
<fields><fullName>Parent__c</fullName><label>Parent</label><referenceTo>Parent__c</referenceTo><relationshipName>Children</relationshipName><relationshipOrder>0</relationshipOrder><type>MasterDetail</type></fields>
</CustomObject>"#
    )
}

fn field<'a>(d: &'a Value, name: &str) -> &'a Value {
    d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn shape(f: &Value) -> (String, u64, u64, u64, String, u64) {
    (
        f["type"].as_str().unwrap().to_string(),
        f["length"].as_u64().unwrap(),
        f["precision"].as_u64().unwrap(),
        f["scale"].as_u64().unwrap(),
        f["soapType"].as_str().unwrap().to_string(),
        f["byteLength"].as_u64().unwrap(),
    )
}

fn s(t: &str, l: u64, p: u64, sc: u64, soap: &str, b: u64) -> (String, u64, u64, u64, String, u64) {
    (t.into(), l, p, sc, soap.into(), b)
}

#[tokio::test]
async fn a_deploy_creates_objects_whose_describe_matches_the_type_table_and_a_destructive_deploy_removes_them()
 {
    let e = common::env().await;
    let z = zip(&[
        (
            "package.xml",
            package(&[("CustomObject", &["Parent__c", "Child__c"])]),
        ),
        ("objects/Parent__c.object", parent_object()),
        (
            "objects/Child__c.object",
            child_object("ControlledByParent"),
        ),
    ]);
    let id = deploy(&e, &z, false).await;
    assert!(id.starts_with("0Af"));
    // Not applied before the deploy is done.
    assert_eq!(e.get_json("/sobjects/Parent__c/describe").await.0, 404);
    let xml = wait(&e, &id).await;
    assert_eq!(tag(&xml, "status"), Some("Succeeded"), "{xml}");
    assert_eq!(tag(&xml, "success"), Some("true"));
    assert!(xml.contains("<componentSuccesses>"));
    assert!(xml.contains("<fullName>Parent__c.Code__c</fullName>"));
    assert!(!xml.contains("<componentFailures>"));

    let (st, d) = e.get_json("/sobjects/Parent__c/describe").await;
    assert_eq!(st, 200);
    assert_eq!(d["custom"], true);
    assert_eq!(
        shape(field(&d, "Code__c")),
        s("string", 40, 0, 0, "xsd:string", 120)
    );
    assert_eq!(field(&d, "Code__c")["externalId"], true);
    assert_eq!(field(&d, "Code__c")["unique"], true);
    assert_eq!(
        shape(field(&d, "Notes__c")),
        s("textarea", 255, 0, 0, "xsd:string", 765)
    );
    assert_eq!(field(&d, "Notes__c")["extraTypeInfo"], "plaintextarea");
    assert_eq!(
        shape(field(&d, "Story__c")),
        s("textarea", 32768, 0, 0, "xsd:string", 98304)
    );
    assert_eq!(
        shape(field(&d, "Score__c")),
        s("double", 0, 10, 2, "xsd:double", 0)
    );
    assert_eq!(field(&d, "Score__c")["digits"], 0);
    assert_eq!(
        shape(field(&d, "Budget__c")),
        s("currency", 0, 18, 0, "xsd:double", 0)
    );
    assert_eq!(
        shape(field(&d, "Rate__c")),
        s("percent", 0, 5, 2, "xsd:double", 0)
    );
    let active = field(&d, "Active__c");
    assert_eq!(shape(active), s("boolean", 0, 0, 0, "xsd:boolean", 0));
    assert_eq!(
        (
            active["nillable"].clone(),
            active["defaultedOnCreate"].clone(),
            active["defaultValue"].clone()
        ),
        (Value::Bool(false), Value::Bool(true), Value::Bool(false))
    );
    assert_eq!(
        shape(field(&d, "Start__c")),
        s("date", 0, 0, 0, "xsd:date", 0)
    );
    assert_eq!(
        shape(field(&d, "Seen__c")),
        s("datetime", 0, 0, 0, "xsd:dateTime", 0)
    );
    assert_eq!(
        shape(field(&d, "Mail__c")),
        s("email", 80, 0, 0, "xsd:string", 240)
    );
    assert_eq!(
        shape(field(&d, "Tel__c")),
        s("phone", 40, 0, 0, "xsd:string", 120)
    );
    assert_eq!(
        shape(field(&d, "Site__c")),
        s("url", 255, 0, 0, "xsd:string", 765)
    );
    let stage = field(&d, "Stage__c");
    assert_eq!(shape(stage), s("picklist", 255, 0, 0, "xsd:string", 765));
    assert_eq!(stage["picklistValues"][0]["value"], "New");
    assert_eq!(stage["picklistValues"][0]["defaultValue"], true);
    assert_eq!(stage["restrictedPicklist"], true);
    assert_eq!(
        shape(field(&d, "Tags__c")),
        s("multipicklist", 4099, 3, 0, "xsd:string", 4099)
    );
    let acc = field(&d, "Account__c");
    assert_eq!(shape(acc), s("reference", 18, 0, 0, "tns:ID", 18));
    assert_eq!(acc["referenceTo"], serde_json::json!(["Account"]));
    assert_eq!(acc["relationshipName"], "Account__r");

    let (_, c) = e.get_json("/sobjects/Child__c/describe").await;
    let md = field(&c, "Parent__c");
    assert_eq!(shape(md), s("reference", 18, 0, 0, "tns:ID", 18));
    assert_eq!(
        (md["nillable"].clone(), md["cascadeDelete"].clone()),
        (Value::Bool(false), Value::Bool(true))
    );
    assert!(
        c["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["name"] != "OwnerId")
    );
    let (_, p) = e.get_json("/sobjects/Parent__c/describe").await;
    assert!(
        p["childRelationships"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["childSObject"] == "Child__c" && r["relationshipName"] == "Children__r")
    );
    let (_, a) = e.get_json("/sobjects/Account/describe").await;
    assert!(
        a["childRelationships"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["childSObject"] == "Parent__c" && r["relationshipName"] == "Parents__r")
    );

    // The validation rule is live: a Parent without Code__c is refused.
    let (st, b) = e
        .send_json(
            Method::POST,
            "/sobjects/Parent__c",
            serde_json::json!({"Name": "p"}),
        )
        .await;
    assert_eq!(st, 400);
    assert_eq!(b[0]["errorCode"], "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    let (st, _) = e
        .send_json(
            Method::POST,
            "/sobjects/Parent__c",
            serde_json::json!({"Name": "p", "Code__c": "P1"}),
        )
        .await;
    assert_eq!(st, 201);

    // Destructive deploy removes both objects.
    let destructive = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Package {NS}><types><members>Child__c</members><members>Parent__c</members><name>CustomObject</name></types></Package>"#
    );
    let z = zip(&[
        ("package.xml", package(&[])),
        ("destructiveChanges.xml", destructive),
    ]);
    let id = deploy(&e, &z, false).await;
    let xml = wait(&e, &id).await;
    assert_eq!(tag(&xml, "status"), Some("Succeeded"), "{xml}");
    assert!(xml.contains("<deleted>true</deleted>"));
    assert_eq!(e.get_json("/sobjects/Parent__c/describe").await.0, 404);
    assert_eq!(e.get_json("/sobjects/Child__c/describe").await.0, 404);
    let (_, g) = e.get_json("/sobjects").await;
    assert!(
        g["sobjects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["name"] != "Parent__c")
    );
}

#[tokio::test]
async fn invalid_components_fail_with_salesforce_problems_and_roll_back() {
    let e = common::env().await;
    let bad_text = format!(
        r#"<CustomObject {NS}><fields><fullName>NoLen__c</fullName><label>No Len</label><type>Text</type></fields></CustomObject>"#
    );
    let z = zip(&[
        (
            "package.xml",
            package(&[("CustomObject", &["Parent__c", "Child__c", "Account"])]),
        ),
        ("objects/Parent__c.object", parent_object()),
        ("objects/Child__c.object", child_object("ReadWrite")),
        ("objects/Account.object", bad_text),
    ]);
    let id = deploy(&e, &z, false).await;
    let xml = wait(&e, &id).await;
    assert_eq!(tag(&xml, "status"), Some("Failed"));
    assert_eq!(tag(&xml, "success"), Some("false"));
    assert!(
        xml.contains(
            "<problem>Must specify &apos;length&apos; for a CustomField of type Text</problem>"
        ) || xml
            .contains("<problem>Must specify 'length' for a CustomField of type Text</problem>"),
        "{xml}"
    );
    assert!(xml.contains("Cannot set sharingModel to ReadWrite on a CustomObject with a MasterDetail relationship field"), "{xml}");
    assert!(xml.contains("<problemType>Error</problemType>"));
    // rollbackOnError: nothing from this deploy exists.
    assert_eq!(e.get_json("/sobjects/Parent__c/describe").await.0, 404);
}

#[tokio::test]
async fn check_only_validates_without_changing_the_org() {
    let e = common::env().await;
    let z = zip(&[
        ("package.xml", package(&[("CustomObject", &["Parent__c"])])),
        ("objects/Parent__c.object", parent_object()),
    ]);
    let id = deploy(&e, &z, true).await;
    let xml = wait(&e, &id).await;
    assert_eq!(tag(&xml, "status"), Some("Succeeded"));
    assert_eq!(tag(&xml, "checkOnly"), Some("true"));
    assert_eq!(e.get_json("/sobjects/Parent__c/describe").await.0, 404);
}

#[tokio::test]
async fn a_held_deploy_stays_in_progress_until_released_and_can_be_canceled() {
    let e = common::env().await;
    e.sim.set_deploy_behaviour(DeployBehaviour {
        hold_in_progress: true,
        ..DeployBehaviour::default()
    });
    let z = zip(&[
        ("package.xml", package(&[("CustomObject", &["Parent__c"])])),
        ("objects/Parent__c.object", parent_object()),
    ]);
    let id = deploy(&e, &z, false).await;
    for _ in 0..5 {
        let xml = check(&e, &id).await;
        assert_eq!(tag(&xml, "status"), Some("InProgress"));
        assert_eq!(tag(&xml, "done"), Some("false"));
    }
    e.sim.set_deploy_behaviour(DeployBehaviour {
        polls_until_done: 1,
        ..DeployBehaviour::default()
    });
    let xml = check(&e, &id).await;
    assert_eq!(tag(&xml, "status"), Some("Succeeded"));
    // Cancel a second one while held.
    e.sim.set_deploy_behaviour(DeployBehaviour {
        hold_in_progress: true,
        ..DeployBehaviour::default()
    });
    let id2 = deploy(&e, &z, false).await;
    let (_, xml) = soap(
        &e,
        &format!("<met:cancelDeploy><met:String>{id2}</met:String></met:cancelDeploy>"),
    )
    .await;
    assert_eq!(tag(&xml, "done"), Some("false"));
    let xml = check(&e, &id2).await;
    assert_eq!(tag(&xml, "status"), Some("Canceled"));
}

#[tokio::test]
async fn an_expired_session_gets_the_invalid_session_id_fault() {
    let e = common::env().await;
    e.sim.expire_token(&e.org_id);
    let (s, xml) = soap(&e, "<met:listMetadata><met:queries><met:type>CustomObject</met:type></met:queries><met:asOfVersion>60.0</met:asOfVersion></met:listMetadata>").await;
    assert_eq!(s, 500);
    assert!(
        xml.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode>"),
        "{xml}"
    );
    assert!(xml.contains("<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>"));
}

#[tokio::test]
async fn flows_rules_folders_reports_and_dashboards_deploy_list_read_and_delete() {
    let e = common::env().await;
    let flow = format!(
        r#"<Flow {NS}><apiVersion>60.0</apiVersion><label>My Flow</label><processType>AutoLaunchedFlow</processType><status>Active</status></Flow>"#
    );
    let rules = format!(
        r#"<AssignmentRules {NS}><assignmentRule><fullName>Std_Lead</fullName><active>true</active></assignmentRule></AssignmentRules>"#
    );
    let folder = format!(
        r#"<ReportFolder {NS}><accessType>Public</accessType><name>Sales</name></ReportFolder>"#
    );
    let report = format!(
        r#"<Report {NS}><format>Tabular</format><name>Pipeline</name><reportType>Opportunity</reportType></Report>"#
    );
    let dfolder = format!(r#"<DashboardFolder {NS}><name>Boards</name></DashboardFolder>"#);
    let dash = format!(
        r#"<Dashboard {NS}><title>Main</title><leftSection><columnSize>Medium</columnSize><components><componentType>Table</componentType><report>Sales/Pipeline</report></components></leftSection></Dashboard>"#
    );
    let z = zip(&[
        (
            "package.xml",
            package(&[
                ("Flow", &["My_Flow"]),
                ("AssignmentRules", &["Lead"]),
                ("Report", &["Sales", "Sales/Pipeline"]),
                ("Dashboard", &["Boards", "Boards/Main"]),
            ]),
        ),
        ("flows/My_Flow.flow", flow),
        ("assignmentRules/Lead.assignmentRules", rules),
        ("reports/Sales-meta.xml", folder),
        ("reports/Sales/Pipeline.report", report),
        ("dashboards/Boards-meta.xml", dfolder),
        ("dashboards/Boards/Main.dashboard", dash),
    ]);
    let id = deploy(&e, &z, false).await;
    let xml = wait(&e, &id).await;
    assert_eq!(tag(&xml, "status"), Some("Succeeded"), "{xml}");
    let (_, xml) = soap(&e, "<met:listMetadata><met:queries><met:type>Flow</met:type></met:queries><met:queries><met:type>Report</met:type><met:folder>Sales</met:folder></met:queries></met:listMetadata>").await;
    assert!(xml.contains("<fullName>My_Flow</fullName>"), "{xml}");
    assert!(xml.contains("<fullName>Sales/Pipeline</fullName>"));
    let (_, q) = e
        .query("SELECT Id, Name, Active FROM AssignmentRule WHERE SobjectType = 'Lead'")
        .await;
    assert_eq!(q["totalSize"], 1, "{q}");
    assert_eq!(q["records"][0]["Name"], "Std_Lead");
    assert!(q["records"][0]["Id"].as_str().unwrap().starts_with("01Q"));
    let (_, t) = e
        .get_json(&format!(
            "/tooling/query?q={}",
            common::enc("SELECT Id, DeveloperName, ActiveVersionId FROM FlowDefinition")
        ))
        .await;
    assert_eq!(t["records"][0]["DeveloperName"], "My_Flow");
    assert!(
        t["records"][0]["ActiveVersionId"]
            .as_str()
            .unwrap()
            .starts_with("301")
    );
    let (_, xml) = soap(&e, "<met:readMetadata><met:type>Flow</met:type><met:fullNames>My_Flow</met:fullNames></met:readMetadata>").await;
    assert!(
        xml.contains(r#"<records xsi:type="Flow"><fullName>My_Flow</fullName>"#),
        "{xml}"
    );
    assert!(xml.contains("<label>My Flow</label>"));
    // A dashboard pointing at a missing report fails.
    let dash2 = format!(
        r#"<Dashboard {NS}><title>Bad</title><leftSection><components><report>Sales/Nope</report></components></leftSection></Dashboard>"#
    );
    let z = zip(&[
        ("package.xml", package(&[("Dashboard", &["Boards/Bad"])])),
        ("dashboards/Boards/Bad.dashboard", dash2),
    ]);
    let xml = wait(&e, &deploy(&e, &z, false).await).await;
    assert!(xml.contains("Cannot find report:Sales/Nope"), "{xml}");
    let destructive = format!(
        r#"<Package {NS}><types><members>My_Flow</members><name>Flow</name></types><types><members>Sales/Pipeline</members><name>Report</name></types></Package>"#
    );
    let z = zip(&[
        ("package.xml", package(&[])),
        ("destructiveChanges.xml", destructive),
    ]);
    let xml = wait(&e, &deploy(&e, &z, false).await).await;
    assert_eq!(tag(&xml, "status"), Some("Succeeded"));
    let (_, xml) = soap(
        &e,
        "<met:listMetadata><met:queries><met:type>Flow</met:type></met:queries></met:listMetadata>",
    )
    .await;
    assert!(!xml.contains("My_Flow"));
}
