//! The aggregation layer (kube-aggregator): an APIService that names a Service hands its group
//! version to the program behind that Service. Discovery lists the group while the APIService
//! exists; requests reach the program while the APIService is Available, else they get 503.
//! The availability controller (controllers/apiservice.rs) decides Available with [`check`].
//! The programs are simulated images that say which group versions they serve (the catalog's
//! `apis`); metrics-server is the one there is.

use crate::sort::Order;
use std::sync::Arc;

use serde_json::Value;

use crate::api::object::name;
use crate::kubelet::images::Catalog;
use crate::sim::clock::Timestamp;
use crate::store::{Selection, Store};

use super::registry::GroupInfo;
use super::request::Response;
use super::route::ResourceRequest;
use super::{ApiError, ApiServer, Request};

pub const STORAGE: &str = "apiservices.apiregistration.k8s.io";

/// An APIService served by a Service.
#[derive(Clone, Debug)]
pub struct Aggregated {
    pub object: Arc<Value>,
    pub group: String,
    pub version: String,
    pub group_priority: i64,
    pub version_priority: i64,
    pub service_namespace: String,
    pub service_name: String,
    pub port: i64,
}

impl Aggregated {
    fn of(obj: Arc<Value>) -> Option<Aggregated> {
        let spec = &obj["spec"];
        let service = spec["service"].as_object()?;
        Some(Aggregated {
            group: spec["group"].as_str().unwrap_or_default().to_string(),
            version: spec["version"].as_str().unwrap_or_default().to_string(),
            group_priority: spec["groupPriorityMinimum"].as_i64().unwrap_or_default(),
            version_priority: spec["versionPriority"].as_i64().unwrap_or_default(),
            service_namespace: service.get("namespace").and_then(Value::as_str).unwrap_or_default().to_string(),
            service_name: service.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
            port: service.get("port").and_then(Value::as_i64).unwrap_or(443),
            object: obj,
        })
    }

    /// Whether its Available condition is True.
    pub fn available(&self) -> bool {
        self.object["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Available" && c["status"] == "True")
    }
}

/// Every APIService that a Service serves, by descending group priority, then name.
pub fn list(store: &Store) -> Vec<Aggregated> {
    let mut out: Vec<Aggregated> = store.list(STORAGE, None, &Selection::All, None).into_iter().filter_map(|s| Aggregated::of(s.object)).collect();
    out.order_by(|a, b| b.group_priority.cmp(&a.group_priority).then_with(|| name(&a.object).cmp(name(&b.object))));
    out
}

/// The APIService of a group version, if a Service serves it.
pub fn find(store: &Store, group: &str, version: &str) -> Option<Aggregated> {
    list(store).into_iter().find(|a| a.group == group && a.version == version)
}

/// The groups discovery lists for them (versions by descending priority).
pub fn groups(store: &Store) -> Vec<GroupInfo> {
    let mut out: Vec<(GroupInfo, Vec<(i64, String)>)> = Vec::new();
    for a in list(store) {
        match out.iter_mut().find(|(g, _)| g.name == a.group) {
            Some((_, vs)) => vs.push((a.version_priority, a.version.clone())),
            None => out.push((GroupInfo { name: a.group.clone(), versions: Vec::new(), preferred_version: String::new() }, vec![(a.version_priority, a.version.clone())])),
        }
    }
    out.into_iter()
        .map(|(mut g, mut vs)| {
            vs.order_by(|a, b| b.0.cmp(&a.0).then_with(|| crate::apiserver::crd::version_priority(&a.1, &b.1)));
            g.versions = vs.into_iter().map(|(_, v)| v).collect();
            g.preferred_version = g.versions.first().cloned().unwrap_or_default();
            g
        })
        .collect()
}

/// What the availability check finds behind an APIService's Service.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// A pod answers discovery for the group version; its container has run since then.
    Passed { running_since: Timestamp },
    Failed { reason: &'static str, message: String },
}

/// The aggregator's availability check: the Service, its port, its endpoints, and a discovery
/// request to the first ready address.
pub fn check(store: &Store, a: &Aggregated) -> Check {
    let (ns, svc_name) = (a.service_namespace.as_str(), a.service_name.as_str());
    let Some(svc) = store.get("services", ns, svc_name) else {
        return Check::Failed { reason: "ServiceNotFound", message: format!("service/{svc_name} in {ns:?} is not present") };
    };
    let Some(port) = svc.object["spec"]["ports"].as_array().into_iter().flatten().find(|p| p["port"].as_i64() == Some(a.port)) else {
        return Check::Failed { reason: "ServicePortError", message: format!("service/{svc_name} in {ns:?} is not listening on port {}", a.port) };
    };
    let port_name = port["name"].as_str().unwrap_or_default();
    let Some(endpoints) = store.get("endpoints", ns, svc_name) else {
        return Check::Failed { reason: "EndpointsNotFound", message: format!("cannot find endpoints for service/{svc_name} in {ns:?}") };
    };
    let target = endpoints.object["subsets"].as_array().into_iter().flatten().find_map(|subset| {
        let port = subset["ports"].as_array().into_iter().flatten().find(|p| p["name"].as_str().unwrap_or_default() == port_name)?;
        let address = subset["addresses"].as_array().and_then(|a| a.first())?;
        Some((address.clone(), port["port"].as_i64().unwrap_or_default()))
    });
    let Some((address, target_port)) = target else {
        return Check::Failed { reason: "MissingEndpoints", message: format!("endpoints for service/{svc_name} in {ns:?} have no addresses with port name {port_name:?}") };
    };
    let ip = address["ip"].as_str().unwrap_or_default();
    let url = format!("https://{ip}:{target_port}/apis/{}/{}", a.group, a.version);
    let gv = format!("{}/{}", a.group, a.version);
    let pod = address["targetRef"]["name"].as_str().and_then(|p| store.get("pods", address["targetRef"]["namespace"].as_str().unwrap_or(ns), p));
    let serving = pod.as_ref().and_then(|p| {
        let catalog = Catalog::builtin();
        p.object["spec"]["containers"].as_array()?.iter().find_map(|c| {
            let image = catalog.find(c["image"].as_str()?)?;
            if !image.apis.contains(&gv) {
                return None;
            }
            let status = p.object["status"]["containerStatuses"].as_array()?.iter().find(|s| s["name"] == c["name"])?;
            Timestamp::parse_rfc3339(status["state"]["running"]["startedAt"].as_str()?)
        })
    });
    match serving {
        Some(running_since) => Check::Passed { running_since },
        None => Check::Failed { reason: "FailedDiscoveryCheck", message: format!("failing or missing response from {url}: bad status from {url}: 404") },
    }
}

/// What a request to an aggregated group version gets: the program's answer while the
/// APIService is Available, else 503.
pub fn proxy(server: &ApiServer, req: &Request, a: &Aggregated, r: Option<&ResourceRequest>) -> Result<Response, ApiError> {
    let running_since = match (a.available(), check(&server.store, a)) {
        (true, Check::Passed { running_since }) => running_since,
        _ => return Ok(unavailable()),
    };
    if format!("{}/{}", a.group, a.version) != crate::metrics::server::GROUP_VERSION {
        return Ok(unavailable());
    }
    let Some(r) = r else { return Ok(Response::object(200, crate::metrics::server::discovery())) };
    let scrapes = crate::metrics::server::Scrapes { store: &server.store, now: server.now, running_since };
    scrapes.serve(req, r).map(|v| Response::object(200, v))
}

/// The aggregator's answer when no backend can take a request.
fn unavailable() -> Response {
    Response::text(503, "service unavailable\n".into())
}
