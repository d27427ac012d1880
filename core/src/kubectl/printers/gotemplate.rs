//! `-o go-template=...`: the part of Go's text/template that kubectl users write — text,
//! `{{.a.b}}`, `{{range .items}}…{{end}}`, `{{if .x}}…{{else}}…{{end}}`, `{{"\n"}}`,
//! `{{index .m "key"}}` and `{{len .items}}`. Values print as Go prints decoded JSON
//! (numbers are float64: `1e+06`), a missing key as `<no value>`.

use crate::sort::Order;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Action(String),
    Range(String, Vec<Node>),
    If(String, Vec<Node>, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("template: output:1: unclosed action")]
    Unclosed,
    #[error("template: output:1: unexpected {{{{end}}}}")]
    StrayEnd,
    #[error("template: output:1: unexpected EOF")]
    Eof,
    #[error("template: output:1:{0}: {1}")]
    Exec(usize, String),
}

fn tokens(text: &str) -> Result<Vec<Node>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        if i > 0 {
            out.push(Node::Text(rest[..i].to_string()));
        }
        let after = &rest[i + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        out.push(Node::Action(after[..end].trim().trim_start_matches('-').trim_end_matches('-').trim().to_string()));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Node::Text(rest.to_string()));
    }
    Ok(out)
}

/// Builds the tree: `range`/`if` blocks closed by `end`.
fn build(tokens: &mut std::iter::Peekable<std::vec::IntoIter<Node>>, nested: bool) -> Result<(Vec<Node>, Option<String>), TemplateError> {
    let mut nodes = Vec::new();
    while let Some(t) = tokens.next() {
        match t {
            Node::Action(a) if a == "end" || a == "else" => {
                if !nested {
                    return Err(TemplateError::StrayEnd);
                }
                return Ok((nodes, Some(a)));
            }
            Node::Action(a) if a.starts_with("range ") => {
                let (body, end) = build(tokens, true)?;
                if end.as_deref() != Some("end") {
                    return Err(TemplateError::Eof);
                }
                nodes.push(Node::Range(a["range ".len()..].trim().to_string(), body));
            }
            Node::Action(a) if a.starts_with("if ") => {
                let (then, end) = build(tokens, true)?;
                let other = match end.as_deref() {
                    Some("else") => {
                        let (o, e2) = build(tokens, true)?;
                        if e2.as_deref() != Some("end") {
                            return Err(TemplateError::Eof);
                        }
                        o
                    }
                    Some("end") => Vec::new(),
                    _ => return Err(TemplateError::Eof),
                };
                nodes.push(Node::If(a["if ".len()..].trim().to_string(), then, other));
            }
            other => nodes.push(other),
        }
    }
    if nested {
        return Err(TemplateError::Eof);
    }
    Ok((nodes, None))
}

/// Renders `template` over `data`.
pub fn render(template: &str, data: &Value) -> Result<String, TemplateError> {
    let toks = tokens(template)?;
    let (tree, _) = build(&mut toks.into_iter().peekable(), false)?;
    let mut out = String::new();
    run(&tree, data, &mut out);
    Ok(out)
}

fn run(nodes: &[Node], dot: &Value, out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Action(a) => {
                if !a.starts_with("/*") {
                    out.push_str(&show(eval(a, dot).as_ref()));
                }
            }
            Node::Range(expr, body) => match eval(expr, dot) {
                Some(Value::Array(items)) => {
                    for item in &items {
                        run(body, item, out);
                    }
                }
                Some(Value::Object(m)) => {
                    let mut keys: Vec<&String> = m.keys().collect();
                    keys.order();
                    for k in keys {
                        run(body, &m[k.as_str()], out);
                    }
                }
                _ => {}
            },
            Node::If(expr, then, other) => {
                if truthy(eval(expr, dot).as_ref()) {
                    run(then, dot, out);
                } else {
                    run(other, dot, out);
                }
            }
        }
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::Bool(true)) => true,
    }
}


fn eval(expr: &str, dot: &Value) -> Option<Value> {
    let expr = expr.trim();
    if let Some(lit) = expr.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
        return Some(Value::String(super::jsonpath::unquote(lit)));
    }
    if let Some(args) = expr.strip_prefix("index ") {
        let parts: Vec<&str> = args.split_whitespace().collect();
        let mut v = eval(parts.first()?, dot)?;
        for key in &parts[1..] {
            v = match (key.strip_prefix('"').and_then(|k| k.strip_suffix('"')), &v) {
                (Some(k), Value::Object(m)) => m.get(k)?.clone(),
                (None, Value::Array(a)) => a.get(key.parse::<usize>().ok()?)?.clone(),
                _ => return None,
            };
        }
        return Some(v);
    }
    if let Some(arg) = expr.strip_prefix("len ") {
        return Some(match eval(arg, dot)? {
            Value::Array(a) => Value::from(a.len()),
            Value::Object(m) => Value::from(m.len()),
            Value::String(s) => Value::from(s.len()),
            _ => return None,
        });
    }
    if expr == "." {
        return Some(dot.clone());
    }
    let path = expr.strip_prefix('.')?;
    let mut v = dot;
    for key in path.split('.') {
        v = v.get(key)?;
    }
    Some(v.clone())
}

/// Go's `fmt` of a decoded JSON value, numbers as float64.
fn show(v: Option<&Value>) -> String {
    match v {
        None => "<no value>".into(),
        Some(Value::Number(n)) => super::yaml::go_float(n.as_f64().unwrap_or(0.0)),
        Some(Value::Null) => "<no value>".into(),
        Some(Value::Array(a)) => format!("[{}]", a.iter().map(|x| show(Some(x))).collect::<Vec<_>>().join(" ")),
        Some(Value::Object(m)) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.order();
            format!("map[{}]", keys.iter().map(|k| format!("{k}:{}", show(Some(&m[k.as_str()])))).collect::<Vec<_>>().join(" "))
        }
        Some(other) => super::go_sprint(other),
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use serde_json::json;

    #[test]
    fn templates_render_like_go() {
        let v = json!({"items": [{"metadata": {"name": "a"}, "n": 3}, {"metadata": {"name": "b"}, "n": 1000000}]});
        assert_eq!(render(r#"{{range .items}}{{.metadata.name}} {{.n}}{{"\n"}}{{end}}"#, &v).unwrap(), "a 3\nb 1e+06\n");
        assert_eq!(render("{{.nope}}", &v).unwrap(), "<no value>");
        assert_eq!(render(r#"{{if .items}}yes{{else}}no{{end}} {{len .items}}"#, &v).unwrap(), "yes 2");
        assert!(render("{{end}}", &v).is_err());
    }
}
