//! Destructive changes: deleting objects, fields, validation rules and stored components.

use chrono::Utc;

use super::{Ctx, Msg, Undo};
use crate::metadata::package::Deletion;

impl Ctx<'_> {
    pub(super) fn delete(&mut self, d: &Deletion) -> Msg {
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
