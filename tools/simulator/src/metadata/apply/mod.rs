//! Applies a deploy package to an org: objects, fields, validation rules, flows, assignment
//! rules, folders, reports, dashboards and destructive changes, each yielding a DeployMessage.
//! Every change is undoable, so `checkOnly` and `rollbackOnError` leave the org untouched.

mod components;
mod delete;
mod objects;

use chrono::Utc;

use super::Stored;
use super::package::{Component, Package};
use super::xml::El;
use crate::schema::ObjectDef;
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
