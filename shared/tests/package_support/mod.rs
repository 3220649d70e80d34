//! Shared helpers of the package builder tests: reading files back from a package, and specs
//! that exercise every field type and every analytics element.

#![allow(dead_code)]

use shared::salesforce::package::*;
use shared::salesforce::xml::{XmlNode, parse};

pub fn names(node: &XmlNode) -> Vec<&str> {
    node.children.iter().map(|c| c.name.as_str()).collect()
}

pub fn file(package: &Package, name: &str) -> XmlNode {
    let files = package.files().unwrap();
    let (_, body) = files.iter().find(|(n, _)| n == name).unwrap_or_else(|| {
        panic!(
            "no {name} in {:?}",
            files.iter().map(|f| &f.0).collect::<Vec<_>>()
        )
    });
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(
        text.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#),
        "{text}"
    );
    let root = parse(&text).unwrap();
    assert_eq!(root.attribute("xmlns"), Some(METADATA_NS), "{name}");
    root
}

pub fn fields_by_name(object: &XmlNode) -> Vec<(String, &XmlNode)> {
    object
        .children_named("fields")
        .map(|f| (f.string("fullName"), f))
        .collect()
}

pub fn field<'a>(object: &'a XmlNode, name: &str) -> &'a XmlNode {
    object
        .children_named("fields")
        .find(|f| f.text_of("fullName") == Some(name))
        .unwrap()
}

pub fn picklist(values: &[&str]) -> Vec<PicklistValue> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| PicklistValue::new(v, i == 0))
        .collect()
}

pub fn every_field_type_object() -> CustomObjectSpec {
    let mut o = CustomObjectSpec::new("Invoice__c", "Invoice");
    o.description = Some("Bills & dues".into());
    let mut ext = FieldSpec::new("Ext_Id__c", "External Id", FieldType::Text { length: 80 });
    ext.external_id = true;
    ext.unique = true;
    ext.required = true;
    o.fields = vec![
        ext,
        FieldSpec::new("Notes__c", "Notes", FieldType::TextArea),
        FieldSpec::new(
            "Body__c",
            "Body",
            FieldType::LongTextArea {
                length: 32768,
                visible_lines: 5,
            },
        ),
        FieldSpec::new(
            "Qty__c",
            "Qty",
            FieldType::Number {
                precision: 18,
                scale: 0,
            },
        ),
        FieldSpec::new(
            "Amount__c",
            "Amount",
            FieldType::Currency {
                precision: 16,
                scale: 2,
            },
        ),
        FieldSpec::new(
            "Rate__c",
            "Rate",
            FieldType::Percent {
                precision: 5,
                scale: 2,
            },
        ),
        FieldSpec::new("Paid__c", "Paid", FieldType::Checkbox { default: false }),
        FieldSpec::new("Due__c", "Due", FieldType::Date),
        FieldSpec::new("Sent__c", "Sent", FieldType::DateTime),
        FieldSpec::new("Email__c", "Email", FieldType::Email),
        FieldSpec::new("Phone__c", "Phone", FieldType::Phone),
        FieldSpec::new("Site__c", "Site", FieldType::Url),
        FieldSpec::new(
            "Stage__c",
            "Stage",
            FieldType::Picklist {
                values: picklist(&["Draft", "Sent"]),
                restricted: true,
                sorted: false,
            },
        ),
        FieldSpec::new(
            "Tags__c",
            "Tags",
            FieldType::MultiselectPicklist {
                values: picklist(&["A", "B"]),
                restricted: false,
                sorted: true,
                visible_lines: 4,
            },
        ),
        FieldSpec::new(
            "Contact__c",
            "Contact",
            FieldType::Lookup {
                reference_to: "Contact".into(),
                relationship_name: "Invoices".into(),
                relationship_label: None,
                delete_constraint: DeleteConstraint::SetNull,
            },
        ),
    ];
    o.validation_rules = vec![ValidationRuleSpec {
        name: "Amount_Positive".into(),
        active: true,
        description: None,
        error_condition_formula: "Amount__c < 0".into(),
        error_display_field: Some("Amount__c".into()),
        error_message: "Amount must be >= 0".into(),
    }];
    o
}

pub fn analytics_package() -> Package {
    let mut p = Package::new("60.0");
    p.add_report_folder(FolderSpec {
        api_name: "Sales_Reports".into(),
        name: "Sales Reports".into(),
        access_type: None,
        shares: vec![FolderShare {
            access_level: "View".into(),
            shared_to: "AllInternalUsers".into(),
            shared_to_type: "Organization".into(),
        }],
    });
    let mut report = ReportSpec::new("Sales_Reports", "Pipeline", "Pipeline", "Opportunity");
    report.columns = vec!["OPPORTUNITY_NAME".into(), "AMOUNT".into()];
    report.filter = Some(ReportFilter {
        boolean_filter: None,
        criteria: vec![ReportCriteria {
            column: "STAGE_NAME".into(),
            operator: "notEqual".into(),
            value: Some("Closed Lost".into()),
        }],
    });
    report.groupings_down = vec![ReportGrouping {
        field: "CLOSE_DATE".into(),
        sort_order: "Asc".into(),
        date_granularity: Some("Month".into()),
    }];
    report.chart = Some(ReportChart {
        chart_type: "Column".into(),
        grouping_column: Some("CLOSE_DATE".into()),
        summaries: vec![ChartSummary {
            aggregate: Some("Sum".into()),
            column: "AMOUNT".into(),
        }],
    });
    report.time_frame = Some(TimeFrameFilter {
        date_column: "CLOSE_DATE".into(),
        interval: "INTERVAL_CURY".into(),
    });
    p.add_report(report);
    p.add_dashboard_folder(FolderSpec {
        api_name: "Sales_Dash".into(),
        name: "Sales Dash".into(),
        access_type: Some("Shared".into()),
        shares: vec![],
    });
    p.add_dashboard(DashboardSpec {
        folder: "Sales_Dash".into(),
        api_name: "Pipeline_Dash".into(),
        title: "Pipeline".into(),
        description: None,
        dashboard_type: DashboardType::SpecifiedUser,
        running_user: Some("admin@acme.com".into()),
        left_section: Some(DashboardSection {
            column_size: "Medium".into(),
            components: vec![DashboardComponent {
                component_type: "Column".into(),
                report: Some("Sales_Reports/Pipeline".into()),
                header: Some("By month".into()),
                footer: None,
                title: None,
            }],
        }),
        middle_section: None,
        right_section: None,
    });
    p
}
