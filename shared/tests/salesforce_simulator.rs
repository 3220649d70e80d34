//! The Salesforce client against the simulator: retries that ride out injected 503s, and a
//! Metadata deploy whose fields then describe exactly as SALESFORCE.md §1.2's table says.

use std::time::Duration;

use serde_json::{Value, json};
use shared::salesforce::package::{
    CustomObjectSpec, DeleteConstraint, FieldSpec, FieldType, Package, PicklistValue,
};
use shared::salesforce::{
    AccessToken, DeployOptions, Described, RetryPolicy, SalesforceClient, TokenSource,
};
use simulator::{SimConfig, Simulator};

async fn client(sim: &Simulator, base: &str) -> (SalesforceClient, String) {
    let org = sim.create_connection("c1", "salesforce", Default::default(), None);
    let token = sim.connection_token("c1").unwrap();
    let source = TokenSource::fixed("c1", AccessToken::new(token.into(), base));
    let policy = RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        total_budget: Duration::from_secs(10),
    };
    (
        SalesforceClient::new(reqwest::Client::new(), "v60.0", source).with_retry(policy),
        org.org_id,
    )
}

#[tokio::test]
async fn two_hundred_describes_all_succeed_with_ten_percent_injected_503s() {
    let (sim, base) = Simulator::spawn(SimConfig::default()).await.unwrap();
    let (sf, org) = client(&sim, &base).await;
    let rule = serde_json::from_value(json!({
        "path_prefix": "/services/data/v60.0/sobjects/Account/describe",
        "rate": 0.1, "status": 503, "seed": 42
    }))
    .unwrap();
    sim.add_fault(rule);
    for _ in 0..200 {
        match sf
            .describe("Account", None)
            .await
            .expect("every describe succeeds")
        {
            Described::Modified { value, .. } => assert_eq!(value["name"], "Account"),
            Described::NotModified => panic!("no If-Modified-Since was sent"),
        }
    }
    let log: Vec<_> = sim
        .request_log(&org)
        .into_iter()
        .filter(|r| r.path.contains("/sobjects/Account/describe"))
        .collect();
    let failed = log.iter().filter(|r| r.status == 503).count();
    let ok = log.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 200);
    assert!(failed >= 5, "the faults were injected ({failed})");
    assert!(log.len() <= 200 * 5, "retries are bounded by max_attempts");
}

fn field(api: &str, t: FieldType) -> FieldSpec {
    FieldSpec::new(api, api.trim_end_matches("__c"), t)
}

#[tokio::test]
async fn deployed_fields_describe_as_the_type_table_says() {
    let (sim, base) = Simulator::spawn(SimConfig::default()).await.unwrap();
    let (sf, _) = client(&sim, &base).await;
    let values = vec![
        PicklistValue::new("Hot", true),
        PicklistValue::new("Cold", false),
    ];
    let mut parent = CustomObjectSpec::new("Deal__c", "Deal");
    parent.fields = vec![
        field("Code__c", FieldType::Text { length: 80 }),
        field("Notes__c", FieldType::TextArea),
        field(
            "Story__c",
            FieldType::LongTextArea {
                length: 32768,
                visible_lines: 5,
            },
        ),
        field(
            "Amount__c",
            FieldType::Number {
                precision: 16,
                scale: 2,
            },
        ),
        field(
            "Price__c",
            FieldType::Currency {
                precision: 18,
                scale: 0,
            },
        ),
        field(
            "Rate__c",
            FieldType::Percent {
                precision: 5,
                scale: 2,
            },
        ),
        field("Done__c", FieldType::Checkbox { default: false }),
        field("Day__c", FieldType::Date),
        field("At__c", FieldType::DateTime),
        field("Mail__c", FieldType::Email),
        field("Tel__c", FieldType::Phone),
        field("Site__c", FieldType::Url),
        field(
            "Temp__c",
            FieldType::Picklist {
                values: values.clone(),
                restricted: true,
                sorted: false,
            },
        ),
        field(
            "Tags__c",
            FieldType::MultiselectPicklist {
                values,
                restricted: true,
                sorted: false,
                visible_lines: 4,
            },
        ),
        field(
            "Account__c",
            FieldType::Lookup {
                reference_to: "Account".into(),
                relationship_name: "Deals".into(),
                relationship_label: None,
                delete_constraint: DeleteConstraint::SetNull,
            },
        ),
    ];
    let mut child = CustomObjectSpec::new("Deal_Line__c", "Deal Line");
    child.fields = vec![field(
        "Deal__c",
        FieldType::MasterDetail {
            reference_to: "Deal__c".into(),
            relationship_name: "Lines".into(),
            relationship_label: None,
            relationship_order: None,
        },
    )];
    let mut package = Package::new("v60.0");
    package.add_custom_object(parent).add_custom_object(child);
    let submitted = sf
        .deploy(&package.to_zip().unwrap(), &DeployOptions::default())
        .await
        .unwrap();
    let result = testkit::eventually("the deploy to finish", || async {
        let r = sf.check_deploy_status(&submitted.id, true).await.unwrap();
        r.done.then_some(r)
    })
    .await;
    assert!(result.success, "{result:?}");

    let Described::Modified { value: deal, .. } = sf.describe("Deal__c", None).await.unwrap()
    else {
        panic!("describe")
    };
    let f = |name: &str| -> Value {
        deal["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("{name} was not deployed"))
            .clone()
    };
    // (field, type, length, precision, scale, soapType, byteLength)
    let table: [(&str, &str, i64, i64, i64, &str, i64); 14] = [
        ("Code__c", "string", 80, 0, 0, "xsd:string", 240),
        ("Notes__c", "textarea", 255, 0, 0, "xsd:string", 765),
        ("Story__c", "textarea", 32768, 0, 0, "xsd:string", 98304),
        ("Amount__c", "double", 0, 16, 2, "xsd:double", 0),
        ("Price__c", "currency", 0, 18, 0, "xsd:double", 0),
        ("Rate__c", "percent", 0, 5, 2, "xsd:double", 0),
        ("Done__c", "boolean", 0, 0, 0, "xsd:boolean", 0),
        ("Day__c", "date", 0, 0, 0, "xsd:date", 0),
        ("At__c", "datetime", 0, 0, 0, "xsd:dateTime", 0),
        ("Mail__c", "email", 80, 0, 0, "xsd:string", 240),
        ("Tel__c", "phone", 40, 0, 0, "xsd:string", 120),
        ("Site__c", "url", 255, 0, 0, "xsd:string", 765),
        ("Temp__c", "picklist", 255, 0, 0, "xsd:string", 765),
        ("Account__c", "reference", 18, 0, 0, "tns:ID", 18),
    ];
    for (name, ty, length, precision, scale, soap, bytes) in table {
        let d = f(name);
        assert_eq!(d["type"], ty, "{name}");
        assert_eq!(d["length"], length, "{name} length");
        assert_eq!(d["precision"], precision, "{name} precision");
        assert_eq!(d["scale"], scale, "{name} scale");
        assert_eq!(d["soapType"], soap, "{name} soapType");
        assert_eq!(d["byteLength"], bytes, "{name} byteLength");
        assert_eq!(d["custom"], true, "{name}");
    }
    assert_eq!(f("Notes__c")["extraTypeInfo"], "plaintextarea");
    let done = f("Done__c");
    assert_eq!(
        (done["nillable"].clone(), done["defaultedOnCreate"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(done["defaultValue"], false);
    assert_eq!(f("Tags__c")["type"], "multipicklist");
    let temp = f("Temp__c");
    let labels: Vec<&str> = temp["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Hot", "Cold"]);
    let lookup = f("Account__c");
    assert_eq!(lookup["referenceTo"], json!(["Account"]));
    // The field's own relationship is named after the field; the metadata's relationshipName
    // names the child relationship seen from the parent.
    assert_eq!(lookup["relationshipName"], "Account__r");
    let Described::Modified { value: account, .. } = sf.describe("Account", None).await.unwrap()
    else {
        panic!("describe")
    };
    let child = account["childRelationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["childSObject"] == "Deal__c")
        .expect("Account lists its new child relationship")
        .clone();
    assert_eq!(child["field"], "Account__c");
    assert_eq!(child["relationshipName"], "Deals__r");

    let Described::Modified { value: line, .. } = sf.describe("Deal_Line__c", None).await.unwrap()
    else {
        panic!("describe")
    };
    let md = line["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Deal__c")
        .unwrap()
        .clone();
    assert_eq!(md["type"], "reference");
    assert_eq!(md["nillable"], false);
    assert_eq!(md["cascadeDelete"], true);
    assert_eq!(md["referenceTo"], json!(["Deal__c"]));
}
