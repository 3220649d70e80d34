//! SOQL syntax: SELECT list (fields, relationship paths, COUNT()), FROM, WHERE with AND/OR/NOT
//! and parentheses, comparisons, LIKE, IN / NOT IN, INCLUDES / EXCLUDES, typed literals and date
//! literals, ORDER BY with NULLS FIRST/LAST, LIMIT and OFFSET.

use super::lexer::{Spanned, Tok, lex};

/// A dotted field path with the column it started at.
#[derive(Debug, Clone)]
pub struct Path {
    pub parts: Vec<String>,
    pub col: usize,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(String),
    DateTime(i64),
    /// A relative date literal (`TODAY`, `LAST_N_DAYS:7`): a [start, end) range in epoch ms.
    Range(i64, i64),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
}

/// A WHERE condition.
#[derive(Debug, Clone)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Cmp {
        path: Path,
        op: Op,
        lit: Lit,
        lit_col: usize,
    },
    In {
        path: Path,
        negate: bool,
        lits: Vec<Lit>,
        lit_col: usize,
    },
    Includes {
        path: Path,
        negate: bool,
        lits: Vec<Lit>,
    },
}

/// One ORDER BY key.
#[derive(Debug, Clone)]
pub struct Order {
    pub path: Path,
    pub desc: bool,
    pub nulls_last: bool,
}

/// A SELECT item.
#[derive(Debug, Clone)]
pub enum Item {
    Field(Path),
    /// `COUNT()`: only the total is returned.
    CountAll,
    /// `COUNT(field)` (aggregate, without GROUP BY) with its alias.
    Count(Option<Path>, String),
}

/// A parsed query.
#[derive(Debug, Clone)]
pub struct Query {
    pub items: Vec<Item>,
    pub from: String,
    pub from_col: usize,
    pub cond: Option<Cond>,
    pub order: Vec<Order>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// A parse failure at a column.
#[derive(Debug)]
pub struct ParseError {
    pub message: String,
    pub col: usize,
}

struct P {
    toks: Vec<Spanned>,
    pos: usize,
}

impl P {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn col(&self) -> usize {
        self.toks[self.pos].col
    }

    fn next(&mut self) -> Spanned {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self) -> ParseError {
        ParseError {
            message: format!("unexpected token: {}", self.peek().text()),
            col: self.col(),
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), ParseError> {
        if self.peek().is_kw(kw) {
            self.next();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek().is_kw(kw) {
            self.next();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Result<(String, usize), ParseError> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                let c = self.col();
                self.next();
                Ok((s, c))
            }
            _ => Err(self.unexpected()),
        }
    }

    fn path(&mut self) -> Result<Path, ParseError> {
        let (first, col) = self.ident()?;
        let mut parts = vec![first];
        while *self.peek() == Tok::Dot {
            self.next();
            parts.push(self.ident()?.0);
        }
        Ok(Path { parts, col })
    }

    fn literal(&mut self) -> Result<Lit, ParseError> {
        let t = self.next();
        Ok(match t.tok {
            Tok::Str(s) => Lit::Str(s),
            Tok::Num(n) => Lit::Num(n),
            Tok::Date(d) => Lit::Date(d),
            Tok::DateTime(ms) => Lit::DateTime(ms),
            Tok::Ident(s) if s.eq_ignore_ascii_case("true") => Lit::Bool(true),
            Tok::Ident(s) if s.eq_ignore_ascii_case("false") => Lit::Bool(false),
            Tok::Ident(s) if s.eq_ignore_ascii_case("null") => Lit::Null,
            Tok::Ident(s) => {
                let n = if *self.peek() == Tok::Colon {
                    self.next();
                    match self.next().tok {
                        Tok::Num(n) if n >= 0.0 => Some(n as i64),
                        _ => {
                            return Err(ParseError {
                                message: format!("unexpected token: {s}"),
                                col: t.col,
                            });
                        }
                    }
                } else {
                    None
                };
                date_literal(&s, n).ok_or(ParseError {
                    message: format!("unexpected token: {s}"),
                    col: t.col,
                })?
            }
            other => {
                return Err(ParseError {
                    message: format!("unexpected token: {}", other.text()),
                    col: t.col,
                });
            }
        })
    }

    fn lit_list(&mut self) -> Result<(Vec<Lit>, usize), ParseError> {
        if *self.peek() != Tok::LParen {
            return Err(self.unexpected());
        }
        self.next();
        let col = self.col();
        if self.peek().is_kw("SELECT") {
            return Err(ParseError {
                message: "Semi-join sub-selects are not supported by the simulator".into(),
                col,
            });
        }
        let mut v = vec![self.literal()?];
        while *self.peek() == Tok::Comma {
            self.next();
            v.push(self.literal()?);
        }
        if *self.peek() != Tok::RParen {
            return Err(self.unexpected());
        }
        self.next();
        Ok((v, col))
    }

    fn primary(&mut self) -> Result<Cond, ParseError> {
        if *self.peek() == Tok::LParen {
            self.next();
            let c = self.or_expr()?;
            if *self.peek() != Tok::RParen {
                return Err(self.unexpected());
            }
            self.next();
            return Ok(c);
        }
        let path = self.path()?;
        if self.eat_kw("NOT") {
            if self.eat_kw("IN") {
                let (lits, lit_col) = self.lit_list()?;
                return Ok(Cond::In {
                    path,
                    negate: true,
                    lits,
                    lit_col,
                });
            }
            return Err(self.unexpected());
        }
        if self.eat_kw("IN") {
            let (lits, lit_col) = self.lit_list()?;
            return Ok(Cond::In {
                path,
                negate: false,
                lits,
                lit_col,
            });
        }
        for (kw, negate) in [("INCLUDES", false), ("EXCLUDES", true)] {
            if self.eat_kw(kw) {
                let (lits, _) = self.lit_list()?;
                return Ok(Cond::Includes { path, negate, lits });
            }
        }
        let op = match self.peek() {
            Tok::Op("=") => Op::Eq,
            Tok::Op("!=") => Op::Ne,
            Tok::Op("<") => Op::Lt,
            Tok::Op("<=") => Op::Le,
            Tok::Op(">") => Op::Gt,
            Tok::Op(">=") => Op::Ge,
            t if t.is_kw("LIKE") => Op::Like,
            _ => return Err(self.unexpected()),
        };
        self.next();
        let lit_col = self.col();
        let lit = self.literal()?;
        Ok(Cond::Cmp {
            path,
            op,
            lit,
            lit_col,
        })
    }

    fn not_expr(&mut self) -> Result<Cond, ParseError> {
        if self.eat_kw("NOT") {
            return Ok(Cond::Not(Box::new(self.not_expr()?)));
        }
        self.primary()
    }

    /// AND and OR cannot be mixed without parentheses, as in real SOQL.
    fn or_expr(&mut self) -> Result<Cond, ParseError> {
        let first = self.not_expr()?;
        let mut items = vec![first];
        let mut joiner: Option<&'static str> = None;
        loop {
            let kw = if self.peek().is_kw("AND") {
                "AND"
            } else if self.peek().is_kw("OR") {
                "OR"
            } else {
                break;
            };
            if joiner.is_some_and(|j| j != kw) {
                return Err(self.unexpected());
            }
            joiner = Some(kw);
            self.next();
            items.push(self.not_expr()?);
        }
        Ok(match joiner {
            None => items.pop().unwrap_or(Cond::And(vec![])),
            Some("AND") => Cond::And(items),
            Some(_) => Cond::Or(items),
        })
    }

    fn number(&mut self) -> Result<usize, ParseError> {
        match self.peek().clone() {
            Tok::Num(n) if n >= 0.0 && n.fract() == 0.0 => {
                self.next();
                Ok(n as usize)
            }
            _ => Err(self.unexpected()),
        }
    }
}

/// A relative date literal as a [start, end) range.
fn date_literal(name: &str, n: Option<i64>) -> Option<Lit> {
    use chrono::{Duration, Utc};
    let today = Utc::now().date_naive().and_hms_opt(0, 0, 0)?.and_utc();
    let day = Duration::days(1);
    let (s, e) = match (name.to_ascii_uppercase().as_str(), n) {
        ("TODAY", None) => (today, today + day),
        ("YESTERDAY", None) => (today - day, today),
        ("TOMORROW", None) => (today + day, today + day * 2),
        ("LAST_N_DAYS", Some(n)) => (today - day * (n as i32), today + day),
        ("NEXT_N_DAYS", Some(n)) => (today, today + day * (n as i32 + 1)),
        _ => return None,
    };
    Some(Lit::Range(s.timestamp_millis(), e.timestamp_millis()))
}

/// Parses one SOQL statement.
pub fn parse(q: &str) -> Result<Query, ParseError> {
    let toks = lex(q).map_err(|e| ParseError {
        message: e.message,
        col: e.col,
    })?;
    let mut p = P { toks, pos: 0 };
    p.expect_kw("SELECT")?;
    let mut items = Vec::new();
    let mut expr_n = 0;
    loop {
        if p.peek().is_kw("COUNT") && p.toks.get(p.pos + 1).is_some_and(|t| t.tok == Tok::LParen) {
            p.next();
            p.next();
            if *p.peek() == Tok::RParen {
                p.next();
                items.push(Item::CountAll);
            } else {
                let path = p.path()?;
                if *p.peek() != Tok::RParen {
                    return Err(p.unexpected());
                }
                p.next();
                let alias = match p.peek().clone() {
                    Tok::Ident(s) if !s.eq_ignore_ascii_case("FROM") => {
                        p.next();
                        s
                    }
                    _ => {
                        let a = format!("expr{expr_n}");
                        expr_n += 1;
                        a
                    }
                };
                items.push(Item::Count(Some(path), alias));
            }
        } else if *p.peek() == Tok::LParen {
            return Err(ParseError {
                message: "Child relationship sub-queries are not supported by the simulator".into(),
                col: p.col(),
            });
        } else {
            items.push(Item::Field(p.path()?));
        }
        if *p.peek() == Tok::Comma {
            p.next();
            continue;
        }
        break;
    }
    p.expect_kw("FROM")?;
    let (from, from_col) = p.ident()?;
    let mut cond = None;
    if p.eat_kw("WHERE") {
        cond = Some(p.or_expr()?);
    }
    let mut order = Vec::new();
    if p.eat_kw("ORDER") {
        p.expect_kw("BY")?;
        loop {
            let path = p.path()?;
            let mut desc = false;
            if p.eat_kw("DESC") {
                desc = true;
            } else {
                p.eat_kw("ASC");
            }
            let mut nulls_last = desc;
            if p.eat_kw("NULLS") {
                if p.eat_kw("LAST") {
                    nulls_last = true;
                } else {
                    p.expect_kw("FIRST")?;
                    nulls_last = false;
                }
            }
            order.push(Order {
                path,
                desc,
                nulls_last,
            });
            if *p.peek() == Tok::Comma {
                p.next();
                continue;
            }
            break;
        }
    }
    let mut limit = None;
    let mut offset = None;
    if p.eat_kw("LIMIT") {
        limit = Some(p.number()?);
    }
    if p.eat_kw("OFFSET") {
        offset = Some(p.number()?);
    }
    if p.eat_kw("FOR") && !(p.eat_kw("VIEW") || p.eat_kw("REFERENCE") || p.eat_kw("UPDATE")) {
        return Err(p.unexpected());
    }
    if *p.peek() != Tok::Eof {
        return Err(p.unexpected());
    }
    Ok(Query {
        items,
        from,
        from_col,
        cond,
        order,
        limit,
        offset,
    })
}

#[cfg(test)]
mod tests {
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
        assert!(
            parse("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'").is_err()
        );
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
}
