//! Reads a deploy zip in Metadata API format (SALESFORCE.md §3.3): `package.xml`,
//! `destructiveChanges*.xml`, objects, flows, flow definitions, assignment rules, report and
//! dashboard folders, reports and dashboards. The zip itself is not kept.

use std::io::{Cursor, Read};

use super::xml::{El, parse};

/// One component to deploy.
#[derive(Debug, Clone)]
pub struct Component {
    /// Metadata type (`CustomObject`, `CustomField`, `ValidationRule`, `Flow`, ...).
    pub mtype: String,
    pub full_name: String,
    pub file_name: String,
    pub el: El,
}

/// A deletion from a destructive manifest.
#[derive(Debug, Clone)]
pub struct Deletion {
    pub mtype: String,
    pub full_name: String,
    /// `pre` (default and destructiveChangesPre) or `post`.
    pub post: bool,
}

/// A parse problem tied to a file.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub file_name: String,
    pub full_name: String,
    pub mtype: String,
    pub problem: String,
}

/// Everything a deploy carries.
#[derive(Debug, Clone, Default)]
pub struct Package {
    pub has_package_xml: bool,
    pub components: Vec<Component>,
    pub deletions: Vec<Deletion>,
    pub problems: Vec<FileProblem>,
}

fn manifest(el: &El, post: bool) -> Vec<Deletion> {
    let mut out = Vec::new();
    for t in el.all("types") {
        let mtype = t.get("name").unwrap_or_default().to_string();
        for m in t.all("members") {
            out.push(Deletion {
                mtype: mtype.clone(),
                full_name: m.text.trim().to_string(),
                post,
            });
        }
    }
    out
}

fn strip(name: &str, suffixes: &[&str]) -> Option<String> {
    suffixes
        .iter()
        .find_map(|s| name.strip_suffix(s).map(str::to_string))
}

/// Unzips and parses a deploy package. `Err` means the zip itself is unreadable.
pub fn read(zip_bytes: &[u8]) -> Result<Package, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).map_err(|e| e.to_string())?;
    let mut pkg = Package::default();
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(|e| e.to_string())?;
        if f.is_dir() {
            continue;
        }
        let mut s = String::new();
        if f.read_to_string(&mut s).is_err() {
            continue;
        }
        files.push((f.name().map(|n| n.to_string()).unwrap_or_default(), s));
    }
    // A single top-level folder (singlePackage=false layouts) is stripped.
    let prefix = files
        .iter()
        .find(|(n, _)| n.ends_with("package.xml") && n.matches('/').count() == 1)
        .map(|(n, _)| n.trim_end_matches("package.xml").to_string());
    for (name, body) in files {
        let path = match &prefix {
            Some(p) => name.strip_prefix(p.as_str()).unwrap_or(&name).to_string(),
            None => name.clone(),
        };
        let parsed = parse(&body);
        let el = match parsed {
            Ok(el) => el,
            Err(e) => {
                pkg.problems.push(FileProblem {
                    file_name: path.clone(),
                    full_name: path.clone(),
                    mtype: String::new(),
                    problem: format!("Error parsing file: {e}"),
                });
                continue;
            }
        };
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["package.xml"] => pkg.has_package_xml = true,
            ["destructiveChanges.xml"] | ["destructiveChangesPre.xml"] => {
                pkg.deletions.extend(manifest(&el, false))
            }
            ["destructiveChangesPost.xml"] => pkg.deletions.extend(manifest(&el, true)),
            ["objects", file] => {
                let Some(obj) = strip(file, &[".object", ".object-meta.xml"]) else {
                    continue;
                };
                let file_name = format!("objects/{file}");
                for f in el.all("fields") {
                    let fname = f.get("fullName").unwrap_or_default();
                    pkg.components.push(Component {
                        mtype: "CustomField".into(),
                        full_name: format!("{obj}.{fname}"),
                        file_name: file_name.clone(),
                        el: f.clone(),
                    });
                }
                for v in el.all("validationRules") {
                    let vname = v.get("fullName").unwrap_or_default();
                    pkg.components.push(Component {
                        mtype: "ValidationRule".into(),
                        full_name: format!("{obj}.{vname}"),
                        file_name: file_name.clone(),
                        el: v.clone(),
                    });
                }
                let mut object_el = el.clone();
                object_el
                    .children
                    .retain(|c| c.name != "fields" && c.name != "validationRules");
                pkg.components.insert(
                    0,
                    Component {
                        mtype: "CustomObject".into(),
                        full_name: obj,
                        file_name,
                        el: object_el,
                    },
                );
            }
            ["flows", file] => {
                if let Some(n) = strip(file, &[".flow-meta.xml", ".flow"]) {
                    pkg.components.push(Component {
                        mtype: "Flow".into(),
                        full_name: n,
                        file_name: format!("flows/{file}"),
                        el,
                    });
                }
            }
            ["flowDefinitions", file] => {
                if let Some(n) = strip(file, &[".flowDefinition-meta.xml", ".flowDefinition"]) {
                    pkg.components.push(Component {
                        mtype: "FlowDefinition".into(),
                        full_name: n,
                        file_name: format!("flowDefinitions/{file}"),
                        el,
                    });
                }
            }
            ["assignmentRules", file] => {
                if let Some(n) = strip(file, &[".assignmentRules-meta.xml", ".assignmentRules"]) {
                    pkg.components.push(Component {
                        mtype: "AssignmentRules".into(),
                        full_name: n,
                        file_name: format!("assignmentRules/{file}"),
                        el,
                    });
                }
            }
            ["reports", file] => {
                if let Some(n) = strip(file, &[".reportFolder-meta.xml", "-meta.xml"]) {
                    pkg.components.push(Component {
                        mtype: "ReportFolder".into(),
                        full_name: n,
                        file_name: format!("reports/{file}"),
                        el,
                    });
                }
            }
            ["reports", folder, file] => {
                if let Some(n) = strip(file, &[".report-meta.xml", ".report"]) {
                    pkg.components.push(Component {
                        mtype: "Report".into(),
                        full_name: format!("{folder}/{n}"),
                        file_name: format!("reports/{folder}/{file}"),
                        el,
                    });
                }
            }
            ["dashboards", file] => {
                if let Some(n) = strip(file, &[".dashboardFolder-meta.xml", "-meta.xml"]) {
                    pkg.components.push(Component {
                        mtype: "DashboardFolder".into(),
                        full_name: n,
                        file_name: format!("dashboards/{file}"),
                        el,
                    });
                }
            }
            ["dashboards", folder, file] => {
                if let Some(n) = strip(file, &[".dashboard-meta.xml", ".dashboard"]) {
                    pkg.components.push(Component {
                        mtype: "Dashboard".into(),
                        full_name: format!("{folder}/{n}"),
                        file_name: format!("dashboards/{folder}/{file}"),
                        el,
                    });
                }
            }
            _ => {}
        }
    }
    // Objects first (in file order), then everything else in file order.
    pkg.components.sort_by_key(|c| match c.mtype.as_str() {
        "CustomObject" => 0,
        "CustomField" => 1,
        "ValidationRule" => 2,
        "ReportFolder" | "DashboardFolder" => 3,
        "Report" => 4,
        "Dashboard" => 5,
        _ => 3,
    });
    Ok(pkg)
}
