//! Plans become packages as SALESFORCE.md §3.3 and §3.5 say: the zip's files and package.xml,
//! and every element of every file written from a plan (objects and every field type, standard
//! object fields, reports, dashboards, folders, the rollback's destructive changes), in WSDL order.

use deploy::plan::{analytics, objects};
use serde_json::json;
use shared::salesforce::package::{MetadataType, Package};
use shared::salesforce::xml::{XmlNode, parse};

fn files(p: &Package) -> Vec<(String, XmlNode)> {
    p.files()
        .unwrap()
        .into_iter()
        .map(|(name, body)| {
            let text = String::from_utf8(body).unwrap();
            assert!(
                text.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#),
                "{name}"
            );
            let root = parse(&text).unwrap();
            assert_eq!(
                root.attribute("xmlns"),
                Some("http://soap.sforce.com/2006/04/metadata"),
                "{name}"
            );
            (name, root)
        })
        .collect()
}

fn names(n: &XmlNode) -> Vec<&str> {
    n.children.iter().map(|c| c.name.as_str()).collect()
}

fn file<'a>(files: &'a [(String, XmlNode)], name: &str) -> &'a XmlNode {
    &files
        .iter()
        .find(|f| f.0 == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

fn field<'a>(o: &'a XmlNode, name: &str) -> &'a XmlNode {
    o.children_named("fields")
        .find(|f| f.text_of("fullName") == Some(name))
        .unwrap_or_else(|| panic!("no field {name}"))
}

/// `(type, members)` of package.xml or destructiveChanges.xml.
fn types(manifest: &XmlNode) -> Vec<(String, Vec<String>)> {
    manifest
        .children_named("types")
        .map(|t| {
            (
                t.string("name"),
                t.children_named("members")
                    .map(|m| m.text.clone())
                    .collect(),
            )
        })
        .collect()
}

fn plan() -> serde_json::Value {
    json!({
        "custom_objects": [
            {"api_name": "Project__c", "label": "Project", "plural_label": "Projectz", "fields": [
                {"api_name": "Code__c", "label": "Code", "type": "Text", "required": true},
                {"api_name": "Notes__c", "label": "Notes", "type": "TextArea"},
                {"api_name": "Story__c", "label": "Story", "type": "LongTextArea"},
                {"api_name": "Budget__c", "label": "Budget", "type": "Currency", "scale": 0},
                {"api_name": "Score__c", "label": "Score", "type": "Number"},
                {"api_name": "Done__c", "label": "Done", "type": "Percent", "precision": 5, "scale": 1},
                {"api_name": "Active__c", "label": "Active", "type": "Checkbox", "default_value": true},
                {"api_name": "Starts__c", "label": "Starts", "type": "Date"},
                {"api_name": "Kickoff__c", "label": "Kickoff", "type": "DateTime"},
                {"api_name": "Mail__c", "label": "Mail", "type": "Email"},
                {"api_name": "Tel__c", "label": "Tel", "type": "Phone"},
                {"api_name": "Site__c", "label": "Site", "type": "Url"},
                {"api_name": "Stage__c", "label": "Stage", "type": "Picklist", "sorted": true,
                 "values": ["Plan", {"fullName": "Build", "label": "Building", "default": true}, 7]},
                {"api_name": "Tags__c", "label": "Tags", "type": "MultiselectPicklist", "values": ["A"], "restricted": false}
            ], "relationships": [
                {"api_name": "Account_Id__c", "label": "Account", "type": "Lookup", "referenceTo": "Account", "delete_constraint": "Restrict"}
            ]},
            {"api_name": "Step__c", "label": "Step", "relationships": [
                {"api_name": "Project__c", "label": "Project", "type": "MasterDetail", "related_to": "Project__c", "relationship_name": "Steps"}
            ]}
        ],
        "standard_object_fields": [{"object": "Account", "fields": [
            {"api_name": "Tier__c", "label": "Tier", "type": "Text", "length": 20}
        ]}]
    })
}

#[test]
fn a_custom_object_plan_zips_its_objects_and_lists_objects_and_fields() {
    let (p, planned) = objects::build(&plan(), "v60.0");
    let f = files(&p);
    let layout: Vec<&str> = f.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        layout,
        [
            "package.xml",
            "objects/Project__c.object",
            "objects/Step__c.object",
            "objects/Account.object"
        ]
    );
    let manifest = file(&f, "package.xml");
    assert_eq!(names(manifest), ["types", "types", "version"]);
    assert_eq!(manifest.text_of("version"), Some("60.0"));
    let t = types(manifest);
    assert_eq!(t[0].0, "CustomField");
    assert_eq!(t[0].1.len(), 17);
    assert_eq!(t[0].1[0], "Project__c.Code__c");
    assert_eq!(t[0].1[16], "Account.Tier__c");
    assert_eq!(
        t[1],
        (
            "CustomObject".to_string(),
            vec!["Project__c".to_string(), "Step__c".to_string()]
        )
    );
    let kinds: Vec<(&str, &str)> = planned
        .iter()
        .map(|p| (p.kind, p.api_name.as_str()))
        .collect();
    assert_eq!(kinds[0], ("custom_object", "Project__c"));
    assert_eq!(kinds[15], ("relationship", "Project__c.Account_Id__c"));
    assert_eq!(kinds[16], ("custom_object", "Step__c"));
    assert_eq!(kinds[18], ("custom_field", "Account.Tier__c"));

    let o = file(&f, "objects/Project__c.object");
    assert_eq!(o.name, "CustomObject");
    let mut expected = vec!["deploymentStatus"];
    expected.extend(std::iter::repeat_n("fields", 15));
    expected.extend(["label", "nameField", "pluralLabel", "sharingModel"]);
    assert_eq!(names(o), expected);
    assert_eq!(o.text_of("deploymentStatus"), Some("Deployed"));
    assert_eq!(o.text_of("label"), Some("Project"));
    assert_eq!(o.text_of("pluralLabel"), Some("Projectz"));
    assert_eq!(o.text_of("sharingModel"), Some("ReadWrite"));
    let nf = o.child("nameField").unwrap();
    assert_eq!(names(nf), ["label", "type"]);
    assert_eq!(
        (nf.text_of("label"), nf.text_of("type")),
        (Some("Project Name"), Some("Text"))
    );

    let check = |name: &str, members: &[&str], t: &str| {
        let x = field(o, name);
        assert_eq!(names(x), members, "{name}");
        assert_eq!(x.text_of("type"), Some(t), "{name}");
    };
    check(
        "Code__c",
        &["fullName", "label", "length", "required", "type"],
        "Text",
    );
    check("Notes__c", &["fullName", "label", "type"], "TextArea");
    check(
        "Story__c",
        &["fullName", "label", "length", "type", "visibleLines"],
        "LongTextArea",
    );
    check(
        "Budget__c",
        &["fullName", "label", "precision", "scale", "type"],
        "Currency",
    );
    check(
        "Score__c",
        &["fullName", "label", "precision", "scale", "type"],
        "Number",
    );
    check(
        "Done__c",
        &["fullName", "label", "precision", "scale", "type"],
        "Percent",
    );
    check(
        "Active__c",
        &["fullName", "defaultValue", "label", "type"],
        "Checkbox",
    );
    for (n, t) in [
        ("Starts__c", "Date"),
        ("Kickoff__c", "DateTime"),
        ("Mail__c", "Email"),
        ("Tel__c", "Phone"),
        ("Site__c", "Url"),
    ] {
        check(n, &["fullName", "label", "type"], t);
    }
    check(
        "Stage__c",
        &["fullName", "label", "type", "valueSet"],
        "Picklist",
    );
    check(
        "Tags__c",
        &["fullName", "label", "type", "valueSet", "visibleLines"],
        "MultiselectPicklist",
    );
    check(
        "Account_Id__c",
        &[
            "fullName",
            "deleteConstraint",
            "label",
            "referenceTo",
            "relationshipLabel",
            "relationshipName",
            "type",
        ],
        "Lookup",
    );
    let text = |f: &str, e: &str| field(o, f).text_of(e).map(str::to_string);
    assert_eq!(text("Code__c", "length").as_deref(), Some("255"));
    assert_eq!(text("Code__c", "required").as_deref(), Some("true"));
    assert_eq!(text("Story__c", "length").as_deref(), Some("32768"));
    assert_eq!(text("Story__c", "visibleLines").as_deref(), Some("3"));
    assert_eq!(
        (text("Budget__c", "precision"), text("Budget__c", "scale")),
        (Some("18".into()), Some("0".into()))
    );
    assert_eq!(
        (text("Score__c", "precision"), text("Score__c", "scale")),
        (Some("18".into()), Some("2".into()))
    );
    assert_eq!(
        (text("Done__c", "precision"), text("Done__c", "scale")),
        (Some("5".into()), Some("1".into()))
    );
    assert_eq!(text("Active__c", "defaultValue").as_deref(), Some("true"));
    assert_eq!(
        text("Account_Id__c", "deleteConstraint").as_deref(),
        Some("Restrict")
    );
    assert_eq!(
        text("Account_Id__c", "referenceTo").as_deref(),
        Some("Account")
    );
    assert_eq!(
        text("Account_Id__c", "relationshipName").as_deref(),
        Some("Account"),
        "__c then _Id stripped"
    );
    assert_eq!(
        text("Account_Id__c", "relationshipLabel").as_deref(),
        Some("Account")
    );

    let vs = field(o, "Stage__c").child("valueSet").unwrap();
    assert_eq!(names(vs), ["restricted", "valueSetDefinition"]);
    assert_eq!(vs.text_of("restricted"), Some("true"));
    let def = vs.child("valueSetDefinition").unwrap();
    assert_eq!(names(def), ["sorted", "value", "value", "value"]);
    assert_eq!(def.text_of("sorted"), Some("true"));
    let values: Vec<(String, String, String)> = def
        .children_named("value")
        .map(|v| {
            assert_eq!(names(v), ["fullName", "default", "label"]);
            (v.string("fullName"), v.string("default"), v.string("label"))
        })
        .collect();
    assert_eq!(
        values,
        [
            ("Plan".into(), "false".into(), "Plan".into()),
            ("Build".into(), "true".into(), "Building".into()),
            ("Value_3".into(), "false".into(), "Value_3".into())
        ]
    );
    assert_eq!(
        field(o, "Tags__c")
            .child("valueSet")
            .unwrap()
            .text_of("restricted"),
        Some("false")
    );

    // The detail object is controlled by its parent; its master-detail has no required or
    // deleteConstraint.
    let step = file(&f, "objects/Step__c.object");
    assert_eq!(step.text_of("sharingModel"), Some("ControlledByParent"));
    let md = field(step, "Project__c");
    assert_eq!(
        names(md),
        [
            "fullName",
            "label",
            "referenceTo",
            "relationshipLabel",
            "relationshipName",
            "type"
        ]
    );
    assert_eq!(md.text_of("relationshipName"), Some("Steps"));
    assert_eq!(md.text_of("type"), Some("MasterDetail"));

    // A standard object's file carries only the new fields.
    let account = file(&f, "objects/Account.object");
    assert_eq!(names(account), ["fields"]);
    assert_eq!(
        names(field(account, "Tier__c")),
        ["fullName", "label", "length", "type"]
    );
}

#[test]
fn an_analytics_plan_writes_folders_reports_and_dashboards() {
    let plan = json!({
        "report_folders": [{"api_name": "Sales", "name": "Sales Reports", "accessType": "Shared",
            "folderShares": [{"accessLevel": "View", "sharedTo": "AllUsers", "sharedToType": "Group"}]}],
        "dashboard_folders": [{"api_name": "Boards", "name": "Boards"}],
        "reports": [{"api_name": "Pipeline", "folder": "Sales", "name": "Pipeline", "reportType": "Opportunity",
            "format": "Matrix", "columns": ["AMOUNT", " "],
            "chart": {"chartType": "Bar", "groupingColumn": "STAGE_NAME", "chartSummaries": [{"aggregate": "Sum", "column": "AMOUNT"}]},
            "groupingsDown": [{"field": "STAGE_NAME"}], "groupingsAcross": [{"field": "CLOSE_DATE", "sortOrder": "Desc", "dateGranularity": "Month"}],
            "filter": {"booleanFilter": "1", "criteriaItems": [{"column": "AMOUNT", "operator": "greaterThan", "value": "0"}]}}],
        "dashboards": [{"api_name": "Overview", "folder": "Boards", "title": "Overview", "runningUser": "a@b.c",
            "leftSection": [{"componentType": "Bar", "report": "Sales/Pipeline", "header": "H"}], "rightSection": []}]
    });
    assert_eq!(analytics::validate(&plan), vec![]);
    let (p, planned) = analytics::build(&plan, "60.0");
    let kinds: Vec<(&str, &str)> = planned
        .iter()
        .map(|p| (p.kind, p.api_name.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("report_folder", "Sales"),
            ("dashboard_folder", "Boards"),
            ("report", "Sales/Pipeline"),
            ("dashboard", "Boards/Overview")
        ]
    );
    let f = files(&p);
    let layout: Vec<&str> = f.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        layout,
        [
            "package.xml",
            "reports/Sales-meta.xml",
            "reports/Sales/Pipeline.report",
            "dashboards/Boards-meta.xml",
            "dashboards/Boards/Overview.dashboard"
        ]
    );
    assert_eq!(
        types(file(&f, "package.xml")),
        [
            (
                "Dashboard".to_string(),
                vec!["Boards".to_string(), "Boards/Overview".to_string()]
            ),
            (
                "Report".to_string(),
                vec!["Sales".to_string(), "Sales/Pipeline".to_string()]
            ),
        ]
    );
    let folder = file(&f, "reports/Sales-meta.xml");
    assert_eq!(folder.name, "ReportFolder");
    assert_eq!(names(folder), ["accessType", "folderShares", "name"]);
    assert_eq!(folder.text_of("accessType"), Some("Shared"));
    assert_eq!(folder.text_of("name"), Some("Sales Reports"));
    assert_eq!(
        names(folder.child("folderShares").unwrap()),
        ["accessLevel", "sharedTo", "sharedToType"]
    );
    let dash_folder = file(&f, "dashboards/Boards-meta.xml");
    assert_eq!(dash_folder.name, "DashboardFolder");
    assert_eq!(names(dash_folder), ["accessType", "name"]);
    assert_eq!(dash_folder.text_of("accessType"), Some("Public"));

    let r = file(&f, "reports/Sales/Pipeline.report");
    assert_eq!(r.name, "Report");
    assert_eq!(
        names(r),
        [
            "chart",
            "columns",
            "filter",
            "format",
            "groupingsAcross",
            "groupingsDown",
            "name",
            "reportType",
            "scope",
            "showDetails",
            "showGrandTotal"
        ]
    );
    assert_eq!(
        names(r.child("chart").unwrap()),
        [
            "chartSummaries",
            "chartType",
            "groupingColumn",
            "location",
            "size"
        ]
    );
    assert_eq!(
        names(r.child("chart").unwrap().child("chartSummaries").unwrap()),
        ["aggregate", "column"]
    );
    assert_eq!(
        names(r.child("filter").unwrap()),
        ["booleanFilter", "criteriaItems"]
    );
    assert_eq!(
        names(r.child("groupingsAcross").unwrap()),
        ["dateGranularity", "field", "sortOrder"]
    );
    assert_eq!(
        names(r.child("groupingsDown").unwrap()),
        ["field", "sortOrder"]
    );
    assert_eq!(
        r.child("groupingsDown").unwrap().text_of("sortOrder"),
        Some("Asc")
    );
    assert_eq!(r.text_of("format"), Some("Matrix"));
    assert_eq!(r.text_of("scope"), Some("organization"));
    assert_eq!(
        (r.text_of("showDetails"), r.text_of("showGrandTotal")),
        (Some("true"), Some("true"))
    );

    let d = file(&f, "dashboards/Boards/Overview.dashboard");
    assert_eq!(d.name, "Dashboard");
    assert_eq!(
        names(d),
        [
            "backgroundEndColor",
            "backgroundFadeDirection",
            "backgroundStartColor",
            "dashboardType",
            "leftSection",
            "rightSection",
            "runningUser",
            "textColor",
            "title",
            "titleColor",
            "titleSize"
        ]
    );
    assert_eq!(d.text_of("dashboardType"), Some("SpecifiedUser"));
    assert_eq!(d.text_of("runningUser"), Some("a@b.c"));
    let left = d.child("leftSection").unwrap();
    assert_eq!(names(left), ["columnSize", "components"]);
    assert_eq!(
        names(left.child("components").unwrap()),
        [
            "autoselectColumnsFromReport",
            "componentType",
            "header",
            "report"
        ]
    );
    assert_eq!(names(d.child("rightSection").unwrap()), ["columnSize"]);
}

#[test]
fn a_rollback_is_an_empty_package_with_destructive_changes() {
    let mut p = Package::new("v60.0");
    p.delete(MetadataType::CustomField, "Account.Tier__c")
        .delete(MetadataType::CustomObject, "Step__c")
        .delete(MetadataType::CustomObject, "Project__c")
        .delete(MetadataType::Dashboard, "Boards/Overview")
        .delete(MetadataType::Report, "Sales");
    let f = files(&p);
    let layout: Vec<&str> = f.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(layout, ["package.xml", "destructiveChanges.xml"]);
    assert_eq!(names(file(&f, "package.xml")), ["version"]);
    let destructive = file(&f, "destructiveChanges.xml");
    assert_eq!(destructive.name, "Package");
    assert!(destructive.child("version").is_none());
    assert_eq!(
        types(destructive),
        [
            (
                "CustomField".to_string(),
                vec!["Account.Tier__c".to_string()]
            ),
            (
                "CustomObject".to_string(),
                vec!["Step__c".to_string(), "Project__c".to_string()]
            ),
            ("Dashboard".to_string(), vec!["Boards/Overview".to_string()]),
            ("Report".to_string(), vec!["Sales".to_string()]),
        ]
    );
}
