//! `kubectl describe`: each kind's page as kubectl's describers lay it out — `Field:\tvalue`
//! lines at indentation levels of two spaces, aligned by one tabwriter per object (no minimum
//! width, padding 2), then the object's events. Ages come from the simulation's clock.

use crate::sort::Order;
use serde_json::Value;

use super::args::{flag, Flag, Parsed, Takes};
use super::{get, tabwriter, Failure, Kubectl, Output, Transport};
use crate::apiserver::Request;
use crate::sim::clock::Timestamp;

pub const FLAGS: &[Flag] = &[
    flag("selector", Some('l'), Takes::Value),
    flag("all-namespaces", Some('A'), Takes::Bool),
    flag("show-events", None, Takes::Bool),
    flag("filename", Some('f'), Takes::Values),
    flag("recursive", Some('R'), Takes::Bool),
    flag("chunk-size", None, Takes::Value),
];

/// One object's page, written line by line before alignment.
struct Page {
    text: String,
    now: Timestamp,
}

impl Page {
    /// A line at `level` (two spaces each); `\t` separates the aligned cells.
    fn line(&mut self, level: usize, s: &str) {
        for _ in 0..level {
            self.text.push_str("  ");
        }
        self.text.push_str(s);
        self.text.push('\n');
    }
    /// `Label:\tvalue-or-<none>`.
    fn field(&mut self, level: usize, label: &str, value: &str) {
        let v = if value.is_empty() { "<none>" } else { value };
        self.line(level, &format!("{label}:\t{v}"));
    }
    /// A map shown one `k=v` (labels) or `k: v` (annotations) per line, the first beside
    /// the label.
    fn map_lines(&mut self, level: usize, label: &str, m: &Value, sep: &str) {
        let mut pairs: Vec<String> = m
            .as_object()
            .map(|o| o.iter().filter(|(k, _)| *k != "kubectl.kubernetes.io/last-applied-configuration").map(|(k, v)| format!("{k}{sep}{}", v.as_str().unwrap_or_default())).collect())
            .unwrap_or_default();
        pairs.order();
        if pairs.is_empty() {
            self.line(level, &format!("{label}:\t<none>"));
            return;
        }
        for (i, p) in pairs.iter().enumerate() {
            if i == 0 {
                self.line(level, &format!("{label}:\t{p}"));
            } else {
                self.line(level, &format!("\t{p}"));
            }
        }
    }
    fn labels(&mut self, level: usize, label: &str, m: &Value) {
        self.map_lines(level, label, m, "=");
    }
    fn annotations(&mut self, level: usize, m: &Value) {
        self.map_lines(level, "Annotations", m, ": ");
    }
    fn finish(self) -> String {
        tabwriter::align_with(&self.text, 0, 2)
    }
}

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// RFC 1123 with a numeric zone, as describe prints times: `Wed, 25 Nov 2026 11:00:00 +0000`.
fn rfc1123z(t: &str) -> String {
    let Some(ts) = Timestamp::parse_rfc3339(t) else { return "<unset>".into() };
    let secs = ts.unix_millis().div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let (y, m, d) = crate::sim::clock::civil(days);
    let rem = secs.rem_euclid(86_400);
    format!("{}, {d:02} {} {y} {:02}:{:02}:{:02} +0000", WEEKDAYS[days.rem_euclid(7) as usize], MONTHS[(m - 1).clamp(0, 11) as usize], rem / 3600, rem % 3600 / 60, rem % 60)
}

fn age(now: Timestamp, t: &str) -> String {
    match Timestamp::parse_rfc3339(t) {
        Some(ts) => crate::api::duration::human_duration(now.since(ts)),
        None => "<unknown>".into(),
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// A map's entries by key (kubectl ranges over Go maps; a sorted order is the deterministic
/// choice).
fn sorted(v: &Value) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = v.as_object().map(|m| m.iter().collect()).unwrap_or_default();
    entries.order_by(|a, b| a.0.cmp(b.0));
    entries
}

/// The size of a base64 value once decoded.
fn decoded_len(v: &Value) -> usize {
    crate::api::base64::decode(s(v)).map_or(0, |b| b.len())
}

fn controller_of(obj: &Value) -> Option<String> {
    obj["metadata"]["ownerReferences"].as_array()?.iter().find(|o| o["controller"] == true).map(|o| format!("{}/{}", s(&o["kind"]), s(&o["name"])))
}

pub fn run(k: &mut Kubectl, api: &mut dyn Transport, p: &Parsed, out: &mut Output) -> Result<(), Failure> {
    let args = &p.args[1..];
    if args.is_empty() {
        return Err(Failure::Raw("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl describe -h' for help and examples\n".into()));
    }
    let ns = p.value("namespace").map_or_else(|| k.config.namespace().to_string(), str::to_string);
    let all_ns = p.bool("all-namespaces");
    // `describe TYPE NAME` also matches names that start with NAME when none is exactly it.
    let (targets, _) = get::targets(k, api, args)?;
    let mut pages: Vec<String> = Vec::new();
    let mut errors: Vec<Failure> = Vec::new();
    for t in &targets {
        let scope = if all_ns { None } else { Some(ns.as_str()) };
        let mut objects: Vec<Value> = Vec::new();
        if t.names.is_empty() {
            let mut path = t.resource.path(scope);
            if let Some(l) = p.value("selector") {
                path = format!("{path}?labelSelector={}", get::encode(l));
            }
            let list = api.send(&Request::get(&path)).into_value().unwrap_or(Value::Null);
            objects.extend(list["items"].as_array().cloned().unwrap_or_default());
        } else {
            for n in &t.names {
                let resp = api.send(&Request::get(&t.resource.object_path(Some(&ns), n)));
                let status = resp.status;
                let body = resp.into_value().unwrap_or(Value::Null);
                if status == 200 {
                    objects.push(body);
                    continue;
                }
                // A prefix of names.
                let list = api.send(&Request::get(&t.resource.path(Some(&ns)))).into_value().unwrap_or(Value::Null);
                let matching: Vec<Value> = list["items"].as_array().into_iter().flatten().filter(|o| s(&o["metadata"]["name"]).starts_with(n.as_str())).cloned().collect();
                if matching.is_empty() {
                    errors.push(Failure::Server(body));
                }
                objects.extend(matching);
            }
        }
        for mut o in objects {
            if o.get("kind").is_none() {
                o["kind"] = Value::String(t.resource.kind.clone());
            }
            let page = describe_one(api, &t.resource, &o, p.value("show-events") != Some("false"))?;
            pages.push(page);
        }
    }
    if !pages.is_empty() {
        out.out(pages.join("\n\n"));
    }
    if pages.is_empty() && errors.is_empty() {
        out.err(if all_ns { "No resources found\n".to_string() } else { format!("No resources found in {ns} namespace.\n") });
    }
    if let Some(last) = errors.pop() {
        for e in errors {
            e.print(out);
        }
        return Err(last);
    }
    Ok(())
}

fn describe_one(api: &mut dyn Transport, r: &super::discovery::Resource, o: &Value, events: bool) -> Result<String, Failure> {
    let mut page = Page { text: String::new(), now: api.now() };
    match r.kind.as_str() {
        "Deployment" => deployment(api, &mut page, o),
        "ReplicaSet" => replica_set(api, &mut page, o),
        "Pod" => pod(&mut page, o),
        "Service" => service(api, &mut page, o),
        "ConfigMap" => config_map(&mut page, o),
        "Secret" => {
            secret(&mut page, o);
            return Ok(page.finish());
        }
        "Namespace" => {
            namespace(api, &mut page, o);
            return Ok(page.finish());
        }
        "Node" => node(api, &mut page, o),
        "Job" => job(api, &mut page, o),
        "CronJob" => cron_job(&mut page, o),
        "DaemonSet" => daemon_set(api, &mut page, o),
        "StatefulSet" => stateful_set(api, &mut page, o),
        "PersistentVolumeClaim" => claim(api, &mut page, o),
        "PriorityClass" => {
            page.field(0, "Name", s(&o["metadata"]["name"]));
            page.line(0, &format!("Value:\t{}", o["value"].as_i64().unwrap_or(0)));
            page.line(0, &format!("GlobalDefault:\t{}", o["globalDefault"] == true));
            page.line(0, &format!("PreemptionPolicy:\t{}", s(&o["preemptionPolicy"])));
            page.line(0, &format!("Description:\t{}", s(&o["description"])));
            page.annotations(0, &o["metadata"]["annotations"]);
        }
        "StorageClass" => storage_class(&mut page, o),
        "LimitRange" => {
            limit_range(&mut page, o);
            return Ok(page.finish());
        }
        "ResourceQuota" => {
            resource_quota(&mut page, o);
            return Ok(page.finish());
        }
        // kubectl's role and binding describers show no events.
        "Role" | "ClusterRole" => {
            role(&mut page, o);
            return Ok(page.finish());
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            binding(&mut page, o);
            return Ok(page.finish());
        }
        "Ingress" => ingress(api, &mut page, o),
        _ => generic(&mut page, o),
    }
    if events {
        events_section(api, &mut page, o);
    }
    Ok(page.finish())
}

fn events_section(api: &mut dyn Transport, page: &mut Page, o: &Value) {
    let meta = &o["metadata"];
    let ns = s(&meta["namespace"]);
    let selector = format!("involvedObject.name={},involvedObject.namespace={},involvedObject.kind={},involvedObject.uid={}", s(&meta["name"]), ns, s(&o["kind"]), s(&meta["uid"]));
    let path = if ns.is_empty() { format!("/api/v1/events?fieldSelector={}", get::encode(&selector)) } else { format!("/api/v1/namespaces/{ns}/events?fieldSelector={}", get::encode(&selector), ns = super::paths::segment(ns)) };
    let list = api.send(&Request::get(&path)).into_value().unwrap_or(Value::Null);
    let mut items: Vec<Value> = list["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        page.line(0, "Events:\t<none>");
        return;
    }
    let when = |e: &Value| -> String { s(&e["lastTimestamp"]).to_string().max(s(&e["eventTime"]).to_string()) };
    items.order_by_key(|e| when(e));
    page.line(0, "Events:");
    page.line(1, "Type\tReason\tAge\tFrom\tMessage");
    page.line(1, "----\t------\t----\t----\t-------");
    for e in &items {
        let count = e["count"].as_i64().unwrap_or(1);
        let interval = if let Some(series) = e["series"].as_object() {
            format!("{} (x{} over {})", age(page.now, s(&series["lastObservedTime"])), series["count"].as_i64().unwrap_or(0), age(page.now, s(&e["firstTimestamp"])))
        } else if count > 1 {
            format!("{} (x{count} over {})", age(page.now, s(&e["lastTimestamp"])), age(page.now, s(&e["firstTimestamp"])))
        } else if e["firstTimestamp"].is_string() {
            age(page.now, s(&e["firstTimestamp"]))
        } else {
            age(page.now, s(&e["eventTime"]))
        };
        let from = match s(&e["source"]["component"]) {
            "" => s(&e["reportingComponent"]).to_string(),
            c => c.to_string(),
        };
        page.line(1, &format!("{}\t{}\t{interval}\t{from}\t{}", s(&e["type"]), s(&e["reason"]), s(&e["message"]).trim()));
    }
}

fn int_or_percent(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(x) => x.clone(),
        _ => String::new(),
    }
}

fn selector_text(sel: &Value) -> String {
    let mut parts: Vec<String> = sel["matchLabels"].as_object().map(|m| m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect()).unwrap_or_default();
    parts.order();
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let vals: Vec<&str> = e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let key = s(&e["key"]);
        parts.push(match s(&e["operator"]) {
            "In" => format!("{key} in ({})", vals.join(",")),
            "NotIn" => format!("{key} notin ({})", vals.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op}"),
        });
    }
    parts.join(",")
}

fn deployment(api: &mut dyn Transport, page: &mut Page, d: &Value) {
    let meta = &d["metadata"];
    let spec = &d["spec"];
    let st = &d["status"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.field(0, "CreationTimestamp", &rfc1123z(s(&meta["creationTimestamp"])));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.field(0, "Selector", &selector_text(&spec["selector"]));
    let n = |v: &Value| v.as_i64().unwrap_or(0);
    page.line(0, &format!("Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable", spec["replicas"].as_i64().unwrap_or(1), n(&st["updatedReplicas"]), n(&st["replicas"]), n(&st["availableReplicas"]), n(&st["unavailableReplicas"])));
    let strategy = s(&spec["strategy"]["type"]);
    page.field(0, "StrategyType", strategy);
    page.field(0, "MinReadySeconds", &n(&spec["minReadySeconds"]).to_string());
    if strategy == "RollingUpdate" {
        let ru = &spec["strategy"]["rollingUpdate"];
        page.line(0, &format!("RollingUpdateStrategy:\t{} max unavailable, {} max surge", int_or_percent(&ru["maxUnavailable"]), int_or_percent(&ru["maxSurge"])));
    }
    pod_template(page, &spec["template"]);
    if let Some(conds) = st["conditions"].as_array().filter(|c| !c.is_empty()) {
        page.line(0, "Conditions:");
        page.line(1, "Type\tStatus\tReason");
        page.line(1, "----\t------\t------");
        for c in conds {
            // kubectl writes the type with a space after it ("%v \t%v\t%v").
            page.line(1, &format!("{} \t{}\t{}", s(&c["type"]), s(&c["status"]), s(&c["reason"])));
        }
    }
    // Old and new ReplicaSets.
    let ns = s(&meta["namespace"]);
    let uid = s(&meta["uid"]);
    let list = api.send(&Request::get(&format!("/apis/apps/v1/namespaces/{ns}/replicasets", ns = super::paths::segment(ns)))).into_value().unwrap_or(Value::Null);
    let owned: Vec<&Value> = list["items"].as_array().into_iter().flatten().filter(|rs| rs["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| s(&o["uid"]) == uid && o["controller"] == true)).collect();
    let mut template = spec["template"].clone();
    if let Some(l) = template["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    let same = |rs: &Value| {
        let mut t = rs["spec"]["template"].clone();
        if let Some(l) = t["metadata"]["labels"].as_object_mut() {
            l.remove("pod-template-hash");
        }
        t == template
    };
    let show = |rs: &Value| format!("{} ({}/{} replicas created)", s(&rs["metadata"]["name"]), rs["status"]["replicas"].as_i64().unwrap_or(0), rs["spec"]["replicas"].as_i64().unwrap_or(0));
    // Every old ReplicaSet, scaled down or not, oldest first (kubectl lists them by creation
    // time, then name).
    let mut owned = owned;
    owned.order_by_key(|rs| (s(&rs["metadata"]["creationTimestamp"]), s(&rs["metadata"]["name"])));
    let new: Option<&&Value> = owned.iter().find(|rs| same(rs));
    let old: Vec<String> = owned.iter().filter(|rs| !same(rs)).map(|rs| show(rs)).collect();
    page.field(0, "OldReplicaSets", &old.join(", "));
    page.field(0, "NewReplicaSet", &new.map(|rs| show(rs)).unwrap_or_default());
}

fn replica_set(api: &mut dyn Transport, page: &mut Page, rs: &Value) {
    let meta = &rs["metadata"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.field(0, "Selector", &selector_text(&rs["spec"]["selector"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    if let Some(c) = controller_of(rs) {
        page.field(0, "Controlled By", &c);
    }
    page.line(0, &format!("Replicas:\t{} current / {} desired", rs["status"]["replicas"].as_i64().unwrap_or(0), rs["spec"]["replicas"].as_i64().unwrap_or(1)));
    let (running, waiting, succeeded, failed, _) = pod_phases(api, rs);
    page.line(0, &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"));
    pod_template(page, &rs["spec"]["template"]);
}

fn pod_template(page: &mut Page, t: &Value) {
    page.line(0, "Pod Template:");
    page.labels(1, "Labels", &t["metadata"]["labels"]);
    if t["metadata"]["annotations"].as_object().is_some_and(|a| !a.is_empty()) {
        page.annotations(1, &t["metadata"]["annotations"]);
    }
    let spec = &t["spec"];
    if let Some(sa) = spec["serviceAccountName"].as_str() {
        page.field(1, "Service Account", sa);
    }
    if let Some(inits) = spec["initContainers"].as_array().filter(|c| !c.is_empty()) {
        page.line(1, "Init Containers:");
        for c in inits {
            container_spec(page, c, 2);
        }
    }
    page.line(1, "Containers:");
    for c in spec["containers"].as_array().into_iter().flatten() {
        container_spec(page, c, 2);
    }
    volumes(page, spec, 1, true);
    if let Some(pc) = spec["priorityClassName"].as_str() {
        page.field(1, "Priority Class Name", pc);
    }
    page.field(1, "Node-Selectors", &spec["nodeSelector"].as_object().map(|m| m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect::<Vec<_>>().join(",")).unwrap_or_default());
    tolerations(page, spec, 1);
}

/// A container as a template shows it (no state).
fn container_spec(page: &mut Page, c: &Value, level: usize) {
    page.line(level - 1, &format!(" {}:", s(&c["name"])));
    container_common(page, c, None, level, None);
}

fn ports(c: &Value) -> (String, String) {
    let ps: Vec<&Value> = c["ports"].as_array().map(|p| p.iter().collect()).unwrap_or_default();
    if ps.is_empty() {
        return ("<none>".into(), "<none>".into());
    }
    let port = ps.iter().map(|p| format!("{}/{}", p["containerPort"].as_i64().unwrap_or(0), p["protocol"].as_str().unwrap_or("TCP"))).collect::<Vec<_>>().join(", ");
    let host = ps.iter().map(|p| format!("{}/{}", p["hostPort"].as_i64().unwrap_or(0), p["protocol"].as_str().unwrap_or("TCP"))).collect::<Vec<_>>().join(", ");
    (port, host)
}

fn container_common(page: &mut Page, c: &Value, status: Option<&Value>, level: usize, pod: Option<&Value>) {
    if let Some(st) = status {
        page.field(level, "Container ID", s(&st["containerID"]));
    }
    page.field(level, "Image", s(&c["image"]));
    if let Some(st) = status {
        page.field(level, "Image ID", s(&st["imageID"]));
    }
    let (port, host) = ports(c);
    page.line(level, &format!("Port:\t{port}"));
    page.line(level, &format!("Host Port:\t{host}"));
    let seccomp = &c["securityContext"]["seccompProfile"];
    if let Some(t) = seccomp["type"].as_str() {
        page.field(level, "SeccompProfile", t);
        if let Some(l) = seccomp["localhostProfile"].as_str() {
            page.field(level, "LocalhostProfile", l);
        }
    }
    for (label, key) in [("Command", "command"), ("Args", "args")] {
        if let Some(items) = c[key].as_array().filter(|a| !a.is_empty()) {
            page.line(level, &format!("{label}:"));
            for item in items {
                for l in s(item).split('\n') {
                    page.line(level + 1, l);
                }
            }
        }
    }
    if let Some(st) = status {
        state_lines(page, "State", &st["state"], level);
        if st["lastState"].as_object().is_some_and(|m| !m.is_empty()) {
            state_lines(page, "Last State", &st["lastState"], level);
        }
        page.field(level, "Ready", if st["ready"] == true { "True" } else { "False" });
        page.field(level, "Restart Count", &st["restartCount"].as_i64().unwrap_or(0).to_string());
    }
    for (label, key) in [("Limits", "limits"), ("Requests", "requests")] {
        if let Some(m) = c["resources"][key].as_object().filter(|m| !m.is_empty()) {
            page.line(level, &format!("{label}:"));
            let mut keys: Vec<&String> = m.keys().collect();
            keys.order();
            for k in keys {
                page.line(level + 1, &format!("{k}:\t{}", s(&m[k.as_str()])));
            }
        }
    }
    for (label, key) in [("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"), ("Startup", "startupProbe")] {
        if c[key].is_object() {
            page.line(level, &format!("{label}:\t{}", probe_text(&c[key])));
        }
    }
    env_lines(page, c, level, pod);
    match c["volumeMounts"].as_array().filter(|m| !m.is_empty()) {
        None => page.line(level, "Mounts:\t<none>"),
        Some(mounts) => {
            page.line(level, "Mounts:");
            let mut ms: Vec<&Value> = mounts.iter().collect();
            ms.order_by_key(|m| s(&m["mountPath"]).to_string());
            for m in ms {
                let mut flags = vec![if m["readOnly"] == true { "ro" } else { "rw" }.to_string()];
                if let Some(sp) = m["subPath"].as_str().filter(|x| !x.is_empty()) {
                    flags.push(format!("path=\"{sp}\""));
                }
                page.line(level + 1, &format!("{} from {} ({})", s(&m["mountPath"]), s(&m["name"]), flags.join(",")));
            }
        }
    }
}

fn probe_text(p: &Value) -> String {
    let kind = if p["httpGet"].is_object() {
        let h = &p["httpGet"];
        let port = int_or_percent(&h["port"]);
        format!("http-get {}://{}:{port}{}", s(&h["scheme"]).to_lowercase(), s(&h["host"]), s(&h["path"]))
    } else if p["tcpSocket"].is_object() {
        format!("tcp-socket {}:{}", s(&p["tcpSocket"]["host"]), int_or_percent(&p["tcpSocket"]["port"]))
    } else if p["grpc"].is_object() {
        format!("grpc <pod>:{} {}", p["grpc"]["port"].as_i64().unwrap_or(0), s(&p["grpc"]["service"]))
    } else if p["exec"].is_object() {
        let cmd: Vec<&str> = p["exec"]["command"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        format!("exec [{}]", cmd.join(" "))
    } else {
        "unknown".into()
    };
    let n = |k: &str, d: i64| p[k].as_i64().unwrap_or(d);
    format!("{kind} delay={}s timeout={}s period={}s #success={} #failure={}", n("initialDelaySeconds", 0), n("timeoutSeconds", 1), n("periodSeconds", 10), n("successThreshold", 1), n("failureThreshold", 3))
}

fn env_lines(page: &mut Page, c: &Value, level: usize, pod: Option<&Value>) {
    let env: Vec<&Value> = c["env"].as_array().map(|e| e.iter().collect()).unwrap_or_default();
    let from: Vec<&Value> = c["envFrom"].as_array().map(|e| e.iter().collect()).unwrap_or_default();
    if !from.is_empty() {
        page.line(level, "Environment Variables from:");
        for f in &from {
            let (kind, name, optional) = if f["configMapRef"].is_object() { ("ConfigMap", s(&f["configMapRef"]["name"]), f["configMapRef"]["optional"] == true) } else { ("Secret", s(&f["secretRef"]["name"]), f["secretRef"]["optional"] == true) };
            let prefix = s(&f["prefix"]);
            if prefix.is_empty() {
                page.line(level + 1, &format!("{name}\t{kind}\tOptional: {optional}"));
            } else {
                page.line(level + 1, &format!("{name}\t{kind} with prefix '{prefix}'\tOptional: {optional}"));
            }
        }
    }
    if env.is_empty() {
        page.line(level, "Environment:\t<none>");
        return;
    }
    page.line(level, "Environment:");
    for e in env {
        let name = s(&e["name"]);
        let vf = &e["valueFrom"];
        let text = if let Some(v) = e["value"].as_str() {
            v.to_string()
        } else if vf["fieldRef"].is_object() {
            // kubectl resolves only the pod's name and namespace; other fields print empty.
            let path = s(&vf["fieldRef"]["fieldPath"]);
            let resolved = match (pod, path) {
                (Some(p), "metadata.name") => s(&p["metadata"]["name"]),
                (Some(p), "metadata.namespace") => s(&p["metadata"]["namespace"]),
                _ => "",
            };
            format!("{resolved} ({}:{path})", s(&vf["fieldRef"]["apiVersion"]))
        } else if vf["resourceFieldRef"].is_object() {
            format!("{} ({})", s(&vf["resourceFieldRef"]["resource"]), s(&vf["resourceFieldRef"]["containerName"]))
        } else if vf["secretKeyRef"].is_object() {
            format!("<set to the key '{}' in secret '{}'>\tOptional: {}", s(&vf["secretKeyRef"]["key"]), s(&vf["secretKeyRef"]["name"]), vf["secretKeyRef"]["optional"] == true)
        } else if vf["configMapKeyRef"].is_object() {
            format!("<set to the key '{}' of config map '{}'>\tOptional: {}", s(&vf["configMapKeyRef"]["key"]), s(&vf["configMapKeyRef"]["name"]), vf["configMapKeyRef"]["optional"] == true)
        } else {
            String::new()
        };
        page.line(level + 1, &format!("{name}:\t{text}"));
    }
}

fn state_lines(page: &mut Page, label: &str, st: &Value, level: usize) {
    if let Some(r) = st["running"].as_object() {
        page.line(level, &format!("{label}:\tRunning"));
        page.line(level + 1, &format!("Started:\t{}", rfc1123z(s(&r["startedAt"]))));
    } else if let Some(w) = st["waiting"].as_object() {
        page.line(level, &format!("{label}:\tWaiting"));
        page.line(level + 1, &format!("Reason:\t{}", s(&w["reason"])));
    } else if let Some(t) = st["terminated"].as_object() {
        page.line(level, &format!("{label}:\tTerminated"));
        page.line(level + 1, &format!("Reason:\t{}", s(&t["reason"])));
        if let Some(m) = t.get("message").and_then(Value::as_str).filter(|m| !m.is_empty()) {
            page.line(level + 1, &format!("Message:\t{m}"));
        }
        page.line(level + 1, &format!("Exit Code:\t{}", t.get("exitCode").and_then(Value::as_i64).unwrap_or(0)));
        if let Some(sig) = t.get("signal").and_then(Value::as_i64).filter(|x| *x != 0) {
            page.line(level + 1, &format!("Signal:\t{sig}"));
        }
        page.line(level + 1, &format!("Started:\t{}", rfc1123z(t.get("startedAt").and_then(Value::as_str).unwrap_or_default())));
        page.line(level + 1, &format!("Finished:\t{}", rfc1123z(t.get("finishedAt").and_then(Value::as_str).unwrap_or_default())));
    } else {
        page.line(level, &format!("{label}:\tWaiting"));
    }
}

fn volumes(page: &mut Page, spec: &Value, level: usize, template: bool) {
    let vols: Vec<&Value> = spec["volumes"].as_array().map(|v| v.iter().collect()).unwrap_or_default();
    if vols.is_empty() {
        page.line(level, "Volumes:\t<none>");
        return;
    }
    page.line(level, "Volumes:");
    for v in vols {
        // A template's volumes sit one space in, like its containers.
        let l = if template {
            page.line(level, &format!(" {}:", s(&v["name"])));
            level + 1
        } else {
            page.line(level + 1, &format!("{}:", s(&v["name"])));
            level + 2
        };
        if let Some(p) = v["projected"].as_object() {
            page.line(l, "Type:\tProjected (a volume that contains injected data from multiple sources)");
            for src in p.get("sources").and_then(Value::as_array).into_iter().flatten() {
                if src["serviceAccountToken"].is_object() {
                    page.line(l, &format!("TokenExpirationSeconds:\t{}", src["serviceAccountToken"]["expirationSeconds"].as_i64().unwrap_or(3600)));
                } else if src["configMap"].is_object() {
                    page.line(l, &format!("ConfigMapName:\t{}", s(&src["configMap"]["name"])));
                    page.line(l, &format!("Optional:\t{}", src["configMap"]["optional"] == true));
                } else if src["downwardAPI"].is_object() {
                    page.line(l, "DownwardAPI:\ttrue");
                } else if src["secret"].is_object() {
                    page.line(l, &format!("SecretName:\t{}", s(&src["secret"]["name"])));
                    page.line(l, &format!("Optional:\t{}", src["secret"]["optional"] == true));
                }
            }
        } else if let Some(e) = v["emptyDir"].as_object() {
            page.line(l, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)");
            page.line(l, &format!("Medium:\t{}", e.get("medium").and_then(Value::as_str).unwrap_or_default()));
            page.line(l, &format!("SizeLimit:\t{}", e.get("sizeLimit").and_then(Value::as_str).unwrap_or("<unset>")));
        } else if let Some(c) = v["configMap"].as_object() {
            page.line(l, "Type:\tConfigMap (a volume populated by a ConfigMap)");
            page.line(l, &format!("Name:\t{}", c.get("name").and_then(Value::as_str).unwrap_or_default()));
            page.line(l, &format!("Optional:\t{}", c.get("optional") == Some(&Value::Bool(true))));
        } else if let Some(c) = v["secret"].as_object() {
            page.line(l, "Type:\tSecret (a volume populated by a Secret)");
            page.line(l, &format!("SecretName:\t{}", c.get("secretName").and_then(Value::as_str).unwrap_or_default()));
            page.line(l, &format!("Optional:\t{}", c.get("optional") == Some(&Value::Bool(true))));
        } else if let Some(c) = v["persistentVolumeClaim"].as_object() {
            page.line(l, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)");
            page.line(l, &format!("ClaimName:\t{}", c.get("claimName").and_then(Value::as_str).unwrap_or_default()));
            page.line(l, &format!("ReadOnly:\t{}", c.get("readOnly") == Some(&Value::Bool(true))));
        } else if let Some(h) = v["hostPath"].as_object() {
            page.line(l, "Type:\tHostPath (bare host directory volume)");
            page.line(l, &format!("Path:\t{}", h.get("path").and_then(Value::as_str).unwrap_or_default()));
            page.line(l, &format!("HostPathType:\t{}", h.get("type").and_then(Value::as_str).unwrap_or_default()));
        } else {
            page.line(l, "Type:\t<unknown>");
        }
    }
}

fn tolerations(page: &mut Page, spec: &Value, level: usize) {
    let ts: Vec<&Value> = spec["tolerations"].as_array().map(|t| t.iter().collect()).unwrap_or_default();
    if ts.is_empty() {
        page.line(level, "Tolerations:\t<none>");
        return;
    }
    for (i, t) in ts.iter().enumerate() {
        let mut text = s(&t["key"]).to_string();
        if let Some(v) = t["value"].as_str().filter(|v| !v.is_empty()) {
            text.push_str(&format!("={v}"));
        }
        if let Some(e) = t["effect"].as_str().filter(|e| !e.is_empty()) {
            text.push_str(&format!(":{e}"));
        }
        if t["operator"] == "Exists" && t["value"].as_str().is_none_or(str::is_empty) {
            text.push_str(if text.is_empty() { "op=Exists" } else { " op=Exists" });
        }
        if let Some(secs) = t["tolerationSeconds"].as_i64() {
            text.push_str(&format!(" for {secs}s"));
        }
        if i == 0 {
            page.line(level, &format!("Tolerations:\t{text}"));
        } else {
            page.line(level, &format!("\t{text}"));
        }
    }
}

fn pod(page: &mut Page, p: &Value) {
    let meta = &p["metadata"];
    let spec = &p["spec"];
    let st = &p["status"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.field(0, "Priority", &spec["priority"].as_i64().unwrap_or(0).to_string());
    if let Some(pc) = spec["priorityClassName"].as_str().filter(|x| !x.is_empty()) {
        page.field(0, "Priority Class Name", pc);
    }
    if let Some(rc) = spec["runtimeClassName"].as_str() {
        page.field(0, "Runtime Class Name", rc);
    }
    page.field(0, "Service Account", s(&spec["serviceAccountName"]));
    let node = s(&spec["nodeName"]);
    let host_ip = s(&st["hostIP"]);
    page.field(0, "Node", &if node.is_empty() { "<none>".to_string() } else if host_ip.is_empty() { node.to_string() } else { format!("{node}/{host_ip}") });
    if let Some(t) = st["startTime"].as_str() {
        page.field(0, "Start Time", &rfc1123z(t));
    }
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    if meta["deletionTimestamp"].is_string() {
        page.line(0, &format!("Status:\tTerminating (lasts {})", age(page.now, s(&meta["deletionTimestamp"]))));
        page.line(0, &format!("Termination Grace Period:\t{}s", meta["deletionGracePeriodSeconds"].as_i64().unwrap_or(30)));
    } else {
        page.field(0, "Status", s(&st["phase"]));
    }
    if let Some(r) = st["reason"].as_str() {
        page.field(0, "Reason", r);
    }
    if let Some(m) = st["message"].as_str() {
        page.field(0, "Message", m);
    }
    page.field(0, "IP", s(&st["podIP"]));
    match st["podIPs"].as_array().filter(|a| !a.is_empty()) {
        None => page.line(0, "IPs:\t<none>"),
        Some(ips) => {
            page.line(0, "IPs:");
            for ip in ips {
                page.line(1, &format!("IP:\t{}", s(&ip["ip"])));
            }
        }
    }
    if let Some(c) = controller_of(p) {
        page.field(0, "Controlled By", &c);
    }
    if let Some(n) = st["nominatedNodeName"].as_str() {
        page.field(0, "NominatedNodeName", n);
    }
    let statuses = |key: &str, name: &str| -> Option<Value> { st[key].as_array()?.iter().find(|c| c["name"] == name).cloned() };
    // Init, regular and ephemeral (kubectl debug) containers print alike, each with its own
    // statuses; only the regular ones' heading shows when there are none.
    for (list, status_key, title, always) in [
        ("initContainers", "initContainerStatuses", "Init Containers:", false),
        ("containers", "containerStatuses", "Containers:", true),
        ("ephemeralContainers", "ephemeralContainerStatuses", "Ephemeral Containers:", false),
    ] {
        let items = spec[list].as_array().map_or(&[][..], Vec::as_slice);
        if items.is_empty() && !always {
            continue;
        }
        page.line(0, title);
        for c in items {
            page.line(1, &format!("{}:", s(&c["name"])));
            let cs = statuses(status_key, s(&c["name"])).unwrap_or(Value::Null);
            container_common(page, c, Some(&cs), 2, Some(p));
        }
    }
    if let Some(gates) = spec["readinessGates"].as_array().filter(|g| !g.is_empty()) {
        page.line(0, "Readiness Gates:");
        page.line(1, "Type\tStatus");
        for g in gates {
            let t = s(&g["conditionType"]);
            let status = st["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == t).map_or("<none>", |c| s(&c["status"]));
            page.line(1, &format!("{t} \t{status} "));
        }
    }
    if let Some(conds) = st["conditions"].as_array().filter(|c| !c.is_empty()) {
        page.line(0, "Conditions:");
        page.line(1, "Type\tStatus");
        for c in conds {
            page.line(1, &format!("{} \t{} ", s(&c["type"]), s(&c["status"])));
        }
    }
    volumes(page, spec, 0, false);
    if let Some(q) = st["qosClass"].as_str() {
        page.field(0, "QoS Class", q);
    }
    page.field(0, "Node-Selectors", &spec["nodeSelector"].as_object().map(|m| {
        let mut v: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect();
        v.order();
        v.join(",")
    }).unwrap_or_default());
    tolerations(page, spec, 0);
}

fn service(api: &mut dyn Transport, page: &mut Page, svc: &Value) {
    let meta = &svc["metadata"];
    let spec = &svc["spec"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.field(0, "Selector", &spec["selector"].as_object().map(|m| {
        let mut v: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect();
        v.order();
        v.join(",")
    }).unwrap_or_default());
    page.field(0, "Type", s(&spec["type"]));
    if let Some(p) = spec["ipFamilyPolicy"].as_str() {
        page.field(0, "IP Family Policy", p);
    }
    if let Some(f) = spec["ipFamilies"].as_array() {
        page.field(0, "IP Families", &f.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","));
    }
    if spec["type"] == "ExternalName" {
        page.field(0, "External Name", s(&spec["externalName"]));
    } else {
        page.field(0, "IP", s(&spec["clusterIP"]));
        if let Some(ips) = spec["clusterIPs"].as_array() {
            page.field(0, "IPs", &ips.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","));
        }
    }
    if let Some(ext) = spec["externalIPs"].as_array().filter(|e| !e.is_empty()) {
        page.field(0, "External IPs", &ext.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","));
    }
    let ingress: Vec<String> = svc["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().map(|i| i["ip"].as_str().or(i["hostname"].as_str()).unwrap_or_default().to_string()).collect();
    if !ingress.is_empty() {
        page.field(0, "LoadBalancer Ingress", &ingress.join(", "));
    }
    let ns = s(&meta["namespace"]);
    // kubectl v1.33 reads the Service's EndpointSlices (v1 Endpoints is deprecated).
    let slices = service_slices(api, ns, s(&meta["name"]));
    for p in spec["ports"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().filter(|n| !n.is_empty()).unwrap_or("<unset>");
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        page.line(0, &format!("Port:\t{name}  {}/{proto}", p["port"].as_i64().unwrap_or(0)));
        let target = match &p["targetPort"] {
            Value::Number(n) => format!("{n}/{proto}"),
            Value::String(x) => format!("{x}/{proto}"),
            _ => format!("{}/{proto}", p["port"].as_i64().unwrap_or(0)),
        };
        page.line(0, &format!("TargetPort:\t{target}"));
        if let Some(np) = p["nodePort"].as_i64().filter(|n| *n != 0) {
            page.line(0, &format!("NodePort:\t{name}  {np}/{proto}"));
        }
        page.line(0, &format!("Endpoints:\t{}", endpoint_slices_text(&slices, s(&p["name"]))));
    }
    page.field(0, "Session Affinity", s(&spec["sessionAffinity"]));
    if let Some(p) = spec["externalTrafficPolicy"].as_str() {
        page.field(0, "External Traffic Policy", p);
    }
    if let Some(p) = spec["internalTrafficPolicy"].as_str() {
        page.field(0, "Internal Traffic Policy", p);
    }
}

/// `svc:port (ip:port,...)` as kubectl describes an Ingress backend, its endpoints from the
/// Service's EndpointSlices (at most three, then `+ N more...`).
fn ingress_backend(api: &mut dyn Transport, ns: &str, b: &Value) -> String {
    let svc = &b["service"];
    if svc.is_null() {
        return String::new();
    }
    let name = s(&svc["name"]);
    let port = svc["port"]["number"].as_i64().filter(|n| *n != 0).map_or_else(|| s(&svc["port"]["name"]).to_string(), |n| n.to_string());
    let shown = format!("{name}:{port}");
    let slices = service_slices(api, ns, name);
    let resp = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/services/{name}", ns = super::paths::segment(ns), name = super::paths::segment(name))));
    let status = resp.status;
    let service = resp.into_value().unwrap_or(Value::Null);
    if status >= 400 {
        return format!("{shown} (<error: services {name:?} not found>)");
    }
    let mut port_name = String::new();
    for sp in service["spec"]["ports"].as_array().into_iter().flatten() {
        let by_number = svc["port"]["number"].as_i64().is_some_and(|n| n != 0 && Some(n) == sp["port"].as_i64());
        let by_name = !s(&svc["port"]["name"]).is_empty() && svc["port"]["name"] == sp["name"];
        if by_number || by_name {
            port_name = s(&sp["name"]).to_string();
        }
    }
    format!("{shown} ({})", endpoint_slices_text(&slices, &port_name))
}

/// A Service's EndpointSlices (kubectl v1.33 reads these; v1 Endpoints is deprecated).
fn service_slices(api: &mut dyn Transport, ns: &str, service: &str) -> Vec<Value> {
    let path = format!("/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D{service}", ns = super::paths::segment(ns));
    let list = api.send(&Request::get(&path)).into_value().unwrap_or(Value::Null);
    list["items"].as_array().cloned().unwrap_or_default()
}

/// The ready endpoints of a Service's EndpointSlices on one port (by name), as kubectl's
/// describe writes them: at most three `ip:port`, then ` + N more...`; `<none>` without slices.
fn endpoint_slices_text(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    let (mut list, mut count) = (Vec::new(), 0);
    for slice in slices {
        let ready: Vec<&Value> = slice["endpoints"].as_array().into_iter().flatten().filter(|e| e["conditions"]["ready"].as_bool().unwrap_or(true)).collect();
        let ports = slice["ports"].as_array().cloned().unwrap_or_default();
        let numbers: Vec<Option<i64>> = if ports.is_empty() { vec![None] } else { ports.iter().filter(|p| s(&p["name"]) == port_name).map(|p| p["port"].as_i64()).collect() };
        for n in numbers {
            for e in &ready {
                let a = s(&e["addresses"][0]);
                if list.len() < 3 {
                    list.push(match n {
                        None => a.to_string(),
                        Some(n) if a.contains(':') => format!("[{a}]:{n}"),
                        Some(n) => format!("{a}:{n}"),
                    });
                }
                count += 1;
            }
        }
    }
    let mut text = list.join(",");
    if count > list.len() {
        text.push_str(&format!(" + {} more...", count - list.len()));
    }
    text
}

fn ingress(api: &mut dyn Transport, page: &mut Page, ing: &Value) {
    let meta = &ing["metadata"];
    let spec = &ing["spec"];
    let ns = s(&meta["namespace"]).to_string();
    page.field(0, "Name", s(&meta["name"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.field(0, "Namespace", &ns);
    let addrs: Vec<&str> = ing["status"]["loadBalancer"]["ingress"].as_array().into_iter().flatten().filter_map(|i| i["ip"].as_str().filter(|x| !x.is_empty()).or(i["hostname"].as_str())).collect();
    page.line(0, &format!("Address:\t{}", addrs.join(",")));
    page.line(0, &format!("Ingress Class:\t{}", spec["ingressClassName"].as_str().unwrap_or("<none>")));
    let default = if spec["defaultBackend"].is_null() { "<default>".to_string() } else { ingress_backend(api, &ns, &spec["defaultBackend"]) };
    page.line(0, &format!("Default backend:\t{default}"));
    if let Some(tls) = spec["tls"].as_array().filter(|t| !t.is_empty()) {
        page.line(0, "TLS:");
        for t in tls {
            let hosts: Vec<&str> = t["hosts"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            match t["secretName"].as_str() {
                Some(secret) => page.line(1, &format!("{secret} terminates {}", hosts.join(","))),
                None => page.line(1, &format!("SNI routes {}", hosts.join(","))),
            }
        }
    }
    page.line(0, "Rules:");
    page.line(1, "Host\tPath\tBackends");
    page.line(1, "----\t----\t--------");
    let mut count = 0;
    for r in spec["rules"].as_array().into_iter().flatten() {
        if r["http"].is_null() {
            continue;
        }
        count += 1;
        let host = r["host"].as_str().filter(|h| !h.is_empty()).unwrap_or("*");
        page.line(1, &format!("{host}\t"));
        for p in r["http"]["paths"].as_array().into_iter().flatten() {
            let backend = ingress_backend(api, &ns, &p["backend"]);
            page.line(2, &format!("\t{} \t{backend}", s(&p["path"])));
        }
    }
    if count == 0 {
        let backend = ingress_backend(api, &ns, &spec["defaultBackend"]);
        page.line(1, &format!("*\t*\t{backend}"));
    }
    page.annotations(0, &meta["annotations"]);
}

fn config_map(page: &mut Page, cm: &Value) {
    let meta = &cm["metadata"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.line(0, "");
    page.line(0, "Data");
    page.line(0, "====");
    for (k, v) in sorted(&cm["data"]) {
        page.line(0, &format!("{k}:"));
        page.line(0, "----");
        page.line(0, s(v));
        page.line(0, "");
    }
    page.line(0, "");
    page.line(0, "BinaryData");
    page.line(0, "====");
    for (k, v) in sorted(&cm["binaryData"]) {
        page.line(0, &format!("{k}: {} bytes", decoded_len(v)));
    }
    page.line(0, "");
}

fn secret(page: &mut Page, sec: &Value) {
    let meta = &sec["metadata"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.line(0, "");
    page.line(0, &format!("Type:\t{}", s(&sec["type"])));
    page.line(0, "");
    page.line(0, "Data");
    page.line(0, "====");
    for (k, v) in sorted(&sec["data"]) {
        page.line(0, &format!("{k}:\t{} bytes", decoded_len(v)));
    }
}

fn namespace(api: &mut dyn Transport, page: &mut Page, n: &Value) {
    let meta = &n["metadata"];
    page.field(0, "Name", s(&meta["name"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.field(0, "Status", s(&n["status"]["phase"]));
    let name = s(&meta["name"]);
    let quotas = api.send(&Request::get(&format!("/api/v1/namespaces/{name}/resourcequotas", name = super::paths::segment(name)))).into_value().unwrap_or(Value::Null);
    let qs: Vec<Value> = quotas["items"].as_array().cloned().unwrap_or_default();
    page.line(0, "");
    if qs.is_empty() {
        page.line(0, "No resource quota.");
    } else {
        page.line(0, "Resource Quotas");
        for q in &qs {
            page.line(1, &format!("Name:\t{}", s(&q["metadata"]["name"])));
            quota_rows(page, 1, q, "--------\t---\t---");
        }
    }
    page.line(0, "");
    let limits = api.send(&Request::get(&format!("/api/v1/namespaces/{name}/limitranges", name = super::paths::segment(name)))).into_value().unwrap_or(Value::Null);
    if limits["items"].as_array().is_none_or(|l| l.is_empty()) {
        page.line(0, "No LimitRange resource.");
    } else {
        page.line(0, "Resource Limits");
        for lr in limits["items"].as_array().into_iter().flatten() {
            limit_range_rows(page, lr, " ");
        }
    }
}

/// A LimitRange's table: one row per item and resource (`-` where the item sets nothing),
/// each line after `prefix`.
fn limit_range_rows(page: &mut Page, lr: &Value, prefix: &str) {
    page.line(0, &format!("{prefix}Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio"));
    page.line(0, &format!("{prefix}----\t--------\t---\t---\t---------------\t-------------\t-----------------------"));
    for item in lr["spec"]["limits"].as_array().into_iter().flatten() {
        let mut resources: Vec<String> = Vec::new();
        for key in ["min", "max", "default", "defaultRequest", "maxLimitRequestRatio"] {
            for r in item[key].as_object().into_iter().flat_map(|m| m.keys()) {
                if !resources.contains(r) {
                    resources.push(r.clone());
                }
            }
        }
        resources.order();
        for r in resources {
            let v = |key: &str| item[key][r.as_str()].as_str().unwrap_or("-").to_string();
            page.line(0, &format!("{prefix}{}\t{r}\t{}\t{}\t{}\t{}\t{}", s(&item["type"]), v("min"), v("max"), v("defaultRequest"), v("default"), v("maxLimitRequestRatio")));
        }
    }
}

/// A LimitRange: its name, namespace and table (no labels, no events).
fn limit_range(page: &mut Page, lr: &Value) {
    page.line(0, &format!("Name:\t{}", s(&lr["metadata"]["name"])));
    page.line(0, &format!("Namespace:\t{}", s(&lr["metadata"]["namespace"])));
    limit_range_rows(page, lr, "");
}

fn node(api: &mut dyn Transport, page: &mut Page, n: &Value) {
    let meta = &n["metadata"];
    let st = &n["status"];
    let name = s(&meta["name"]);
    page.field(0, "Name", name);
    let mut roles: Vec<String> = meta["labels"].as_object().into_iter().flatten().filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(str::to_string)).filter(|r| !r.is_empty()).collect();
    if let Some(r) = meta["labels"]["kubernetes.io/role"].as_str() {
        roles.push(r.to_string());
    }
    roles.order();
    page.field(0, "Roles", &roles.join(","));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.field(0, "CreationTimestamp", &rfc1123z(s(&meta["creationTimestamp"])));
    let taints: Vec<String> = n["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let v = t["value"].as_str().filter(|v| !v.is_empty()).map(|v| format!("={v}")).unwrap_or_default();
            format!("{}{v}:{}", s(&t["key"]), s(&t["effect"]))
        })
        .collect();
    if taints.is_empty() {
        page.line(0, "Taints:\t<none>");
    } else {
        for (i, t) in taints.iter().enumerate() {
            page.line(0, &if i == 0 { format!("Taints:\t{t}") } else { format!("\t{t}") });
        }
    }
    page.field(0, "Unschedulable", if n["spec"]["unschedulable"] == true { "true" } else { "false" });
    let lease = api.send(&Request::get(&format!("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}", name = super::paths::segment(name)))).into_value().unwrap_or(Value::Null);
    page.line(0, "Lease:");
    let holder = lease["spec"]["holderIdentity"].as_str().unwrap_or("<unset>");
    page.line(1, &format!("HolderIdentity:\t{holder}"));
    let lt = |k: &str| lease["spec"][k].as_str().map_or_else(|| "<unset>".to_string(), rfc1123z);
    page.line(1, &format!("AcquireTime:\t{}", lt("acquireTime")));
    page.line(1, &format!("RenewTime:\t{}", lt("renewTime")));
    if let Some(conds) = st["conditions"].as_array().filter(|c| !c.is_empty()) {
        page.line(0, "Conditions:");
        page.line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
        page.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
        for c in conds {
            page.line(1, &format!("{}\t{}\t{}\t{}\t{}\t{}", s(&c["type"]), s(&c["status"]), rfc1123z(s(&c["lastHeartbeatTime"])), rfc1123z(s(&c["lastTransitionTime"])), s(&c["reason"]), s(&c["message"])));
        }
    }
    page.line(0, "Addresses:");
    for a in st["addresses"].as_array().into_iter().flatten() {
        page.line(1, &format!("{}:\t{}", s(&a["type"]), s(&a["address"])));
    }
    for (label, key) in [("Capacity", "capacity"), ("Allocatable", "allocatable")] {
        if let Some(m) = st[key].as_object() {
            page.line(0, &format!("{label}:"));
            let mut keys: Vec<&String> = m.keys().collect();
            keys.order();
            for k in keys {
                page.line(1, &format!("{k}:\t{}", s(&m[k.as_str()])));
            }
        }
    }
    let info = &st["nodeInfo"];
    page.line(0, "System Info:");
    for (label, key) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ] {
        page.line(1, &format!("{label}:\t{}", s(&info[key])));
    }
    if let Some(c) = n["spec"]["podCIDR"].as_str() {
        page.line(0, &format!("PodCIDR:\t{c}"));
    }
    if let Some(cs) = n["spec"]["podCIDRs"].as_array() {
        page.line(0, &format!("PodCIDRs:\t{}", cs.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",")));
    }
    if let Some(pid) = n["spec"]["providerID"].as_str() {
        page.line(0, &format!("ProviderID:\t{pid}"));
    }
    // Pods on the node that have not finished.
    let pods = api.send(&Request::get(&format!("/api/v1/pods?fieldSelector={}", get::encode(&format!("spec.nodeName={name},status.phase!=Succeeded,status.phase!=Failed"))))).into_value().unwrap_or(Value::Null);
    let mut pods: Vec<Value> = pods["items"].as_array().cloned().unwrap_or_default();
    pods.order_by_key(|p| (s(&p["metadata"]["namespace"]).to_string(), s(&p["metadata"]["name"]).to_string()));
    let alloc = &st["allocatable"];
    let cap_milli = |k: &str| alloc[k].as_str().and_then(|q| crate::api::quantity::Quantity::parse(q).ok()).map_or(0, |q| q.milli_value());
    let (cpu_cap, mem_cap) = (cap_milli("cpu"), cap_milli("memory"));
    page.line(0, &format!("Non-terminated Pods:\t({} in total)", pods.len()));
    page.line(1, "Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge");
    page.line(1, "---------\t----\t------------\t----------\t---------------\t-------------\t---");
    let mut totals = [0i64; 4];
    for p in &pods {
        let sum = |kind: &str, res: &str| -> i64 {
            p["spec"]["containers"].as_array().into_iter().flatten().filter_map(|c| c["resources"][kind][res].as_str()).filter_map(|q| crate::api::quantity::Quantity::parse(q).ok()).map(|q| q.milli_value()).sum()
        };
        let vals = [sum("requests", "cpu"), sum("limits", "cpu"), sum("requests", "memory"), sum("limits", "memory")];
        for (t, v) in totals.iter_mut().zip(vals) {
            *t += v;
        }
        page.line(1, &format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s(&p["metadata"]["namespace"]),
            s(&p["metadata"]["name"]),
            pct(cpu_text(vals[0]), vals[0], cpu_cap),
            pct(cpu_text(vals[1]), vals[1], cpu_cap),
            pct(mem_text(vals[2]), vals[2], mem_cap),
            pct(mem_text(vals[3]), vals[3], mem_cap),
            age(page.now, s(&p["metadata"]["creationTimestamp"]))
        ));
    }
    page.line(0, "Allocated resources:");
    page.line(1, "(Total limits may be over 100 percent, i.e., overcommitted.)");
    page.line(1, "Resource\tRequests\tLimits");
    page.line(1, "--------\t--------\t------");
    page.line(1, &format!("cpu\t{}\t{}", pct(cpu_text(totals[0]), totals[0], cpu_cap), pct(cpu_text(totals[1]), totals[1], cpu_cap)));
    page.line(1, &format!("memory\t{}\t{}", pct(mem_text(totals[2]), totals[2], mem_cap), pct(mem_text(totals[3]), totals[3], mem_cap)));
    let mut extra: Vec<&String> = alloc.as_object().map(|m| m.keys().filter(|k| !matches!(k.as_str(), "cpu" | "memory" | "pods")).collect()).unwrap_or_default();
    extra.order();
    for k in extra {
        page.line(1, &format!("{k}\t0 (0%)\t0 (0%)"));
    }
}

/// A CPU amount as the Quantity prints (`100m`, `1`, `0`).
fn cpu_text(milli: i64) -> String {
    if milli == 0 {
        "0".into()
    } else if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}

/// A memory amount in the largest binary unit that divides it (`70Mi`, `1Gi`, `0`).
fn mem_text(milli: i64) -> String {
    let bytes = milli / 1000;
    if bytes == 0 {
        return "0".into();
    }
    for (unit, size) in [("Ei", 1i64 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

fn pct(text: String, v: i64, cap: i64) -> String {
    let p = if cap > 0 { (v as f64 / cap as f64 * 100.0) as i64 } else { 0 };
    format!("{text} ({p}%)")
}

/// `N Running / N Waiting / N Succeeded / N Failed` of the pods a controller owns.
fn pod_phases(api: &mut dyn Transport, o: &Value) -> (usize, usize, usize, usize, usize) {
    let ns = s(&o["metadata"]["namespace"]);
    let uid = s(&o["metadata"]["uid"]);
    let pods = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods", ns = super::paths::segment(ns)))).into_value().unwrap_or(Value::Null);
    let (mut running, mut waiting, mut succeeded, mut failed, mut ready) = (0, 0, 0, 0, 0);
    for p in pods["items"].as_array().into_iter().flatten().filter(|p| p["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|x| s(&x["uid"]) == uid && x["controller"] == true)) {
        match s(&p["status"]["phase"]) {
            "Running" => running += 1,
            "Pending" => waiting += 1,
            "Succeeded" => succeeded += 1,
            "Failed" => failed += 1,
            _ => {}
        }
        if p["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True") {
            ready += 1;
        }
    }
    (running, waiting, succeeded, failed, ready)
}

fn job(api: &mut dyn Transport, page: &mut Page, j: &Value) {
    let meta = &j["metadata"];
    let spec = &j["spec"];
    let st = &j["status"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.field(0, "Selector", &selector_text(&spec["selector"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    if let Some(c) = controller_of(j) {
        page.field(0, "Controlled By", &c);
    }
    page.field(0, "Parallelism", &spec["parallelism"].as_i64().unwrap_or(1).to_string());
    page.field(0, "Completions", &spec["completions"].as_i64().map_or_else(|| "<unset>".to_string(), |c| c.to_string()));
    page.field(0, "Completion Mode", spec["completionMode"].as_str().unwrap_or("NonIndexed"));
    page.field(0, "Suspend", if spec["suspend"] == true { "true" } else { "false" });
    page.field(0, "Backoff Limit", &spec["backoffLimit"].as_i64().unwrap_or(6).to_string());
    if let Some(t) = spec["ttlSecondsAfterFinished"].as_i64() {
        page.field(0, "TTL Seconds After Finished", &t.to_string());
    }
    if let Some(t) = st["startTime"].as_str() {
        page.field(0, "Start Time", &rfc1123z(t));
    }
    if let Some(t) = st["completionTime"].as_str() {
        page.field(0, "Completed At", &rfc1123z(t));
        if let (Some(a), Some(b)) = (st["startTime"].as_str().and_then(Timestamp::parse_rfc3339), Timestamp::parse_rfc3339(t)) {
            page.field(0, "Duration", &crate::api::duration::human_duration(b.since(a)));
        }
    }
    if let Some(d) = spec["activeDeadlineSeconds"].as_i64() {
        page.field(0, "Active Deadline Seconds", &format!("{d}s"));
    }
    let (_, _, _, _, ready) = pod_phases(api, j);
    page.line(0, &format!("Pods Statuses:\t{} Active ({} Ready) / {} Succeeded / {} Failed", st["active"].as_i64().unwrap_or(0), st["ready"].as_i64().unwrap_or(ready as i64).min(st["active"].as_i64().unwrap_or(0)), st["succeeded"].as_i64().unwrap_or(0), st["failed"].as_i64().unwrap_or(0)));
    pod_template(page, &spec["template"]);
}

fn cron_job(page: &mut Page, cj: &Value) {
    let meta = &cj["metadata"];
    let spec = &cj["spec"];
    let jt = &spec["jobTemplate"]["spec"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.field(0, "Schedule", s(&spec["schedule"]));
    page.field(0, "Concurrency Policy", spec["concurrencyPolicy"].as_str().unwrap_or("Allow"));
    page.field(0, "Suspend", if spec["suspend"] == true { "True" } else { "False" });
    let opt = |v: &Value| v.as_i64().map_or_else(|| "<unset>".to_string(), |n| n.to_string());
    page.field(0, "Successful Job History Limit", &opt(&spec["successfulJobsHistoryLimit"]));
    page.field(0, "Failed Job History Limit", &opt(&spec["failedJobsHistoryLimit"]));
    page.field(0, "Starting Deadline Seconds", &spec["startingDeadlineSeconds"].as_i64().map_or_else(|| "<unset>".to_string(), |n| format!("{n}s")));
    page.field(0, "Selector", &if jt["selector"].is_object() { selector_text(&jt["selector"]) } else { "<unset>".to_string() });
    page.field(0, "Parallelism", &opt(&jt["parallelism"]));
    page.field(0, "Completions", &opt(&jt["completions"]));
    if let Some(d) = jt["activeDeadlineSeconds"].as_i64() {
        page.field(0, "Active Deadline Seconds", &format!("{d}s"));
    }
    pod_template(page, &jt["template"]);
    page.field(0, "Last Schedule Time", &cj["status"]["lastScheduleTime"].as_str().map_or_else(|| "<unset>".to_string(), rfc1123z));
    let active: Vec<&str> = cj["status"]["active"].as_array().into_iter().flatten().filter_map(|a| a["name"].as_str()).collect();
    page.field(0, "Active Jobs", &active.join(", "));
}

fn daemon_set(api: &mut dyn Transport, page: &mut Page, ds: &Value) {
    let meta = &ds["metadata"];
    let st = &ds["status"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.field(0, "Selector", &selector_text(&ds["spec"]["selector"]));
    let ns_sel = ds["spec"]["template"]["spec"]["nodeSelector"].as_object().map(|m| {
        let mut v: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect();
        v.order();
        v.join(",")
    });
    page.field(0, "Node-Selector", &ns_sel.unwrap_or_default());
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    let n = |k: &str| st[k].as_i64().unwrap_or(0);
    page.line(0, &format!("Desired Number of Nodes Scheduled: {}", n("desiredNumberScheduled")));
    page.line(0, &format!("Current Number of Nodes Scheduled: {}", n("currentNumberScheduled")));
    page.line(0, &format!("Number of Nodes Scheduled with Up-to-date Pods: {}", n("updatedNumberScheduled")));
    page.line(0, &format!("Number of Nodes Scheduled with Available Pods: {}", n("numberAvailable")));
    page.line(0, &format!("Number of Nodes Misscheduled: {}", n("numberMisscheduled")));
    let (running, waiting, succeeded, failed, _) = pod_phases(api, ds);
    page.line(0, &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"));
    pod_template(page, &ds["spec"]["template"]);
}

fn stateful_set(api: &mut dyn Transport, page: &mut Page, sts: &Value) {
    let meta = &sts["metadata"];
    let spec = &sts["spec"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.field(0, "CreationTimestamp", &rfc1123z(s(&meta["creationTimestamp"])));
    page.field(0, "Selector", &selector_text(&spec["selector"]));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    page.line(0, &format!("Replicas:\t{} desired | {} total", spec["replicas"].as_i64().unwrap_or(1), sts["status"]["replicas"].as_i64().unwrap_or(0)));
    let strategy = spec["updateStrategy"]["type"].as_str().unwrap_or("RollingUpdate");
    page.field(0, "Update Strategy", strategy);
    if let Some(part) = spec["updateStrategy"]["rollingUpdate"]["partition"].as_i64() {
        page.line(1, &format!("Partition:\t{part}"));
    }
    let (running, waiting, succeeded, failed, _) = pod_phases(api, sts);
    page.line(0, &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"));
    pod_template(page, &spec["template"]);
    if let Some(claims) = spec["volumeClaimTemplates"].as_array().filter(|c| !c.is_empty()) {
        page.line(0, "Volume Claims:");
        for c in claims {
            page.line(1, &format!("Name:\t{}", s(&c["metadata"]["name"])));
            page.line(1, &format!("StorageClass:\t{}", s(&c["spec"]["storageClassName"])));
            page.labels(1, "Labels", &c["metadata"]["labels"]);
            page.annotations(1, &c["metadata"]["annotations"]);
            page.line(1, &format!("Capacity:\t{}", c["spec"]["resources"]["requests"]["storage"].as_str().unwrap_or("<default>")));
            let modes: Vec<&str> = c["spec"]["accessModes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            page.line(1, &format!("Access Modes:\t[{}]", modes.join(" ")));
        }
    } else {
        page.line(0, "Volume Claims:\t<none>");
    }
}

fn access_modes(modes: &Value) -> String {
    modes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|m| match m {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn claim(api: &mut dyn Transport, page: &mut Page, pvc: &Value) {
    let meta = &pvc["metadata"];
    let spec = &pvc["spec"];
    let st = &pvc["status"];
    page.field(0, "Name", s(&meta["name"]));
    page.field(0, "Namespace", s(&meta["namespace"]));
    page.line(0, &format!("StorageClass:\t{}", s(&spec["storageClassName"])));
    if meta["deletionTimestamp"].is_string() {
        page.line(0, &format!("Status:\tTerminating (lasts {})", age(page.now, s(&meta["deletionTimestamp"]))));
    } else {
        page.field(0, "Status", s(&st["phase"]));
    }
    page.line(0, &format!("Volume:\t{}", s(&spec["volumeName"])));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    let finalizers: Vec<&str> = meta["finalizers"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    page.line(0, &format!("Finalizers:\t[{}]", finalizers.join(" ")));
    page.line(0, &format!("Capacity:\t{}", s(&st["capacity"]["storage"])));
    page.line(0, &format!("Access Modes:\t{}", access_modes(&st["accessModes"])));
    page.field(0, "VolumeMode", spec["volumeMode"].as_str().unwrap_or("Filesystem"));
    let ns = s(&meta["namespace"]);
    let name = s(&meta["name"]);
    let pods = api.send(&Request::get(&format!("/api/v1/namespaces/{ns}/pods", ns = super::paths::segment(ns)))).into_value().unwrap_or(Value::Null);
    let users: Vec<String> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["spec"]["volumes"].as_array().into_iter().flatten().any(|v| v["persistentVolumeClaim"]["claimName"] == name))
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    if users.is_empty() {
        page.line(0, "Used By:\t<none>");
    } else {
        for (i, u) in users.iter().enumerate() {
            page.line(0, &if i == 0 { format!("Used By:\t{u}") } else { format!("\t{u}") });
        }
    }
}

/// kubectl's words for a field name: camelCase split into title-cased words, with API, URL,
/// UID, OSB and GUID in capitals (`apiVersion` → `API Version`); names with other characters
/// stay as they are.
fn field_label(key: &str) -> String {
    if !key.chars().all(|c| c.is_alphabetic() || c == '-') {
        return key.to_string();
    }
    // Runs of one character class; an upper-case run followed by lower case gives its last
    // letter to the next word (`IPs` → `I`, `Ps`).
    let chars: Vec<char> = key.chars().collect();
    let class = |c: char| if c.is_lowercase() { 0 } else if c.is_uppercase() { 1 } else if c.is_ascii_digit() { 2 } else { 3 };
    let mut runs: Vec<Vec<char>> = Vec::new();
    for &c in &chars {
        match runs.last_mut() {
            Some(r) if class(r[r.len() - 1]) == class(c) => r.push(c),
            _ => runs.push(vec![c]),
        }
    }
    for i in 0..runs.len().saturating_sub(1) {
        if class(runs[i][0]) == 1 && class(runs[i + 1][0]) == 0 && runs[i].len() > 1 {
            if let Some(last) = runs[i].pop() {
                runs[i + 1].insert(0, last);
            }
        } else if class(runs[i][0]) == 1 && class(runs[i + 1][0]) == 0 {
            let moved = std::mem::take(&mut runs[i]);
            let mut merged = moved;
            merged.extend(runs[i + 1].iter());
            runs[i + 1] = merged;
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| {
            let w: String = r.into_iter().collect();
            match w.to_lowercase().as_str() {
                "api" | "url" | "uid" | "osb" | "guid" => w.to_uppercase(),
                _ => {
                    let mut cs = w.chars();
                    cs.next().map(|f| f.to_uppercase().collect::<String>() + cs.as_str()).unwrap_or_default()
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn generic_value(page: &mut Page, level: usize, label: &str, v: &Value) {
    match v {
        Value::Object(m) => {
            page.line(level, &format!("{label}:"));
            generic_fields(page, level + 1, m, &[]);
        }
        Value::Array(items) => {
            page.line(level, &format!("{label}:"));
            for item in items {
                match item {
                    Value::Object(m) => generic_fields(page, level + 1, m, &[]),
                    other => page.line(level + 1, &super::printers::go_sprint(other)),
                }
            }
        }
        other => page.line(level, &format!("{label}:\t{}", super::printers::go_sprint(other))),
    }
}

fn generic_fields(page: &mut Page, level: usize, m: &serde_json::Map<String, Value>, skip: &[&str]) {
    let mut keys: Vec<&String> = m.keys().filter(|k| !skip.contains(&k.as_str())).collect();
    keys.order();
    for k in keys {
        generic_value(page, level, &field_label(k), &m[k.as_str()]);
    }
}

/// The describer for kinds without their own: the object's fields, all of them.
fn generic(page: &mut Page, o: &Value) {
    let meta = &o["metadata"];
    page.line(0, &format!("Name:\t{}", s(&meta["name"])));
    page.line(0, &format!("Namespace:\t{}", s(&meta["namespace"])));
    page.labels(0, "Labels", &meta["labels"]);
    page.annotations(0, &meta["annotations"]);
    if let Some(m) = o.as_object() {
        let mut keys: Vec<&String> = m.keys().collect();
        keys.order();
        for k in keys {
            if k == "metadata" {
                page.line(0, "Metadata:");
                if let Some(mm) = meta.as_object() {
                    generic_fields(page, 1, mm, &["managedFields", "name", "namespace", "labels", "annotations"]);
                }
            } else {
                generic_value(page, 0, &field_label(k), &m[k.as_str()]);
            }
        }
    }
}

fn storage_class(page: &mut Page, sc: &Value) {
    let meta = &sc["metadata"];
    page.field(0, "Name", s(&meta["name"]));
    let default = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"].iter().any(|a| meta["annotations"][*a] == "true");
    page.line(0, &format!("IsDefaultClass:\t{}", if default { "Yes" } else { "No" }));
    page.field(0, "Annotations", &super::printers::format_labels(&meta["annotations"]).replace("<none>", ""));
    page.field(0, "Provisioner", s(&sc["provisioner"]));
    page.field(0, "Parameters", &super::printers::format_labels(&sc["parameters"]).replace("<none>", ""));
    page.field(0, "AllowVolumeExpansion", &sc["allowVolumeExpansion"].as_bool().map_or_else(|| "<unset>".to_string(), |b| b.to_string()));
    let opts: Vec<&str> = sc["mountOptions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    page.field(0, "MountOptions", &opts.join(", "));
    page.field(0, "ReclaimPolicy", s(&sc["reclaimPolicy"]));
    page.field(0, "VolumeBindingMode", s(&sc["volumeBindingMode"]));
}

/// A Role or ClusterRole: its rules as kubectl shows them (broken down, joined by verb, sorted).
fn role(page: &mut Page, o: &Value) {
    use super::rbac_rules::{go_list, resource_cell, shown, Rule};
    page.field(0, "Name", s(&o["metadata"]["name"]));
    page.labels(0, "Labels", &o["metadata"]["labels"]);
    page.annotations(0, &o["metadata"]["annotations"]);
    page.line(0, "PolicyRule:");
    page.line(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs");
    page.line(1, "---------\t-----------------\t--------------\t-----");
    let rules: Vec<Rule> = o["rules"].as_array().into_iter().flatten().map(Rule::from_json).collect();
    for r in shown(&rules) {
        page.line(1, &format!("{}\t{}\t{}\t{}", resource_cell(&r), go_list(&r.urls), go_list(&r.names), go_list(&r.verbs)));
    }
}

/// A RoleBinding or ClusterRoleBinding: the role it grants and to whom.
fn binding(page: &mut Page, o: &Value) {
    page.field(0, "Name", s(&o["metadata"]["name"]));
    page.labels(0, "Labels", &o["metadata"]["labels"]);
    page.annotations(0, &o["metadata"]["annotations"]);
    page.line(0, "Role:");
    page.line(1, &format!("Kind:\t{}", s(&o["roleRef"]["kind"])));
    page.line(1, &format!("Name:\t{}", s(&o["roleRef"]["name"])));
    page.line(0, "Subjects:");
    page.line(1, "Kind\tName\tNamespace");
    page.line(1, "----\t----\t---------");
    for sub in o["subjects"].as_array().into_iter().flatten() {
        page.line(1, &format!("{}\t{}\t{}", s(&sub["kind"]), s(&sub["name"]), s(&sub["namespace"])));
    }
}

/// A ResourceQuota: name, namespace, scopes, then used against hard for each resource (no
/// labels, no events).
fn resource_quota(page: &mut Page, q: &Value) {
    page.line(0, &format!("Name:\t{}", s(&q["metadata"]["name"])));
    page.line(0, &format!("Namespace:\t{}", s(&q["metadata"]["namespace"])));
    let mut scopes: Vec<&str> = q["spec"]["scopes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    if !scopes.is_empty() {
        scopes.order();
        page.line(0, &format!("Scopes:\t{}", scopes.join(", ")));
        for scope in scopes {
            let help = match scope {
                "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
                "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
                "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
                "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
                _ => "",
            };
            if !help.is_empty() {
                page.line(0, &format!(" * {help}"));
            }
        }
    }
    quota_rows(page, 0, q, "--------\t----\t----");
}

/// A quota's table: each resource it limits, used against hard (the namespace describer and
/// the quota's own draw their rules differently).
fn quota_rows(page: &mut Page, level: usize, q: &Value, rule: &str) {
    page.line(level, "Resource\tUsed\tHard");
    page.line(level, rule);
    let hard = q["status"]["hard"].as_object().cloned().unwrap_or_default();
    let mut keys: Vec<&String> = hard.keys().collect();
    keys.order();
    for k in keys {
        page.line(level, &format!("{k}\t{}\t{}", s(&q["status"]["used"][k.as_str()]), s(&hard[k.as_str()])));
    }
}
