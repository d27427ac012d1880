//! Kubernetes' JSONPath templates (`-o jsonpath=...`, `custom-columns`, `--sort-by`): text
//! with `{...}` actions — field paths (`.a.b`, `['a']`, `..a`), subscripts (`[0]`, `[-1]`,
//! `[1:3]`, `[*]`, `[0,2]`), filters (`[?(@.type=="Ready")]`), `range ... end` and quoted
//! literals (`{"\n"}`). Several results of one action print separated by spaces; strings
//! print raw, objects and arrays as compact JSON.

use crate::sort::Order;
use serde_json::Value;

/// The deepest nesting of brackets and parentheses a template may have.
const MAX_NESTING: usize = 32;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonPathError {
    #[error("unclosed action")]
    Unclosed,
    #[error("unrecognized character in action: {0}")]
    Unrecognized(String),
    #[error("not in range, nothing to end")]
    StrayEnd,
    #[error("{0} is not found")]
    NotFound(String),
    #[error("{0}")]
    Syntax(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Recursive(String),
    Wildcard,
    Index(Vec<i64>),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Filter(Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Path(Vec<Step>),
    Literal(Value),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    left: Operand,
    op: Option<String>,
    right: Option<Operand>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    /// One action: alternatives of paths or literals printed in order.
    Expr(Vec<Operand>),
    Range(Vec<Step>, Vec<Node>),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    nodes: Vec<Node>,
    source: String,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, JsonPathError> {
        // Subscripts and filters parse recursively: a bound on their nesting bounds the stack.
        let mut depth = 0usize;
        for c in text.chars() {
            match c {
                '[' | '(' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(JsonPathError::Syntax("brackets nested too deeply".into()));
                    }
                }
                ']' | ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find('{') {
                None => {
                    nodes.push(Node::Text(rest.to_string()));
                    break;
                }
                Some(i) => {
                    if i > 0 {
                        nodes.push(Node::Text(rest[..i].to_string()));
                    }
                    let after = &rest[i + 1..];
                    let end = find_close(after).ok_or(JsonPathError::Unclosed)?;
                    let action = after[..end].trim();
                    rest = &after[end + 1..];
                    if let Some(path) = action.strip_prefix("range ") {
                        let steps = parse_path(path.trim())?;
                        stack.push((steps, std::mem::take(&mut nodes)));
                    } else if action == "end" {
                        let (steps, outer) = stack.pop().ok_or(JsonPathError::StrayEnd)?;
                        let body = std::mem::replace(&mut nodes, outer);
                        nodes.push(Node::Range(steps, body));
                    } else {
                        nodes.push(Node::Expr(parse_action(action)?));
                    }
                }
            }
        }
        if !stack.is_empty() {
            return Err(JsonPathError::Syntax("unclosed range".into()));
        }
        Ok(Template { nodes, source: text.to_string() })
    }

    /// Renders the template over `data`; with `allow_missing`, paths that find nothing print
    /// nothing (kubectl's default for `-o jsonpath`).
    pub fn render(&self, data: &Value, allow_missing: bool) -> Result<String, JsonPathError> {
        let mut out = String::new();
        render_nodes(&self.nodes, data, allow_missing, &mut out)?;
        Ok(out)
    }

    /// The values one template finds (for custom columns and sorting).
    pub fn values(&self, data: &Value) -> Vec<Value> {
        let mut found = Vec::new();
        for n in &self.nodes {
            if let Node::Expr(ops) = n {
                for op in ops {
                    match op {
                        Operand::Path(p) => found.extend(eval(p, data)),
                        Operand::Literal(v) => found.push(v.clone()),
                    }
                }
            }
        }
        found
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

fn find_close(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut depth = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' => depth += 1,
            ']' => depth -= 1,
            '}' if depth <= 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn render_nodes(nodes: &[Node], data: &Value, allow_missing: bool, out: &mut String) -> Result<(), JsonPathError> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Expr(ops) => {
                let mut texts = Vec::new();
                for op in ops {
                    match op {
                        Operand::Literal(v) => texts.push(v.as_str().map_or_else(|| v.to_string(), str::to_string)),
                        Operand::Path(p) => {
                            let found = eval(p, data);
                            if found.is_empty() && !allow_missing && !p.is_empty() {
                                return Err(JsonPathError::NotFound(describe_missing(p)));
                            }
                            texts.extend(found.iter().map(text_of));
                        }
                    }
                }
                out.push_str(&texts.join(" "));
            }
            Node::Range(p, body) => {
                let found = eval(p, data);
                let items: Vec<Value> = if found.len() == 1 {
                    match &found[0] {
                        Value::Array(a) => a.clone(),
                        Value::Object(m) => m.values().cloned().collect(),
                        other => vec![other.clone()],
                    }
                } else {
                    found
                };
                for item in &items {
                    render_nodes(body, item, allow_missing, out)?;
                }
            }
        }
    }
    Ok(())
}

fn describe_missing(p: &[Step]) -> String {
    match p.last() {
        Some(Step::Field(f)) | Some(Step::Recursive(f)) => f.clone(),
        _ => "array index".into(),
    }
}

/// How one found value prints.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Array(_) | Value::Object(_) => serde_json::to_string(&super::sorted(v)).unwrap_or_default(),
        other => super::cell(other),
    }
}

fn parse_action(action: &str) -> Result<Vec<Operand>, JsonPathError> {
    let mut ops = Vec::new();
    let mut rest = action.trim();
    while !rest.is_empty() {
        if rest.starts_with('"') || rest.starts_with('\'') {
            let q = rest.chars().next().unwrap_or('"');
            let mut end = None;
            let mut escaped = false;
            for (i, c) in rest.char_indices().skip(1) {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    end = Some(i);
                    break;
                }
            }
            let end = end.ok_or_else(|| JsonPathError::Syntax("unterminated quoted string".into()))?;
            ops.push(Operand::Literal(Value::String(unquote(&rest[1..end]))));
            rest = rest[end + 1..].trim_start();
        } else {
            let end = path_end(rest);
            if end == 0 {
                return Err(JsonPathError::Unrecognized(rest.chars().next().map(String::from).unwrap_or_default()));
            }
            ops.push(Operand::Path(parse_path(&rest[..end])?));
            rest = rest[end..].trim_start();
        }
    }
    Ok(ops)
}

/// Where a path ends: at a space or comma outside brackets and quotes.
fn path_end(s: &str) -> usize {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' if depth > 0 => quote = Some(c),
            '[' => depth += 1,
            ']' => depth -= 1,
            ' ' | ',' if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}

/// A quoted literal's text with `\\n`, `\\t`, `\\r` and `\\x` escapes resolved.
pub(crate) fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_path(s: &str) -> Result<Vec<Step>, JsonPathError> {
    let mut steps = Vec::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    if b.first() == Some(&'$') || b.first() == Some(&'@') {
        i = 1;
    }
    while i < b.len() {
        match b[i] {
            '.' => {
                let recursive = b.get(i + 1) == Some(&'.');
                i += if recursive { 2 } else { 1 };
                // A name runs to the next unescaped `.` or `[` (`kubernetes\.io/name`).
                let mut name = String::new();
                while i < b.len() && b[i] != '.' && b[i] != '[' {
                    if b[i] == '\\' && i + 1 < b.len() {
                        i += 1;
                    }
                    name.push(b[i]);
                    i += 1;
                }
                if recursive {
                    steps.push(Step::Recursive(name));
                } else if name == "*" {
                    steps.push(Step::Wildcard);
                } else if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' => {
                let mut depth = 0;
                let mut j = i;
                let mut quote: Option<char> = None;
                while j < b.len() {
                    let c = b[j];
                    if let Some(q) = quote {
                        if c == q {
                            quote = None;
                        }
                    } else if c == '"' || c == '\'' {
                        quote = Some(c);
                    } else if c == '[' {
                        depth += 1;
                    } else if c == ']' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    j += 1;
                }
                if j >= b.len() {
                    return Err(JsonPathError::Syntax("unterminated array".into()));
                }
                let inner: String = b[i + 1..j].iter().collect();
                steps.push(parse_subscript(inner.trim())?);
                i = j + 1;
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                // A bare name at the start (`metadata.name` in custom columns).
                let start = i;
                while i < b.len() && b[i] != '.' && b[i] != '[' {
                    i += 1;
                }
                steps.push(Step::Field(b[start..i].iter().collect()));
            }
        }
    }
    Ok(steps)
}

fn parse_subscript(inner: &str) -> Result<Step, JsonPathError> {
    if inner == "*" {
        return Ok(Step::Wildcard);
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return Ok(Step::Filter(Box::new(parse_filter(f.trim())?)));
    }
    if (inner.starts_with('\'') && inner.ends_with('\'') || inner.starts_with('"') && inner.ends_with('"')) && inner.len() >= 2 {
        return Ok(Step::Field(inner[1..inner.len() - 1].to_string()));
    }
    if inner.contains(':') {
        let parts: Vec<&str> = inner.split(':').collect();
        let num = |s: &str| -> Result<Option<i64>, JsonPathError> { if s.trim().is_empty() { Ok(None) } else { s.trim().parse().map(Some).map_err(|_| JsonPathError::Syntax(format!("invalid array index {s}"))) } };
        return Ok(Step::Slice(num(parts[0])?, num(parts.get(1).copied().unwrap_or(""))?, num(parts.get(2).copied().unwrap_or(""))?));
    }
    let idx: Result<Vec<i64>, _> = inner.split(',').map(|p| p.trim().parse::<i64>()).collect();
    idx.map(Step::Index).map_err(|_| JsonPathError::Syntax(format!("invalid array index {inner}")))
}

fn parse_filter(f: &str) -> Result<Filter, JsonPathError> {
    for op in ["==", "!=", "<=", ">=", "<", ">"] {
        if let Some(i) = find_op(f, op) {
            return Ok(Filter { left: operand(f[..i].trim())?, op: Some(op.to_string()), right: Some(operand(f[i + op.len()..].trim())?) });
        }
    }
    Ok(Filter { left: operand(f)?, op: None, right: None })
}

fn find_op(f: &str, op: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in f.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        } else if f[i..].starts_with(op) {
            return Some(i);
        }
    }
    None
}

fn operand(s: &str) -> Result<Operand, JsonPathError> {
    if (s.starts_with('"') && s.ends_with('"') || s.starts_with('\'') && s.ends_with('\'')) && s.len() >= 2 {
        return Ok(Operand::Literal(Value::String(unquote(&s[1..s.len() - 1]))));
    }
    if let Ok(n) = s.parse::<i64>() {
        return Ok(Operand::Literal(Value::from(n)));
    }
    if let Ok(f) = s.parse::<f64>() {
        return Ok(Operand::Literal(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)));
    }
    if s == "true" || s == "false" {
        return Ok(Operand::Literal(Value::Bool(s == "true")));
    }
    Ok(Operand::Path(parse_path(s)?))
}

fn eval(steps: &[Step], data: &Value) -> Vec<Value> {
    let mut cur = vec![data.clone()];
    for step in steps {
        let mut next = Vec::new();
        for v in &cur {
            apply(step, v, &mut next);
        }
        cur = next;
    }
    cur
}

fn apply(step: &Step, v: &Value, out: &mut Vec<Value>) {
    match step {
        Step::Field(f) => {
            if let Some(x) = v.get(f.as_str()) {
                out.push(x.clone());
            }
        }
        Step::Recursive(f) => recurse(f, v, out),
        Step::Wildcard => match v {
            Value::Array(a) => out.extend(a.iter().cloned()),
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.order();
                out.extend(keys.into_iter().map(|k| m[k.as_str()].clone()));
            }
            _ => {}
        },
        Step::Index(idx) => {
            if let Value::Array(a) = v {
                for &i in idx {
                    let i = if i < 0 { a.len() as i64 + i } else { i };
                    if let Some(x) = usize::try_from(i).ok().and_then(|i| a.get(i)) {
                        out.push(x.clone());
                    }
                }
            }
        }
        Step::Slice(start, end, step) => {
            if let Value::Array(a) = v {
                let len = a.len() as i64;
                let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                let s = norm(start.unwrap_or(0));
                let e = norm(end.unwrap_or(len));
                let st = step.unwrap_or(1).max(1);
                let mut i = s;
                while i < e {
                    out.push(a[i as usize].clone());
                    i += st;
                }
            }
        }
        Step::Filter(f) => {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for item in items {
                if matches(f, item) {
                    out.push(item.clone());
                }
            }
        }
    }
}

fn recurse(f: &str, v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if f.is_empty() || f == "*" {
                out.push(v.clone());
            } else if let Some(x) = m.get(f) {
                out.push(x.clone());
            }
            let mut keys: Vec<&String> = m.keys().collect();
            keys.order();
            for k in keys {
                recurse(f, &m[k.as_str()], out);
            }
        }
        Value::Array(a) => {
            for x in a {
                recurse(f, x, out);
            }
        }
        _ => {}
    }
}

fn operand_values(o: &Operand, item: &Value) -> Vec<Value> {
    match o {
        Operand::Literal(v) => vec![v.clone()],
        Operand::Path(p) => eval(p, item),
    }
}

fn matches(f: &Filter, item: &Value) -> bool {
    let left = operand_values(&f.left, item);
    let (Some(op), Some(right)) = (&f.op, &f.right) else { return !left.is_empty() };
    let right = operand_values(right, item);
    let (Some(l), Some(r)) = (left.first(), right.first()) else { return false };
    let ord = match (l.as_f64(), r.as_f64()) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ => match (l.as_str(), r.as_str()) {
            (Some(a), Some(b)) => Some(a.cmp(b)),
            _ => if l == r { Some(std::cmp::Ordering::Equal) } else { None },
        },
    };
    match op.as_str() {
        "==" => ord == Some(std::cmp::Ordering::Equal),
        "!=" => ord != Some(std::cmp::Ordering::Equal),
        "<" => ord == Some(std::cmp::Ordering::Less),
        ">" => ord == Some(std::cmp::Ordering::Greater),
        "<=" => matches!(ord, Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)),
        ">=" => matches!(ord, Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().render(v, true).unwrap()
    }

    #[test]
    fn templates_render_like_kubectl() {
        let list = json!({"items": [
            {"metadata": {"name": "a", "labels": {"app": "x"}}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}},
            {"metadata": {"name": "b"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}]});
        assert_eq!(r("{.items[*].metadata.name}", &list), "a b");
        assert_eq!(r(r#"{range .items[*]}{.metadata.name}{"\n"}{end}"#, &list), "a\nb\n");
        assert_eq!(r(r#"{.items[?(@.status.conditions[0].status=="True")].metadata.name}"#, &list), "a");
        assert_eq!(r("{.items[0].metadata.labels}", &list), r#"{"app":"x"}"#);
        assert_eq!(r("{..name}", &list), "a b");
        assert_eq!(r("{.items[-1].metadata.name} {.nothing}", &list), "b ");
        assert_eq!(r("{.items[0].metadata['name']}", &list), "a");
        assert_eq!(r(r"{.a\.b/c}", &json!({"a.b/c": "dotted"})), "dotted");
        assert!(Template::parse("{.items").is_err());
        assert_eq!(Template::parse("{.nothing}").unwrap().render(&list, false).unwrap_err().to_string(), "nothing is not found");
    }
}
