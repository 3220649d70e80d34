//! Every validator rule of API.md §7.1 (custom-object and analytics plans), as API-DECISIONS §8
//! corrects it, with its exact field path and message. Workflow plans: the workflows crate.

use deploy::plan::{analytics, objects};
use serde_json::{Value, json};

fn errs(errors: Vec<deploy::plan::PlanError>) -> Vec<(String, String)> {
    errors.into_iter().map(|e| (e.field, e.message)).collect()
}

fn obj(plan: Value) -> Vec<(String, String)> {
    errs(objects::validate(&plan))
}

fn one(field: &str, message: &str) -> Vec<(String, String)> {
    vec![(field.to_string(), message.to_string())]
}

/// A plan with one object holding `field`.
fn with_field(field: Value) -> Value {
    json!({"custom_objects": [{"api_name": "A__c", "label": "A", "fields": [field]}]})
}

fn field_errs(field: Value) -> Vec<(String, String)> {
    obj(with_field(field))
}

const ALL_TYPES: &str = "Checkbox, Currency, Date, DateTime, Email, LongTextArea, Lookup, MasterDetail, MultiselectPicklist, Number, Percent, Phone, Picklist, Text, TextArea, Url";

#[test]
fn the_plan_and_its_lists_have_their_shapes() {
    assert_eq!(obj(json!([1])), one("plan", "Plan must be an object"));
    assert_eq!(obj(json!({})), vec![]);
    assert_eq!(obj(json!({"custom_objects": null})), vec![]);
    assert_eq!(
        obj(json!({"custom_objects": {"a": 1}})),
        one("custom_objects", "custom_objects must be a list")
    );
    assert_eq!(
        obj(json!({"custom_objects": [3]})),
        one("custom_objects[0]", "custom_object entry must be an object")
    );
    let o = |extra: Value| {
        let mut o = json!({"api_name": "A__c", "label": "A"});
        o.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        obj(json!({"custom_objects": [o]}))
    };
    assert_eq!(
        o(json!({"fields": "x"})),
        one(
            "custom_objects[0].fields",
            "fields must be a list when provided"
        )
    );
    assert_eq!(
        o(json!({"fields": [1]})),
        one(
            "custom_objects[0].fields[0]",
            "field entry must be an object"
        )
    );
    assert_eq!(
        o(json!({"relationships": 5})),
        one(
            "custom_objects[0].relationships",
            "relationships must be a list when provided"
        )
    );
    assert_eq!(
        o(json!({"relationships": ["r"]})),
        one(
            "custom_objects[0].relationships[0]",
            "relationship entry must be an object"
        )
    );
    assert_eq!(
        obj(json!({"standard_object_fields": 1})),
        one(
            "standard_object_fields",
            "standard_object_fields must be a list when provided"
        )
    );
    assert_eq!(
        obj(json!({"standard_object_fields": [1]})),
        one(
            "standard_object_fields[0]",
            "standard_object_fields entry must be an object"
        )
    );
    assert_eq!(
        obj(
            json!({"standard_object_fields": [{"object": " ", "fields": [{"api_name": "B__c", "label": "B", "type": "Nope"}]}]})
        ),
        vec![
            (
                "standard_object_fields[0].object".into(),
                "object must be a non-empty string".into()
            ),
            (
                "standard_object_fields[0].fields[0].type".into(),
                format!("Invalid field type 'Nope'. Must be one of: {ALL_TYPES}")
            ),
        ]
    );
}

#[test]
fn objects_need_a_well_formed_api_name_and_a_label() {
    let o = |o: Value| obj(json!({"custom_objects": [o]}));
    assert_eq!(
        o(json!({})),
        vec![
            (
                "custom_objects[0].api_name".into(),
                "api_name must be a non-empty string".into()
            ),
            (
                "custom_objects[0].label".into(),
                "label must be a non-empty string".into()
            ),
        ]
    );
    assert_eq!(
        o(json!({"api_name": "  ", "label": "A"})),
        one(
            "custom_objects[0].api_name",
            "api_name must be a non-empty string"
        )
    );
    assert_eq!(
        o(json!({"api_name": 7, "label": "A"})),
        one(
            "custom_objects[0].api_name",
            "api_name must be a non-empty string"
        )
    );
    assert_eq!(
        o(json!({"api_name": "Account", "label": "A"})),
        one(
            "custom_objects[0].api_name",
            "Custom object api_name must end with '__c'"
        )
    );
    let shape =
        "api_name must start with a letter and contain only letters, digits and underscores";
    assert_eq!(
        o(json!({"api_name": "1A__c", "label": "A"})),
        one("custom_objects[0].api_name", shape)
    );
    assert_eq!(
        o(json!({"api_name": "A-b__c", "label": "A"})),
        one("custom_objects[0].api_name", shape)
    );
    let long = format!("{}__c", "A".repeat(38));
    assert_eq!(
        o(json!({"api_name": long, "label": "A"})),
        one(
            "custom_objects[0].api_name",
            "api_name must be at most 40 characters"
        )
    );
    let fits = format!("{}__c", "A".repeat(37));
    assert_eq!(o(json!({"api_name": fits, "label": "A"})), vec![]);
}

#[test]
fn fields_need_names_labels_and_a_known_type() {
    let p = "custom_objects[0].fields[0]";
    assert_eq!(
        field_errs(json!({})),
        vec![
            (
                format!("{p}.api_name"),
                "api_name must be a non-empty string".into()
            ),
            (
                format!("{p}.label"),
                "label must be a non-empty string".into()
            ),
            (
                format!("{p}.type"),
                "type must be a non-empty string".into()
            ),
        ]
    );
    assert_eq!(
        field_errs(json!({"api_name": "B", "label": "B", "type": "Text"})),
        one(
            &format!("{p}.api_name"),
            "Field api_name must end with '__c'"
        )
    );
    assert_eq!(
        field_errs(json!({"api_name": "B__c", "label": "B", "type": "Formula"})),
        one(
            &format!("{p}.type"),
            &format!("Invalid field type 'Formula'. Must be one of: {ALL_TYPES}")
        )
    );
    let rel = json!({"custom_objects": [{"api_name": "A__c", "label": "A", "relationships": [
        {"api_name": "B__c", "label": "B", "type": "Text"}
    ]}]});
    assert_eq!(
        obj(rel),
        one(
            "custom_objects[0].relationships[0].type",
            "Invalid field type 'Text'. Must be one of: Lookup, MasterDetail"
        )
    );
}

fn typed(t: &str, extra: Value) -> Vec<(String, String)> {
    let mut f = json!({"api_name": "B__c", "label": "B", "type": t});
    f.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    field_errs(f)
}

#[test]
fn type_rules_enforce_salesforce_bounds() {
    let p = |k: &str| format!("custom_objects[0].fields[0].{k}");
    // Text
    assert_eq!(typed("Text", json!({"length": 255})), vec![]);
    assert_eq!(
        typed("Text", json!({"length": 0})),
        one(&p("length"), "length must be a positive integer")
    );
    assert_eq!(
        typed("Text", json!({"length": true})),
        one(&p("length"), "length must be a positive integer")
    );
    assert_eq!(
        typed("Text", json!({"length": 256})),
        one(&p("length"), "length must be at most 255 for Text fields")
    );
    // Number, Currency, Percent: scale 0 is valid; precision at most 18, at least the scale.
    for t in ["Number", "Currency", "Percent"] {
        assert_eq!(
            typed(t, json!({"precision": 18, "scale": 0})),
            vec![],
            "{t}"
        );
        assert_eq!(
            typed(t, json!({"precision": 0})),
            one(&p("precision"), "precision must be a positive integer")
        );
        assert_eq!(
            typed(t, json!({"scale": -1})),
            one(&p("scale"), "scale must be a non-negative integer")
        );
        assert_eq!(
            typed(t, json!({"precision": 19})),
            one(&p("precision"), "precision must be at most 18")
        );
        assert_eq!(
            typed(t, json!({"precision": 4, "scale": 5})),
            one(
                &p("precision"),
                "precision (4) must be greater than or equal to scale (5)"
            )
        );
    }
    // Picklists
    for t in ["Picklist", "MultiselectPicklist"] {
        assert_eq!(typed(t, json!({"values": ["a"]})), vec![]);
        assert_eq!(
            typed(t, json!({"values": []})),
            one(
                &p("values"),
                "Picklist values must be a non-empty list when provided"
            )
        );
        assert_eq!(
            typed(t, json!({"values": "a"})),
            one(
                &p("values"),
                "Picklist values must be a non-empty list when provided"
            )
        );
    }
    // Lookup and MasterDetail
    for t in ["Lookup", "MasterDetail"] {
        assert_eq!(typed(t, json!({"referenceTo": "Account"})), vec![]);
        assert_eq!(
            typed(t, json!({"related_to": " "})),
            one(
                &p("related_to"),
                "Lookup/MasterDetail fields must include a non-empty related_to or referenceTo"
            )
        );
    }
    assert_eq!(
        typed(
            "Lookup",
            json!({"related_to": "Account", "delete_constraint": "Drop"})
        ),
        one(
            &p("delete_constraint"),
            "Invalid delete_constraint 'Drop'. Must be one of: Cascade, Restrict, SetNull"
        )
    );
    // Checkbox
    assert_eq!(typed("Checkbox", json!({"default": false})), vec![]);
    assert_eq!(
        typed("Checkbox", json!({"default": "yes"})),
        one(&p("default"), "default must be a boolean when provided")
    );
    assert_eq!(
        typed("Checkbox", json!({"default_value": 1})),
        one(
            &p("default_value"),
            "default_value must be a boolean when provided"
        )
    );
    // LongTextArea
    assert_eq!(
        typed("LongTextArea", json!({"length": 32768, "visible_lines": 3})),
        vec![]
    );
    assert_eq!(
        typed("LongTextArea", json!({"length": -5})),
        one(&p("length"), "length must be a positive integer")
    );
    assert_eq!(
        typed("LongTextArea", json!({"length": 100})),
        one(
            &p("length"),
            "length must be between 256 and 131072 for LongTextArea fields"
        )
    );
    assert_eq!(
        typed("LongTextArea", json!({"visible_lines": 0})),
        one(
            &p("visible_lines"),
            "visible_lines must be a positive integer"
        )
    );
    // Types without rules
    for t in ["TextArea", "Date", "DateTime", "Email", "Phone", "Url"] {
        assert_eq!(typed(t, json!({})), vec![], "{t}");
    }
}

fn an(plan: Value) -> Vec<(String, String)> {
    errs(analytics::validate(&plan))
}

fn valid_analytics() -> Value {
    json!({
        "report_folders": [{"api_name": "Sales", "name": "Sales", "accessType": "Public"}],
        "dashboard_folders": [{"api_name": "Boards", "name": "Boards"}],
        "reports": [{"api_name": "Pipeline", "folder": "Sales", "name": "Pipeline", "reportType": "Opportunity",
            "format": "Summary", "scope": "organization",
            "chart": {"chartType": "Bar", "chartSummaries": [{"aggregate": "Sum", "column": "AMOUNT"}]},
            "groupingsDown": [{"field": "STAGE_NAME", "sortOrder": "Asc", "dateGranularity": "None"}],
            "filter": {"criteriaItems": [{"column": "AMOUNT", "operator": "greaterThan", "value": "0"}]}}],
        "dashboards": [{"api_name": "Overview", "folder": "Boards", "title": "Overview", "runningUser": "a@b.c",
            "leftSection": [{"componentType": "Bar", "report": "Sales/Pipeline"}]}]
    })
}

fn patched(path: &[&str], value: Value) -> Vec<(String, String)> {
    let mut plan = valid_analytics();
    let mut at = &mut plan;
    for (i, k) in path.iter().enumerate() {
        if i == path.len() - 1 {
            at[*k] = value;
            break;
        }
        at = match k.parse::<usize>() {
            Ok(n) => &mut at[n],
            Err(_) => &mut at[*k],
        };
    }
    an(plan)
}

#[test]
fn analytics_plans_follow_every_rule() {
    assert_eq!(an(valid_analytics()), vec![]);
    assert_eq!(an(json!("x")), one("plan", "Plan must be an object"));
    assert_eq!(
        an(json!({"report_folders": 1})),
        one(
            "report_folders",
            "report_folders must be a list when provided"
        )
    );
    assert_eq!(
        an(json!({"dashboard_folders": [2]})),
        one(
            "dashboard_folders[0]",
            "dashboard_folder entry must be an object"
        )
    );
    assert_eq!(
        an(json!({"report_folders": [{}]})),
        vec![
            (
                "report_folders[0].api_name".into(),
                "api_name must be a non-empty string".into()
            ),
            (
                "report_folders[0].name".into(),
                "name must be a non-empty string".into()
            ),
        ]
    );
    assert_eq!(
        patched(&["report_folders", "0", "accessType"], json!("Open")),
        one(
            "report_folders[0].accessType",
            "Invalid accessType 'Open'. Must be one of: Hidden, Public, PublicInternal, Shared"
        )
    );
    assert_eq!(
        an(json!({"reports": [1]})),
        one("reports[0]", "report entry must be an object")
    );
    assert_eq!(
        an(json!({"reports": [{"pre_existing": true}]})),
        vec![
            (
                "reports[0].api_name".into(),
                "api_name must be a non-empty string".into()
            ),
            (
                "reports[0].folder".into(),
                "folder must be a non-empty string".into()
            ),
            (
                "reports[0].name".into(),
                "name must be a non-empty string".into()
            ),
            (
                "reports[0].reportType".into(),
                "reportType must be a non-empty string".into()
            ),
        ]
    );
    let r = |k: &str| format!("reports[0].{k}");
    assert_eq!(
        patched(&["reports", "0", "format"], json!("Grid")),
        one(
            &r("format"),
            "Invalid format 'Grid'. Must be one of: Matrix, MultiBlock, Summary, Tabular"
        )
    );
    assert_eq!(
        patched(&["reports", "0", "scope"], json!("all")),
        one(
            &r("scope"),
            "Invalid scope 'all'. Must be one of: everything, mine, organization, team, user"
        )
    );
    assert_eq!(
        patched(&["reports", "0", "chart"], json!([])),
        one(&r("chart"), "chart must be an object when provided")
    );
    assert_eq!(
        patched(&["reports", "0", "chart", "chartType"], json!("Radar")),
        one(
            &r("chart.chartType"),
            "Invalid chartType 'Radar'. Must be one of: Bar, BarStacked, BarStacked100, Column, ColumnStacked, ColumnStacked100, Donut, Funnel, HorizontalBar, Line, LineCumulative, LineGrouped, Pie, Scatter, ScatterGrouped, VerticalColumn"
        )
    );
    assert_eq!(
        patched(&["reports", "0", "chart", "chartSummaries"], json!([])),
        one(
            &r("chart.chartSummaries"),
            "chartSummaries must be a non-empty list"
        )
    );
    assert_eq!(patched(&["reports", "0", "chart", "chartSummaries"], json!([{"aggregate": "Median"}])), vec![
        (r("chart.chartSummaries[0].aggregate"), "Invalid aggregate 'Median'. Must be one of: Average, Maximum, Minimum, RowCount, Sum".into()),
        (r("chart.chartSummaries[0].column"), "column must be a non-empty string".into()),
    ]);
    assert_eq!(
        patched(&["reports", "0", "groupingsDown"], json!({})),
        one(
            &r("groupingsDown"),
            "groupingsDown must be a list when provided"
        )
    );
    assert_eq!(patched(&["reports", "0", "groupingsAcross"], json!([{"sortOrder": "Up", "dateGranularity": "Hour"}])), vec![
        (r("groupingsAcross[0].field"), "field must be a non-empty string".into()),
        (r("groupingsAcross[0].sortOrder"), "Invalid sortOrder 'Up'. Must be one of: Asc, Desc".into()),
        (r("groupingsAcross[0].dateGranularity"), "Invalid dateGranularity 'Hour'. Must be one of: Day, FiscalQuarter, FiscalYear, Month, None, Quarter, Week, Year".into()),
    ]);
    assert_eq!(
        patched(&["reports", "0", "filter"], json!("x")),
        one(&r("filter"), "filter must be an object when provided")
    );
    assert_eq!(
        patched(
            &["reports", "0", "filter", "criteriaItems"],
            json!([{"column": "A", "operator": "equals", "value": 3}])
        ),
        one(
            &r("filter.criteriaItems[0].value"),
            "value must be a string"
        )
    );
    assert_eq!(
        patched(&["reports", "0", "folder"], json!("Other")),
        one(
            &r("folder"),
            "Report folder 'Other' not found in plan report_folders and not marked as pre_existing"
        )
        .into_iter()
        .chain(one(
            "dashboards[0].leftSection[0].report",
            "Report 'Sales/Pipeline' not found in plan reports and not marked as pre_existing"
        ))
        .collect::<Vec<_>>()
    );
    assert_eq!(
        patched(&["reports", "0", "pre_existing"], json!("yes")),
        one(
            &r("pre_existing"),
            "pre_existing must be a boolean when provided"
        )
    );
    let mut pre = valid_analytics();
    pre["reports"][0]["folder"] = json!("Other");
    pre["reports"][0]["pre_existing"] = json!(true);
    pre["dashboards"][0]["leftSection"][0]["report"] = json!("Other/Pipeline");
    assert_eq!(an(pre), vec![]);

    let d = |k: &str| format!("dashboards[0].{k}");
    assert_eq!(
        an(json!({"dashboards": [true]})),
        one("dashboards[0]", "dashboard entry must be an object")
    );
    assert_eq!(
        patched(&["dashboards", "0", "dashboardType"], json!("Everyone")),
        one(
            &d("dashboardType"),
            "Invalid dashboardType 'Everyone'. Must be one of: LoggedInUser, MyTeamUser, SpecifiedUser"
        )
    );
    assert_eq!(
        patched(&["dashboards", "0", "runningUser"], json!(null)),
        one(
            &d("runningUser"),
            "runningUser is required when dashboardType is SpecifiedUser"
        )
    );
    let mut logged_in = valid_analytics();
    logged_in["dashboards"][0]["runningUser"] = json!(null);
    logged_in["dashboards"][0]["dashboardType"] = json!("LoggedInUser");
    assert_eq!(an(logged_in), vec![]);
    assert_eq!(
        patched(&["dashboards", "0", "title"], json!("")),
        one(&d("title"), "title must be a non-empty string")
    );
    assert_eq!(
        patched(&["dashboards", "0", "folder"], json!("Nowhere")),
        one(
            &d("folder"),
            "Dashboard folder 'Nowhere' not found in plan dashboard_folders and not marked as pre_existing"
        )
    );
    assert_eq!(
        patched(&["dashboards", "0", "rightSection"], json!("x")),
        one(
            &d("rightSection"),
            "rightSection must be a list when provided"
        )
    );
    assert_eq!(
        patched(&["dashboards", "0", "middleSection"], json!([1])),
        one(&d("middleSection[0]"), "component entry must be an object")
    );
    assert_eq!(
        patched(
            &["dashboards", "0", "leftSection", "0", "componentType"],
            json!("Map")
        ),
        one(
            &d("leftSection[0].componentType"),
            "Invalid componentType 'Map'. Must be one of: Bar, BarStacked, BarStacked100, Column, ColumnStacked, ColumnStacked100, Donut, FlexTable, Funnel, Gauge, Line, LineCumulative, LineGrouped, Metric, Pie, Scatter, ScatterGrouped, Table"
        )
    );
    assert_eq!(
        patched(
            &["dashboards", "0", "leftSection", "0", "report"],
            json!(" ")
        ),
        one(
            &d("leftSection[0].report"),
            "report must be a non-empty string"
        )
    );
    let mut component_pre = valid_analytics();
    component_pre["dashboards"][0]["leftSection"][0] =
        json!({"report": "Old/Report", "pre_existing": true});
    assert_eq!(an(component_pre), vec![]);
}
