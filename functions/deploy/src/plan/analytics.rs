//! The analytics plan: `report_folders`, `dashboard_folders`, `reports`, `dashboards`.

use serde_json::{Map, Value};
use shared::salesforce::package::{
    ChartSummary, DashboardComponent, DashboardSection, DashboardSpec, DashboardType, FolderShare,
    FolderSpec, Package, ReportChart, ReportCriteria, ReportFilter, ReportFormat, ReportGrouping,
    ReportSpec,
};

use super::{Check, PlanError, at, str_of};
use crate::engine::Planned;

const ACCESS: &[&str] = &["Hidden", "Public", "PublicInternal", "Shared"];
const FORMATS: &[&str] = &["Matrix", "MultiBlock", "Summary", "Tabular"];
const SCOPES: &[&str] = &["everything", "mine", "organization", "team", "user"];
const CHARTS: &[&str] = &[
    "Bar",
    "BarStacked",
    "BarStacked100",
    "Column",
    "ColumnStacked",
    "ColumnStacked100",
    "Donut",
    "Funnel",
    "HorizontalBar",
    "Line",
    "LineCumulative",
    "LineGrouped",
    "Pie",
    "Scatter",
    "ScatterGrouped",
    "VerticalColumn",
];
const AGGREGATES: &[&str] = &["Average", "Maximum", "Minimum", "RowCount", "Sum"];
const SORT: &[&str] = &["Asc", "Desc"];
const GRANULARITY: &[&str] = &[
    "Day",
    "FiscalQuarter",
    "FiscalYear",
    "Month",
    "None",
    "Quarter",
    "Week",
    "Year",
];
const DASHBOARD_TYPES: &[&str] = &["LoggedInUser", "MyTeamUser", "SpecifiedUser"];
const COMPONENT_TYPES: &[&str] = &[
    "Bar",
    "BarStacked",
    "BarStacked100",
    "Column",
    "ColumnStacked",
    "ColumnStacked100",
    "Donut",
    "FlexTable",
    "Funnel",
    "Gauge",
    "Line",
    "LineCumulative",
    "LineGrouped",
    "Metric",
    "Pie",
    "Scatter",
    "ScatterGrouped",
    "Table",
];
const SECTIONS: &[&str] = &["leftSection", "middleSection", "rightSection"];

/// Every problem of an analytics plan.
pub fn validate(plan: &Value) -> Vec<PlanError> {
    let mut c = Check::default();
    let Some(plan) = plan.as_object() else {
        c.err("plan", "Plan must be an object");
        return c.errors;
    };
    let folder_names = |c: &mut Check, key: &str, kind: &str| -> Vec<String> {
        let mut names = Vec::new();
        if let Some(list) = c.list(plan, "", key) {
            for (p, f) in c.entries(list, "", key, kind) {
                if let Some(n) = c.req_str(f, &p, "api_name") {
                    names.push(n.to_string());
                }
                c.req_str(f, &p, "name");
                c.one_of(f, &p, "accessType", ACCESS);
            }
        }
        names
    };
    let report_folders = folder_names(&mut c, "report_folders", "report_folder");
    let dashboard_folders = folder_names(&mut c, "dashboard_folders", "dashboard_folder");
    let mut report_names = Vec::new();
    if let Some(list) = c.list(plan, "", "reports") {
        for (p, r) in c.entries(list, "", "reports", "report") {
            let api = c.req_str(r, &p, "api_name");
            let folder = c.req_str(r, &p, "folder");
            c.req_str(r, &p, "name");
            c.req_str(r, &p, "reportType");
            c.one_of(r, &p, "format", FORMATS);
            c.one_of(r, &p, "scope", SCOPES);
            report(&mut c, &p, r);
            let pre = c.pre_existing(r, &p);
            if let Some(f) = folder
                && !pre
                && !report_folders.iter().any(|n| n == f)
            {
                c.err(at(&p, "folder"), format!("Report folder '{f}' not found in plan report_folders and not marked as pre_existing"));
            }
            if let (Some(f), Some(a)) = (folder, api) {
                report_names.push(format!("{f}/{a}"));
            }
        }
    }
    if let Some(list) = c.list(plan, "", "dashboards") {
        for (p, d) in c.entries(list, "", "dashboards", "dashboard") {
            c.req_str(d, &p, "api_name");
            let folder = c.req_str(d, &p, "folder");
            c.req_str(d, &p, "title");
            c.one_of(d, &p, "dashboardType", DASHBOARD_TYPES);
            let specified = d
                .get("dashboardType")
                .is_none_or(|t| t.is_null() || t == "SpecifiedUser");
            if specified && str_of(d, &["runningUser"]).is_none() {
                c.err(
                    at(&p, "runningUser"),
                    "runningUser is required when dashboardType is SpecifiedUser",
                );
            }
            let pre = c.pre_existing(d, &p);
            if let Some(f) = folder
                && !pre
                && !dashboard_folders.iter().any(|n| n == f)
            {
                c.err(at(&p, "folder"), format!("Dashboard folder '{f}' not found in plan dashboard_folders and not marked as pre_existing"));
            }
            for s in SECTIONS {
                let Some(list) = c.list(d, &p, s) else {
                    continue;
                };
                for (cp, comp) in c.entries(list, &p, s, "component") {
                    c.one_of(comp, &cp, "componentType", COMPONENT_TYPES);
                    let pre = c.pre_existing(comp, &cp);
                    if comp.get("report").is_some_and(|v| !v.is_null()) {
                        match str_of(comp, &["report"]) {
                            None => c.err(at(&cp, "report"), "report must be a non-empty string"),
                            Some(r) if !pre && !report_names.iter().any(|n| n == r) => c.err(
                                at(&cp, "report"),
                                format!("Report '{r}' not found in plan reports and not marked as pre_existing"),
                            ),
                            Some(_) => {}
                        }
                    }
                }
            }
        }
    }
    c.errors
}

/// A report's chart, groupings and filter.
fn report(c: &mut Check, p: &str, r: &Map<String, Value>) {
    if let Some(chart) = c.object(r, p, "chart") {
        let cp = at(p, "chart");
        if c.req_str(chart, &cp, "chartType").is_some() {
            c.one_of(chart, &cp, "chartType", CHARTS);
        }
        match chart
            .get("chartSummaries")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty())
        {
            None => c.err(
                at(&cp, "chartSummaries"),
                "chartSummaries must be a non-empty list",
            ),
            Some(list) => {
                for (sp, s) in c.entries(list, &cp, "chartSummaries", "chart summary") {
                    if c.req_str(s, &sp, "aggregate").is_some() {
                        c.one_of(s, &sp, "aggregate", AGGREGATES);
                    }
                    c.req_str(s, &sp, "column");
                }
            }
        }
    }
    for key in ["groupingsDown", "groupingsAcross"] {
        let Some(list) = c.list(r, p, key) else {
            continue;
        };
        for (gp, g) in c.entries(list, p, key, "grouping") {
            c.req_str(g, &gp, "field");
            c.one_of(g, &gp, "sortOrder", SORT);
            c.one_of(g, &gp, "dateGranularity", GRANULARITY);
        }
    }
    if let Some(filter) = c.object(r, p, "filter") {
        let fp = at(p, "filter");
        if let Some(list) = c.list(filter, &fp, "criteriaItems") {
            for (ip, item) in c.entries(list, &fp, "criteriaItems", "criteria item") {
                for key in ["column", "operator", "value"] {
                    if !item.get(key).is_some_and(Value::is_string) {
                        c.err(at(&ip, key), format!("{key} must be a string"));
                    }
                }
            }
        }
    }
}

fn list<'a>(o: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    o.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn s(o: &Map<String, Value>, key: &str) -> Option<String> {
    str_of(o, &[key]).map(str::to_string)
}

fn folder(f: &Map<String, Value>) -> FolderSpec {
    FolderSpec {
        api_name: s(f, "api_name").unwrap_or_default(),
        name: s(f, "name").unwrap_or_default(),
        access_type: s(f, "accessType"),
        shares: list(f, "folderShares")
            .map(|x| FolderShare {
                access_level: s(x, "accessLevel").unwrap_or_else(|| "View".into()),
                shared_to: s(x, "sharedTo").unwrap_or_default(),
                shared_to_type: s(x, "sharedToType").unwrap_or_else(|| "Organization".into()),
            })
            .collect(),
    }
}

fn report_spec(r: &Map<String, Value>) -> ReportSpec {
    let mut spec = ReportSpec::new(
        &s(r, "folder").unwrap_or_default(),
        &s(r, "api_name").unwrap_or_default(),
        &s(r, "name").unwrap_or_default(),
        &s(r, "reportType").unwrap_or_default(),
    );
    spec.description = s(r, "description");
    spec.format = match str_of(r, &["format"]) {
        Some("Tabular") => ReportFormat::Tabular,
        Some("Matrix") => ReportFormat::Matrix,
        Some("MultiBlock") => ReportFormat::MultiBlock,
        _ => ReportFormat::Summary,
    };
    spec.scope = s(r, "scope");
    spec.show_details = r
        .get("showDetails")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    spec.show_grand_total = r
        .get("showGrandTotal")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    spec.columns = r
        .get("columns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    spec.filter = r
        .get("filter")
        .and_then(Value::as_object)
        .map(|f| ReportFilter {
            boolean_filter: s(f, "booleanFilter"),
            criteria: list(f, "criteriaItems")
                .map(|i| ReportCriteria {
                    column: s(i, "column").unwrap_or_default(),
                    operator: s(i, "operator").unwrap_or_default(),
                    value: i.get("value").and_then(Value::as_str).map(str::to_string),
                })
                .collect(),
        });
    let grouping = |g: &Map<String, Value>| ReportGrouping {
        field: s(g, "field").unwrap_or_default(),
        sort_order: s(g, "sortOrder").unwrap_or_else(|| "Asc".into()),
        date_granularity: s(g, "dateGranularity"),
    };
    spec.groupings_down = list(r, "groupingsDown").map(grouping).collect();
    spec.groupings_across = list(r, "groupingsAcross").map(grouping).collect();
    spec.chart = r
        .get("chart")
        .and_then(Value::as_object)
        .map(|c| ReportChart {
            chart_type: s(c, "chartType").unwrap_or_default(),
            grouping_column: s(c, "groupingColumn"),
            summaries: list(c, "chartSummaries")
                .map(|x| ChartSummary {
                    aggregate: s(x, "aggregate"),
                    column: s(x, "column").unwrap_or_default(),
                })
                .collect(),
        });
    spec
}

fn dashboard_spec(d: &Map<String, Value>) -> DashboardSpec {
    let section = |key: &str| {
        d.get(key)
            .and_then(Value::as_array)
            .map(|_| DashboardSection {
                column_size: "Medium".into(),
                components: list(d, key)
                    .map(|c| DashboardComponent {
                        component_type: s(c, "componentType").unwrap_or_else(|| "Table".into()),
                        report: s(c, "report"),
                        header: s(c, "header"),
                        footer: s(c, "footer"),
                        title: s(c, "title"),
                    })
                    .collect(),
            })
    };
    DashboardSpec {
        folder: s(d, "folder").unwrap_or_default(),
        api_name: s(d, "api_name").unwrap_or_default(),
        title: s(d, "title").unwrap_or_default(),
        description: s(d, "description"),
        dashboard_type: match str_of(d, &["dashboardType"]) {
            Some("LoggedInUser") => DashboardType::LoggedInUser,
            Some("MyTeamUser") => DashboardType::MyTeamUser,
            _ => DashboardType::SpecifiedUser,
        },
        running_user: s(d, "runningUser"),
        left_section: section("leftSection"),
        middle_section: section("middleSection"),
        right_section: section("rightSection"),
    }
}

/// The package of a validated plan and its components: folders by api_name, reports and
/// dashboards as `folder/api_name`.
pub fn build(plan: &Value, api_version: &str) -> (Package, Vec<Planned>) {
    let mut pkg = Package::new(api_version);
    let mut planned = Vec::new();
    let Some(plan) = plan.as_object() else {
        return (pkg, planned);
    };
    for f in list(plan, "report_folders")
        .map(folder)
        .filter(|f| !f.api_name.is_empty())
    {
        planned.push(Planned::new(
            "report_folder",
            &f.api_name,
            "Report",
            &f.api_name,
        ));
        pkg.add_report_folder(f);
    }
    for f in list(plan, "dashboard_folders")
        .map(folder)
        .filter(|f| !f.api_name.is_empty())
    {
        planned.push(Planned::new(
            "dashboard_folder",
            &f.api_name,
            "Dashboard",
            &f.api_name,
        ));
        pkg.add_dashboard_folder(f);
    }
    for r in list(plan, "reports")
        .map(report_spec)
        .filter(|r| !r.api_name.is_empty() && !r.folder.is_empty())
    {
        planned.push(Planned::new(
            "report",
            &r.full_name(),
            "Report",
            &r.full_name(),
        ));
        pkg.add_report(r);
    }
    for d in list(plan, "dashboards")
        .map(dashboard_spec)
        .filter(|d| !d.api_name.is_empty() && !d.folder.is_empty())
    {
        planned.push(Planned::new(
            "dashboard",
            &d.full_name(),
            "Dashboard",
            &d.full_name(),
        ));
        pkg.add_dashboard(d);
    }
    (pkg, planned)
}
