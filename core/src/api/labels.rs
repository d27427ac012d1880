//! Label selectors: the query syntax (`app=web,tier in (a,b),!canary`), the structured form
//! (`matchLabels`, `matchExpressions`), and matching (apimachinery `labels`).

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

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
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

fn lex(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let special = |c: char| c.is_whitespace() || "=!(),<>".contains(c);
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '=' if chars.get(i + 1) == Some(&'=') => {
                out.push(Token::DoubleEq);
                i += 2;
            }
            '=' => {
                out.push(Token::Eq);
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push(Token::NotEq);
                i += 2;
            }
            '!' => {
                out.push(Token::Not);
                i += 1;
            }
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '>' => {
                out.push(Token::Gt);
                i += 1;
            }
            '<' => {
                out.push(Token::Lt);
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && !special(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push(match word.as_str() {
                    "in" => Token::In,
                    "notin" => Token::NotIn,
                    _ => Token::Ident(word),
                });
            }
        }
    }
    out
}

fn describe(t: Option<&Token>) -> String {
    match t {
        None => "EOS".to_string(),
        Some(Token::Ident(s)) => s.clone(),
        Some(Token::Eq) => "=".into(),
        Some(Token::DoubleEq) => "==".into(),
        Some(Token::NotEq) => "!=".into(),
        Some(Token::In) => "in".into(),
        Some(Token::NotIn) => "notin".into(),
        Some(Token::Not) => "!".into(),
        Some(Token::Gt) => ">".into(),
        Some(Token::Lt) => "<".into(),
        Some(Token::Open) => "(".into(),
        Some(Token::Close) => ")".into(),
        Some(Token::Comma) => ",".into(),
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
        let toks = lex(s);
        let mut reqs = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let (req, next) = parse_requirement(&toks, i)?;
            reqs.push(req);
            i = next;
            match toks.get(i) {
                None => break,
                Some(Token::Comma) => {
                    i += 1;
                    if i >= toks.len() {
                        return Err("found ',', expected: identifier after ','".to_string());
                    }
                }
                other => return Err(format!("found '{}', expected: ',' or 'end of string'", describe(other))),
            }
        }
        for r in &reqs {
            validate_requirement(r)?;
        }
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

fn parse_requirement(toks: &[Token], mut i: usize) -> Result<(Requirement, usize), String> {
    let mut op_prefix = None;
    if toks.get(i) == Some(&Token::Not) {
        op_prefix = Some(Op::DoesNotExist);
        i += 1;
    }
    let key = match toks.get(i) {
        Some(Token::Ident(k)) => k.clone(),
        other => return Err(format!("found '{}', expected: !, identifier, or 'end of string'", describe(other))),
    };
    i += 1;
    if let Some(op) = op_prefix {
        return Ok((Requirement { key, op, values: vec![] }, i));
    }
    let op = match toks.get(i) {
        None | Some(Token::Comma) => return Ok((Requirement { key, op: Op::Exists, values: vec![] }, i)),
        Some(Token::Eq | Token::DoubleEq) => Op::Equals,
        Some(Token::NotEq) => Op::NotEquals,
        Some(Token::In) => Op::In,
        Some(Token::NotIn) => Op::NotIn,
        Some(Token::Gt) => Op::GreaterThan,
        Some(Token::Lt) => Op::LessThan,
        other => return Err(format!("found '{}', expected: in, notin, =, ==, !=, gt, lt", describe(other))),
    };
    i += 1;
    let mut values = Vec::new();
    match op {
        Op::In | Op::NotIn => {
            if toks.get(i) != Some(&Token::Open) {
                return Err(format!("found '{}', expected: '('", describe(toks.get(i))));
            }
            i += 1;
            loop {
                match toks.get(i) {
                    Some(Token::Ident(v)) => {
                        values.push(v.clone());
                        i += 1;
                    }
                    Some(Token::Comma) | Some(Token::Close) => values.push(String::new()),
                    other => return Err(format!("found '{}', expected: ',', ')' or identifier", describe(other))),
                }
                match toks.get(i) {
                    Some(Token::Comma) => i += 1,
                    Some(Token::Close) => {
                        i += 1;
                        break;
                    }
                    other => return Err(format!("found '{}', expected: ',' or ')'", describe(other))),
                }
            }
        }
        _ => match toks.get(i) {
            Some(Token::Ident(v)) => {
                values.push(v.clone());
                i += 1;
            }
            // `key=` selects the empty value.
            None | Some(Token::Comma) => values.push(String::new()),
            other => return Err(format!("found '{}', expected: identifier", describe(other))),
        },
    }
    Ok((Requirement { key, op, values }, i))
}

fn validate_requirement(r: &Requirement) -> Result<(), String> {
    use crate::apiserver::validation::names::{label_value, qualified_name};
    if let Some(msg) = qualified_name(&r.key).into_iter().next() {
        return Err(format!("unable to parse requirement: key: Invalid value: {}: {msg}", crate::api::field::go_quote(&r.key)));
    }
    match r.op {
        Op::GreaterThan | Op::LessThan => {
            for v in &r.values {
                if v.parse::<i64>().is_err() {
                    return Err(format!(
                        "unable to parse requirement: values[0]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer",
                        crate::api::field::go_quote(v)
                    ));
                }
            }
        }
        _ => {
            for (i, v) in r.values.iter().enumerate() {
                if let Some(msg) = label_value(v).into_iter().next() {
                    return Err(format!("unable to parse requirement: values[{i}][{}]: Invalid value: {}: {msg}", r.key, crate::api::field::go_quote(v)));
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
