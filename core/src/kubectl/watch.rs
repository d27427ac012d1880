//! `kubectl get -w`: the list (unless `--watch-only`), then a row for every change, until
//! stopped. Rows keep the widest column seen so far, as kubectl's watch printing does (a row
//! that is wider than those before it pushes its own columns out; later rows keep to them), and
//! the header comes with the first row printed. Tables (also `-o wide`) and `-o name`.

use serde_json::Value;

use super::discovery::Resource;
use super::get::{encode, Format, Target, TABLE_ACCEPT};
use super::printers::{self, TableOptions};
use super::tabwriter::{MIN_WIDTH, PADDING};
use super::{Failure, Kubectl, Output, Transport};
use crate::apiserver::NEXT_RESOURCE_VERSION_HEADER;
use crate::apiserver::Request;
use crate::kubectl::args::Parsed;


#[derive(Debug)]
pub struct Watch {
    resource: Resource,
    /// The collection watched, and its query (selectors).
    path: String,
    query: Vec<String>,
    rv: String,
    table: Option<TableOptions>,
    /// Column definitions of the server's Table (events after the first come without).
    columns: Value,
    widths: Vec<usize>,
    headers_printed: bool,
}

pub fn start(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, targets: &[Target], ns: &str, format: &Format, out: &mut Output) -> Result<(), Failure> {
    let _ = k;
    let [t] = targets else { return Err(Failure::client("you may only specify a single resource type")) };
    if t.names.len() > 1 {
        return Err(Failure::client(format!("watch is only supported on individual resources and resource collections, but {} resources were found", t.names.len())));
    }
    let all_ns = p.bool("all-namespaces");
    let table = match format {
        Format::Table { wide } => Some(TableOptions {
            wide: *wide,
            no_headers: p.bool("no-headers"),
            with_namespace: all_ns && t.resource.namespaced && t.names.is_empty(),
            show_labels: p.bool("show-labels"),
            label_columns: p.list("label-columns"),
            kind: p.bool("show-kind").then(|| t.resource.kind_group()),
        }),
        Format::Name => None,
        _ => return Err(Failure::client("watching prints tables and names here (-o wide, -o name); other output formats are not available in Hakoniwa yet")),
    };
    let scope = if all_ns && t.names.is_empty() { None } else { Some(ns) };
    let path = t.resource.path(scope);
    let mut query: Vec<String> = Vec::new();
    if let Some(l) = p.value("selector") {
        query.push(format!("labelSelector={}", encode(l)));
    }
    let mut fields: Vec<String> = p.value("field-selector").map(str::to_string).into_iter().collect();
    if let Some(n) = t.names.first() {
        fields.push(format!("metadata.name={n}"));
    }
    if !fields.is_empty() {
        query.push(format!("fieldSelector={}", encode(&fields.join(","))));
    }
    // The list first: what exists now, and the resourceVersion to watch from.
    let list_path = format!("{path}?{}", query.iter().cloned().chain(std::iter::once("limit=500".to_string())).collect::<Vec<_>>().join("&"));
    let mut req = Request::get(&list_path);
    if table.is_some() {
        req = req.with_header("accept", TABLE_ACCEPT);
    }
    let body = super::send_ok(api, &req)?;
    if let Some(n) = t.names.first() {
        let empty = if table.is_some() { body["rows"].as_array().is_none_or(Vec::is_empty) } else { body["items"].as_array().is_none_or(Vec::is_empty) };
        if empty {
            // The object itself, for kubectl's NotFound.
            super::get_object(api, &format!("{path}/{n}"))?;
        }
    }
    let mut w = Watch {
        resource: t.resource.clone(),
        path,
        query,
        rv: body["metadata"]["resourceVersion"].as_str().unwrap_or_default().to_string(),
        table,
        columns: body["columnDefinitions"].clone(),
        widths: Vec::new(),
        headers_printed: false,
    };
    if !p.bool("watch-only") {
        w.print(&body, out);
    }
    k.launched = Some(Box::new(w));
    Ok(())
}

impl Watch {
    /// Prints a Table's rows (or a list's names).
    fn print(&mut self, body: &Value, out: &mut Output) {
        let Some(o) = &self.table else {
            for item in body["items"].as_array().into_iter().flatten() {
                out.out(format!("{}/{}\n", self.resource.kind_group(), item["metadata"]["name"].as_str().unwrap_or_default()));
            }
            return;
        };
        if body["rows"].as_array().is_none_or(Vec::is_empty) {
            return;
        }
        let mut t = body.clone();
        if t["columnDefinitions"].as_array().is_none_or(Vec::is_empty) {
            t["columnDefinitions"] = self.columns.clone();
        } else if self.columns.is_null() {
            self.columns = t["columnDefinitions"].clone();
        }
        let mut text = String::new();
        let headers = !self.headers_printed && !o.no_headers;
        printers::table_lines(&t, o, headers, &mut text);
        self.headers_printed = true;
        out.out(self.align(&text));
    }

    /// Lays out lines of tab-separated cells with the widest columns seen so far.
    fn align(&mut self, text: &str) -> String {
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        for cells in &lines {
            for (j, cell) in cells.iter().enumerate().take(cells.len().saturating_sub(1)) {
                let w = (cell.chars().count() + PADDING).max(MIN_WIDTH);
                if self.widths.len() <= j {
                    self.widths.push(w);
                } else {
                    self.widths[j] = self.widths[j].max(w);
                }
            }
        }
        let mut out = String::new();
        for cells in &lines {
            for (j, cell) in cells.iter().enumerate() {
                out.push_str(cell);
                if j + 1 < cells.len() {
                    out.push_str(&" ".repeat(self.widths[j].saturating_sub(cell.chars().count())));
                }
            }
            out.push('\n');
        }
        out
    }
}

impl super::running::Running for Watch {
    fn poll(&mut self, api: &mut dyn Transport, out: &mut Output) -> Option<Result<(), Failure>> {
        let mut q = self.query.clone();
        q.push("watch=true".into());
        q.push(format!("resourceVersion={}", self.rv));
        let mut req = Request::get(&format!("{}?{}", self.path, q.join("&")));
        if self.table.is_some() {
            req = req.with_header("accept", TABLE_ACCEPT);
        }
        let resp = api.send(&req);
        if resp.status >= 400 {
            return Some(Err(Failure::Server(resp.into_value().unwrap_or(Value::Null))));
        }
        if let Some((_, rv)) = resp.headers.iter().find(|(k, _)| k == NEXT_RESOURCE_VERSION_HEADER) {
            self.rv = rv.clone();
        }
        let events = resp.into_value().unwrap_or(Value::Null);
        for e in events.as_array().into_iter().flatten() {
            match e["type"].as_str() {
                Some("ERROR") => return Some(Err(Failure::Server(e["object"].clone()))),
                Some("BOOKMARK") | None => {}
                Some(_) => {
                    let obj = &e["object"];
                    if self.table.is_some() {
                        self.print(obj, out);
                    } else {
                        out.out(format!("{}/{}\n", self.resource.kind_group(), obj["metadata"]["name"].as_str().unwrap_or_default()));
                    }
                }
            }
        }
        None
    }
}
