//! The Metadata package builder: the zip a SOAP `deploy` takes (SALESFORCE.md §3.3).
//!
//! Callers (the deploy, workflow and analytics features) turn plans into typed specs and add
//! them to a [`Package`]; it writes `package.xml`, `destructiveChanges.xml` when something is
//! deleted, and one file per component in Metadata API (not SFDX source) layout:
//! `objects/X.object`, `flows/X.flow`, `assignmentRules/X.assignmentRules`,
//! `reports/F-meta.xml`, `reports/F/R.report`, `dashboards/F-meta.xml`,
//! `dashboards/F/D.dashboard`. All XML goes through quick-xml's writer.

mod analytics;
mod object_xml;
mod objects;
mod workflows;
mod write;

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

pub use analytics::{
    ChartSummary, DashboardComponent, DashboardSection, DashboardSpec, DashboardType, FolderShare,
    FolderSpec, ReportChart, ReportCriteria, ReportFilter, ReportFormat, ReportGrouping,
    ReportSpec, TimeFrameFilter,
};
pub use objects::{
    CustomObjectSpec, DeleteConstraint, FieldSpec, FieldType, NameField, ObjectChangesSpec,
    PicklistValue, SharingModel, ValidationRuleSpec,
};
pub use workflows::{
    AssignmentRuleSpec, AssignmentRulesContent, AssignmentRulesSpec, CriteriaItem, FlowSpec,
    RuleEntrySpec,
};
pub use write::METADATA_NS;

use write::{document, leaf, node};

/// Why a package could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{0}")]
    Invalid(String),
    #[error("{file}: {reason}")]
    InvalidXml { file: String, reason: String },
    #[error("writing the package: {0}")]
    Write(String),
}

impl From<std::io::Error> for PackageError {
    fn from(e: std::io::Error) -> Self {
        PackageError::Write(e.to_string())
    }
}

impl From<zip::result::ZipError> for PackageError {
    fn from(e: zip::result::ZipError) -> Self {
        PackageError::Write(e.to_string())
    }
}

/// A metadata type as package.xml names it. Report and dashboard folders are members of
/// `Report` and `Dashboard` (the folder name alone), not types of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MetadataType {
    AssignmentRules,
    CustomField,
    CustomObject,
    Dashboard,
    Flow,
    Report,
    ValidationRule,
}

impl MetadataType {
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataType::AssignmentRules => "AssignmentRules",
            MetadataType::CustomField => "CustomField",
            MetadataType::CustomObject => "CustomObject",
            MetadataType::Dashboard => "Dashboard",
            MetadataType::Flow => "Flow",
            MetadataType::Report => "Report",
            MetadataType::ValidationRule => "ValidationRule",
        }
    }
}

/// Members by type, types in name order, members in the order added and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest(BTreeMap<MetadataType, Vec<String>>);

impl Manifest {
    pub fn add(&mut self, t: MetadataType, member: &str) {
        let members = self.0.entry(t).or_default();
        if !members.iter().any(|m| m == member) {
            members.push(member.to_string());
        }
    }

    pub fn members(&self, t: MetadataType) -> &[String] {
        self.0.get(&t).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// package.xml or destructiveChanges.xml; the version only in package.xml.
    fn to_xml(&self, version: Option<&str>) -> Result<Vec<u8>, PackageError> {
        Ok(document("Package", |w| {
            for (t, members) in &self.0 {
                node(w, "types", |w| {
                    for m in members {
                        leaf(w, "members", m)?;
                    }
                    leaf(w, "name", t.as_str())
                })?;
            }
            if let Some(v) = version {
                leaf(w, "version", v)?;
            }
            Ok(())
        })?)
    }
}

/// A deployable package under construction.
#[derive(Debug, Clone, Default)]
pub struct Package {
    version: String,
    objects: Vec<CustomObjectSpec>,
    object_changes: Vec<ObjectChangesSpec>,
    flows: Vec<FlowSpec>,
    assignment_rules: Vec<AssignmentRulesSpec>,
    report_folders: Vec<FolderSpec>,
    reports: Vec<ReportSpec>,
    dashboard_folders: Vec<FolderSpec>,
    dashboards: Vec<DashboardSpec>,
    destructive: Manifest,
}

impl Package {
    /// An empty package for an API version (`v60.0` or `60.0`).
    pub fn new(api_version: &str) -> Self {
        Package {
            version: api_version
                .trim()
                .trim_start_matches(['v', 'V'])
                .to_string(),
            ..Package::default()
        }
    }

    pub fn add_custom_object(&mut self, spec: CustomObjectSpec) -> &mut Self {
        self.objects.push(spec);
        self
    }

    /// New fields and validation rules on an existing object.
    pub fn add_object_changes(&mut self, spec: ObjectChangesSpec) -> &mut Self {
        self.object_changes.push(spec);
        self
    }

    pub fn add_flow(&mut self, spec: FlowSpec) -> &mut Self {
        self.flows.push(spec);
        self
    }

    pub fn add_assignment_rules(&mut self, spec: AssignmentRulesSpec) -> &mut Self {
        self.assignment_rules.push(spec);
        self
    }

    pub fn add_report_folder(&mut self, spec: FolderSpec) -> &mut Self {
        self.report_folders.push(spec);
        self
    }

    pub fn add_report(&mut self, spec: ReportSpec) -> &mut Self {
        self.reports.push(spec);
        self
    }

    pub fn add_dashboard_folder(&mut self, spec: FolderSpec) -> &mut Self {
        self.dashboard_folders.push(spec);
        self
    }

    pub fn add_dashboard(&mut self, spec: DashboardSpec) -> &mut Self {
        self.dashboards.push(spec);
        self
    }

    /// Deletes a component (`Foo__c`, `Account.Bar__c`, `Folder/Report`, a folder name under
    /// `Report`/`Dashboard`), through destructiveChanges.xml.
    pub fn delete(&mut self, t: MetadataType, full_name: &str) -> &mut Self {
        self.destructive.add(t, full_name);
        self
    }

    /// What package.xml lists: each object, field and rule, flows, rule sets, folders and
    /// reports/dashboards by `folder/name`. The deploy result reports on these names.
    pub fn manifest(&self) -> Manifest {
        let mut m = Manifest::default();
        for o in &self.objects {
            m.add(MetadataType::CustomObject, &o.api_name);
            for f in &o.fields {
                m.add(
                    MetadataType::CustomField,
                    &format!("{}.{}", o.api_name, f.api_name),
                );
            }
            for r in &o.validation_rules {
                m.add(
                    MetadataType::ValidationRule,
                    &format!("{}.{}", o.api_name, r.name),
                );
            }
        }
        for c in &self.object_changes {
            for f in &c.fields {
                m.add(
                    MetadataType::CustomField,
                    &format!("{}.{}", c.object, f.api_name),
                );
            }
            for r in &c.validation_rules {
                m.add(
                    MetadataType::ValidationRule,
                    &format!("{}.{}", c.object, r.name),
                );
            }
        }
        for f in &self.flows {
            m.add(MetadataType::Flow, &f.api_name);
        }
        for a in &self.assignment_rules {
            m.add(MetadataType::AssignmentRules, &a.object);
        }
        for f in &self.report_folders {
            m.add(MetadataType::Report, &f.api_name);
        }
        for r in &self.reports {
            m.add(MetadataType::Report, &r.full_name());
        }
        for f in &self.dashboard_folders {
            m.add(MetadataType::Dashboard, &f.api_name);
        }
        for d in &self.dashboards {
            m.add(MetadataType::Dashboard, &d.full_name());
        }
        m
    }

    /// Every zip entry, in order: package.xml, destructiveChanges.xml (when deleting), then
    /// component files.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, PackageError> {
        self.validate()?;
        let mut files = vec![(
            "package.xml".to_string(),
            self.manifest().to_xml(Some(&self.version))?,
        )];
        if !self.destructive.is_empty() {
            files.push((
                "destructiveChanges.xml".to_string(),
                self.destructive.to_xml(None)?,
            ));
        }
        // One .object file per object: a new object's file, or the changes to an existing one
        // (several change sets for one object are merged).
        for o in &self.objects {
            files.push((
                format!("objects/{}.object", o.api_name),
                document("CustomObject", |w| object_xml::write_custom_object(w, o))?,
            ));
        }
        let mut changes: BTreeMap<&str, ObjectChangesSpec> = BTreeMap::new();
        for c in &self.object_changes {
            let merged = changes
                .entry(&c.object)
                .or_insert_with(|| ObjectChangesSpec {
                    object: c.object.clone(),
                    fields: Vec::new(),
                    validation_rules: Vec::new(),
                });
            merged.fields.extend(c.fields.iter().cloned());
            merged
                .validation_rules
                .extend(c.validation_rules.iter().cloned());
        }
        for (object, c) in &changes {
            files.push((
                format!("objects/{object}.object"),
                document("CustomObject", |w| object_xml::write_object_changes(w, c))?,
            ));
        }
        for f in &self.flows {
            let name = format!("flows/{}.flow", f.api_name);
            let body = workflows::rewrite_document(&f.xml, "Flow", &name)?;
            files.push((name, body));
        }
        for a in &self.assignment_rules {
            let name = format!("assignmentRules/{}.assignmentRules", a.object);
            let body = match &a.content {
                AssignmentRulesContent::Rules(rules) => document("AssignmentRules", |w| {
                    workflows::write_assignment_rules(w, rules)
                })?,
                AssignmentRulesContent::Xml(xml) => {
                    workflows::rewrite_document(xml, "AssignmentRules", &name)?
                }
            };
            files.push((name, body));
        }
        for f in &self.report_folders {
            files.push((
                format!("reports/{}-meta.xml", f.api_name),
                document("ReportFolder", |w| analytics::write_folder(w, f))?,
            ));
        }
        for r in &self.reports {
            files.push((
                format!("reports/{}/{}.report", r.folder, r.api_name),
                document("Report", |w| analytics::write_report(w, r))?,
            ));
        }
        for f in &self.dashboard_folders {
            files.push((
                format!("dashboards/{}-meta.xml", f.api_name),
                document("DashboardFolder", |w| analytics::write_folder(w, f))?,
            ));
        }
        for d in &self.dashboards {
            files.push((
                format!("dashboards/{}/{}.dashboard", d.folder, d.api_name),
                document("Dashboard", |w| analytics::write_dashboard(w, d))?,
            ));
        }
        Ok(files)
    }

    /// The zip to deploy (deflate, entries at the root: `singlePackage=true`).
    pub fn to_zip(&self) -> Result<Vec<u8>, PackageError> {
        let files = self.files()?;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in files {
            zip.start_file(name, options)?;
            zip.write_all(&body)?;
        }
        Ok(zip.finish()?.into_inner())
    }

    /// Names that would make a broken path or an empty member.
    fn validate(&self) -> Result<(), PackageError> {
        let mut names: Vec<(&str, &str)> = Vec::new();
        for o in &self.objects {
            names.push(("custom object", &o.api_name));
            names.extend(o.fields.iter().map(|f| ("field", f.api_name.as_str())));
            names.extend(
                o.validation_rules
                    .iter()
                    .map(|r| ("validation rule", r.name.as_str())),
            );
        }
        for c in &self.object_changes {
            names.push(("object", &c.object));
            names.extend(c.fields.iter().map(|f| ("field", f.api_name.as_str())));
            names.extend(
                c.validation_rules
                    .iter()
                    .map(|r| ("validation rule", r.name.as_str())),
            );
        }
        names.extend(self.flows.iter().map(|f| ("flow", f.api_name.as_str())));
        names.extend(
            self.assignment_rules
                .iter()
                .map(|a| ("assignment rules object", a.object.as_str())),
        );
        for f in self.report_folders.iter().chain(&self.dashboard_folders) {
            names.push(("folder", &f.api_name));
        }
        for r in &self.reports {
            names.push(("report folder", &r.folder));
            names.push(("report", &r.api_name));
        }
        for d in &self.dashboards {
            names.push(("dashboard folder", &d.folder));
            names.push(("dashboard", &d.api_name));
        }
        for (what, name) in names {
            let bad = name.trim().is_empty()
                || name.trim() != name
                || name.contains(['/', '\\', '<', '>', '"', '\''])
                || name.contains("..");
            if bad {
                return Err(PackageError::Invalid(format!(
                    "invalid {what} name {name:?}"
                )));
            }
        }
        Ok(())
    }
}
