//! The parser's token cursor and its terminals: keywords, identifiers, field paths, literals
//! (typed, date and lists) and numbers.

use super::{Lit, P, ParseError, Path, date_literal};
use crate::soql::lexer::{Spanned, Tok};

impl P {
    pub(super) fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    pub(super) fn col(&self) -> usize {
        self.toks[self.pos].col
    }

    pub(super) fn next(&mut self) -> Spanned {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    pub(super) fn unexpected(&self) -> ParseError {
        ParseError {
            message: format!("unexpected token: {}", self.peek().text()),
            col: self.col(),
        }
    }

    pub(super) fn expect_kw(&mut self, kw: &str) -> Result<(), ParseError> {
        if self.peek().is_kw(kw) {
            self.next();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    pub(super) fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek().is_kw(kw) {
            self.next();
            true
        } else {
            false
        }
    }

    pub(super) fn ident(&mut self) -> Result<(String, usize), ParseError> {
        match self.peek().clone() {
            Tok::Ident(s) => {
                let c = self.col();
                self.next();
                Ok((s, c))
            }
            _ => Err(self.unexpected()),
        }
    }

    pub(super) fn path(&mut self) -> Result<Path, ParseError> {
        let (first, col) = self.ident()?;
        let mut parts = vec![first];
        while *self.peek() == Tok::Dot {
            self.next();
            parts.push(self.ident()?.0);
        }
        Ok(Path { parts, col })
    }

    pub(super) fn literal(&mut self) -> Result<Lit, ParseError> {
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

    pub(super) fn lit_list(&mut self) -> Result<(Vec<Lit>, usize), ParseError> {
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

    pub(super) fn number(&mut self) -> Result<usize, ParseError> {
        match self.peek().clone() {
            Tok::Num(n) if n >= 0.0 && n.fract() == 0.0 => {
                self.next();
                Ok(n as usize)
            }
            _ => Err(self.unexpected()),
        }
    }
}
