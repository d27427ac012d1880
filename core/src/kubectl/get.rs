//! `kubectl get`: resources by type, name or `type/name`, printed as the server's tables or
//! as objects (`-o yaml|json|name|jsonpath=|custom-columns=`).

use crate::sort::Order;
use std::sync::Arc;

use serde_json::Value;

use super::args::{flag, Parsed, Takes};
use super::discovery::Resource;
use super::printers::{self, jsonpath::Template, TableOptions};
use super::{tabwriter, Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;

pub const FLAGS: &[super::args::Flag] = &[
    flag("output", Some('o'), Takes::Value),
    flag("selector", Some('l'), Takes::Value),
    flag("field-selector", None, Takes::Value),
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("show-labels", None, Takes::Bool),
    flag("label-columns", Some('L'), Takes::Values),
    flag("no-headers", None, Takes::Bool),
    flag("sort-by", None, Takes::Value),
    flag("watch", Some('w'), Takes::Bool),
    flag("watch-only", None, Takes::Bool),
    flag("output-watch-events", None, Takes::Bool),
    flag("ignore-not-found", None, Takes::Bool),
    flag("chunk-size", None, Takes::Value),
    flag("show-kind", None, Takes::Bool),
    flag("show-managed-fields", None, Takes::Bool),
    flag("allow-missing-template-keys", None, Takes::Bool),
    flag("template", None, Takes::Value),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("kustomize", Some('k'), Takes::Value),
    flag("raw", None, Takes::Value),
    flag("subresource", None, Takes::Value),
    flag("server-print", None, Takes::Bool),
];

pub(crate) const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// What the user asked for: a resource and, optionally, names.
#[derive(Debug, Clone)]
pub struct Target {
    pub resource: Resource,
    pub names: Vec<String>,
}

/// Turns `TYPE[,TYPE] [NAME...]` or `TYPE/NAME...` into targets, in order.
pub fn targets(k: &mut Kubectl, api: &mut dyn Transport, args: &[String]) -> Result<(Vec<Target>, bool), Failure> {
    let words: Vec<&str> = match args.iter().any(|a| a.contains('/')) {
        true => args.iter().map(|a| a.split_once('/').map_or(a.as_str(), |(t, _)| t)).collect(),
        false => args.first().map(|a| a.split(',').collect()).unwrap_or_default(),
    };
    let d = k.discovery_knowing(api, |d| words.iter().all(|w| *w == "all" || d.resolve(w).is_some())).clone();
    let resolve = |word: &str| -> Result<Vec<Resource>, Failure> {
        if word == "all" {
            return Ok(d.category("all").into_iter().cloned().collect());
        }
        d.resolve(word).cloned().map(|r| vec![r]).ok_or_else(|| Failure::client(format!("the server doesn't have a resource type {word:?}")))
    };
    let slashed = args.iter().filter(|a| a.contains('/')).count();
    let mut out: Vec<Target> = Vec::new();
    let mut type_words = 0;
    if slashed > 0 {
        if slashed != args.len() {
            return Err(Failure::client("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'"));
        }
        let mut seen: Vec<String> = Vec::new();
        for a in args {
            let (t, name) = a.split_once('/').unwrap_or((a, ""));
            if name.is_empty() {
                return Err(Failure::client("arguments in resource/name form must have a single resource and name".to_string()));
            }
            for r in resolve(t)? {
                if !seen.contains(&r.name) {
                    seen.push(r.name.clone());
                }
                match out.last_mut() {
                    Some(last) if last.resource == r => last.names.push(name.to_string()),
                    _ => out.push(Target { resource: r, names: vec![name.to_string()] }),
                }
            }
        }
        type_words = seen.len();
    } else if let Some(first) = args.first() {
        let names: Vec<String> = args[1..].to_vec();
        let words: Vec<&str> = first.split(',').filter(|w| !w.is_empty()).collect();
        type_words = words.len() + usize::from(words.contains(&"all"));
        for w in words {
            for r in resolve(w)? {
                out.push(Target { resource: r, names: names.clone() });
            }
        }
    }
    Ok((out, type_words > 1))
}

/// The output format asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Format {
    Table { wide: bool },
    Yaml,
    Json,
    Name,
    JsonPath(String),
    CustomColumns(String),
    GoTemplate(String),
}

pub(crate) fn format_of(o: Option<&str>) -> Result<Format, Failure> {
    let Some(o) = o else { return Ok(Format::Table { wide: false }) };
    let (name, arg) = o.split_once('=').unwrap_or((o, ""));
    Ok(match name {
        "" => Format::Table { wide: false },
        "wide" => Format::Table { wide: true },
        "yaml" => Format::Yaml,
        "json" => Format::Json,
        "name" => Format::Name,
        "jsonpath" | "jsonpath-as-json" => Format::JsonPath(arg.to_string()),
        "custom-columns" => Format::CustomColumns(arg.to_string()),
        "go-template" | "template" => Format::GoTemplate(arg.to_string()),
        _ => {
            return Err(Failure::client(format!(
                "unable to match a printer suitable for the output format {o:?}, allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
            )))
        }
    })
}

fn with_query(path: &str, p: &Parsed) -> String {
    let mut q: Vec<String> = Vec::new();
    if let Some(l) = p.value("selector") {
        q.push(format!("labelSelector={}", encode(l)));
    }
    if let Some(f) = p.value("field-selector") {
        q.push(format!("fieldSelector={}", encode(f)));
    }
    q.push("limit=500".into());
    format!("{path}?{}", q.join("&"))
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One fetched result: a list (or Table) for a type, or one object.
struct Fetched {
    resource: Resource,
    /// The Table, the object, or the list's head.
    body: Value,
    /// A list's items (not a Table's), shared with the server until a printer must change one.
    items: Vec<Arc<Value>>,
    single: bool,
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let args = &p.args[1..];
    // `--raw PATH`: the server's response as it is.
    if let Some(raw) = p.value("raw") {
        let resp = api.send(&Request::get(raw));
        let status = resp.status;
        if status >= 400 {
            let body = resp.into_value().unwrap_or(Value::Null);
            if body["kind"] == "Status" {
                return Err(Failure::Server(body));
            }
            // A body that is not a Status: client-go's words for the code.
            let (reason, message) = match status {
                404 => ("NotFound", "the server could not find the requested resource"),
                405 => ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
                _ => ("InternalError", "an error on the server has prevented the request from succeeding"),
            };
            return Err(Failure::Server(serde_json::json!({"reason": reason, "message": message})));
        }
        let bytes = resp.body_bytes();
        out.out(String::from_utf8_lossy(&bytes).to_string());
        return Ok(());
    }
    if args.is_empty() && !p.has("filename") {
        return Err(Failure::Raw("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n".into()));
    }
    let format = format_of(p.value("output"))?;
    let all_ns = p.bool("all-namespaces");
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let (targets, multiple_types) = targets(k, api, args)?;
    if p.bool("watch") || p.bool("watch-only") {
        return super::watch::start(k, api, p, &targets, &ns, &format, out);
    }
    let table = matches!(format, Format::Table { .. });
    let mut fetched: Vec<Fetched> = Vec::new();
    let mut errors: Vec<Failure> = Vec::new();
    for t in &targets {
        let scope = if all_ns && t.names.is_empty() { None } else { Some(ns.as_str()) };
        if t.names.is_empty() {
            let mut req = Request::get(&with_query(&t.resource.path(scope), p));
            if table {
                req = req.with_header("accept", TABLE_ACCEPT);
                if p.has("sort-by") {
                    req = req.with_query("includeObject", "Object");
                }
            }
            let resp = api.send(&req);
            let status = resp.status;
            let (mut body, mut items) = if table { (resp.into_value().unwrap_or(Value::Null), Vec::new()) } else { resp.into_list() };
            if status >= 400 {
                errors.push(super::commands::selector_failure(Failure::Server(body), &t.resource, p.value("selector"), p.value("field-selector")));
                continue;
            }
            // Later chunks, as kubectl follows `continue`.
            let mut token = body["metadata"]["continue"].as_str().unwrap_or_default().to_string();
            while !token.is_empty() {
                let mut next = Request::get(&format!("{}&continue={}", with_query(&t.resource.path(scope), p), encode(&token)));
                if table {
                    next = next.with_header("accept", TABLE_ACCEPT);
                    if p.has("sort-by") {
                        next = next.with_query("includeObject", "Object");
                    }
                }
                let more = if table {
                    let mut more = api.send(&next).into_value().unwrap_or(Value::Null);
                    if let (Value::Array(extra), Some(rows)) = (more["rows"].take(), body["rows"].as_array_mut()) {
                        rows.extend(extra);
                    }
                    more
                } else {
                    let (more, extra) = api.send(&next).into_list();
                    items.extend(extra);
                    more
                };
                let t2 = more["metadata"]["continue"].as_str().unwrap_or_default().to_string();
                if t2 == token {
                    break;
                }
                token = t2;
            }
            if table {
                sort_table_rows(&mut body, p)?;
            }
            fetched.push(Fetched { resource: t.resource.clone(), body, items, single: false });
        } else {
            for name in &t.names {
                let mut req = Request::get(&t.resource.object_path(scope, name));
                if table {
                    req = req.with_header("accept", TABLE_ACCEPT);
                }
                let resp = api.send(&req);
                let status = resp.status;
                let body = resp.into_value().unwrap_or(Value::Null);
                if status == 404 && p.bool("ignore-not-found") {
                    continue;
                }
                if status >= 400 {
                    errors.push(Failure::Server(body));
                    continue;
                }
                fetched.push(Fetched { resource: t.resource.clone(), body, items: Vec::new(), single: true });
            }
        }
    }
    let any_named = targets.iter().any(|t| !t.names.is_empty());
    let printed_any = fetched.iter().any(|f| f.single || f.body["rows"].as_array().is_some_and(|r| !r.is_empty()) || !f.items.is_empty());
    match &format {
        Format::Table { wide } => {
            // Names print as kind/name when what came back spans more than one kind.
            let mut kinds: Vec<&Resource> = Vec::new();
            for f in fetched.iter().filter(|f| f.single || f.body["rows"].as_array().is_some_and(|r| !r.is_empty())) {
                if !kinds.contains(&&f.resource) {
                    kinds.push(&f.resource);
                }
            }
            let _ = multiple_types;
            print_tables(&fetched, p, *wide, all_ns, kinds.len() > 1 || p.bool("show-kind"), out)
        }
        _ => {
            // The objects move out of what was fetched (which keeps its kind and resource); a
            // list's are copied only where a printer changes them (`-o name` copies none).
            let mut objects: Vec<Arc<Value>> = Vec::new();
            for f in &mut fetched {
                if f.single {
                    objects.push(Arc::new(f.body.take()));
                } else {
                    let kind = f.body["kind"].as_str().unwrap_or_default().trim_end_matches("List").to_string();
                    for mut item in std::mem::take(&mut f.items) {
                        if item.get("kind").is_none() {
                            let item = Arc::make_mut(&mut item);
                            item["kind"] = Value::String(kind.clone());
                            item["apiVersion"] = Value::String(f.resource.api_version());
                        }
                        objects.push(item);
                    }
                }
            }
            // (Names are all `-o name` prints: what it would hide it does not show.)
            if !p.bool("show-managed-fields") && !matches!(format, Format::Name) {
                for o in objects.iter_mut().filter(|o| !o["metadata"]["managedFields"].is_null()) {
                    printers::hide_managed_fields(Arc::make_mut(o));
                }
            }
            let single = objects.len() == 1 && fetched.len() == 1 && fetched[0].single && targets.len() == 1 && targets[0].names.len() == 1;
            sort_objects(&mut objects, p)?;
            // Named objects that all failed print nothing but the errors.
            if !(objects.is_empty() && !errors.is_empty()) {
                print_objects(&format, objects, single, &fetched, p, out)?;
            }
        }
    }
    if !printed_any && errors.is_empty() && !any_named && table {
        if all_ns || targets.iter().any(|t| !t.resource.namespaced) {
            out.err("No resources found\n");
        } else {
            out.err(format!("No resources found in {ns} namespace.\n"));
        }
    }
    // One error prints as kubectl's own (`error: ...`); several, or a list's, as an aggregate.
    if errors.len() > 1 || (errors.len() == 1 && !any_named) {
        errors.iter().for_each(|e| e.print_among_several(out));
        return Err(Failure::Exit(1));
    }
    if let Some(last) = errors.pop() {
        return Err(last);
    }
    Ok(())
}

fn print_tables(fetched: &[Fetched], p: &Parsed, wide: bool, all_ns: bool, show_kind: bool, out: &mut Output) {
    let mut text = String::new();
    let mut last: Option<&Resource> = None;
    let mut printed_rows = false;
    for f in fetched {
        let rows = f.body["rows"].as_array().map_or(0, Vec::len);
        let new_kind = last.is_none_or(|l| l != &f.resource);
        if new_kind && last.is_some() && printed_rows && !p.bool("no-headers") && rows > 0 {
            text.push('\n');
        }
        let o = TableOptions {
            wide,
            no_headers: p.bool("no-headers"),
            with_namespace: all_ns && f.resource.namespaced,
            show_labels: p.bool("show-labels"),
            label_columns: p.list("label-columns"),
            kind: show_kind.then(|| f.resource.kind_group()),
        };
        if rows > 0 || f.single {
            printers::table_lines(&f.body, &o, new_kind || !printed_rows, &mut text);
            printed_rows = true;
            last = Some(&f.resource);
        }
    }
    if !text.is_empty() {
        out.out(tabwriter::align(&text));
    }
}

fn print_objects(format: &Format, objects: Vec<Arc<Value>>, single: bool, fetched: &[Fetched], p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    // What the printers other than `name` and custom columns are given: the object, or a List
    // of them.
    let (objects, data) = match format {
        Format::Name | Format::CustomColumns(_) => (objects, Value::Null),
        _ if single => (Vec::new(), objects.into_iter().next().map_or(Value::Null, Arc::unwrap_or_clone)),
        _ => (Vec::new(), printers::list_of(objects.into_iter().map(Arc::unwrap_or_clone).collect())),
    };
    match format {
        Format::Yaml => out.out(printers::to_yaml(&data)),
        Format::Json => out.out(printers::to_json(&data)),
        Format::Name => {
            for (i, o) in objects.iter().enumerate() {
                let kind = o["kind"].as_str().unwrap_or_default();
                let group = fetched.iter().find(|f| f.resource.kind == kind).map(|f| f.resource.group.clone()).unwrap_or_default();
                let kg = if group.is_empty() { kind.to_lowercase() } else { format!("{}.{group}", kind.to_lowercase()) };
                let _ = i;
                out.out(format!("{kg}/{}\n", o["metadata"]["name"].as_str().unwrap_or_default()));
            }
        }
        Format::JsonPath(t) => {
            let template = Template::parse(t).map_err(|e| Failure::client(format!("error parsing jsonpath {t}, {e}")))?;
            let allow = p.value("allow-missing-template-keys") != Some("false");
            match template.render(&data, allow) {
                Ok(s) => out.out(s),
                Err(e) => {
                    return Err(Failure::Raw(format!("error: error executing jsonpath {t:?}: Error executing template: {e}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{t}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n\n", serde_json::to_string(&data).unwrap_or_default())));
                }
            }
        }
        Format::CustomColumns(spec) => custom_columns(spec, &objects, p.bool("no-headers"), out)?,
        Format::GoTemplate(t) => match printers::gotemplate::render(t, &data) {
            Ok(s) => out.out(s),
            Err(e) => return Err(Failure::client(format!("error parsing template {t}, {e}"))),
        },
        Format::Table { .. } => {}
    }
    Ok(())
}

fn custom_columns(spec: &str, objects: &[Arc<Value>], no_headers: bool, out: &mut Output) -> Result<(), Failure> {
    let mut cols: Vec<(String, Template)> = Vec::new();
    for part in spec.split(',') {
        let Some((name, path)) = part.split_once(':') else {
            return Err(Failure::client(format!("unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")));
        };
        let expr = if path.starts_with('{') { path.to_string() } else { format!("{{{}}}", if path.starts_with('.') { path.to_string() } else { format!(".{path}") }) };
        let t = Template::parse(&expr).map_err(|e| Failure::client(format!("{e}")))?;
        cols.push((name.to_string(), t));
    }
    let mut text = String::new();
    if !no_headers {
        text.push_str(&cols.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>().join("\t"));
        text.push('\n');
    }
    for o in objects {
        let cells: Vec<String> = cols
            .iter()
            .map(|(_, t)| {
                let vals = t.values(o);
                if vals.is_empty() {
                    "<none>".to_string()
                } else {
                    vals.iter().map(printers::go_sprint).collect::<Vec<_>>().join(",")
                }
            })
            .collect();
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    out.out(tabwriter::align(&text));
    Ok(())
}

/// `--sort-by`: objects ordered by a JSONPath value, as kubectl's sorter compares them
/// (numbers by value, quantities by amount, strings in natural order; missing first).
fn sort_objects(objects: &mut [Arc<Value>], p: &Parsed) -> Result<(), Failure> {
    let Some(expr) = p.value("sort-by") else { return Ok(()) };
    let t = sort_template(expr)?;
    let keys: Vec<Option<Value>> = objects.iter().map(|o| t.values(o).into_iter().next()).collect();
    let mut idx: Vec<usize> = (0..objects.len()).collect();
    idx.order_by(|&a, &b| compare_values(keys[a].as_ref(), keys[b].as_ref()));
    let sorted: Vec<Arc<Value>> = idx.iter().map(|&i| objects[i].clone()).collect();
    for (slot, v) in objects.iter_mut().zip(sorted) {
        *slot = v;
    }
    Ok(())
}

fn sort_template(expr: &str) -> Result<Template, Failure> {
    let e = if expr.starts_with('{') { expr.to_string() } else { format!("{{{expr}}}") };
    Template::parse(&e).map_err(|err| Failure::client(format!("{err}")))
}

/// Sorts the rows of a server Table by `--sort-by` over each row's object.
pub fn sort_table_rows(table: &mut Value, p: &Parsed) -> Result<(), Failure> {
    let Some(expr) = p.value("sort-by") else { return Ok(()) };
    let t = sort_template(expr)?;
    if let Some(rows) = table["rows"].as_array_mut() {
        let keys: Vec<Option<Value>> = rows.iter().map(|r| t.values(&r["object"]).into_iter().next()).collect();
        let mut idx: Vec<usize> = (0..rows.len()).collect();
        idx.order_by(|&a, &b| compare_values(keys[a].as_ref(), keys[b].as_ref()));
        let sorted: Vec<Value> = idx.iter().map(|&i| rows[i].clone()).collect();
        *rows = sorted;
    }
    Ok(())
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => {
            if let (Some(f), Some(g)) = (x.as_f64(), y.as_f64()) {
                return f.partial_cmp(&g).unwrap_or(Ordering::Equal);
            }
            if let (Some(s), Some(t)) = (x.as_str(), y.as_str()) {
                if let (Ok(q1), Ok(q2)) = (crate::api::quantity::Quantity::parse(s), crate::api::quantity::Quantity::parse(t)) {
                    return q1.milli_value().cmp(&q2.milli_value());
                }
                return natural_cmp(s, t);
            }
            natural_cmp(&printers::go_sprint(x), &printers::go_sprint(y))
        }
    }
}

/// Natural order: runs of digits compare as numbers, the rest as text.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < ab.len() && j < bb.len() {
        if ab[i].is_ascii_digit() && bb[j].is_ascii_digit() {
            let si = i;
            while i < ab.len() && ab[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < bb.len() && bb[j].is_ascii_digit() {
                j += 1;
            }
            let (na, nb) = (a[si..i].trim_start_matches('0'), b[sj..j].trim_start_matches('0'));
            let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if o != Ordering::Equal {
                return o;
            }
        } else {
            if ab[i] != bb[j] {
                return ab[i].cmp(&bb[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (ab.len() - i).cmp(&(bb.len() - j))
}
