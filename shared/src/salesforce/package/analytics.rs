//! Report and dashboard folders, reports and dashboards (`reports/F-meta.xml`,
//! `reports/F/R.report`, `dashboards/F-meta.xml`, `dashboards/F/D.dashboard`), with children in
//! WSDL order and the elements Salesforce requires (a dashboard's colours and title size).

use std::io;

use super::write::{W, flag, leaf, node, opt_leaf};

/// A report or dashboard folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSpec {
    /// `Sales_Reports`.
    pub api_name: String,
    pub name: String,
    /// `Hidden | Public | PublicInternal | Shared`; defaults to `Public`.
    pub access_type: Option<String>,
    pub shares: Vec<FolderShare>,
}

/// A `folderShares` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderShare {
    /// `View | EditAllContents | Manage`.
    pub access_level: String,
    pub shared_to: String,
    /// `Organization | Role | Group | User | ...`.
    pub shared_to_type: String,
}

/// `Tabular | Summary | Matrix | MultiBlock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Tabular,
    Summary,
    Matrix,
    MultiBlock,
}

impl ReportFormat {
    fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Tabular => "Tabular",
            ReportFormat::Summary => "Summary",
            ReportFormat::Matrix => "Matrix",
            ReportFormat::MultiBlock => "MultiBlock",
        }
    }
}

/// A report in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub folder: String,
    pub api_name: String,
    pub name: String,
    pub description: Option<String>,
    pub format: ReportFormat,
    /// `Opportunity`, `LeadList`, `CustomEntity$Foo__c`, ...
    pub report_type: String,
    /// Defaults to `organization`.
    pub scope: Option<String>,
    pub show_details: bool,
    pub show_grand_total: bool,
    pub columns: Vec<String>,
    pub filter: Option<ReportFilter>,
    pub groupings_down: Vec<ReportGrouping>,
    pub groupings_across: Vec<ReportGrouping>,
    pub chart: Option<ReportChart>,
    pub time_frame: Option<TimeFrameFilter>,
}

impl ReportSpec {
    /// A summary report with details and grand total shown, and nothing else yet.
    pub fn new(folder: &str, api_name: &str, name: &str, report_type: &str) -> Self {
        ReportSpec {
            folder: folder.to_string(),
            api_name: api_name.to_string(),
            name: name.to_string(),
            description: None,
            format: ReportFormat::Summary,
            report_type: report_type.to_string(),
            scope: None,
            show_details: true,
            show_grand_total: true,
            columns: Vec::new(),
            filter: None,
            groupings_down: Vec::new(),
            groupings_across: Vec::new(),
            chart: None,
            time_frame: None,
        }
    }

    /// `folder/api_name`, the member name in package.xml.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.folder, self.api_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFilter {
    pub boolean_filter: Option<String>,
    pub criteria: Vec<ReportCriteria>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCriteria {
    pub column: String,
    /// `equals`, `notEqual`, `greaterThan`, ...
    pub operator: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportGrouping {
    pub field: String,
    /// `Asc | Desc`.
    pub sort_order: String,
    /// `Day | Week | Month | Quarter | Year | FiscalQuarter | FiscalYear | None`.
    pub date_granularity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportChart {
    /// `Bar`, `Column`, `Pie`, `Donut`, `Line`, `Funnel`, ...
    pub chart_type: String,
    pub grouping_column: Option<String>,
    pub summaries: Vec<ChartSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartSummary {
    /// `Sum | Average | Maximum | Minimum | RowCount`.
    pub aggregate: Option<String>,
    pub column: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeFrameFilter {
    pub date_column: String,
    /// `INTERVAL_CURY`, `INTERVAL_LAST30`, `INTERVAL_CUSTOM`, ...
    pub interval: String,
}

/// Whose data a dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardType {
    SpecifiedUser,
    LoggedInUser,
    MyTeamUser,
}

impl DashboardType {
    fn as_str(self) -> &'static str {
        match self {
            DashboardType::SpecifiedUser => "SpecifiedUser",
            DashboardType::LoggedInUser => "LoggedInUser",
            DashboardType::MyTeamUser => "MyTeamUser",
        }
    }
}

/// A classic (three-column) dashboard in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardSpec {
    pub folder: String,
    pub api_name: String,
    pub title: String,
    pub description: Option<String>,
    pub dashboard_type: DashboardType,
    /// A username; written only for `SpecifiedUser`, which needs it.
    pub running_user: Option<String>,
    pub left_section: Option<DashboardSection>,
    pub middle_section: Option<DashboardSection>,
    pub right_section: Option<DashboardSection>,
}

impl DashboardSpec {
    /// `folder/api_name`, the member name in package.xml.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.folder, self.api_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardSection {
    /// `Narrow | Medium | Wide`.
    pub column_size: String,
    pub components: Vec<DashboardComponent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardComponent {
    /// `Bar`, `Column`, `Pie`, `Table`, `Metric`, `Gauge`, ...
    pub component_type: String,
    /// `folder/report` of the source report.
    pub report: Option<String>,
    pub header: Option<String>,
    pub footer: Option<String>,
    pub title: Option<String>,
}

pub(crate) fn write_folder(w: &mut W, f: &FolderSpec) -> io::Result<()> {
    leaf(
        w,
        "accessType",
        f.access_type.as_deref().unwrap_or("Public"),
    )?;
    for s in &f.shares {
        node(w, "folderShares", |w| {
            leaf(w, "accessLevel", &s.access_level)?;
            leaf(w, "sharedTo", &s.shared_to)?;
            leaf(w, "sharedToType", &s.shared_to_type)
        })?;
    }
    leaf(w, "name", &f.name)
}

pub(crate) fn write_report(w: &mut W, r: &ReportSpec) -> io::Result<()> {
    if let Some(chart) = &r.chart {
        node(w, "chart", |w| {
            for s in &chart.summaries {
                node(w, "chartSummaries", |w| {
                    opt_leaf(w, "aggregate", s.aggregate.as_deref())?;
                    leaf(w, "column", &s.column)
                })?;
            }
            leaf(w, "chartType", &chart.chart_type)?;
            opt_leaf(w, "groupingColumn", chart.grouping_column.as_deref())?;
            leaf(w, "location", "CHART_BOTTOM")?;
            leaf(w, "size", "Medium")
        })?;
    }
    for c in &r.columns {
        node(w, "columns", |w| leaf(w, "field", c))?;
    }
    opt_leaf(w, "description", r.description.as_deref())?;
    if let Some(filter) = &r.filter {
        node(w, "filter", |w| {
            opt_leaf(w, "booleanFilter", filter.boolean_filter.as_deref())?;
            for c in &filter.criteria {
                node(w, "criteriaItems", |w| {
                    leaf(w, "column", &c.column)?;
                    leaf(w, "operator", &c.operator)?;
                    opt_leaf(w, "value", c.value.as_deref())
                })?;
            }
            Ok(())
        })?;
    }
    leaf(w, "format", r.format.as_str())?;
    for g in &r.groupings_across {
        node(w, "groupingsAcross", |w| write_grouping(w, g))?;
    }
    for g in &r.groupings_down {
        node(w, "groupingsDown", |w| write_grouping(w, g))?;
    }
    leaf(w, "name", &r.name)?;
    leaf(w, "reportType", &r.report_type)?;
    leaf(w, "scope", r.scope.as_deref().unwrap_or("organization"))?;
    flag(w, "showDetails", r.show_details)?;
    flag(w, "showGrandTotal", r.show_grand_total)?;
    if let Some(t) = &r.time_frame {
        node(w, "timeFrameFilter", |w| {
            leaf(w, "dateColumn", &t.date_column)?;
            leaf(w, "interval", &t.interval)
        })?;
    }
    Ok(())
}

fn write_grouping(w: &mut W, g: &ReportGrouping) -> io::Result<()> {
    opt_leaf(w, "dateGranularity", g.date_granularity.as_deref())?;
    leaf(w, "field", &g.field)?;
    leaf(w, "sortOrder", &g.sort_order)
}

pub(crate) fn write_dashboard(w: &mut W, d: &DashboardSpec) -> io::Result<()> {
    leaf(w, "backgroundEndColor", "#FFFFFF")?;
    leaf(w, "backgroundFadeDirection", "Diagonal")?;
    leaf(w, "backgroundStartColor", "#FFFFFF")?;
    leaf(w, "dashboardType", d.dashboard_type.as_str())?;
    opt_leaf(w, "description", d.description.as_deref())?;
    for (name, section) in [
        ("leftSection", &d.left_section),
        ("middleSection", &d.middle_section),
        ("rightSection", &d.right_section),
    ] {
        if let Some(section) = section {
            node(w, name, |w| write_section(w, section))?;
        }
    }
    if d.dashboard_type == DashboardType::SpecifiedUser {
        opt_leaf(w, "runningUser", d.running_user.as_deref())?;
    }
    leaf(w, "textColor", "#000000")?;
    leaf(w, "title", &d.title)?;
    leaf(w, "titleColor", "#000000")?;
    leaf(w, "titleSize", "12")
}

fn write_section(w: &mut W, s: &DashboardSection) -> io::Result<()> {
    leaf(w, "columnSize", &s.column_size)?;
    for c in &s.components {
        node(w, "components", |w| {
            // Without explicit columns a chart or table takes them from the report.
            flag(w, "autoselectColumnsFromReport", true)?;
            leaf(w, "componentType", &c.component_type)?;
            opt_leaf(w, "footer", c.footer.as_deref())?;
            opt_leaf(w, "header", c.header.as_deref())?;
            opt_leaf(w, "report", c.report.as_deref())?;
            opt_leaf(w, "title", c.title.as_deref())
        })?;
    }
    Ok(())
}
