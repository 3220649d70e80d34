//! Record storage for one org: compact rows per object, id and unique/external-id indexes, and
//! the org itself (schema, records, counters, cursors, deploys, bulk jobs).

use std::collections::{BTreeMap, HashMap};

use crate::ids;
use crate::schema::{FieldDef, ObjectDef, SysField};
use crate::values::{Val, now_ms};

/// One stored record. System audit fields live here; everything else in `values` by slot.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: [u8; 18],
    pub created: i64,
    pub modified: i64,
    pub deleted: bool,
    pub values: Vec<(u16, Val)>,
}

impl Record {
    /// The record id as text.
    pub fn id(&self) -> &str {
        std::str::from_utf8(&self.id).unwrap_or_default()
    }

    /// The value in `slot` (null when unset).
    pub fn get(&self, slot: u16) -> &Val {
        static NULL: Val = Val::Null;
        self.values
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, v)| v)
            .unwrap_or(&NULL)
    }

    fn put(&mut self, slot: u16, v: Val) {
        if let Some(e) = self.values.iter_mut().find(|(s, _)| *s == slot) {
            e.1 = v;
        } else if !v.is_null() {
            self.values.push((slot, v));
        }
    }
}

/// One object: its schema and its rows.
#[derive(Debug, Clone)]
pub struct SObject {
    pub def: ObjectDef,
    pub rows: Vec<Record>,
    pub by_id: HashMap<[u8; 15], u32>,
    /// slot → (value key → rows), for unique and external-id fields.
    pub indexes: HashMap<u16, HashMap<String, Vec<u32>>>,
    pub live: usize,
}

impl SObject {
    /// An empty table for `def`.
    pub fn new(def: ObjectDef) -> Self {
        let mut s = SObject {
            def,
            rows: Vec::new(),
            by_id: HashMap::new(),
            indexes: HashMap::new(),
            live: 0,
        };
        s.reindex();
        s
    }

    /// Rebuilds indexes after the set of indexed fields changed.
    pub fn reindex(&mut self) {
        self.indexes.clear();
        let indexed: Vec<(u16, bool)> = self
            .def
            .fields
            .iter()
            .filter(|f| f.indexed() && f.sys.is_none())
            .map(|f| (f.slot, f.case_sensitive))
            .collect();
        for (slot, cs) in indexed {
            let mut idx: HashMap<String, Vec<u32>> = HashMap::new();
            for (i, r) in self.rows.iter().enumerate() {
                if r.deleted {
                    continue;
                }
                if let Some(k) = r.get(slot).index_key(cs) {
                    idx.entry(k).or_default().push(i as u32);
                }
            }
            self.indexes.insert(slot, idx);
        }
    }

    fn case_sensitive(&self, slot: u16) -> bool {
        self.def
            .fields
            .iter()
            .find(|f| f.slot == slot && f.sys.is_none())
            .is_some_and(|f| f.case_sensitive)
    }

    /// Row index of the record with (normalised) id.
    pub fn row_of(&self, id18: &str) -> Option<u32> {
        if id18.len() < 15 {
            return None;
        }
        self.by_id.get(&ids::key(id18)).copied()
    }

    /// Live rows whose indexed `slot` equals `v`.
    pub fn lookup(&self, slot: u16, v: &Val) -> Vec<u32> {
        let cs = self.case_sensitive(slot);
        match (self.indexes.get(&slot), v.index_key(cs)) {
            (Some(idx), Some(k)) => idx.get(&k).cloned().unwrap_or_default(),
            (None, Some(_)) => self
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.deleted && values_equal(r.get(slot), v, cs))
                .map(|(i, _)| i as u32)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn unindex(&mut self, row: u32) {
        let slots: Vec<u16> = self.indexes.keys().copied().collect();
        for slot in slots {
            let cs = self.case_sensitive(slot);
            if let Some(k) = self.rows[row as usize].get(slot).index_key(cs)
                && let Some(v) = self.indexes.get_mut(&slot).and_then(|m| m.get_mut(&k))
            {
                v.retain(|r| *r != row);
            }
        }
    }

    fn index(&mut self, row: u32) {
        let slots: Vec<u16> = self.indexes.keys().copied().collect();
        for slot in slots {
            let cs = self.case_sensitive(slot);
            if let Some(k) = self.rows[row as usize].get(slot).index_key(cs)
                && let Some(m) = self.indexes.get_mut(&slot)
            {
                m.entry(k).or_default().push(row);
            }
        }
    }

    /// Appends a record; returns its row.
    pub fn insert(&mut self, id: &str, values: Vec<(u16, Val)>, at: i64) -> u32 {
        let mut idb = [0u8; 18];
        idb.copy_from_slice(id.as_bytes());
        let row = self.rows.len() as u32;
        let mut rec = Record {
            id: idb,
            created: at,
            modified: at,
            deleted: false,
            values: Vec::with_capacity(values.len()),
        };
        for (s, v) in values {
            rec.put(s, v);
        }
        self.rows.push(rec);
        self.by_id.insert(ids::key(id), row);
        self.index(row);
        self.live += 1;
        row
    }

    /// Sets values on a row, keeping indexes right.
    pub fn update(&mut self, row: u32, values: Vec<(u16, Val)>, at: i64) {
        self.unindex(row);
        let r = &mut self.rows[row as usize];
        for (s, v) in values {
            r.put(s, v);
        }
        r.modified = at;
        self.index(row);
    }

    /// Soft-deletes a row (it stays visible to queryAll).
    pub fn delete(&mut self, row: u32, at: i64) {
        if !self.rows[row as usize].deleted {
            self.unindex(row);
            let r = &mut self.rows[row as usize];
            r.deleted = true;
            r.modified = at;
            self.live -= 1;
        }
    }

    /// Undoes a soft delete (rollback).
    pub fn undelete(&mut self, row: u32) {
        if self.rows[row as usize].deleted {
            self.rows[row as usize].deleted = false;
            self.index(row);
            self.live += 1;
        }
    }

    /// Replaces a row wholesale (rollback of an update).
    pub fn restore(&mut self, row: u32, rec: Record) {
        self.unindex(row);
        self.rows[row as usize] = rec;
        self.index(row);
    }

    /// Removes the last row (rollback of an insert).
    pub fn pop(&mut self, row: u32) {
        if row as usize + 1 == self.rows.len() {
            self.unindex(row);
            if let Some(r) = self.rows.pop() {
                self.by_id.remove(&ids::key(r.id()));
                if !r.deleted {
                    self.live -= 1;
                }
            }
        }
    }
}

fn values_equal(a: &Val, b: &Val, cs: bool) -> bool {
    match (a.index_key(cs), b.index_key(cs)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A logged API request.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// A stable handle of the bearer token used (`t1`, `t2`, ...), never the token itself.
    pub token_id: Option<String>,
    pub kind: String,
    pub at: String,
    /// Length in bytes of the request URI as sent (path and query string), to check
    /// Salesforce's 16,384-byte URI limit.
    pub uri_length: usize,
}

/// One simulated Salesforce org.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub admin_user_id: String,
    /// Objects by lower-cased API name.
    pub objects: BTreeMap<String, SObject>,
    /// Key prefix → lower-cased object name.
    pub prefixes: HashMap<String, String>,
    pub seq: u64,
    pub custom_seq: usize,
    pub api_used: u64,
    pub api_max: u64,
    pub counts: BTreeMap<String, u64>,
    pub log: Vec<LoggedRequest>,
    pub bulk_query_jobs: u64,
    pub bulk_batches: u64,
    pub autonumber: u64,
    pub created: i64,
    /// Last time an object was added or removed (seconds), for describeGlobal's 304.
    pub schema_modified: i64,
    /// Deployed non-schema metadata (flows, assignment rules, folders, reports, dashboards)
    /// by (type, full name).
    pub components: BTreeMap<(String, String), crate::metadata::Stored>,
}

impl Org {
    /// An org holding the given objects and no records.
    pub fn new(id: String, name: String, objects: Vec<ObjectDef>, api_max: u64) -> Self {
        let mut org = Org {
            id,
            name,
            admin_user_id: String::new(),
            objects: BTreeMap::new(),
            prefixes: HashMap::new(),
            seq: 1_000,
            custom_seq: 0,
            api_used: 0,
            api_max,
            counts: BTreeMap::new(),
            log: Vec::new(),
            bulk_query_jobs: 0,
            bulk_batches: 0,
            autonumber: 0,
            created: now_ms(),
            schema_modified: chrono::Utc::now().timestamp(),
            components: BTreeMap::new(),
        };
        for o in objects {
            org.add_object(o);
        }
        org
    }

    /// Adds (or replaces the schema of) an object.
    pub fn add_object(&mut self, def: ObjectDef) {
        let key = def.name.to_lowercase();
        self.prefixes.insert(def.key_prefix.clone(), key.clone());
        if let Some(existing) = self.objects.get_mut(&key) {
            existing.def = def;
            existing.reindex();
        } else {
            self.objects.insert(key, SObject::new(def));
        }
    }

    /// Removes an object and its records.
    pub fn remove_object(&mut self, name: &str) -> Option<SObject> {
        let o = self.objects.remove(&name.to_lowercase())?;
        self.prefixes.remove(&o.def.key_prefix);
        Some(o)
    }

    /// The object named `name`, case-insensitively.
    pub fn object(&self, name: &str) -> Option<&SObject> {
        self.objects.get(&name.to_lowercase())
    }

    /// Mutable access to the object named `name`.
    pub fn object_mut(&mut self, name: &str) -> Option<&mut SObject> {
        self.objects.get_mut(&name.to_lowercase())
    }

    /// A fresh id with `prefix`.
    pub fn mint(&mut self, prefix: &str) -> String {
        self.seq += 1;
        ids::mint(prefix, self.seq)
    }

    /// The object a (normalised) id belongs to, by key prefix.
    pub fn object_of_id(&self, id18: &str) -> Option<&SObject> {
        let p = id18.get(..3)?;
        self.prefixes.get(p).and_then(|k| self.objects.get(k))
    }

    /// Finds a live or deleted record by id: (object key, row).
    pub fn find(&self, id18: &str) -> Option<(String, u32)> {
        let o = self.object_of_id(id18)?;
        let row = o.row_of(id18)?;
        Some((o.def.name.to_lowercase(), row))
    }

    /// A fresh key prefix for a new custom object.
    pub fn next_custom_prefix(&mut self) -> String {
        loop {
            let p = crate::schema::standard::custom_prefix(self.custom_seq);
            self.custom_seq += 1;
            if !self.prefixes.contains_key(&p) {
                return p;
            }
        }
    }

    /// Total live records (for the state dump and DataStorageMB).
    pub fn record_count(&self) -> usize {
        self.objects.values().map(|o| o.live).sum()
    }

    /// The value of `f` on `rec` (system fields included).
    pub fn value(&self, rec: &Record, f: &FieldDef) -> Val {
        match f.sys {
            Some(SysField::Id) => Val::str(rec.id()),
            Some(SysField::IsDeleted) => Val::Bool(rec.deleted),
            Some(SysField::CreatedDate) => Val::Num(rec.created as f64),
            Some(SysField::LastModifiedDate) | Some(SysField::SystemModstamp) => {
                Val::Num(rec.modified as f64)
            }
            Some(SysField::CreatedById) | Some(SysField::LastModifiedById) => {
                Val::str(&self.admin_user_id)
            }
            None => rec.get(f.slot).clone(),
        }
    }
}
