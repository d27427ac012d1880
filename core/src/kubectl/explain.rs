//! `kubectl explain`: the fields of a resource, read from the server's OpenAPI v3 document of
//! its group version and printed as kubectl v1.33's plaintext template prints them (which
//! schema it picks, how it follows `$ref`, `allOf`, `items` and `additionalProperties`, its type
//! names, enum lists and word wrapping).

use crate::sort::Order;
use serde_json::{Map, Value};

use super::args::{flag, Flag, Parsed, Takes};
use super::{Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;

pub const FLAGS: &[Flag] = &[
    flag("recursive", None, Takes::Bool),
    flag("api-version", None, Takes::Value),
    // kubectl's usage line says `-o|--output`, but the flag has no shorthand.
    flag("output", None, Takes::Value),
];

/// One node of the JSONPath kubectl parses `TYPE.field.field` into: only field nodes name
/// fields; anything else (`[0]`, `..`, `*`) is an error where a field is expected.
#[derive(Debug, Clone, PartialEq)]
enum PathNode {
    Field(String),
    Other,
}

/// Parses `{.<text>}` as client-go's JSONPath parser does, far enough to tell field nodes from
/// the rest, with its errors for what it cannot parse.
fn parse_path(text: &str) -> Result<Vec<PathNode>, String> {
    let text = text.strip_suffix('.').unwrap_or(text);
    let s: Vec<char> = format!(".{text}").chars().collect();
    let mut nodes = Vec::new();
    let mut last_recursive = false;
    let mut i = 0;
    let terminator = |c: char| c.is_whitespace() || matches!(c, '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}');
    // A field name runs to the next unescaped terminator; backslashes are dropped.
    let field = |i: &mut usize, nodes: &mut Vec<PathNode>| {
        let mut name = String::new();
        while *i < s.len() && !terminator(s[*i]) {
            if s[*i] == '\\' {
                *i += 1;
                if let Some(&c) = s.get(*i) {
                    name.push(c);
                }
            } else {
                name.push(s[*i]);
            }
            *i += 1;
        }
        nodes.push(if name == "*" { PathNode::Other } else { PathNode::Field(name) });
    };
    while i < s.len() {
        let rest: String = s[i..].iter().take(3).collect();
        if rest.starts_with("..") {
            if last_recursive {
                return Err("invalid multiple recursive descent".into());
            }
            i += 2;
            nodes.push(PathNode::Other);
            last_recursive = true;
            if s.get(i).is_some_and(|c| *c == '_' || c.is_alphanumeric()) {
                field(&mut i, &mut nodes);
                last_recursive = false;
            }
            continue;
        }
        last_recursive = false;
        let c = s[i];
        i += 1;
        match c {
            '.' => field(&mut i, &mut nodes),
            ' ' | '@' | '$' => {}
            '\n' | '\r' => return Err("unclosed action".into()),
            '[' => {
                let start = i;
                while i < s.len() && s[i] != ']' && s[i] != '\n' {
                    i += 1;
                }
                if i >= s.len() || s[i] == '\n' {
                    return Err("unterminated array".into());
                }
                let inner: String = s[start..i].iter().collect();
                i += 1;
                // `['name']` is a field; indexes, slices, unions and filters are not.
                match inner.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
                    Some(name) if !name.contains('\'') && !inner.contains(',') => nodes.push(PathNode::Field(name.to_string())),
                    _ if inner.starts_with('?') || inner.contains(',') || inner == "*" || is_slice(&inner) => nodes.push(PathNode::Other),
                    _ => return Err(format!("invalid array index {inner}")),
                }
            }
            '"' | '\'' => {
                while i < s.len() && s[i] != c {
                    i += if s[i] == '\\' { 2 } else { 1 };
                }
                if i >= s.len() {
                    return Err("unclosed quote".into());
                }
                i += 1;
                nodes.push(PathNode::Other);
            }
            '}' => return Err("must pass in 1 jsonpath string".into()),
            c if c == '+' || c == '-' || c == '_' || c.is_alphanumeric() => {
                while i < s.len() && !terminator(s[i]) {
                    i += 1;
                }
                nodes.push(PathNode::Other);
            }
            c => return Err(format!("unrecognized character in action: U+{:04X} '{c}'", c as u32)),
        }
    }
    Ok(nodes)
}

/// `0`, `-1`, `1:3`, `::2`: what JSONPath takes as an index or a slice.
fn is_slice(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    let number = |p: &str| {
        let digits = p.strip_prefix('-').unwrap_or(p);
        digits.chars().all(|c| c.is_ascii_digit())
    };
    parts.len() <= 3 && parts.iter().all(|p| number(p))
}

/// The fields after the first node, all of which must be field nodes.
fn fields_of(nodes: &[PathNode], message: &str) -> Result<Vec<String>, Failure> {
    nodes
        .iter()
        .map(|n| match n {
            PathNode::Field(f) => Ok(f.clone()),
            PathNode::Other => Err(Failure::client(message)),
        })
        .collect()
}

/// A group, version and resource.
struct Gvr {
    group: String,
    version: String,
    resource: String,
}

impl Gvr {
    /// `apps/v1, Resource=deployments`, as Go prints a GroupVersionResource.
    fn display(&self) -> String {
        format!("{}/{}, Resource={}", self.group, self.version, self.resource)
    }
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let args = &p.args[1..];
    if args.is_empty() {
        return Err(Failure::Raw("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n".into()));
    }
    if args.len() > 1 {
        return Err(Failure::Raw("error: We accept only this format: explain RESOURCE\n".into()));
    }
    let input = args[0].as_str();
    let api_version = p.value("api-version").unwrap_or_default().to_string();
    let nodes = parse_path(input).map_err(Failure::client)?;
    let Some(PathNode::Field(word)) = nodes.first() else {
        return Err(Failure::client("invalid jsonpath syntax, first node must be field node"));
    };
    let resource = k.resolve(api, word).ok_or_else(|| Failure::Raw(format!("the server doesn't have a resource type {word:?}\n")))?;
    let mut gvr = Gvr { group: resource.group.clone(), version: resource.version.clone(), resource: resource.name.clone() };
    let fields = if api_version.is_empty() {
        // `deployments.apps.spec`: the group-qualified resource is a prefix of what was typed.
        let qualified = if resource.group.is_empty() { resource.name.clone() } else { format!("{}.{}", resource.name, resource.group) };
        const FIRST: &str = "invalid jsonpath syntax, first node must be field node";
        match input.strip_prefix(qualified.as_str()) {
            Some("") => Vec::new(),
            Some(suffix) => {
                let nodes = parse_path(suffix).map_err(Failure::client)?;
                fields_of(nodes.get(1..).unwrap_or_default(), FIRST)?
            }
            None => fields_of(&nodes[1..], FIRST)?,
        }
    } else {
        fields_of(&nodes[1..], "invalid jsonpath syntax, all nodes must be field nodes")?
    };
    let format = p.value("output").unwrap_or("plaintext");
    // Without OpenAPI v3 documents, plaintext falls back to v2 as kubectl does.
    let index = match format {
        "plaintext-openapiv2" => None,
        _ => get_json(api, "/openapi/v3"),
    };
    let Some(index) = index.filter(|_| format != "plaintext-openapiv2") else {
        return explain_v2(api, &resource, &api_version);
    };
    if !api_version.is_empty() {
        let parts: Vec<&str> = api_version.split('/').collect();
        (gvr.group, gvr.version) = match parts.as_slice() {
            [v] => (String::new(), v.to_string()),
            [g, v] => (g.to_string(), v.to_string()),
            _ => return Err(Failure::client(format!("unexpected GroupVersion string: {api_version}"))),
        };
    }
    let key = if gvr.group.is_empty() { format!("api/{}", gvr.version) } else { format!("apis/{}/{}", gvr.group, gvr.version) };
    let Some(url) = index["paths"][&key]["serverRelativeURL"].as_str() else {
        return Err(Failure::client(format!("couldn't find resource for \"{}\"", gvr.display())));
    };
    let doc = get_json(api, url).ok_or_else(|| Failure::client(format!("failed to fetch openapi schema for {key}: the server could not find the requested resource")))?;
    if format != "plaintext" {
        return Err(Failure::client(format!("unrecognized format: {format}")));
    }
    let mut text = String::new();
    let result = render(&doc, &gvr, &fields, p.bool("recursive"), &mut text);
    out.out(text);
    result.map_err(Failure::client)
}

/// `--output=plaintext-openapiv2` reads `/openapi/v2`, whose models this server leaves to
/// `/openapi/v3`: kubectl finds no model for the kind and says so.
fn explain_v2(api: &mut dyn Transport, resource: &super::discovery::Resource, api_version: &str) -> Result<(), Failure> {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None if !api_version.is_empty() => (String::new(), api_version.to_string()),
        None => (resource.group.clone(), resource.version.clone()),
    };
    let doc = get_json(api, "/openapi/v2").unwrap_or_default();
    let wanted = serde_json::json!({"group": group, "version": version, "kind": resource.kind});
    let known = doc["definitions"].as_object().is_some_and(|defs| {
        defs.values().any(|d| d["x-kubernetes-group-version-kind"].as_array().is_some_and(|l| l.contains(&wanted)))
    });
    let gvk = format!("{group}/{version}, Kind={}", resource.kind);
    if known {
        return Err(Failure::client(format!("explaining {gvk} from the OpenAPI v2 document is not available in Hakoniwa yet")));
    }
    Err(Failure::client(format!("couldn't find resource for {gvk:?}")))
}

fn get_json(api: &mut dyn Transport, path: &str) -> Option<Value> {
    let mut req = Request::get(path);
    req.headers.push(("accept".into(), "application/json".into()));
    let resp = api.send(&req);
    if resp.status != 200 {
        return None;
    }
    resp.into_value()
}

/// Go templates' truth: absent, null, false, zero and empty values are false.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// A map-valued `additionalProperties` (not `true`/`false`).
fn additional(schema: &Value) -> Option<&Value> {
    let a = schema.get("additionalProperties")?;
    (a.is_object() && truthy(Some(a))).then_some(a)
}

fn items(schema: &Value) -> Option<&Value> {
    schema.get("items").filter(|i| truthy(Some(i)))
}

fn all_of(schema: &Value) -> &[Value] {
    schema["allOf"].as_array().map_or(&[], Vec::as_slice)
}

/// Follows a `#/components/schemas/...` reference within the document.
fn resolve_ref<'a>(reference: &str, doc: &'a Value) -> Option<&'a Value> {
    let fragment = reference.strip_prefix('#')?;
    let mut cur = doc;
    for part in fragment.split('/').filter(|p| !p.is_empty()) {
        cur = cur.get(part).filter(|v| v.is_object())?;
    }
    Some(cur)
}

/// The schema a schema stands for: its `$ref`'s target when that is a non-empty object.
fn resolved<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    let reference = schema["$ref"].as_str().unwrap_or_default();
    resolve_ref(reference, doc).filter(|r| truthy(Some(r))).unwrap_or(schema)
}

struct Ctx<'a> {
    doc: &'a Value,
    recursive: bool,
}

/// Renders the explanation into `out`; an error (what kubectl's template throws) leaves what
/// was printed before it.
fn render(doc: &Value, gvr: &Gvr, fields: &[String], recursive: bool, out: &mut String) -> Result<(), String> {
    let prefix = if gvr.group.is_empty() { "/api".to_string() } else { format!("/apis/{}", gvr.group) };
    let (v, r) = (&gvr.version, &gvr.resource);
    let searches = [
        format!("{prefix}/{v}/{r}"),
        format!("{prefix}/{v}/{r}/{{name}}"),
        format!("{prefix}/{v}/namespaces/{{namespace}}/{r}"),
        format!("{prefix}/{v}/namespaces/{{namespace}}/{r}/{{name}}"),
    ];
    // The last path found decides, by its first operation that names a kind.
    let mut gvk: Option<&Value> = None;
    for path in &searches {
        let Some(element) = doc["paths"].get(path).filter(|e| truthy(Some(e))) else { continue };
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = element.get(method).filter(|o| truthy(Some(o))) else { continue };
            gvk = op.get("x-kubernetes-group-version-kind");
            if truthy(gvk) {
                break;
            }
        }
    }
    let Some(gvk) = gvk.filter(|g| truthy(Some(g))) else {
        return Err(format!("GVR ({}) not found in OpenAPI schema", gvr.display()));
    };
    let s = |k: &str| gvk[k].as_str().unwrap_or_default().to_string();
    if !s("group").is_empty() {
        out.push_str(&format!("GROUP:      {}\n", s("group")));
    }
    out.push_str(&format!("KIND:       {}\nVERSION:    {}\n\n", s("kind"), s("version")));
    let ctx = Ctx { doc, recursive };
    let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let mut names: Vec<&String> = schemas.keys().collect();
    names.order();
    let found = names.into_iter().map(|n| &schemas[n]).find(|schema| schema["x-kubernetes-group-version-kind"].as_array().is_some_and(|l| l.contains(gvk)));
    let Some(schema) = found else {
        let show = |k: &str| format!("{k}:{}", s(k));
        return Err(format!("GVK map[{} {} {}] not found in OpenAPI schema", show("group"), show("kind"), show("version")));
    };
    let text = output(&ctx, schema, &Map::new(), fields);
    if text.is_empty() {
        let last = fields.last().cloned().unwrap_or_default();
        return Err(format!("field {last:?} does not exist"));
    }
    out.push_str(&text);
    out.push('\n');
    Ok(())
}

/// Follows the field path, then prints the field's description and fields; empty when the path
/// leads nowhere.
fn output(ctx: &Ctx, schema: &Value, history: &Map<String, Value>, fields: &[String]) -> String {
    let reference = schema["$ref"].as_str().unwrap_or_default();
    let mut next = history.clone();
    next.insert(reference.to_string(), Value::from(1));
    let resolved = resolved(schema, ctx.doc);
    let Some(first) = fields.first() else {
        let description = description(ctx, resolved);
        let description = if description.is_empty() { "<empty>".to_string() } else { description };
        let mut s = format!("DESCRIPTION:\n{}\n", indent(4, &wrap(76, &description)));
        let list = field_list(ctx, resolved, 1, &Map::new());
        if !list.is_empty() {
            s.push_str("FIELDS:\n");
            s.push_str(&list);
        }
        return s;
    };
    if !reference.is_empty() && history.contains_key(reference) {
        return String::new();
    }
    if let Some(sub) = resolved.get("properties").and_then(|p| p.get(first)).filter(|s| truthy(Some(s))) {
        let mut s = String::new();
        if fields.len() == 1 {
            s.push_str(&format!("FIELD: {first} <{}>\n{}\n\n", type_guess(ctx, sub), extract_enum(sub, true, -1, 0)));
        }
        s.push_str(&output(ctx, sub, &Map::new(), &fields[1..]));
        return s;
    }
    if let Some(i) = items(resolved) {
        return output(ctx, i, &next, fields);
    }
    if let Some(a) = additional(resolved) {
        return output(ctx, a, &next, fields);
    }
    all_of(resolved).iter().map(|sub| output(ctx, sub, &next, fields)).find(|o| !o.is_empty()).unwrap_or_default()
}

/// The fields of a schema, one entry each (names and types only, nested, with --recursive).
fn field_list(ctx: &Ctx, schema: &Value, level: usize, history: &Map<String, Value>) -> String {
    let reference = schema["$ref"].as_str().unwrap_or_default();
    if !reference.is_empty() && history.contains_key(reference) {
        return String::new();
    }
    let mut next = history.clone();
    next.insert(reference.to_string(), Value::from(1));
    let resolved = resolved(schema, ctx.doc);
    let mut s = String::new();
    if let Some(props) = resolved["properties"].as_object() {
        let mut names: Vec<&String> = props.keys().collect();
        names.order();
        for name in names {
            s.push_str(&field_detail(ctx, resolved, name, level));
            if ctx.recursive {
                s.push_str(&field_list(ctx, &props[name], level + 1, &next));
            }
        }
    }
    for sub in all_of(resolved) {
        s.push_str(&field_list(ctx, sub, level, &next));
    }
    if let Some(i) = items(resolved) {
        s.push_str(&field_list(ctx, i, level, &next));
    }
    if let Some(a) = additional(resolved) {
        s.push_str(&field_list(ctx, a, level, &next));
    }
    s
}

fn field_detail(ctx: &Ctx, schema: &Value, name: &str, level: usize) -> String {
    let amount = level * 2;
    let field = &schema["properties"][name];
    let mut s = format!("{}\t<{}>", indent(amount, name), type_guess(ctx, field));
    if schema["required"].as_array().is_some_and(|r| r.iter().any(|x| x == name)) {
        s.push_str(" -required-");
    }
    s.push_str(&extract_enum(field, false, 4, amount));
    s.push('\n');
    if !ctx.recursive {
        let d = field["description"].as_str().filter(|d| !d.is_empty()).unwrap_or("<no description>");
        s.push_str(&indent(amount + 2, &wrap(78usize.saturating_sub(amount), d)));
        s.push_str("\n\n");
    }
    s
}

/// A schema's description, then those of its `allOf` members, items and map values.
fn description(ctx: &Ctx, schema: &Value) -> String {
    let s = schema["$ref"].as_str().and_then(|r| resolve_ref(r, ctx.doc)).filter(|r| truthy(Some(r))).unwrap_or(schema);
    let mut text = String::new();
    if let Some(d) = s["description"].as_str().filter(|d| !d.is_empty()) {
        text.push_str(d);
        text.push('\n');
    }
    for sub in all_of(s) {
        text.push_str(&description(ctx, sub));
    }
    if let Some(i) = items(s) {
        text.push_str(&description(ctx, i));
    }
    if let Some(a) = additional(s) {
        text.push_str(&description(ctx, a));
    }
    text
}

/// kubectl's short type name: `string`, `[]Container`, `map[string]string`, `Object`.
fn type_guess(ctx: &Ctx, schema: &Value) -> String {
    if let Some(i) = items(schema) {
        return format!("[]{}", type_guess(ctx, i));
    }
    if let Some(a) = additional(schema) {
        return format!("map[string]{}", type_guess(ctx, a));
    }
    let all = all_of(schema);
    if !all.is_empty() && !truthy(schema.get("properties")) && all.len() == 1 {
        return type_guess(ctx, &all[0]);
    }
    let kind = |s: &Value| s["type"].as_str().filter(|t| !t.is_empty()).map(str::to_string);
    if let Some(reference) = schema["$ref"].as_str().filter(|r| !r.is_empty()) {
        let target = resolve_ref(reference, ctx.doc).filter(|r| truthy(Some(r)));
        return match target.and_then(kind) {
            Some(t) if t != "object" => t,
            _ => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                let short = name.rsplit('.').next().unwrap_or_default();
                if short.is_empty() { "Object".into() } else { short.into() }
            }
        };
    }
    match kind(schema) {
        Some(t) if t != "object" => t,
        _ => "Object".into(),
    }
}

/// `enum: a, b, c, d, ....` under a field, or `ENUM:` with one value per line under FIELD.
fn extract_enum(schema: &Value, long: bool, limit: i64, indent_amount: usize) -> String {
    let Some(values) = schema["enum"].as_array().filter(|e| !e.is_empty()) else { return String::new() };
    let limit = if limit == 0 { -1 } else { limit };
    let mut s = if long { "ENUM:".to_string() } else { format!("\n{}enum: ", " ".repeat(indent_amount)) };
    for (i, v) in values.iter().enumerate() {
        if limit > -1 && i as i64 >= limit {
            s.push_str(", ....");
            break;
        }
        if i > 0 && !long {
            s.push_str(", ");
        } else if long {
            s.push_str("\n    ");
        }
        s.push_str(&match v {
            Value::String(x) if x.is_empty() => "\"\"".to_string(),
            other => go_print(other),
        });
    }
    s
}

/// A JSON value as Go's template prints the decoded `any`.
fn go_print(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            Some(f) => f.to_string(),
            None => n.to_string(),
        },
        other => format!("{other}"),
    }
}

/// Each line indented by `amount` spaces (including the empty line after a final newline).
fn indent(amount: usize, s: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

/// go-wordwrap's WrapString (v1.0.1): breaks at spaces so lines fit `limit` characters; a word
/// longer than the limit stays whole.
fn wrap(limit: usize, s: &str) -> String {
    const NBSP: char = '\u{a0}';
    let mut buf = String::with_capacity(s.len());
    let (mut current, mut word, mut space) = (0usize, String::new(), String::new());
    let (mut word_len, mut space_len) = (0usize, 0usize);
    for c in s.chars() {
        if c == '\n' {
            // Trailing spaces stay only while they fit; the line starts afresh.
            if !word.is_empty() || current + space_len <= limit {
                buf.push_str(&space);
            }
            buf.push_str(&word);
            space.clear();
            word.clear();
            (space_len, word_len) = (0, 0);
            buf.push(c);
            current = 0;
        } else if c.is_whitespace() && c != NBSP {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                buf.push_str(&space);
                space.clear();
                space_len = 0;
                buf.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > limit && word_len < limit {
                buf.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            buf.push_str(&space);
        }
    } else {
        buf.push_str(&space);
        buf.push_str(&word);
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_into_field_nodes_as_kubectls_jsonpath_does() {
        let f = |s: &str| PathNode::Field(s.into());
        assert_eq!(parse_path("pods.spec.containers").unwrap(), vec![f("pods"), f("spec"), f("containers")]);
        assert_eq!(parse_path("pods.spec.").unwrap(), vec![f("pods"), f("spec")]);
        assert_eq!(parse_path("pods..spec").unwrap(), vec![f("pods"), PathNode::Other, f("spec")]);
        assert_eq!(parse_path("pods.spec.containers[0]").unwrap().last(), Some(&PathNode::Other));
        assert_eq!(parse_path("pods['spec']").unwrap(), vec![f("pods"), f("spec")]);
        assert_eq!(parse_path("pods[0").unwrap_err(), "unterminated array");
        assert_eq!(parse_path("pods[spec]").unwrap_err(), "invalid array index spec");
        assert_eq!(parse_path("pods[1:-1]").unwrap().last(), Some(&PathNode::Other));
        assert_eq!(parse_path("pods.a!b").unwrap(), vec![f("pods"), f("a!b")]);
        assert_eq!(parse_path("pods!").unwrap(), vec![f("pods!")]);
        assert_eq!(parse_path("pods.x{").unwrap_err(), "unrecognized character in action: U+007B '{'");
        assert_eq!(parse_path("a...b").unwrap(), vec![f("a"), PathNode::Other, f("b")]);
        assert_eq!(parse_path("a....b").unwrap_err(), "invalid multiple recursive descent");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_keeps_long_words() {
        assert_eq!(wrap(10, "aaa bbb ccc ddd"), "aaa bbb\nccc ddd");
        assert_eq!(wrap(4, "abcdefgh ij"), "abcdefgh\nij");
        assert_eq!(wrap(76, "<empty>"), "<empty>");
        assert_eq!(indent(4, "a\nb\n"), "    a\n    b\n    ");
    }

    #[test]
    fn enums_print_short_under_a_field_and_long_under_field() {
        let s = serde_json::json!({"enum": ["", "A", "B", "C", "D"]});
        assert_eq!(extract_enum(&s, false, 4, 2), "\n  enum: \"\", A, B, C, ....");
        assert_eq!(extract_enum(&s, true, -1, 0), "ENUM:\n    \"\"\n    A\n    B\n    C\n    D");
    }

    #[test]
    fn types_are_guessed_from_refs_items_and_maps() {
        let doc = serde_json::json!({"components": {"schemas": {
            "io.k8s.api.core.v1.Container": {"type": "object", "properties": {"name": {"type": "string"}}},
            "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
        }}});
        let ctx = Ctx { doc: &doc, recursive: false };
        let r = |n: &str| serde_json::json!({"$ref": format!("#/components/schemas/{n}")});
        assert_eq!(type_guess(&ctx, &serde_json::json!({"type": "array", "items": {"allOf": [r("io.k8s.api.core.v1.Container")]}})), "[]Container");
        assert_eq!(type_guess(&ctx, &serde_json::json!({"type": "object", "additionalProperties": r("io.k8s.apimachinery.pkg.api.resource.Quantity")})), "map[string]string");
        assert_eq!(type_guess(&ctx, &serde_json::json!({"type": "object"})), "Object");
        assert_eq!(type_guess(&ctx, &serde_json::json!({"type": "integer", "format": "int32"})), "integer");
        assert_eq!(type_guess(&ctx, &r("io.k8s.Missing")), "Missing");
    }
}
