//! SOQL tokens with their columns, for parser errors that point where Salesforce points.

/// A SOQL token.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Date(String),
    DateTime(i64),
    Comma,
    Dot,
    Colon,
    LParen,
    RParen,
    Op(&'static str),
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn text(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Num(n) => n.to_string(),
            Tok::Date(d) => d.clone(),
            Tok::DateTime(ms) => crate::values::format_datetime(*ms),
            Tok::Comma => ",".into(),
            Tok::Dot => ".".into(),
            Tok::Colon => ":".into(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Op(o) => o.to_string(),
            Tok::Eof => "<EOF>".into(),
        }
    }

    /// Whether this is the keyword `kw` (case-insensitive).
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(self, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }
}

/// A token and its 1-based column.
#[derive(Debug, Clone)]
pub struct Spanned {
    pub tok: Tok,
    pub col: usize,
}

/// A lexing failure: message and column.
#[derive(Debug)]
pub struct LexError {
    pub message: String,
    pub col: usize,
}

fn unescape(chars: &[char], start: usize) -> Result<(String, usize), LexError> {
    let mut out = String::new();
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '\'' => return Ok((out, i + 1)),
            '\\' => {
                let Some(&c) = chars.get(i + 1) else { break };
                let r = match c {
                    'n' => "\n".to_string(),
                    'r' => "\r".to_string(),
                    't' => "\t".to_string(),
                    'b' => "\u{8}".to_string(),
                    'f' => "\u{c}".to_string(),
                    '"' => "\"".to_string(),
                    '\'' => "'".to_string(),
                    '\\' => "\\".to_string(),
                    // Kept escaped so LIKE can tell a literal % or _ from a wildcard.
                    '%' => "\\%".to_string(),
                    '_' => "\\_".to_string(),
                    'u' => {
                        let hex: String = chars
                            .get(i + 2..i + 6)
                            .map(|s| s.iter().collect())
                            .unwrap_or_default();
                        let ch = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or(LexError {
                                message: "Invalid string literal: bad unicode escape".into(),
                                col: i + 1,
                            })?;
                        i += 4;
                        ch.to_string()
                    }
                    other => {
                        return Err(LexError {
                            message: format!(
                                "Invalid string literal '\\{other}'. Illegal character sequence '\\{other}' in string literal."
                            ),
                            col: i + 1,
                        });
                    }
                };
                out.push_str(&r);
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(LexError {
        message: "unexpected token: <EOF>: unterminated string".into(),
        col: start,
    })
}

/// Splits SOQL into tokens.
pub fn lex(q: &str) -> Result<Vec<Spanned>, LexError> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let push = |out: &mut Vec<Spanned>, tok: Tok| out.push(Spanned { tok, col });
        match c {
            ',' => {
                push(&mut out, Tok::Comma);
                i += 1;
            }
            '.' => {
                push(&mut out, Tok::Dot);
                i += 1;
            }
            ':' => {
                push(&mut out, Tok::Colon);
                i += 1;
            }
            '(' => {
                push(&mut out, Tok::LParen);
                i += 1;
            }
            ')' => {
                push(&mut out, Tok::RParen);
                i += 1;
            }
            '=' => {
                push(&mut out, Tok::Op("="));
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                push(&mut out, Tok::Op("!="));
                i += 2;
            }
            '<' => {
                let (op, n) = match chars.get(i + 1) {
                    Some('=') => ("<=", 2),
                    Some('>') => ("!=", 2),
                    _ => ("<", 1),
                };
                push(&mut out, Tok::Op(op));
                i += n;
            }
            '>' => {
                let (op, n) = if chars.get(i + 1) == Some(&'=') {
                    (">=", 2)
                } else {
                    (">", 1)
                };
                push(&mut out, Tok::Op(op));
                i += n;
            }
            '\'' => {
                let (s, next) = unescape(&chars, i + 1)?;
                push(&mut out, Tok::Str(s));
                i = next;
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+')
                    && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || matches!(chars[i], '.' | '-' | ':' | '+'))
                {
                    // A datetime offset sign or date separator continues the literal; a sign after
                    // a plain number does not.
                    if matches!(chars[i], '-' | '+' | ':') {
                        let so_far: String = chars[start..i].iter().collect();
                        let datey = so_far.len() >= 4
                            && so_far[..4].chars().all(|d| d.is_ascii_digit())
                            && !so_far.starts_with('-');
                        if !datey {
                            break;
                        }
                    }
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let tok = if text.len() >= 10 && text.as_bytes()[4] == b'-' {
                    if text.len() == 10 {
                        crate::values::parse_date(&text).map(Tok::Date)
                    } else {
                        crate::values::parse_datetime(&text).map(Tok::DateTime)
                    }
                } else {
                    text.parse::<f64>().ok().map(Tok::Num)
                };
                match tok {
                    Some(t) => push(&mut out, t),
                    None => {
                        return Err(LexError {
                            message: format!("unexpected token: '{text}'"),
                            col,
                        });
                    }
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                push(&mut out, Tok::Ident(chars[start..i].iter().collect()));
            }
            other => {
                return Err(LexError {
                    message: format!("unexpected token: '{other}'"),
                    col,
                });
            }
        }
    }
    out.push(Spanned {
        tok: Tok::Eof,
        col: chars.len() + 1,
    });
    Ok(out)
}
