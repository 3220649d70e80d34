//! SOQL syntax: SELECT list (fields, relationship paths, COUNT()), FROM, WHERE with AND/OR/NOT
//! and parentheses, comparisons, LIKE, IN / NOT IN, INCLUDES / EXCLUDES, typed literals and date
//! literals, ORDER BY with NULLS FIRST/LAST, LIMIT and OFFSET.

mod conditions;
mod tokens;

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
mod tests;
