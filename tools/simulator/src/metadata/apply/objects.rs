//! Custom objects, custom fields and validation rules in a deploy.

use chrono::Utc;

use super::{Ctx, Msg, Undo};
use crate::metadata::fields::{BAD_NAME, from_metadata, valid_custom_name};
use crate::metadata::package::Component;
use crate::schema::{FieldDef, ObjectDef, ValidationRule};

impl Ctx<'_> {
    pub(super) fn object(&mut self, c: &Component) -> Msg {
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

    pub(super) fn field(&mut self, c: &Component) -> Msg {
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

    pub(super) fn validation_rule(&mut self, c: &Component) -> Msg {
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
}
