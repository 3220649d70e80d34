//! The package builder's other files: package.xml, destructive changes, flows, assignment
//! rules, folders, reports, dashboards, and the zip layout.

use std::io::Read;

mod package_support;

use package_support::*;
use shared::salesforce::package::*;

#[test]
fn package_xml_lists_types_by_name_with_members_and_the_version() {
    let mut p = Package::new("v60.0");
    p.add_custom_object(every_field_type_object());
    p.add_object_changes(ObjectChangesSpec {
        object: "Account".into(),
        fields: vec![FieldSpec::new(
            "Tier__c",
            "Tier",
            FieldType::Text { length: 20 },
        )],
        validation_rules: vec![],
    });
    p.add_flow(FlowSpec {
        api_name: "Route_Leads".into(),
        xml: "<Flow><label>Route</label></Flow>".into(),
    });
    let manifest = file(&p, "package.xml");
    assert_eq!(manifest.name, "Package");
    assert_eq!(
        names(&manifest),
        ["types", "types", "types", "types", "version"]
    );
    let types: Vec<_> = manifest.children_named("types").collect();
    let type_names: Vec<_> = types.iter().map(|t| t.string("name")).collect();
    assert_eq!(
        type_names,
        ["CustomField", "CustomObject", "Flow", "ValidationRule"]
    );
    let fields: Vec<_> = types[0]
        .children_named("members")
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(fields.len(), 16);
    assert_eq!(fields[0], "Invoice__c.Ext_Id__c");
    assert_eq!(fields[15], "Account.Tier__c");
    assert_eq!(names(types[1]), ["members", "name"]);
    assert_eq!(
        types[3].text_of("members"),
        Some("Invoice__c.Amount_Positive")
    );
    assert_eq!(manifest.text_of("version"), Some("60.0"));
    // An existing object's file carries only what is new.
    let account = file(&p, "objects/Account.object");
    assert_eq!(names(&account), ["fields"]);
}

#[test]
fn a_delete_only_package_has_an_empty_package_xml_and_a_versionless_destructive_list() {
    let mut p = Package::new("60.0");
    p.delete(MetadataType::CustomObject, "Old__c")
        .delete(MetadataType::CustomField, "Account.Gone__c")
        .delete(MetadataType::CustomObject, "Old__c");
    let manifest = file(&p, "package.xml");
    assert_eq!(names(&manifest), ["version"]);
    let destructive = file(&p, "destructiveChanges.xml");
    assert_eq!(destructive.name, "Package");
    assert_eq!(names(&destructive), ["types", "types"]);
    let first = destructive.child("types").unwrap();
    assert_eq!(names(first), ["members", "name"]);
    assert_eq!(first.text_of("members"), Some("Account.Gone__c"));
    assert_eq!(destructive.children[1].text_of("members"), Some("Old__c"));
}

#[test]
fn a_flow_is_checked_and_rewritten_with_a_declaration_and_the_namespace() {
    let mut p = Package::new("60.0");
    p.add_flow(FlowSpec {
        api_name: "Route_Leads".into(),
        xml: r#"<?xml version="1.0" encoding="UTF-8"?>
<Flow><apiVersion>60.0</apiVersion><label>Route &amp; assign</label><processType>AutoLaunchedFlow</processType><status>Active</status></Flow>"#.into(),
    });
    let flow = file(&p, "flows/Route_Leads.flow");
    assert_eq!(
        names(&flow),
        ["apiVersion", "label", "processType", "status"]
    );
    assert_eq!(flow.text_of("label"), Some("Route & assign"));

    let mut wrong = Package::new("60.0");
    wrong.add_flow(FlowSpec {
        api_name: "X".into(),
        xml: "<AssignmentRules/>".into(),
    });
    assert!(matches!(
        wrong.files(),
        Err(PackageError::InvalidXml { .. })
    ));
    let mut broken = Package::new("60.0");
    broken.add_flow(FlowSpec {
        api_name: "X".into(),
        xml: "<Flow><label>x</Flow>".into(),
    });
    assert!(broken.files().is_err());
}

#[test]
fn assignment_rules_are_written_from_typed_rules() {
    let mut p = Package::new("60.0");
    p.add_assignment_rules(AssignmentRulesSpec {
        object: "Case".into(),
        content: AssignmentRulesContent::Rules(vec![AssignmentRuleSpec {
            name: "Std_Case".into(),
            active: true,
            entries: vec![RuleEntrySpec {
                assigned_to: Some("Tier1_Queue".into()),
                assigned_to_type: Some("Queue".into()),
                criteria: vec![CriteriaItem {
                    field: "Case.Priority".into(),
                    operation: "equals".into(),
                    value: Some("Low,Medium".into()),
                    value_field: None,
                }],
                ..RuleEntrySpec::default()
            }],
        }]),
    });
    let rules = file(&p, "assignmentRules/Case.assignmentRules");
    assert_eq!(rules.name, "AssignmentRules");
    let rule = rules.child("assignmentRule").unwrap();
    assert_eq!(names(rule), ["fullName", "active", "ruleEntry"]);
    let entry = rule.child("ruleEntry").unwrap();
    assert_eq!(
        names(entry),
        ["assignedTo", "assignedToType", "criteriaItems"]
    );
    let item = entry.child("criteriaItems").unwrap();
    assert_eq!(names(item), ["field", "operation", "value"]);
    assert_eq!(item.text_of("value"), Some("Low,Medium"));
    let manifest = file(&p, "package.xml");
    assert_eq!(
        manifest.child("types").unwrap().text_of("name"),
        Some("AssignmentRules")
    );
    assert_eq!(
        manifest.child("types").unwrap().text_of("members"),
        Some("Case")
    );
}

#[test]
fn folders_reports_and_dashboards_have_their_elements_in_wsdl_order() {
    let p = analytics_package();
    let folder = file(&p, "reports/Sales_Reports-meta.xml");
    assert_eq!(folder.name, "ReportFolder");
    assert_eq!(names(&folder), ["accessType", "folderShares", "name"]);
    assert_eq!(folder.text_of("accessType"), Some("Public"));
    assert_eq!(
        names(folder.child("folderShares").unwrap()),
        ["accessLevel", "sharedTo", "sharedToType"]
    );
    let dash_folder = file(&p, "dashboards/Sales_Dash-meta.xml");
    assert_eq!(dash_folder.name, "DashboardFolder");
    assert_eq!(dash_folder.text_of("accessType"), Some("Shared"));

    let report = file(&p, "reports/Sales_Reports/Pipeline.report");
    assert_eq!(
        names(&report),
        [
            "chart",
            "columns",
            "columns",
            "filter",
            "format",
            "groupingsDown",
            "name",
            "reportType",
            "scope",
            "showDetails",
            "showGrandTotal",
            "timeFrameFilter"
        ]
    );
    assert_eq!(
        names(report.child("chart").unwrap()),
        [
            "chartSummaries",
            "chartType",
            "groupingColumn",
            "location",
            "size"
        ]
    );
    assert_eq!(names(report.child("columns").unwrap()), ["field"]);
    assert_eq!(
        names(
            report
                .child("filter")
                .unwrap()
                .child("criteriaItems")
                .unwrap()
        ),
        ["column", "operator", "value"]
    );
    assert_eq!(
        names(report.child("groupingsDown").unwrap()),
        ["dateGranularity", "field", "sortOrder"]
    );
    assert_eq!(report.text_of("format"), Some("Summary"));
    assert_eq!(report.text_of("scope"), Some("organization"));

    let dash = file(&p, "dashboards/Sales_Dash/Pipeline_Dash.dashboard");
    assert_eq!(
        names(&dash),
        [
            "backgroundEndColor",
            "backgroundFadeDirection",
            "backgroundStartColor",
            "dashboardType",
            "leftSection",
            "runningUser",
            "textColor",
            "title",
            "titleColor",
            "titleSize"
        ]
    );
    let section = dash.child("leftSection").unwrap();
    assert_eq!(names(section), ["columnSize", "components"]);
    assert_eq!(
        names(section.child("components").unwrap()),
        [
            "autoselectColumnsFromReport",
            "componentType",
            "header",
            "report"
        ]
    );
    let manifest = file(&p, "package.xml");
    let types: Vec<_> = manifest.children_named("types").collect();
    assert_eq!(types[0].string("name"), "Dashboard");
    let members: Vec<_> = types[0]
        .children_named("members")
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(members, ["Sales_Dash", "Sales_Dash/Pipeline_Dash"]);
    let members: Vec<_> = types[1]
        .children_named("members")
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(members, ["Sales_Reports", "Sales_Reports/Pipeline"]);
}

#[test]
fn a_logged_in_user_dashboard_has_no_running_user() {
    let mut p = analytics_package();
    let mut d = DashboardSpec {
        folder: "Sales_Dash".into(),
        api_name: "Mine".into(),
        title: "Mine".into(),
        description: None,
        dashboard_type: DashboardType::LoggedInUser,
        running_user: Some("x@y.z".into()),
        left_section: None,
        middle_section: None,
        right_section: None,
    };
    d.description = Some("Per viewer".into());
    p.add_dashboard(d);
    let dash = file(&p, "dashboards/Sales_Dash/Mine.dashboard");
    assert!(dash.child("runningUser").is_none());
    assert_eq!(dash.text_of("dashboardType"), Some("LoggedInUser"));
}

#[test]
fn a_mixed_package_zips_every_file_at_its_metadata_api_path() {
    let mut p = analytics_package();
    p.add_custom_object(every_field_type_object());
    p.add_object_changes(ObjectChangesSpec {
        object: "Lead".into(),
        fields: vec![FieldSpec::new(
            "Score__c",
            "Score",
            FieldType::Number {
                precision: 3,
                scale: 0,
            },
        )],
        validation_rules: vec![],
    });
    p.add_flow(FlowSpec {
        api_name: "Route_Leads".into(),
        xml: "<Flow><label>R</label></Flow>".into(),
    });
    p.add_assignment_rules(AssignmentRulesSpec {
        object: "Lead".into(),
        content: AssignmentRulesContent::Xml(r#"<AssignmentRules xmlns="http://soap.sforce.com/2006/04/metadata"><assignmentRule><fullName>Std</fullName><active>true</active></assignmentRule></AssignmentRules>"#.into()),
    });
    p.delete(MetadataType::Flow, "Old_Flow");
    let zip = p.to_zip().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let entries: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(
        entries,
        [
            "package.xml",
            "destructiveChanges.xml",
            "objects/Invoice__c.object",
            "objects/Lead.object",
            "flows/Route_Leads.flow",
            "assignmentRules/Lead.assignmentRules",
            "reports/Sales_Reports-meta.xml",
            "reports/Sales_Reports/Pipeline.report",
            "dashboards/Sales_Dash-meta.xml",
            "dashboards/Sales_Dash/Pipeline_Dash.dashboard",
        ]
    );
    let mut entry = archive.by_name("package.xml").unwrap();
    assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    assert!(text.contains("<name>AssignmentRules</name>"), "{text}");
}
