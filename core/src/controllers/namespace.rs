//! Namespaces: every live namespace gets its `default` ServiceAccount and `kube-root-ca.crt`
//! (the service-account controller and the root CA publisher); a terminating one is emptied and
//! then finalized (the namespace controller).

use serde_json::json;

use crate::api::object::name;

use super::{Client, Controller};

/// A stand-in for the cluster CA certificate (the simulation has no TLS).
pub const SIMULATED_CA: &str = "-----BEGIN CERTIFICATE-----\nSIMULATED-HAKONIWA-CLUSTER-CA\n-----END CERTIFICATE-----\n";

pub struct NamespaceController;

impl Controller for NamespaceController {
    fn name(&self) -> &'static str {
        "namespace-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        for ns in c.list("namespaces", None) {
            let n = name(&ns).to_string();
            if ns["metadata"]["deletionTimestamp"].is_string() {
                empty_and_finalize(c, &n, &ns);
                continue;
            }
            if c.get("serviceaccounts", &n, "default").is_none() {
                let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
                let _ = c.create("v1", "serviceaccounts", &n, sa);
            }
            if c.get("configmaps", &n, "kube-root-ca.crt").is_none() {
                let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt"}, "data": {"ca.crt": SIMULATED_CA}});
                let _ = c.create("v1", "configmaps", &n, cm);
            }
        }
    }
}

fn empty_and_finalize(c: &mut Client, ns: &str, obj: &serde_json::Value) {
    let resources: Vec<(String, String, String)> = c
        .api
        .registry()
        .all()
        .filter(|r| r.namespaced && r.supports("delete") && r.supports("list"))
        .map(|r| (r.storage.clone(), r.api_version(), r.resource.clone()))
        .collect();
    let mut left = 0;
    let mut seen = std::collections::BTreeSet::new();
    for (storage, api_version, resource) in resources {
        if !seen.insert(storage.clone()) {
            continue;
        }
        for o in c.list(&storage, Some(ns)) {
            left += 1;
            if o["metadata"]["deletionTimestamp"].is_null() {
                let _ = c.delete(&api_version, &resource, ns, name(&o), None);
            }
        }
    }
    let finalizers = obj["spec"]["finalizers"].as_array().map_or(0, Vec::len);
    if left == 0 && finalizers > 0 {
        let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "spec": {"finalizers": []}});
        let _ = c.api.call(&crate::apiserver::Request::put(&format!("/api/v1/namespaces/{ns}/finalize"), body));
    }
}
