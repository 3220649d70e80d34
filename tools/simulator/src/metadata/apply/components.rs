//! Components kept as metadata (flows, assignment rules, folders, reports, dashboards), with
//! the folder and report-type checks reports and dashboards need.

use super::{Ctx, Msg};
use crate::metadata::package::Component;

impl Ctx<'_> {
    pub(super) fn stored(&mut self, c: &Component) -> Msg {
        let el = &c.el;
        let check = match c.mtype.as_str() {
            "Flow" => el
                .get("label")
                .filter(|s| !s.is_empty())
                .map(|_| ())
                .ok_or("Must specify 'label' for a Flow".to_string()),
            "FlowDefinition" => Ok(()),
            "AssignmentRules" => {
                if !matches!(c.full_name.as_str(), "Lead" | "Case") {
                    Err(format!(
                        "AssignmentRules are not supported for {}",
                        c.full_name
                    ))
                } else if el
                    .all("assignmentRule")
                    .any(|r| r.get("fullName").is_none_or(str::is_empty))
                {
                    Err("Must specify 'fullName' for an AssignmentRule".into())
                } else {
                    Ok(())
                }
            }
            "ReportFolder" | "DashboardFolder" => el
                .get("name")
                .filter(|s| !s.is_empty())
                .map(|_| ())
                .ok_or(format!("Must specify 'name' for a {}", c.mtype)),
            "Report" => self.report_check(c),
            "Dashboard" => self.dashboard_check(c),
            _ => Ok(()),
        };
        if let Err(p) = check {
            return Msg::fail(c, p);
        }
        let prefix = match c.mtype.as_str() {
            "Flow" => "301",
            "FlowDefinition" => "300",
            "AssignmentRules" => "01Q",
            "Report" => "00O",
            "Dashboard" => "01Z",
            _ => "00l",
        };
        let (id, created) = self.put_component(&c.mtype, &c.full_name, el.clone(), prefix);
        Msg::ok(c, Some(id), created)
    }

    fn folder_exists(&self, mtype: &str, folder: &str) -> bool {
        self.org
            .components
            .contains_key(&(mtype.to_string(), folder.to_string()))
    }

    fn report_check(&self, c: &Component) -> Result<(), String> {
        let folder = c.full_name.split('/').next().unwrap_or_default();
        if !self.folder_exists("ReportFolder", folder) {
            return Err(format!("Cannot find folder:{folder}"));
        }
        for req in ["name", "format", "reportType"] {
            if c.el.get(req).is_none_or(str::is_empty) {
                return Err(format!("Must specify '{req}' for a Report"));
            }
        }
        if let Some(f) = c.el.get("format")
            && !matches!(f, "Tabular" | "Summary" | "Matrix" | "MultiBlock")
        {
            return Err(format!(
                "'{f}' is not a valid value for the enum 'ReportFormat'"
            ));
        }
        Ok(())
    }

    fn dashboard_check(&self, c: &Component) -> Result<(), String> {
        let folder = c.full_name.split('/').next().unwrap_or_default();
        if !self.folder_exists("DashboardFolder", folder) {
            return Err(format!("Cannot find folder:{folder}"));
        }
        if c.el.get("title").is_none_or(str::is_empty) {
            return Err("Must specify 'title' for a Dashboard".into());
        }
        for section in c.el.children.iter().filter(|s| s.name.ends_with("Section")) {
            for comp in section.all("components") {
                if let Some(r) = comp.get("report")
                    && !self
                        .org
                        .components
                        .contains_key(&("Report".to_string(), r.to_string()))
                {
                    return Err(format!("Cannot find report:{r}"));
                }
            }
        }
        Ok(())
    }
}
