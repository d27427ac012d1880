//! Label selectors: the query syntax (`app=web,tier in (a,b),!canary`), the structured form
//! (`matchLabels`, `matchExpressions`), and matching (apimachinery `labels`).

use crate::sort::Order;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

impl Requirement {
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let value = labels.and_then(|l| l.get(&self.key)).map(|v| v.as_str().unwrap_or_default());
        match self.op {
            Op::Equals | Op::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Op::NotEquals | Op::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
            Op::GreaterThan | Op::LessThan => {
                let (Some(v), Some(bound)) = (value.and_then(|v| v.parse::<i64>().ok()), self.values.first().and_then(|b| b.parse::<i64>().ok())) else {
                    return false;
                };
                if self.op == Op::GreaterThan {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    }
}

/// A parsed selector: every requirement must hold. The empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

/// What the lexer sees, as apimachinery's selector lexer names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    End,
    Ident,
    Eq,
    DoubleEq,
    NotEq,
    In,
    NotIn,
    Not,
    Gt,
    Lt,
    Open,
    Close,
    Comma,
}

/// Where the parser is: `in` and `notin` are operators after a key, but values elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

fn symbol(s: &[u8]) -> Option<Tok> {
    Some(match s {
        b")" => Tok::Close,
        b"," => Tok::Comma,
        b"!" => Tok::Not,
        b"==" => Tok::DoubleEq,
        b"=" => Tok::Eq,
        b">" => Tok::Gt,
        b"<" => Tok::Lt,
        b"!=" => Tok::NotEq,
        b"(" => Tok::Open,
        _ => return None,
    })
}

/// Tokens with their text, ending with [`Tok::End`] (whose text is empty, as the messages show).
fn lex(s: &str) -> Vec<(Tok, String)> {
    let b = s.as_bytes();
    let special = |c: u8| b"=!(),><".contains(&c);
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            out.push((Tok::End, String::new()));
            return out;
        }
        if special(b[i]) {
            // The longest run of symbols that still names a token (`!=` but `=` then `(`).
            let mut end = i + 1;
            while end < b.len() && special(b[end]) && symbol(&b[i..=end]).is_some() {
                end += 1;
            }
            let text = &b[i..end];
            out.push((symbol(text).unwrap_or(Tok::Ident), String::from_utf8_lossy(text).into_owned()));
            i = end;
        } else {
            let start = i;
            while i < b.len() && !special(b[i]) && !space(b[i]) {
                i += 1;
            }
            let word = String::from_utf8_lossy(&b[start..i]).into_owned();
            let tok = match word.as_str() {
                "in" => Tok::In,
                "notin" => Tok::NotIn,
                _ => Tok::Ident,
            };
            out.push((tok, word));
        }
    }
}

/// A recursive-descent parser over the tokens, with apimachinery's messages.
struct Parser {
    toks: Vec<(Tok, String)>,
    at: usize,
}

impl Parser {
    fn item(&self, i: usize, ctx: Context) -> (Tok, String) {
        let (t, l) = self.toks.get(i).cloned().unwrap_or((Tok::End, String::new()));
        match t {
            Tok::In | Tok::NotIn if ctx == Context::Values => (Tok::Ident, l),
            _ => (t, l),
        }
    }
    fn lookahead(&self, ctx: Context) -> (Tok, String) {
        self.item(self.at, ctx)
    }
    fn consume(&mut self, ctx: Context) -> (Tok, String) {
        let it = self.item(self.at, ctx);
        self.at = (self.at + 1).min(self.toks.len());
        it
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let mut not = false;
        let (mut tok, mut key) = self.consume(Context::Values);
        if tok == Tok::Not {
            not = true;
            (tok, key) = self.consume(Context::Values);
        }
        if tok != Tok::Ident {
            return Err(format!("found '{key}', expected: identifier"));
        }
        validate_key(&key)?;
        let (next, _) = self.lookahead(Context::Values);
        if not {
            return Ok(Requirement { key, op: Op::DoesNotExist, values: vec![] });
        }
        if matches!(next, Tok::End | Tok::Comma) {
            return Ok(Requirement { key, op: Op::Exists, values: vec![] });
        }
        let (tok, lit) = self.consume(Context::KeyAndOperator);
        let op = match tok {
            Tok::In => Op::In,
            Tok::Eq | Tok::DoubleEq => Op::Equals,
            Tok::Gt => Op::GreaterThan,
            Tok::Lt => Op::LessThan,
            Tok::NotIn => Op::NotIn,
            Tok::NotEq => Op::NotEquals,
            _ => return Err(format!("found '{lit}', expected: in, notin, =, ==, !=, gt, lt")),
        };
        let values = match op {
            Op::In | Op::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        let r = Requirement { key, op, values };
        validate_values(&r)?;
        Ok(r)
    }

    /// `(a,b,c)`: a set, so repeats go and the values come out sorted, as Go's `sets.String`.
    fn values(&mut self) -> Result<Vec<String>, String> {
        let (tok, lit) = self.consume(Context::Values);
        if tok != Tok::Open {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(Context::Values);
        let mut set = std::collections::BTreeSet::new();
        match tok {
            Tok::Ident | Tok::Comma => {
                self.identifiers(&mut set)?;
                if self.consume(Context::Values).0 != Tok::Close {
                    return Err(format!("found '{lit}', expected: ')'"));
                }
            }
            Tok::Close => {
                self.consume(Context::Values);
                set.insert(String::new());
            }
            _ => return Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
        Ok(set.into_iter().collect())
    }

    fn identifiers(&mut self, set: &mut std::collections::BTreeSet<String>) -> Result<(), String> {
        loop {
            let (tok, lit) = self.consume(Context::Values);
            match tok {
                Tok::Ident => {
                    set.insert(lit);
                    let (next, lit2) = self.lookahead(Context::Values);
                    match next {
                        Tok::Comma => continue,
                        Tok::Close => return Ok(()),
                        _ => return Err(format!("found '{lit2}', expected: ',' or ')'")),
                    }
                }
                // `(,`, `,)` and `,,` hold the empty value.
                Tok::Comma => {
                    if set.is_empty() {
                        set.insert(String::new());
                    }
                    match self.lookahead(Context::Values).0 {
                        Tok::Close => {
                            set.insert(String::new());
                            return Ok(());
                        }
                        Tok::Comma => {
                            self.consume(Context::Values);
                            set.insert(String::new());
                        }
                        _ => {}
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        // `key=` selects the empty value.
        if matches!(self.lookahead(Context::Values).0, Tok::End | Tok::Comma) {
            return Ok(vec![String::new()]);
        }
        let (tok, lit) = self.consume(Context::Values);
        if tok == Tok::Ident {
            return Ok(vec![lit]);
        }
        Err(format!("found '{lit}', expected: identifier"))
    }
}

impl Selector {
    pub fn everything() -> Self {
        Selector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Parses the query syntax. Errors read like Kubernetes' (`unable to parse requirement: ...`).
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut p = Parser { toks: lex(s), at: 0 };
        let mut reqs = Vec::new();
        loop {
            let (tok, lit) = p.lookahead(Context::Values);
            match tok {
                Tok::Ident | Tok::Not => {
                    reqs.push(p.requirement().map_err(|e| format!("unable to parse requirement: {e}"))?);
                    let (t, l) = p.consume(Context::Values);
                    match t {
                        Tok::End => break,
                        Tok::Comma => {
                            let (t2, l2) = p.lookahead(Context::Values);
                            if !matches!(t2, Tok::Ident | Tok::Not) {
                                return Err(format!("found '{l2}', expected: identifier after ','"));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Tok::End => break,
                _ => return Err(format!("found '{lit}', expected: !, identifier, or 'end of string'")),
            }
        }
        // Kubernetes keeps requirements sorted by key.
        reqs.order_by(|a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements: reqs })
    }

    /// The structured form (`matchLabels` + `matchExpressions`).
    pub fn from_label_selector(sel: &Value) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        if let Some(m) = sel["matchLabels"].as_object() {
            for (k, v) in m {
                reqs.push(Requirement { key: k.clone(), op: Op::Equals, values: vec![v.as_str().unwrap_or_default().to_string()] });
            }
        }
        if let Some(exprs) = sel["matchExpressions"].as_array() {
            for e in exprs {
                let key = e["key"].as_str().unwrap_or_default().to_string();
                let values: Vec<String> = e["values"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
                let op = match e["operator"].as_str().unwrap_or_default() {
                    "In" => Op::In,
                    "NotIn" => Op::NotIn,
                    "Exists" => Op::Exists,
                    "DoesNotExist" => Op::DoesNotExist,
                    other => return Err(format!("{} is not a valid label selector operator", crate::api::field::go_quote(other))),
                };
                reqs.push(Requirement { key, op, values });
            }
        }
        Ok(Selector { requirements: reqs })
    }

    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// The `key=value` requirements, which an index can answer.
    pub fn equalities(&self) -> Vec<(String, String)> {
        self.requirements
            .iter()
            .filter(|r| matches!(r.op, Op::Equals) || (r.op == Op::In && r.values.len() == 1))
            .map(|r| (r.key.clone(), r.values[0].clone()))
            .collect()
    }
}

fn validate_key(key: &str) -> Result<(), String> {
    use crate::apiserver::validation::names::qualified_name;
    match qualified_name(key).into_iter().next() {
        Some(msg) => Err(format!("key: Invalid value: {}: {msg}", crate::api::field::go_quote(key))),
        None => Ok(()),
    }
}

fn validate_values(r: &Requirement) -> Result<(), String> {
    use crate::apiserver::validation::names::label_value;
    match r.op {
        Op::GreaterThan | Op::LessThan => {
            for v in &r.values {
                if v.parse::<i64>().is_err() {
                    return Err(format!("values[0]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer", crate::api::field::go_quote(v)));
                }
            }
        }
        _ => {
            for (i, v) in r.values.iter().enumerate() {
                if let Some(msg) = label_value(v).into_iter().next() {
                    return Err(format!("values[{i}][{}]: Invalid value: {}: {msg}", r.key, crate::api::field::go_quote(v)));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn syntax_errors_read_as_apimachinery_words_them() {
        let err = |s: &str| Selector::parse(s).err().unwrap_or_default();
        assert_eq!(err("app in (demo"), "unable to parse requirement: found '', expected: ',' or ')'");
        assert_eq!(err("a,"), "found '', expected: identifier after ','");
        assert_eq!(err("a b"), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
        assert_eq!(err("a=(b"), "unable to parse requirement: found '(', expected: identifier");
        assert_eq!(err("a in b"), "unable to parse requirement: found 'b' expected: '('");
        assert_eq!(err("=a"), "found '=', expected: !, identifier, or 'end of string'");
        assert_eq!(err("!=a"), "found '!=', expected: !, identifier, or 'end of string'");
        assert_eq!(err("!,"), "unable to parse requirement: found ',', expected: identifier");
        assert_eq!(err("a=b c"), "found 'c', expected: ',' or 'end of string'");
        assert_eq!(err("a in (b c)"), "unable to parse requirement: found 'c', expected: ',' or ')'");
        assert_eq!(err("a in (=)"), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
        // `in` is a value where a value is expected.
        let s = Selector::parse("x in (in,notin), in=notin").unwrap_or_default();
        assert_eq!(s.requirements[0].key, "in");
        assert_eq!(s.requirements[1].values, ["in", "notin"]);
        // `(,)`, `(a,,b)`: the empty value, once.
        assert_eq!(Selector::parse("a in (,)").unwrap_or_default().requirements[0].values, [""]);
        assert_eq!(Selector::parse("a in (b,,b)").unwrap_or_default().requirements[0].values, ["", "b"]);
    }

    #[test]
    fn parses_and_matches() {
        let s = Selector::parse("app=web, tier in (front,back),!canary,env!=prod").unwrap();
        assert_eq!(s.requirements.len(), 4);
        assert!(s.matches(Some(&labels(json!({"app": "web", "tier": "front"})))));
        assert!(!s.matches(Some(&labels(json!({"app": "web", "tier": "front", "canary": "1"})))));
        assert!(!s.matches(Some(&labels(json!({"app": "web", "tier": "db"})))));
        assert!(!s.matches(None));
        assert!(Selector::parse("").unwrap().matches(None));
        assert!(Selector::parse("x").unwrap().matches(Some(&labels(json!({"x": ""})))));
        assert!(Selector::parse("n>3").unwrap().matches(Some(&labels(json!({"n": "4"})))));
        assert_eq!(s.equalities(), [("app".to_string(), "web".to_string())]);
    }

    #[test]
    fn rejects_bad_syntax() {
        for bad in ["app in web", "=x", "a=b c", "a,", "a in (b", "-bad-=x", "a=b b"] {
            assert!(Selector::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn structured_form() {
        let s = Selector::from_label_selector(&json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]})).unwrap();
        assert!(s.matches(Some(&labels(json!({"app": "web"})))));
        assert!(!s.matches(Some(&labels(json!({"app": "web", "tier": "db"})))));
    }
}
