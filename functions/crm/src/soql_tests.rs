//! The hostile-input corpus: every input gives exactly the expected query, or exactly the
//! expected 4xx; nothing a caller sends can change the shape of the query.

use serde_json::{Value, json};
use shared::ApiError;

use crate::search::{Search, build};
use crate::soql::{self, Filter};

fn filter(v: Value) -> Filter {
    serde_json::from_value(v).expect("a filter")
}

fn search(v: Value) -> Search {
    let mut body = json!({"client_id": "00000000-0000-0000-0000-000000000001"});
    body.as_object_mut()
        .unwrap()
        .extend(v.as_object().unwrap().clone());
    serde_json::from_value(body).expect("a search body")
}

/// The query, or `status: detail` of the refusal.
fn outcome(r: Result<String, ApiError>) -> String {
    match r {
        Ok(q) => q,
        Err(e) => {
            let status = e.status().as_u16();
            let detail = match e {
                ApiError::BadRequest(m) | ApiError::NotFound(m) => m,
                other => other.to_string(),
            };
            format!("{status}: {detail}")
        }
    }
}

fn cond(v: Value) -> String {
    outcome(soql::condition(&filter(v)))
}

#[test]
fn hostile_string_values_stay_inside_one_literal() {
    let cases: &[(&str, &str)] = &[
        ("O'Brien", r"Name = 'O\'Brien'"),
        ("' OR Id != '", r"Name = '\' OR Id != \''"),
        ("x' OR Name LIKE '%", r"Name = 'x\' OR Name LIKE \'%'"),
        (r"back\slash", r"Name = 'back\\slash'"),
        (r"\'", r"Name = '\\\''"),
        (r"trailing\", r"Name = 'trailing\\'"),
        ("two\nlines\r\n", r"Name = 'two\nlines\r\n'"),
        ("tab\there", r"Name = 'tab\there'"),
        ("bell\u{8}form\u{c}", r"Name = 'bell\bform\f'"),
        ("say \"hi\"", r#"Name = 'say \"hi\"'"#),
        ("Zoë 東京 ✓ 🚀", "Name = 'Zoë 東京 ✓ 🚀'"),
        ("100%_done", "Name = '100%_done'"),
        ("a) OR (Id != null", r"Name = 'a) OR (Id != null'"),
        (
            "'; DELETE FROM Account; --",
            r"Name = '\'; DELETE FROM Account; --'",
        ),
        ("", "Name = ''"),
    ];
    for (value, expected) in cases {
        assert_eq!(
            cond(json!({"field": "Name", "op": "eq", "value": value})),
            *expected,
            "value {value:?}"
        );
    }
    assert_eq!(
        cond(json!({"field": "Name", "op": "eq", "value": "nul\u{0}byte"})),
        "400: Invalid string value for field Name: control characters are not allowed"
    );
    assert_eq!(
        cond(json!({"field": "Name", "op": "eq", "value": "esc\u{1b}[0m"})),
        "400: Invalid string value for field Name: control characters are not allowed"
    );
}

#[test]
fn hostile_field_names_are_refused() {
    for bad in [
        "Name OR Id",
        "Name,Id",
        "COUNT(Id)",
        "Name)",
        "(Name",
        "Name'",
        "1Name",
        "_Name",
        "Name.",
        ".Name",
        "Account..Name",
        "Na me",
        "Name\n",
        "Nämé",
        "Name--",
        "",
        "Id FROM User WHERE Name",
    ] {
        assert_eq!(
            cond(json!({"field": bad, "op": "eq", "value": "x"})),
            format!("400: Invalid field name: {bad}"),
            "field {bad:?}"
        );
        assert_eq!(
            outcome(build(
                &search(json!({"object_name": "Account", "fields": ["Id", bad]})),
                None
            )),
            format!("400: Invalid field name: {bad}")
        );
    }
    assert_eq!(
        cond(json!({"field": "Account.Owner.Name", "op": "eq", "value": "x"})),
        "Account.Owner.Name = 'x'"
    );
    assert_eq!(
        cond(json!({"field": "My_Field__c", "op": "neq", "value": "x"})),
        "My_Field__c != 'x'"
    );
}

#[test]
fn hostile_object_names_are_refused_or_checked_against_the_snapshot() {
    let q = |object: &str, known: Option<&[String]>| {
        outcome(build(&search(json!({"object_name": object})), known))
    };
    for bad in [
        "Account WHERE Id != null",
        "Account--",
        "Account.Owner",
        "Account)",
        "Acc'ount",
        "",
        "Account\n",
        "User LIMIT 1",
    ] {
        assert_eq!(
            q(bad, None),
            format!("400: Invalid object name: {bad}"),
            "{bad:?}"
        );
    }
    let known = vec!["Account".to_string(), "Widget__c".to_string()];
    assert_eq!(q("account", Some(&known)), "SELECT Id, Name FROM Account");
    assert_eq!(
        q("WIDGET__C", Some(&known)),
        "SELECT Id, Name FROM Widget__c"
    );
    assert_eq!(
        q("Secret__c", Some(&known)),
        "404: Object Secret__c not found in topology snapshot"
    );
    assert_eq!(q("Secret__c", None), "SELECT Id, Name FROM Secret__c");
}

#[test]
fn typed_literals_are_written_unquoted() {
    let cases: &[(Value, &str)] = &[
        (
            json!({"field": "Amount", "op": "gte", "value": 25000}),
            "Amount >= 25000",
        ),
        (
            json!({"field": "Amount", "op": "lt", "value": -12.5}),
            "Amount < -12.5",
        ),
        (
            json!({"field": "Amount", "op": "gt", "value": 1e21}),
            "Amount > 1000000000000000000000",
        ),
        (
            json!({"field": "Amount", "op": "eq", "value": "7.25", "type": "number"}),
            "Amount = 7.25",
        ),
        (
            json!({"field": "IsWon", "op": "eq", "value": true}),
            "IsWon = true",
        ),
        (
            json!({"field": "IsWon", "op": "neq", "value": "FALSE", "type": "boolean"}),
            "IsWon != false",
        ),
        (
            json!({"field": "Email", "op": "eq", "value": null}),
            "Email = null",
        ),
        (
            json!({"field": "Email", "op": "neq", "value": null, "type": "null"}),
            "Email != null",
        ),
        (
            json!({"field": "CloseDate", "op": "gt", "value": "2026-03-01", "type": "date"}),
            "CloseDate > 2026-03-01",
        ),
        (
            json!({"field": "CloseDate", "op": "eq", "value": "last_n_days:30", "type": "date"}),
            "CloseDate = LAST_N_DAYS:30",
        ),
        (
            json!({"field": "CloseDate", "op": "eq", "value": "TODAY", "type": "date"}),
            "CloseDate = TODAY",
        ),
        (
            json!({"field": "CreatedDate", "op": "gte", "value": "2026-01-31T10:00:00+02:00", "type": "datetime"}),
            "CreatedDate >= 2026-01-31T08:00:00Z",
        ),
        (
            json!({"field": "CreatedDate", "op": "lt", "value": "2026-01-31T08:00:00.987Z", "type": "datetime"}),
            "CreatedDate < 2026-01-31T08:00:00Z",
        ),
        (
            json!({"field": "Name", "op": "eq", "value": "2026-03-01"}),
            "Name = '2026-03-01'",
        ),
        (
            json!({"field": "Name", "op": "eq", "value": "true"}),
            "Name = 'true'",
        ),
        (
            json!({"field": "Name", "op": "eq", "value": "null"}),
            "Name = 'null'",
        ),
        (
            json!({"field": "Name", "op": "eq", "value": "42", "type": "string"}),
            "Name = '42'",
        ),
    ];
    for (f, expected) in cases {
        assert_eq!(cond(f.clone()), *expected, "{f}");
    }
}

#[test]
fn typed_values_that_are_not_what_they_claim_are_refused() {
    let cases: &[(Value, &str)] = &[
        (
            json!({"field": "Amount", "op": "eq", "value": "1 OR Id != null", "type": "number"}),
            "400: Invalid number value for field Amount",
        ),
        (
            json!({"field": "Amount", "op": "eq", "value": "1e5", "type": "number"}),
            "400: Invalid number value for field Amount",
        ),
        (
            json!({"field": "Amount", "op": "eq", "value": "NaN", "type": "number"}),
            "400: Invalid number value for field Amount",
        ),
        (
            json!({"field": "Amount", "op": "eq", "value": "", "type": "number"}),
            "400: Invalid number value for field Amount",
        ),
        (
            json!({"field": "IsWon", "op": "eq", "value": "yes", "type": "boolean"}),
            "400: Invalid boolean value for field IsWon",
        ),
        (
            json!({"field": "CloseDate", "op": "eq", "value": "2026-02-30", "type": "date"}),
            "400: Invalid date value for field CloseDate",
        ),
        (
            json!({"field": "CloseDate", "op": "eq", "value": "2026-03-01 OR Id != null", "type": "date"}),
            "400: Invalid date value for field CloseDate",
        ),
        (
            json!({"field": "CloseDate", "op": "eq", "value": "LAST_N_DAYS:1 OR x", "type": "date"}),
            "400: Invalid date value for field CloseDate",
        ),
        (
            json!({"field": "CloseDate", "op": "eq", "value": "YESTERDAY)", "type": "date"}),
            "400: Invalid date value for field CloseDate",
        ),
        (
            json!({"field": "CreatedDate", "op": "eq", "value": "2026-01-31", "type": "datetime"}),
            "400: Invalid datetime value for field CreatedDate",
        ),
        (
            json!({"field": "Email", "op": "eq", "value": "x", "type": "null"}),
            "400: Invalid null value for field Email",
        ),
        (
            json!({"field": "Email", "op": "gt", "value": null}),
            "400: Operator gt cannot compare with null",
        ),
        (
            json!({"field": "Name", "op": "eq", "value": {"a": 1}}),
            "400: Invalid value for field Name: lists and objects are not values",
        ),
        (
            json!({"field": "Name", "op": "eq", "value": ["a", "b"]}),
            "400: Operator eq requires a single value",
        ),
    ];
    for (f, expected) in cases {
        assert_eq!(cond(f.clone()), *expected, "{f}");
    }
}

#[test]
fn lists_like_and_wildcards() {
    let cases: &[(Value, &str)] = &[
        (
            json!({"field": "Industry", "op": "in", "value": ["Banking", "O'Reilly"]}),
            r"Industry IN ('Banking', 'O\'Reilly')",
        ),
        (
            json!({"field": "Amount", "op": "not_in", "value": [1, 2.5, null]}),
            "Amount NOT IN (1, 2.5, null)",
        ),
        (
            json!({"field": "CloseDate", "op": "in", "value": ["2026-01-01", "TODAY"], "type": "date"}),
            "CloseDate IN (2026-01-01, TODAY)",
        ),
        (
            json!({"field": "Industry", "op": "in", "value": "Banking"}),
            "400: Operator in requires a list value",
        ),
        (
            json!({"field": "Industry", "op": "not_in", "value": []}),
            "400: Operator not_in requires a non-empty list value",
        ),
        (
            json!({"field": "Industry", "op": "in", "value": [["nested"]]}),
            "400: Invalid value for field Industry: lists and objects are not values",
        ),
        (
            json!({"field": "Name", "op": "like", "value": "Acme%"}),
            "Name LIKE 'Acme%'",
        ),
        (
            json!({"field": "Name", "op": "like", "value": "%' OR Name LIKE '%"}),
            r"Name LIKE '%\' OR Name LIKE \'%'",
        ),
        (
            json!({"field": "Name", "op": "contains", "value": "100%_x"}),
            r"Name LIKE '%100\%\_x%'",
        ),
        (
            json!({"field": "Name", "op": "starts_with", "value": r"a\%"}),
            r"Name LIKE 'a\\\%%'",
        ),
        (
            json!({"field": "Name", "op": "ends_with", "value": "it's"}),
            r"Name LIKE '%it\'s'",
        ),
        (
            json!({"field": "Amount", "op": "like", "value": 5}),
            "400: Operator like requires a string value",
        ),
        (
            json!({"field": "Name", "op": "contains", "value": "x", "type": "date"}),
            "400: Operator contains requires a string value",
        ),
    ];
    for (f, expected) in cases {
        assert_eq!(cond(f.clone()), *expected, "{f}");
    }
}

#[test]
fn whole_queries_come_out_exactly() {
    let body = search(json!({
        "object_name": "Opportunity",
        "fields": ["Id", "Name", "Account.Name"],
        "filters": [
            {"field": "StageName", "op": "in", "value": ["Closed Won", "Closed Lost"]},
            {"field": "Amount", "op": "gte", "value": 50000},
            {"field": "Name", "op": "eq", "value": "' OR Id != '"}
        ],
        "limit": 10,
        "offset": 20
    }));
    assert_eq!(
        outcome(build(&body, None)),
        r"SELECT Id, Name, Account.Name FROM Opportunity WHERE StageName IN ('Closed Won', 'Closed Lost') AND Amount >= 50000 AND Name = '\' OR Id != \'' LIMIT 10 OFFSET 20"
    );
    // Fields are checked before filters, filters before the object.
    let body = search(json!({
        "object_name": "Bad Object",
        "fields": ["Bad Field"],
        "filters": [{"field": "Bad Filter", "op": "eq", "value": "x"}]
    }));
    assert_eq!(
        outcome(build(&body, None)),
        "400: Invalid field name: Bad Field"
    );
}

#[test]
fn unknown_operators_are_refused_by_the_body_decoder() {
    let e = serde_json::from_value::<Filter>(json!({"field": "Name", "op": "or", "value": "x"}));
    assert!(e.is_err());
    let e = serde_json::from_value::<Filter>(
        json!({"field": "Name", "op": "eq", "value": "x", "type": "raw"}),
    );
    assert!(e.is_err());
}

#[test]
fn only_one_select_statement_passes() {
    let ok = [
        "SELECT Id FROM Account",
        "  select Id FROM Account WHERE Name = 'a;b'  ",
        r"SELECT Id FROM Account WHERE Name = 'it\'s; fine'",
        "SELECT Id FROM Account WHERE Name = 'Update' OR Name = 'Merge'",
        "SELECT\nId FROM Account",
    ];
    for q in ok {
        assert!(soql::check_select(q).is_ok(), "{q}");
    }
    let refused: &[(&str, &str)] = &[
        ("", "400: SOQL query cannot be empty"),
        (" \n\t", "400: SOQL query cannot be empty"),
        (
            "SELECT Id FROM Account; SELECT Id FROM User",
            "400: SOQL query cannot contain semicolons",
        ),
        (
            r"SELECT Id FROM Account WHERE Name = 'x\\'; DELETE",
            "400: SOQL query cannot contain semicolons",
        ),
        (
            "DELETE FROM Account",
            "400: SOQL query must be a single SELECT statement",
        ),
        (
            "FIND {acme} RETURNING Account",
            "400: SOQL query must be a single SELECT statement",
        ),
        (
            "SELECTId FROM Account",
            "400: SOQL query must be a single SELECT statement",
        ),
        (
            "(SELECT Id FROM Account)",
            "400: SOQL query must be a single SELECT statement",
        ),
    ];
    for (q, expected) in refused {
        assert_eq!(
            outcome(soql::check_select(q).map(|_| String::new())),
            *expected,
            "{q}"
        );
    }
}
