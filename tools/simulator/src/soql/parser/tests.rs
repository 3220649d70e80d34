//! Unit tests of the SOQL parser.

use super::*;

fn ok(q: &str) -> Query {
    parse(q).unwrap_or_else(|e| panic!("{q}: {}", e.message))
}

#[test]
fn a_corpus_of_the_queries_our_endpoints_emit_parses() {
    for q in [
        "SELECT Id, Name FROM Account",
        "SELECT Id,Name FROM Account WHERE Name = 'Acme' LIMIT 10 OFFSET 5",
        "SELECT COUNT() FROM Contact WHERE AccountId IN ('001000000000000AAA','001000000000001AAA')",
        "SELECT Id,ContactId,OpportunityId,Role,IsPrimary FROM OpportunityContactRole WHERE OpportunityId IN ('006Dn0000000001AAA')",
        "SELECT Id FROM Lead WHERE Name LIKE 'A%' AND IsConverted = true",
        "SELECT Id, Account.Name, Owner.Name FROM Contact WHERE (Email != null OR Phone != null) AND NOT Name = 'x'",
        "SELECT Id FROM Opportunity WHERE CloseDate >= 2026-01-31 AND CreatedDate < 2026-01-31T00:00:00Z ORDER BY Amount DESC NULLS LAST, Name",
        "SELECT Id FROM Account WHERE Name NOT IN ('a', 'b\\'c') AND AnnualRevenue > -1.5",
        "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:30",
        "SELECT Id FROM Contact WHERE Name = 'O\\'Brien \\\\ \\n'",
        "SELECT COUNT(Id) FROM Account",
    ] {
        ok(q);
    }
}

#[test]
fn string_escapes_are_decoded() {
    let q = ok("SELECT Id FROM Contact WHERE Name = 'O\\'Brien \\\\ x\\n'");
    match q.cond {
        Some(Cond::Cmp {
            lit: Lit::Str(s), ..
        }) => assert_eq!(s, "O'Brien \\ x\n"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn typed_literals_are_recognised() {
    let q = ok(
        "SELECT Id FROM Opportunity WHERE Amount IN (1, 2.5) AND CloseDate = 2026-01-31 AND CreatedDate > 2026-01-31T10:00:00.000+0100 AND IsWon = false AND Name != null",
    );
    let Some(Cond::And(parts)) = q.cond else {
        panic!("and")
    };
    assert!(
        matches!(&parts[0], Cond::In { lits, .. } if lits == &vec![Lit::Num(1.0), Lit::Num(2.5)])
    );
    assert!(matches!(&parts[1], Cond::Cmp { lit: Lit::Date(d), .. } if d == "2026-01-31"));
    assert!(
        matches!(&parts[2], Cond::Cmp { lit: Lit::DateTime(ms), .. } if *ms == 1_769_850_000_000)
    );
    assert!(matches!(
        &parts[3],
        Cond::Cmp {
            lit: Lit::Bool(false),
            ..
        }
    ));
    assert!(matches!(
        &parts[4],
        Cond::Cmp {
            lit: Lit::Null,
            op: Op::Ne,
            ..
        }
    ));
}

#[test]
fn malformed_queries_are_refused_with_the_offending_token() {
    let e = parse("SELECT Id FRM Account").err().map(|e| e.message);
    assert_eq!(e.as_deref(), Some("unexpected token: FRM"));
    assert!(parse("SELECT FROM Account").is_err());
    assert!(parse("SELECT Id FROM Account WHERE").is_err());
    assert!(parse("SELECT Id FROM Account WHERE Name = 'x").is_err());
    assert!(parse("SELECT Id FROM Account LIMIT x").is_err());
    assert!(parse("DELETE FROM Account").is_err());
}

#[test]
fn mixing_and_with_or_needs_parentheses() {
    assert!(parse("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'").is_err());
    assert!(
        parse("SELECT Id FROM Account WHERE Name = 'a' AND (Name = 'b' OR Name = 'c')").is_ok()
    );
}

#[test]
fn order_by_defaults_put_nulls_first_ascending_and_last_descending() {
    let q = ok("SELECT Id FROM Account ORDER BY Name, Industry DESC, Rating ASC NULLS LAST");
    let flags: Vec<(bool, bool)> = q.order.iter().map(|o| (o.desc, o.nulls_last)).collect();
    assert_eq!(flags, vec![(false, false), (true, true), (false, true)]);
}
