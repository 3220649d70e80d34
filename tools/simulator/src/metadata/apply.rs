//! Applies a deploy package to an org: objects, fields, validation rules, flows, assignment
//! rules, folders, reports, dashboards and destructive changes, each yielding a DeployMessage.
//! Every change is undoable, so `checkOnly` and `rollbackOnError` leave the org untouched.

use chrono::Utc;

use super::Stored;
use super::fields::{BAD_NAME, from_metadata, valid_custom_name};
use super::package::{Component, Deletion, Package};
use super::xml::El;
use crate::schema::{FieldDef, ObjectDef, ValidationRule};
use crate::store::{Org, SObject};

/// One DeployMessage.
#[derive(Debug, Clone)]
pub struct Msg {
    pub changed: bool,
    pub component_type: String,
    pub created: bool,
    pub deleted: bool,
    pub file_name: String,
    pub full_name: String,
    pub id: Option<String>,
    pub problem: Option<String>,
    pub problem_type: Option<&'static str>,
    pub success: bool,
}

impl Msg {
    fn ok(c: &Component, id: Option<String>, created: bool) -> Msg {
        Msg {
            changed: !created,
            component_type: c.mtype.clone(),
            created,
            deleted: false,
            file_name: c.file_name.clone(),
            full_name: c.full_name.clone(),
            id,
            problem: None,
            problem_type: None,
            success: true,
        }
    }

    fn fail(c: &Component, problem: impl Into<String>) -> Msg {
        Msg {
            changed: false,
            component_type: c.mtype.clone(),
            created: false,
            deleted: false,
            file_name: c.file_name.clone(),
            full_name: c.full_name.clone(),
            id: None,
            problem: Some(problem.into()),
            problem_type: Some("Error"),
            success: false,
        }
    }

    /// The `package.xml` row Salesforce lists among successes.
    pub fn package_xml() -> Msg {
        Msg {
            changed: true,
            component_type: String::new(),
            created: false,
            deleted: false,
            file_name: "package.xml".into(),
            full_name: "package.xml".into(),
            id: None,
            problem: None,
            problem_type: None,
            success: true,
        }
    }
}

enum Undo {
    Def(String, Box<ObjectDef>),
    Added(String),
    Removed(String, Box<SObject>, i64),
    Component((String, String), Option<Stored>),
}

fn restore(org: &mut Org, undo: Vec<Undo>) {
    for u in undo.into_iter().rev() {
        match u {
            Undo::Def(key, def) => {
                if let Some(o) = org.objects.get_mut(&key) {
                    o.def = *def;
                    o.reindex();
                }
            }
            Undo::Added(key) => {
                if let Some(o) = org.objects.remove(&key) {
                    org.prefixes.remove(&o.def.key_prefix);
                }
            }
            Undo::Removed(key, so, modified) => {
                org.prefixes.insert(so.def.key_prefix.clone(), key.clone());
                org.objects.insert(key, *so);
                org.schema_modified = modified;
            }
            Undo::Component(k, prev) => match prev {
                Some(s) => {
                    org.components.insert(k, s);
                }
                None => {
                    org.components.remove(&k);
                }
            },
        }
    }
}

struct Ctx<'a> {
    org: &'a mut Org,
    undo: Vec<Undo>,
    pkg: &'a Package,
}

impl Ctx<'_> {
    fn save_def(&mut self, key: &str) {
        if let Some(o) = self.org.objects.get(key) {
            self.undo
                .push(Undo::Def(key.to_string(), Box::new(o.def.clone())));
        }
    }

    fn touch(&mut self, name: &str) {
        let key = name.to_lowercase();
        if self.org.objects.contains_key(&key) {
            self.save_def(&key);
            if let Some(o) = self.org.objects.get_mut(&key) {
                o.def.touch();
            }
        }
    }

    fn put_component(&mut self, mtype: &str, name: &str, el: El, prefix: &str) -> (String, bool) {
        let k = (mtype.to_string(), name.to_string());
        let prev = self.org.components.get(&k).cloned();
        let now = Utc::now();
        let (id, created_at, version) = match &prev {
            Some(p) => (p.id.clone(), p.created, p.version + 1),
            None => (self.org.mint(prefix), now, 1),
        };
        self.undo.push(Undo::Component(k.clone(), prev.clone()));
        self.org.components.insert(
            k,
            Stored {
                id: id.clone(),
                el,
                created: created_at,
                modified: now,
                version,
            },
        );
        (id, prev.is_none())
    }

    fn package_has_md_for(&self, obj: &str) -> bool {
        self.pkg.components.iter().any(|c| {
            c.mtype == "CustomField"
                && c.full_name
                    .split('.')
                    .next()
                    .is_some_and(|o| o.eq_ignore_ascii_case(obj))
                && c.el.get("type") == Some("MasterDetail")
        })
    }

    fn object(&mut self, c: &Component) -> Msg {
        let name = c.full_name.clone();
        let key = name.to_lowercase();
        let el = &c.el;
        let sharing = el.get("sharingModel").map(str::to_string);
        let has_md = self.package_has_md_for(&name)
            || self.org.objects.get(&key).is_some_and(|o| {
                o.def
                    .fields
                    .iter()
                    .any(|f| f.meta_type.as_deref() == Some("MasterDetail"))
            });
        if let Some(sm) = &sharing {
            const MODELS: &[&str] = &[
                "Private",
                "Read",
                "ReadSelect",
                "ReadWrite",
                "ReadWriteTransfer",
                "FullAccess",
                "ControlledByParent",
                "ControlledByLeadOrContact",
                "ControlledByCampaign",
            ];
            if !MODELS.contains(&sm.as_str()) {
                return Msg::fail(
                    c,
                    format!("'{sm}' is not a valid value for the enum 'SharingModel'"),
                );
            }
            if has_md && sm != "ControlledByParent" {
                return Msg::fail(
                    c,
                    format!(
                        "Cannot set sharingModel to {sm} on a CustomObject with a MasterDetail relationship field"
                    ),
                );
            }
            if !has_md && sm == "ControlledByParent" {
                return Msg::fail(
                    c,
                    "Cannot set sharingModel to ControlledByParent on a CustomObject without a MasterDetail relationship field",
                );
            }
        }
        if let Some(existing) = self.org.objects.get(&key) {
            if !existing.def.custom {
                return Msg {
                    changed: false,
                    ..Msg::ok(c, None, false)
                };
            }
            let id = existing.def.tooling_id.clone();
            self.save_def(&key);
            if let Some(o) = self.org.objects.get_mut(&key) {
                if let Some(l) = el.get("label") {
                    o.def.label = l.to_string();
                }
                if let Some(l) = el.get("pluralLabel") {
                    o.def.label_plural = l.to_string();
                }
                if let Some(sm) = sharing {
                    o.def.sharing_model = sm;
                }
                if let Some(d) = el.get("deploymentStatus") {
                    o.def.deployment_status = d.to_string();
                }
                o.def.touch();
            }
            return Msg::ok(c, id, false);
        }
        if !valid_custom_name(&name) {
            return Msg::fail(c, BAD_NAME);
        }
        let Some(label) = el.get("label").filter(|l| !l.is_empty()) else {
            return Msg::fail(c, "Must specify a non-empty label for the CustomObject");
        };
        let Some(plural) = el.get("pluralLabel").filter(|l| !l.is_empty()) else {
            return Msg::fail(
                c,
                "Must specify a non-empty plural label for the CustomObject",
            );
        };
        let Some(nf) = el.child("nameField") else {
            return Msg::fail(c, "Must specify a nameField for the CustomObject");
        };
        let nf_type = nf.get("type").unwrap_or("Text");
        let nf_label = nf.get("label").unwrap_or(label).to_string();
        let prefix = self.org.next_custom_prefix();
        let mut def = ObjectDef::new(&name, label, plural, &prefix);
        match nf_type {
            "Text" => {
                def.add_field(
                    FieldDef::string("Name", &nf_label, 80)
                        .name_field()
                        .defaulted(),
                );
            }
            "AutoNumber" => {
                let mut f = FieldDef::string("Name", &nf_label, 30)
                    .name_field()
                    .defaulted();
                f.auto_number = true;
                f.createable = false;
                f.updateable = false;
                f.nillable = false;
                f.display_format = Some(nf.get("displayFormat").unwrap_or("{0}").to_string());
                def.add_field(f);
            }
            other => {
                return Msg::fail(
                    c,
                    format!("'{other}' is not a valid nameField type; use Text or AutoNumber"),
                );
            }
        }
        let sm = sharing.unwrap_or_else(|| "ReadWrite".into());
        if sm != "ControlledByParent" {
            def.add_field(
                FieldDef::reference("OwnerId", "Owner ID", &["Group", "User"], "Owner", None)
                    .required()
                    .defaulted(),
            );
        }
        def.add_audit_fields();
        def.custom = true;
        for f in &mut def.fields {
            f.custom = false;
        }
        def.sharing_model = sm;
        def.deployment_status = el.get("deploymentStatus").unwrap_or("Deployed").to_string();
        def.description = el.get("description").map(str::to_string);
        def.enable_activities = el.flag("enableActivities").unwrap_or(false);
        let id = self.org.mint("01I");
        def.tooling_id = Some(id.clone());
        self.org.add_object(def);
        self.org.schema_modified = Utc::now().timestamp() + 1;
        self.undo.push(Undo::Added(key));
        Msg::ok(c, Some(id), true)
    }

    fn field(&mut self, c: &Component) -> Msg {
        let Some((obj, fname)) = c.full_name.split_once('.') else {
            return Msg::fail(c, "Invalid fullName for a CustomField");
        };
        let key = obj.to_lowercase();
        let Some(so) = self.org.objects.get(&key) else {
            return Msg::fail(c, format!("Entity '{obj}' not found"));
        };
        let sharing = so.def.sharing_model.clone();
        let md_count = so
            .def
            .fields
            .iter()
            .filter(|f| {
                f.meta_type.as_deref() == Some("MasterDetail")
                    && !f.name.eq_ignore_ascii_case(fname)
            })
            .count();
        let objects = &self.org.objects;
        let exists = |n: &str| objects.contains_key(&n.to_lowercase());
        let mut f = match from_metadata(&c.el, fname, &exists) {
            Ok(f) => f,
            Err(p) => return Msg::fail(c, p),
        };
        if f.meta_type.as_deref() == Some("MasterDetail") {
            if sharing != "ControlledByParent" {
                return Msg::fail(
                    c,
                    format!(
                        "Cannot set sharingModel to {sharing} on a CustomObject with a MasterDetail relationship field"
                    ),
                );
            }
            if md_count >= 2 {
                return Msg::fail(
                    c,
                    "An object can have at most 2 master-detail relationship fields",
                );
            }
        }
        let target = f.reference_to.first().cloned();
        self.save_def(&key);
        let (id, created) = {
            let existing = self.org.objects[&key]
                .def
                .fields
                .iter()
                .position(|x| x.name.eq_ignore_ascii_case(fname));
            match existing {
                Some(i) => {
                    let old = &self.org.objects[&key].def.fields[i];
                    f.slot = old.slot;
                    f.tooling_id = old.tooling_id.clone();
                    f.created = old.created;
                    let id = f.tooling_id.clone();
                    if let Some(o) = self.org.objects.get_mut(&key) {
                        o.def.fields[i] = f;
                    }
                    (id, false)
                }
                None => {
                    let id = self.org.mint("00N");
                    f.tooling_id = Some(id.clone());
                    if let Some(o) = self.org.objects.get_mut(&key) {
                        o.def.add_field(f);
                    }
                    (Some(id), true)
                }
            }
        };
        if let Some(o) = self.org.objects.get_mut(&key) {
            o.def.touch();
            o.reindex();
        }
        if let Some(t) = target {
            self.touch(&t);
        }
        Msg::ok(c, id, created)
    }

    fn validation_rule(&mut self, c: &Component) -> Msg {
        let Some((obj, rname)) = c.full_name.split_once('.') else {
            return Msg::fail(c, "Invalid fullName for a ValidationRule");
        };
        let key = obj.to_lowercase();
        if !self.org.objects.contains_key(&key) {
            return Msg::fail(c, format!("Entity '{obj}' not found"));
        }
        let el = &c.el;
        let Some(formula) = el.get("errorConditionFormula").filter(|s| !s.is_empty()) else {
            return Msg::fail(
                c,
                "Must specify 'errorConditionFormula' for a ValidationRule",
            );
        };
        let Some(message) = el.get("errorMessage").filter(|s| !s.is_empty()) else {
            return Msg::fail(c, "Must specify 'errorMessage' for a ValidationRule");
        };
        let display = el.get("errorDisplayField").map(str::to_string);
        if let Some(d) = &display
            && self.org.objects[&key].def.field(d).is_none()
        {
            return Msg::fail(c, format!("Error Display Field {d} does not exist"));
        }
        self.save_def(&key);
        let mint = self.org.mint("03d");
        let Some(o) = self.org.objects.get_mut(&key) else {
            return Msg::fail(c, "object vanished");
        };
        let rule = ValidationRule {
            id: mint,
            name: rname.to_string(),
            active: el.flag("active").unwrap_or(false),
            formula: formula.to_string(),
            message: message.to_string(),
            display_field: display,
            description: el.get("description").map(str::to_string),
            created: Utc::now(),
        };
        let (id, created) = match o
            .def
            .validation_rules
            .iter_mut()
            .find(|r| r.name.eq_ignore_ascii_case(rname))
        {
            Some(r) => {
                let id = r.id.clone();
                *r = ValidationRule {
                    id: id.clone(),
                    created: r.created,
                    ..rule
                };
                (id, false)
            }
            None => {
                let id = rule.id.clone();
                o.def.validation_rules.push(rule);
                (id, true)
            }
        };
        Msg::ok(c, Some(id), created)
    }

    fn stored(&mut self, c: &Component) -> Msg {
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

    fn delete(&mut self, d: &Deletion) -> Msg {
        let mtype = match (d.mtype.as_str(), d.full_name.contains('/')) {
            ("Report", false) => "ReportFolder".to_string(),
            ("Dashboard", false) => "DashboardFolder".to_string(),
            ("AssignmentRule", _) => "AssignmentRules".to_string(),
            (t, _) => t.to_string(),
        };
        let full = if d.mtype == "AssignmentRule" {
            d.full_name
                .split('.')
                .next()
                .unwrap_or_default()
                .to_string()
        } else {
            d.full_name.clone()
        };
        let file = if d.post {
            "destructiveChangesPost.xml"
        } else {
            "destructiveChanges.xml"
        };
        let base = Msg {
            changed: false,
            component_type: mtype.clone(),
            created: false,
            deleted: true,
            file_name: file.into(),
            full_name: d.full_name.clone(),
            id: None,
            problem: None,
            problem_type: None,
            success: true,
        };
        let missing = Msg {
            deleted: false,
            problem: Some(format!("No {} named: {} found", d.mtype, d.full_name)),
            problem_type: Some("Warning"),
            ..base.clone()
        };
        let refuse = |p: &str| Msg {
            deleted: false,
            success: false,
            problem: Some(p.to_string()),
            problem_type: Some("Error"),
            ..base.clone()
        };
        match mtype.as_str() {
            "CustomObject" => {
                let key = full.to_lowercase();
                let Some(o) = self.org.objects.get(&key) else {
                    return missing;
                };
                if !o.def.custom {
                    return refuse("Cannot delete a standard object");
                }
                let id = o.def.tooling_id.clone();
                let targets: Vec<String> = o
                    .def
                    .fields
                    .iter()
                    .filter(|f| f.custom)
                    .flat_map(|f| f.reference_to.clone())
                    .collect();
                let Some(so) = self.org.remove_object(&full) else {
                    return missing;
                };
                self.undo
                    .push(Undo::Removed(key, Box::new(so), self.org.schema_modified));
                self.org.schema_modified = Utc::now().timestamp() + 1;
                for t in targets {
                    self.touch(&t);
                }
                Msg { id, ..base }
            }
            "CustomField" => {
                let Some((obj, fname)) = full.split_once('.') else {
                    return missing;
                };
                let key = obj.to_lowercase();
                let Some(o) = self.org.objects.get(&key) else {
                    return missing;
                };
                let Some(f) = o.def.field(fname) else {
                    return missing;
                };
                if !f.custom {
                    return refuse("Cannot delete a standard field");
                }
                let id = f.tooling_id.clone();
                let targets = f.reference_to.clone();
                self.save_def(&key);
                if let Some(o) = self.org.objects.get_mut(&key) {
                    o.def.fields.retain(|x| !x.name.eq_ignore_ascii_case(fname));
                    o.def.touch();
                    o.reindex();
                }
                for t in targets {
                    self.touch(&t);
                }
                Msg { id, ..base }
            }
            "ValidationRule" => {
                let Some((obj, rname)) = full.split_once('.') else {
                    return missing;
                };
                let key = obj.to_lowercase();
                let Some(o) = self.org.objects.get(&key) else {
                    return missing;
                };
                let Some(r) = o
                    .def
                    .validation_rules
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(rname))
                else {
                    return missing;
                };
                let id = Some(r.id.clone());
                self.save_def(&key);
                if let Some(o) = self.org.objects.get_mut(&key) {
                    o.def
                        .validation_rules
                        .retain(|r| !r.name.eq_ignore_ascii_case(rname));
                }
                Msg { id, ..base }
            }
            _ => {
                let k = (mtype.clone(), full.clone());
                let Some(prev) = self.org.components.remove(&k) else {
                    return missing;
                };
                let id = Some(prev.id.clone());
                self.undo.push(Undo::Component(k, Some(prev)));
                Msg { id, ..base }
            }
        }
    }
}

/// Applies `pkg`. Returns (successes, failures); the org is left unchanged when `check_only`,
/// or when something failed and `rollback_on_error` is set.
pub fn apply(
    org: &mut Org,
    pkg: &Package,
    check_only: bool,
    rollback_on_error: bool,
) -> (Vec<Msg>, Vec<Msg>) {
    let mut ctx = Ctx {
        org,
        undo: Vec::new(),
        pkg,
    };
    let mut msgs = Vec::new();
    for d in pkg.deletions.iter().filter(|d| !d.post) {
        msgs.push(ctx.delete(d));
    }
    for c in &pkg.components {
        let m = match c.mtype.as_str() {
            "CustomObject" => ctx.object(c),
            "CustomField" => ctx.field(c),
            "ValidationRule" => ctx.validation_rule(c),
            _ => ctx.stored(c),
        };
        msgs.push(m);
    }
    for d in pkg.deletions.iter().filter(|d| d.post) {
        msgs.push(ctx.delete(d));
    }
    let undo = std::mem::take(&mut ctx.undo);
    let (ok, bad): (Vec<Msg>, Vec<Msg>) = msgs.into_iter().partition(|m| m.success);
    if check_only || (!bad.is_empty() && rollback_on_error) {
        restore(org, undo);
    }
    (ok, bad)
}
