//! WHERE conditions: comparisons, IN / INCLUDES lists, NOT, and AND/OR chains (mixing them
//! needs parentheses).

use super::{Cond, Op, P, ParseError};
use crate::soql::lexer::Tok;

impl P {
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
    pub(super) fn or_expr(&mut self) -> Result<Cond, ParseError> {
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
}
