//! `kubectl top node|pod`: CPU and memory from the Metrics API (metrics.k8s.io/v1beta1, served
//! by metrics-server through the aggregator), printed as kubectl v1.33's TopCmdPrinter does.

use crate::sort::Order;
use serde_json::Value;

use super::args::{flag, Flag, Parsed, Takes};
use super::{get, tabwriter, Failure, Kubectl, Output, Transport};
use crate::api::quantity::Quantity;
use crate::apiserver::{Request, Response};

pub const FLAGS: &[Flag] = &[
    flag("selector", Some('l'), Takes::Value),
    flag("field-selector", None, Takes::Value),
    flag("sort-by", None, Takes::Value),
    flag("containers", None, Takes::Bool),
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("no-headers", None, Takes::Bool),
    flag("use-protocol-buffers", None, Takes::Bool),
    flag("sum", None, Takes::Bool),
    flag("show-capacity", None, Takes::Bool),
];

/// Flags only `top pod` has, and only `top node`.
const POD_ONLY: [&str; 4] = ["field-selector", "containers", "all-namespaces", "sum"];
const NODE_ONLY: [&str; 1] = ["show-capacity"];

/// How long after a pod's creation kubectl blames the pipeline's delay for missing metrics.
const METRICS_CREATION_DELAY_MS: i64 = 120_000;

const TOP_HELP: &str = "Display resource (CPU/memory) usage.

 The top command allows you to see the resource consumption for nodes or pods.

 This command requires Metrics Server to be correctly configured and working on the server.

Available Commands:
  node          Display resource (CPU/memory) usage of nodes
  pod           Display resource (CPU/memory) usage of pods

Usage:
  kubectl top [flags] [options]

Use \"kubectl top <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let (sub, is_pod) = match p.args.get(1).map(String::as_str) {
        None => {
            out.err(TOP_HELP);
            return Err(Failure::Exit(1));
        }
        Some("pod" | "pods" | "po") => ("pod", true),
        Some("node" | "nodes" | "no") => ("node", false),
        Some(other) => return Err(Failure::Raw(format!("error: unknown command \"{other}\" for \"kubectl top\"\n\nDid you mean this?\n\tnode\n\tpod\n\nRun 'kubectl top --help' for usage.\n"))),
    };
    let foreign: &[&str] = if is_pod { &NODE_ONLY } else { &POD_ONLY };
    if let Some(f) = foreign.iter().find(|f| p.has(f)) {
        return Err(Failure::Raw(format!("error: unknown flag: --{f}\nSee 'kubectl top {sub} --help' for usage.\n")));
    }
    let names = &p.args[2..];
    if names.len() > 1 {
        return Err(Failure::Raw(format!("error: {sub} [NAME | -l label]\nSee 'kubectl top {sub} -h' for help and examples\n")));
    }
    let name = names.first().map(String::as_str).unwrap_or_default();
    let sort_by = p.value("sort-by").unwrap_or_default();
    if !sort_by.is_empty() && sort_by != "cpu" && sort_by != "memory" {
        return Err(Failure::client("--sort-by accepts only cpu or memory"));
    }
    let selector = p.value("selector").unwrap_or_default();
    let fields = p.value("field-selector").unwrap_or_default();
    if !name.is_empty() && (!selector.is_empty() || (is_pod && !fields.is_empty())) {
        return Err(Failure::client(if is_pod { "only one of NAME or selector can be provided" } else { "only one of NAME or --selector can be provided" }));
    }
    if !selector.is_empty() {
        crate::api::labels::Selector::parse(selector).map_err(Failure::client)?;
    }
    if !metrics_api_available(api) {
        return Err(Failure::client("Metrics API not available"));
    }
    let mut query = Vec::new();
    if !selector.is_empty() {
        query.push(format!("labelSelector={}", get::encode(selector)));
    }
    if is_pod {
        let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
        pods(api, p, &ns, name, &query, fields, out)
    } else {
        nodes(api, p, name, &query, out)
    }
}

/// Whether discovery lists metrics.k8s.io with a version kubectl reads (v1beta1).
fn metrics_api_available(api: &mut dyn Transport) -> bool {
    let groups = api.send(&Request::get("/apis")).into_value().unwrap_or(Value::Null);
    groups["groups"].as_array().into_iter().flatten().any(|g| g["name"] == "metrics.k8s.io" && g["versions"].as_array().into_iter().flatten().any(|v| v["version"] == "v1beta1"))
}

/// A GET whose failure kubectl prints as the server's error (a plain-text 503 from the
/// aggregator as client-go words it).
fn fetch(api: &mut dyn Transport, path: &str, verb_resource: &str) -> Result<Value, Failure> {
    let resp: Response = api.send(&Request::get(path));
    let status = resp.status;
    let body = resp.into_value();
    if status == 200 {
        return body.ok_or_else(|| Failure::client("unexpected response"));
    }
    match body {
        Some(s) if s["kind"] == "Status" => Err(Failure::Server(s)),
        _ => {
            let (reason, message) = match status {
                503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
                404 => ("NotFound", "the server could not find the requested resource"),
                _ => ("InternalError", "an error on the server has prevented the request from succeeding"),
            };
            Err(Failure::Server(serde_json::json!({"kind": "Status", "status": "Failure", "reason": reason, "message": format!("{message} ({verb_resource})"), "code": status})))
        }
    }
}

fn quantity(v: &Value) -> Quantity {
    v.as_str().and_then(|s| Quantity::parse(s).ok()).unwrap_or_else(Quantity::zero)
}

/// `12m` and `34Mi`, as the printer writes CPU and memory.
fn usage_cells(cpu: &Quantity, memory: &Quantity) -> (String, String) {
    (format!("{}m", cpu.milli_value()), format!("{}Mi", memory.value() / (1024 * 1024)))
}

fn nodes(api: &mut dyn Transport, p: &Parsed, name: &str, query: &[String], out: &mut Output) -> Result<(), Failure> {
    let base = "/apis/metrics.k8s.io/v1beta1/nodes";
    let items: Vec<Value> = if name.is_empty() {
        let list = fetch(api, &with_query(base, query), "get nodes.metrics.k8s.io")?;
        list["items"].as_array().cloned().unwrap_or_default()
    } else {
        vec![fetch(api, &format!("{base}/{name}"), &format!("get nodes.metrics.k8s.io {name}"))?]
    };
    if items.is_empty() {
        return Err(Failure::client("metrics not available yet"));
    }
    let nodes: Vec<Value> = if name.is_empty() {
        let list = fetch(api, &with_query("/api/v1/nodes", query), "get nodes")?;
        list["items"].as_array().cloned().unwrap_or_default()
    } else {
        vec![fetch(api, &format!("/api/v1/nodes/{name}", name = super::paths::segment(name)), &format!("get nodes {name}"))?]
    };
    let field = if p.bool("show-capacity") { "capacity" } else { "allocatable" };
    let mut available: Vec<(String, Value)> = nodes.iter().map(|n| (n["metadata"]["name"].as_str().unwrap_or_default().to_string(), n["status"][field].clone())).collect();
    let mut rows: Vec<(String, Quantity, Quantity)> = items.iter().map(|m| (m["metadata"]["name"].as_str().unwrap_or_default().to_string(), quantity(&m["usage"]["cpu"]), quantity(&m["usage"]["memory"]))).collect();
    sort_rows(&mut rows, p.value("sort-by").unwrap_or_default(), |r| r.0.clone());
    let mut text = String::new();
    if !p.bool("no-headers") {
        text.push_str("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n");
    }
    for (n, cpu, memory) in rows {
        let (c, m) = usage_cells(&cpu, &memory);
        text.push_str(&format!("{n}\t{c}\t"));
        let avail = available.iter().position(|(a, _)| *a == n).map(|i| available.remove(i).1);
        let percent = |used: &Quantity, of: &Value| -> String {
            let total = quantity(of).milli_value();
            let fraction = used.milli_value() as f64 / total as f64 * 100.0;
            format!("{}%\t", go_int64(fraction))
        };
        if let Some(a) = &avail {
            if !a["cpu"].is_null() {
                text.push_str(&percent(&cpu, &a["cpu"]));
            }
        }
        text.push_str(&format!("{m}\t"));
        if let Some(a) = &avail {
            if !a["memory"].is_null() {
                text.push_str(&percent(&memory, &a["memory"]));
            }
        }
        text.push('\n');
    }
    // Nodes with no metrics (kubectl walks a map here; sorted by name for a stable order).
    available.order_by(|a, b| a.0.cmp(&b.0));
    for (n, _) in available {
        text.push_str(&format!("{n}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n"));
    }
    out.out(tabwriter::align(&text));
    Ok(())
}

/// Go's int64(float64): truncation towards zero, saturating (NaN is the minimum).
fn go_int64(f: f64) -> i64 {
    if f.is_nan() {
        i64::MIN
    } else {
        f as i64
    }
}

fn with_query(base: &str, query: &[String]) -> String {
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", query.join("&"))
    }
}

/// Rows by name, or by CPU or memory, highest first, with Go's (unstable) sort.Sort as
/// kubectl's sorters use it: ties land where it leaves them.
fn sort_rows<T>(rows: &mut [T], by: &str, key: impl Fn(&T) -> String)
where
    T: Usage,
{
    match by {
        "cpu" => crate::sort::go_sort_by(rows, |a, b| a.cpu().milli_value() > b.cpu().milli_value()),
        "memory" => crate::sort::go_sort_by(rows, |a, b| a.memory().value() > b.memory().value()),
        _ => crate::sort::go_sort_by(rows, |a, b| key(a) < key(b)),
    }
}

trait Usage {
    fn cpu(&self) -> Quantity;
    fn memory(&self) -> Quantity;
}

impl Usage for (String, Quantity, Quantity) {
    fn cpu(&self) -> Quantity {
        self.1
    }
    fn memory(&self) -> Quantity {
        self.2
    }
}

/// A pod's metrics: its namespace, name, total and containers.
struct PodRow {
    namespace: String,
    name: String,
    cpu: Quantity,
    memory: Quantity,
    containers: Vec<(String, Quantity, Quantity)>,
}

impl Usage for PodRow {
    fn cpu(&self) -> Quantity {
        self.cpu
    }
    fn memory(&self) -> Quantity {
        self.memory
    }
}

#[allow(clippy::too_many_arguments)]
fn pods(api: &mut dyn Transport, p: &Parsed, ns: &str, name: &str, query: &[String], fields: &str, out: &mut Output) -> Result<(), Failure> {
    let all = p.bool("all-namespaces");
    let scope = if all { String::new() } else { format!("/namespaces/{ns}", ns = super::paths::segment(ns)) };
    let base = format!("/apis/metrics.k8s.io/v1beta1{scope}/pods");
    let mut query = query.to_vec();
    if !fields.is_empty() {
        query.push(format!("fieldSelector={}", get::encode(fields)));
    }
    let items: Vec<Value> = if name.is_empty() {
        let list = fetch(api, &with_query(&base, &query), "get pods.metrics.k8s.io")?;
        list["items"].as_array().cloned().unwrap_or_default()
    } else {
        vec![fetch(api, &format!("{base}/{name}"), &format!("get pods.metrics.k8s.io {name}"))?]
    };
    if items.is_empty() {
        // Why there are none: no pods at all, pods too young, or something wrong.
        let pods: Vec<Value> = if name.is_empty() {
            let list = fetch(api, &with_query(&format!("/api/v1/namespaces/{ns}/pods", ns = super::paths::segment(ns)), &query), "get pods")?;
            list["items"].as_array().cloned().unwrap_or_default()
        } else {
            vec![fetch(api, &format!("/api/v1/namespaces/{ns}/pods/{name}", ns = super::paths::segment(ns), name = super::paths::segment(name)), &format!("get pods {name}"))?]
        };
        if !pods.is_empty() || !name.is_empty() {
            let now = api.now();
            for pod in &pods {
                let created = pod["metadata"]["creationTimestamp"].as_str().and_then(crate::sim::clock::Timestamp::parse_rfc3339).unwrap_or(now);
                let age = now.unix_millis() - created.unix_millis();
                if age > METRICS_CREATION_DELAY_MS {
                    let pod_ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
                    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
                    return Err(Failure::client(format!("Metrics not available for pod {pod_ns}/{pod_name}, age: {}", crate::api::duration::go_duration_text(crate::sim::clock::Duration::from_millis(age)))));
                }
            }
            return Err(Failure::client("metrics not available yet"));
        }
        if all {
            out.err("No resources found\n");
        } else {
            out.err(format!("No resources found in {ns} namespace.\n"));
        }
        return Ok(());
    }
    let mut rows: Vec<PodRow> = items
        .iter()
        .map(|m| {
            let containers: Vec<(String, Quantity, Quantity)> = m["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| (c["name"].as_str().unwrap_or_default().to_string(), quantity(&c["usage"]["cpu"]), quantity(&c["usage"]["memory"])))
                .collect();
            let (cpu, memory) = containers.iter().fold((Quantity::zero(), Quantity::zero()), |(c, mm), x| (c.add(&x.1), mm.add(&x.2)));
            PodRow { namespace: m["metadata"]["namespace"].as_str().unwrap_or_default().to_string(), name: m["metadata"]["name"].as_str().unwrap_or_default().to_string(), cpu, memory, containers }
        })
        .collect();
    let sort_by = p.value("sort-by").unwrap_or_default();
    sort_rows(&mut rows, sort_by, |r| if all { format!("{}\u{0}{}", r.namespace, r.name) } else { r.name.clone() });
    let containers = p.bool("containers");
    let headers = !p.bool("no-headers");
    let mut width = 3;
    let mut text = String::new();
    if headers {
        if all {
            text.push_str("NAMESPACE\t");
            width += 1;
        }
        if containers {
            text.push_str("POD\t");
            width += 1;
        }
        text.push_str("NAME\tCPU(cores)\tMEMORY(bytes)\t\n");
    }
    let ns_cell = |r: &PodRow| if all { format!("{}\t", r.namespace) } else { String::new() };
    for r in &mut rows {
        if containers {
            sort_rows(&mut r.containers, sort_by, |c| c.0.clone());
            for (c, cpu, memory) in &r.containers {
                let (cc, mc) = usage_cells(cpu, memory);
                text.push_str(&format!("{}{}\t{c}\t{cc}\t{mc}\t\n", ns_cell(r), r.name));
            }
        } else {
            let (cc, mc) = usage_cells(&r.cpu, &r.memory);
            text.push_str(&format!("{}{}\t{cc}\t{mc}\t\n", ns_cell(r), r.name));
        }
    }
    if p.bool("sum") {
        let (cpu, memory) = rows.iter().fold((Quantity::zero(), Quantity::zero()), |(c, m), r| (c.add(&r.cpu), m.add(&r.memory)));
        text.push_str(&"\t".repeat(width - 2));
        text.push_str("________\t________\t\n");
        text.push_str(&"\t".repeat(width - 3));
        let (cc, mc) = usage_cells(&cpu, &memory);
        text.push_str(&format!("\t{cc}\t{mc}\t\n"));
    }
    out.out(tabwriter::align(&text));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        let d = |ms| crate::api::duration::go_duration_text(crate::sim::clock::Duration::from_millis(ms));
        assert_eq!(d(125_250), "2m5.25s");
        assert_eq!(d(3_600_000), "1h0m0s");
        assert_eq!(d(500), "500ms");
        assert_eq!(d(121_000), "2m1s");
    }

    #[test]
    fn usage_prints_in_millicores_and_whole_mebibytes() {
        let (c, m) = usage_cells(&Quantity::parse("1234567n").unwrap(), &Quantity::parse("4100Ki").unwrap());
        assert_eq!((c.as_str(), m.as_str()), ("2m", "4Mi"));
    }
}
