//! `listMetadata` file properties and `readMetadata` records, from the org's schema and its
//! stored components.

use chrono::Utc;

use crate::metadata::fields::to_metadata;
use crate::metadata::xml::El;
use crate::state::State;

fn file_props(
    t: &str,
    full: &str,
    file: &str,
    id: &str,
    created: &str,
    modified: &str,
    user: &str,
) -> El {
    El::new("result")
        .with(El::text("createdById", user))
        .with(El::text("createdByName", "Ada Admin"))
        .with(El::text("createdDate", created))
        .with(El::text("fileName", file))
        .with(El::text("fullName", full))
        .with(El::text("id", id))
        .with(El::text("lastModifiedById", user))
        .with(El::text("lastModifiedByName", "Ada Admin"))
        .with(El::text("lastModifiedDate", modified))
        .with(El::text("manageableState", "unmanaged"))
        .with(El::text("type", t))
}

pub(super) fn list(st: &State, org_id: &str, t: &str, folder: Option<&str>) -> Vec<El> {
    let Some(org) = st.orgs.get(org_id) else {
        return vec![];
    };
    let user = org.admin_user_id.clone();
    let f = |d: &chrono::DateTime<Utc>| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let mut out = Vec::new();
    match t {
        "CustomObject" => {
            for o in org.objects.values() {
                let id = o.def.tooling_id.clone().unwrap_or_default();
                out.push(file_props(
                    t,
                    &o.def.name,
                    &format!("objects/{}.object", o.def.name),
                    &id,
                    &f(&o.def.created),
                    &f(&o.def.last_modified),
                    &user,
                ));
            }
        }
        "CustomField" => {
            for o in org.objects.values() {
                for fd in o.def.fields.iter().filter(|x| x.custom) {
                    let full = format!("{}.{}", o.def.name, fd.name);
                    out.push(file_props(
                        t,
                        &full,
                        &format!("objects/{}.object", o.def.name),
                        fd.tooling_id.as_deref().unwrap_or_default(),
                        &f(&fd.created),
                        &f(&o.def.last_modified),
                        &user,
                    ));
                }
            }
        }
        "ValidationRule" => {
            for o in org.objects.values() {
                for r in &o.def.validation_rules {
                    let full = format!("{}.{}", o.def.name, r.name);
                    out.push(file_props(
                        t,
                        &full,
                        &format!("objects/{}.object", o.def.name),
                        &r.id,
                        &f(&r.created),
                        &f(&r.created),
                        &user,
                    ));
                }
            }
        }
        _ => {
            let (kind, dir, suffix) = match t {
                "Flow" => ("Flow", "flows", ".flow"),
                "FlowDefinition" => ("FlowDefinition", "flowDefinitions", ".flowDefinition"),
                "AssignmentRules" => ("AssignmentRules", "assignmentRules", ".assignmentRules"),
                "ReportFolder" => ("ReportFolder", "reports", "-meta.xml"),
                "DashboardFolder" => ("DashboardFolder", "dashboards", "-meta.xml"),
                "Report" => ("Report", "reports", ".report"),
                "Dashboard" => ("Dashboard", "dashboards", ".dashboard"),
                _ => return out,
            };
            for ((ct, name), s) in &org.components {
                if ct != kind {
                    continue;
                }
                if let Some(fo) = folder
                    && !name.starts_with(&format!("{fo}/"))
                {
                    continue;
                }
                out.push(file_props(
                    t,
                    name,
                    &format!("{dir}/{name}{suffix}"),
                    &s.id,
                    &f(&s.created),
                    &f(&s.modified),
                    &user,
                ));
            }
        }
    }
    out
}

pub(super) fn read(st: &State, org_id: &str, t: &str, name: &str) -> El {
    let nil = El::new("records").attr("xsi:nil", "true");
    let Some(org) = st.orgs.get(org_id) else {
        return nil;
    };
    let typed = |mut el: El| {
        el.name = "records".into();
        el.attrs = vec![("xsi:type".into(), t.to_string())];
        el
    };
    match t {
        "CustomObject" => {
            let Some(o) = org.object(name) else {
                return nil;
            };
            let mut el = El::new("records");
            el.push_text("fullName", o.def.name.clone());
            if let Some(d) = &o.def.description {
                el.push_text("description", d.clone());
            }
            el.push_text("deploymentStatus", o.def.deployment_status.clone());
            for fd in o.def.fields.iter().filter(|x| x.custom) {
                el.children.push(to_metadata(fd, &fd.name));
            }
            el.push_text("label", o.def.label.clone());
            if let Some(nf) = o.def.field("Name") {
                let ty = if nf.auto_number { "AutoNumber" } else { "Text" };
                el.children.push(
                    El::new("nameField")
                        .with(El::text("label", nf.label.clone()))
                        .with(El::text("type", ty)),
                );
            }
            el.push_text("pluralLabel", o.def.label_plural.clone());
            el.push_text("sharingModel", o.def.sharing_model.clone());
            for r in &o.def.validation_rules {
                el.children.push(
                    El::new("validationRules")
                        .with(El::text("fullName", r.name.clone()))
                        .with(El::text("active", r.active.to_string()))
                        .with(El::text("errorConditionFormula", r.formula.clone()))
                        .with(El::text("errorMessage", r.message.clone())),
                );
            }
            typed(el)
        }
        "CustomField" => {
            let Some((obj, f)) = name.split_once('.') else {
                return nil;
            };
            match org
                .object(obj)
                .and_then(|o| o.def.field(f))
                .filter(|f| f.custom)
            {
                Some(fd) => typed(to_metadata(fd, name)),
                None => nil,
            }
        }
        "ValidationRule" => {
            let Some((obj, rn)) = name.split_once('.') else {
                return nil;
            };
            match org.object(obj).and_then(|o| {
                o.def
                    .validation_rules
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(rn))
            }) {
                Some(r) => typed(
                    El::new("records")
                        .with(El::text("fullName", name))
                        .with(El::text("active", r.active.to_string()))
                        .with(El::text("errorConditionFormula", r.formula.clone()))
                        .with(El::text("errorMessage", r.message.clone())),
                ),
                None => nil,
            }
        }
        _ => {
            let key = match t {
                "Report" if !name.contains('/') => "ReportFolder",
                "Dashboard" if !name.contains('/') => "DashboardFolder",
                other => other,
            };
            match org.components.get(&(key.to_string(), name.to_string())) {
                Some(s) => {
                    let mut el = s.el.clone();
                    el.children.retain(|c| c.name != "fullName");
                    el.children.insert(0, El::text("fullName", name));
                    typed(el)
                }
                None => nil,
            }
        }
    }
}
