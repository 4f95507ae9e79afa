//! Formulas of derived measures: `confirmed - recovered - deaths`, `evacuees / evacuation_sites`.
//!
//! The language is small on purpose: numbers, measure ids, `+ - * /`, unary minus and
//! parentheses, with the usual precedence. A formula is evaluated for one region on one date;
//! if any measure it names is missing there, or it divides by zero, the result is missing.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
}

/// A parsed formula, with the text it was written as (shown on pages).
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    text: String,
    expr: Expr,
}

/// Why a formula could not be read. `at` is a character offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    #[error("the formula is empty")]
    Empty,
    #[error("unexpected `{found}` at character {at}")]
    Unexpected { found: String, at: usize },
    #[error("the formula ends too early")]
    UnexpectedEnd,
    #[error("`(` at character {at} is never closed")]
    Unclosed { at: usize },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char),
}

fn tokenize(text: &str) -> Result<Vec<(usize, Tok)>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push((i, Tok::Op(c)));
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let n = s.parse::<f64>().map_err(|_| FormulaError::Unexpected { found: s.clone(), at: start })?;
            out.push((start, Tok::Num(n)));
        } else if c.is_ascii_lowercase() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_lowercase() || chars[i].is_ascii_digit() || chars[i] == '_') {
                i += 1;
            }
            out.push((start, Tok::Ident(chars[start..i].iter().collect())));
        } else {
            return Err(FormulaError::Unexpected { found: c.to_string(), at: i });
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
}

impl Parser {
    fn peek_op(&self) -> Option<char> {
        match self.toks.get(self.pos) {
            Some((_, Tok::Op(c))) => Some(*c),
            _ => None,
        }
    }

    fn expr(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.term()?;
        while let Some(op @ ('+' | '-')) = self.peek_op() {
            self.pos += 1;
            left = Expr::Bin(op, Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.factor()?;
        while let Some(op @ ('*' | '/')) = self.peek_op() {
            self.pos += 1;
            left = Expr::Bin(op, Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, FormulaError> {
        let (at, tok) = self.toks.get(self.pos).cloned().ok_or(FormulaError::UnexpectedEnd)?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Ident(id) => Ok(Expr::Var(id)),
            Tok::Op('-') => Ok(Expr::Neg(Box::new(self.factor()?))),
            Tok::Op('(') => {
                let inner = self.expr()?;
                if self.peek_op() != Some(')') {
                    return Err(FormulaError::Unclosed { at });
                }
                self.pos += 1;
                Ok(inner)
            }
            Tok::Op(c) => Err(FormulaError::Unexpected { found: c.to_string(), at }),
        }
    }
}

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let toks = tokenize(text)?;
        if toks.is_empty() {
            return Err(FormulaError::Empty);
        }
        let mut p = Parser { toks, pos: 0 };
        let expr = p.expr()?;
        if let Some((at, tok)) = p.toks.get(p.pos) {
            let found = match tok {
                Tok::Num(n) => n.to_string(),
                Tok::Ident(s) => s.clone(),
                Tok::Op(c) => c.to_string(),
            };
            return Err(FormulaError::Unexpected { found, at: *at });
        }
        Ok(Formula { text: text.split_whitespace().collect::<Vec<_>>().join(" "), expr })
    }

    /// The formula as written (whitespace collapsed), for pages.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The measure ids the formula names, in order of first appearance.
    pub fn variables(&self) -> Vec<&str> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
            match e {
                Expr::Num(_) => {}
                Expr::Var(v) => {
                    if !out.contains(&v.as_str()) {
                        out.push(v)
                    }
                }
                Expr::Neg(x) => walk(x, out),
                Expr::Bin(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// The value, given each measure's value; `None` when a measure is missing, on division by
    /// zero or when the result is not a finite number.
    pub fn eval(&self, value: &impl Fn(&str) -> Option<f64>) -> Option<f64> {
        fn go(e: &Expr, value: &impl Fn(&str) -> Option<f64>) -> Option<f64> {
            match e {
                Expr::Num(n) => Some(*n),
                Expr::Var(v) => value(v),
                Expr::Neg(x) => go(x, value).map(|x| -x),
                Expr::Bin(op, a, b) => {
                    let (a, b) = (go(a, value)?, go(b, value)?);
                    match op {
                        '+' => Some(a + b),
                        '-' => Some(a - b),
                        '*' => Some(a * b),
                        _ if b == 0.0 => None,
                        _ => Some(a / b),
                    }
                }
            }
        }
        go(&self.expr, value).filter(|v| v.is_finite())
    }
}

/// A formula is published as its text.
impl serde::Serialize for Formula {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn eval(text: &str, vars: &[(&str, f64)]) -> Option<f64> {
        let vars: BTreeMap<&str, f64> = vars.iter().copied().collect();
        Formula::parse(text).unwrap().eval(&|v| vars.get(v).copied())
    }

    #[test]
    fn evaluates_with_precedence() {
        // 100 - 60 - 3 = 37
        assert_eq!(eval("confirmed - recovered - deaths", &[("confirmed", 100.0), ("recovered", 60.0), ("deaths", 3.0)]), Some(37.0));
        // 2 + 3 * 4 = 14; (2 + 3) * 4 = 20; 10 / 4 = 2.5; -(2 - 5) = 3
        assert_eq!(eval("2 + 3 * 4", &[]), Some(14.0));
        assert_eq!(eval("(2 + 3) * 4", &[]), Some(20.0));
        assert_eq!(eval("10 / 4", &[]), Some(2.5));
        assert_eq!(eval("-(2 - 5)", &[]), Some(3.0));
        // 8 - 2 - 1 is left-associative: (8 - 2) - 1 = 5, not 8 - (2 - 1) = 7
        assert_eq!(eval("8 - 2 - 1", &[]), Some(5.0));
        // 12 / 3 / 2 = (12 / 3) / 2 = 2
        assert_eq!(eval("12 / 3 / 2", &[]), Some(2.0));
        assert_eq!(eval("evacuees / evacuation_sites", &[("evacuees", 450.0), ("evacuation_sites", 3.0)]), Some(150.0));
        assert_eq!(eval("0.5 * x", &[("x", 7.0)]), Some(3.5));
    }

    #[test]
    fn missing_inputs_and_division_by_zero_are_missing() {
        assert_eq!(eval("confirmed - recovered", &[("confirmed", 100.0)]), None);
        assert_eq!(eval("evacuees / evacuation_sites", &[("evacuees", 450.0), ("evacuation_sites", 0.0)]), None);
    }

    #[test]
    fn variables_in_order() {
        let f = Formula::parse("a - b * (c + a)").unwrap();
        assert_eq!(f.variables(), ["a", "b", "c"]);
        assert_eq!(Formula::parse("  confirmed   -  deaths ").unwrap().text(), "confirmed - deaths");
    }

    #[test]
    fn refuses_malformed_formulas() {
        assert_eq!(Formula::parse("   "), Err(FormulaError::Empty));
        assert_eq!(Formula::parse("a +"), Err(FormulaError::UnexpectedEnd));
        assert_eq!(Formula::parse("(a + b"), Err(FormulaError::Unclosed { at: 0 }));
        assert_eq!(Formula::parse("a b"), Err(FormulaError::Unexpected { found: "b".into(), at: 2 }));
        assert_eq!(Formula::parse("a % b"), Err(FormulaError::Unexpected { found: "%".into(), at: 2 }));
        assert_eq!(Formula::parse("Confirmed"), Err(FormulaError::Unexpected { found: "C".into(), at: 0 }));
        assert_eq!(Formula::parse("1.2.3"), Err(FormulaError::Unexpected { found: "1.2.3".into(), at: 0 }));
        assert_eq!(Formula::parse("a * )"), Err(FormulaError::Unexpected { found: ")".into(), at: 4 }));
    }
}
