//! How controllers, the scheduler and kubelets talk to the cluster: reads from the store (as an
//! informer's cache would), writes through the API server's one door, and Events.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::labels::Selector;
use crate::api::object::{name, namespace, uid};
use crate::api::status::ApiError;
use crate::controllers::events::{Incoming, Origin, Outcome, Recorder};
use crate::apiserver::{ApiServer, Method, Request};
use crate::sim::clock::Timestamp;
use crate::store::Selection;

/// Whether work allowed until the store reaches resource version `until` is done (`None`:
/// no bound). A loop's [`Client::spent`], and whether the loops left in a round start.
pub fn budget_spent(api: &ApiServer, until: Option<u64>) -> bool {
    until.is_some_and(|u| api.store().resource_version() >= u)
}

/// A client bound to the API server for one pass, acting as one component.
pub struct Client<'a> {
    pub api: &'a mut ApiServer,
    recorder: &'a mut Recorder,
    /// Who writes (`deployment-controller`, `default-scheduler`, `kubelet`), for Events.
    pub component: &'static str,
    /// The component's host, for kubelet Events.
    pub host: Option<String>,
    /// The earliest time the component wants to run again.
    pub wake: Option<Timestamp>,
    /// The store's resource version at which this pass has used up its share of work (see
    /// [`crate::cluster::control`]): a loop that sees [`Client::spent`] stops at the next item
    /// and finds the rest on its next pass, as a restarted controller would.
    until: Option<u64>,
    /// Work this pass did that wrote nothing (a pod sync that found nothing to report), counted
    /// against its share when it has one: the kubelets' periodic syncs of 10,000 running pods
    /// come due together and write nothing, and without a count they ran in one slice.
    pub unwritten: u64,
}

/// The URL path of a resource collection (`/apis/apps/v1/namespaces/ns/replicasets`).
pub fn collection_path(api_version: &str, resource: &str, ns: &str) -> String {
    let prefix = if api_version.contains('/') { format!("/apis/{api_version}") } else { format!("/api/{api_version}") };
    if ns.is_empty() {
        format!("{prefix}/{resource}")
    } else {
        format!("{prefix}/namespaces/{ns}/{resource}")
    }
}

/// The field manager a component's writes are recorded under in `metadata.managedFields`:
/// the binary's name, as its User-Agent starts (every controller is kube-controller-manager).
pub fn field_manager(component: &str) -> &'static str {
    match component {
        "kubelet" => "kubelet",
        "nginx-ingress-controller" => "nginx-ingress-controller",
        // The aggregator runs in the API server.
        "apiservice-availability" => "kube-apiserver",
        c if c == crate::scheduler::SCHEDULER_NAME => "kube-scheduler",
        _ => "kube-controller-manager",
    }
}

impl<'a> Client<'a> {
    pub fn new(api: &'a mut ApiServer, recorder: &'a mut Recorder, component: &'static str) -> Self {
        Client { api, recorder, component, host: None, wake: None, until: None, unwritten: 0 }
    }

    /// The same client, stopping its loop once the store reaches resource version `until`.
    pub fn within(mut self, until: Option<u64>) -> Self {
        self.until = until;
        self
    }

    /// Counts one item of work that wrote nothing, if this pass has a share of work to spend.
    pub fn did_unwritten_work(&mut self) {
        if self.until.is_some() {
            self.unwritten += 1;
        }
    }

    /// This pass has done the work it was given: the loop stops before its next item.
    pub fn spent(&self) -> bool {
        budget_spent(self.api, self.until.map(|u| u.saturating_sub(self.unwritten)))
    }

    pub fn now(&self) -> Timestamp {
        self.api.now()
    }

    /// Asks to run again at `t` (the earliest request wins).
    pub fn wake_at(&mut self, t: Timestamp) {
        self.wake = Some(self.wake.map_or(t, |w| w.min(t)));
    }

    /// Runs `work` and returns the wake-up it asked for, apart from those asked for before
    /// (which stay asked for).
    pub fn wake_of(&mut self, work: impl FnOnce(&mut Client)) -> Option<Timestamp> {
        let others = self.wake.take();
        work(self);
        let asked = self.wake;
        if let Some(w) = others {
            self.wake_at(w);
        }
        asked
    }

    /// Objects of a storage key (`pods`, `replicasets.apps`), optionally in a namespace.
    pub fn list(&self, storage: &str, ns: Option<&str>) -> Vec<Arc<Value>> {
        self.api.store().list(storage, ns, &Selection::All, None).into_iter().map(|s| s.object).collect()
    }

    /// Objects whose labels a LabelSelector selects.
    pub fn list_selected(&self, storage: &str, ns: &str, selector: &Value) -> Vec<Arc<Value>> {
        let Ok(sel) = Selector::from_label_selector(selector) else { return Vec::new() };
        if sel.is_empty() {
            return Vec::new();
        }
        let narrowing = Selection::LabelEquals(sel.equalities());
        self.api
            .store()
            .list(storage, Some(ns), &narrowing, None)
            .into_iter()
            .filter(|s| sel.matches(s.object["metadata"]["labels"].as_object()))
            .map(|s| s.object)
            .collect()
    }

    /// The store, read as informers read it.
    pub fn api_store(&self) -> &crate::store::Store {
        self.api.store()
    }

    pub fn get(&self, storage: &str, ns: &str, obj_name: &str) -> Option<Arc<Value>> {
        self.api.store().get(storage, ns, obj_name).map(|s| s.object)
    }

    /// Objects of a namespace that no ownerReference controls (orphans) and that a selector
    /// selects.
    pub fn orphans_selected(&self, storage: &str, ns: &str, sel: &Selector) -> Vec<Arc<Value>> {
        self.api.store().uncontrolled(storage, ns).filter(|s| sel.matches(s.object["metadata"]["labels"].as_object())).map(|s| s.object.clone()).collect()
    }

    /// Objects that name `owner_uid` among their ownerReferences.
    pub fn owned(&self, storage: &str, owner_uid: &str) -> Vec<Arc<Value>> {
        self.api.store().owned(storage, owner_uid).map(|s| s.object.clone()).collect()
    }

    fn send(&mut self, req: Request) -> Result<Value, ApiError> {
        self.api.call(&req.with_query("fieldManager", field_manager(self.component)))
    }

    pub fn create(&mut self, api_version: &str, resource: &str, ns: &str, obj: Value) -> Result<Value, ApiError> {
        self.send(Request::post(&collection_path(api_version, resource, ns), obj))
    }

    /// Replaces an object (its resourceVersion makes the write conditional).
    pub fn update(&mut self, api_version: &str, resource: &str, obj: Value) -> Result<Value, ApiError> {
        let path = format!("{}/{}", collection_path(api_version, resource, namespace(&obj)), name(&obj));
        self.send(Request::put(&path, obj))
    }

    pub fn update_status(&mut self, api_version: &str, resource: &str, obj: Value) -> Result<Value, ApiError> {
        let path = format!("{}/{}/status", collection_path(api_version, resource, namespace(&obj)), name(&obj));
        self.send(Request::put(&path, obj))
    }

    /// A merge patch of an object's main resource or of a subresource (`""` for none).
    pub fn merge_patch(&mut self, api_version: &str, resource: &str, ns: &str, obj_name: &str, sub: &str, patch: &Value) -> Result<Value, ApiError> {
        let mut path = format!("{}/{obj_name}", collection_path(api_version, resource, ns));
        if !sub.is_empty() {
            path.push('/');
            path.push_str(sub);
        }
        let body = serde_json::to_vec(patch).unwrap_or_default();
        self.send(Request::new(Method::Patch, &path).with_bytes("application/merge-patch+json", body))
    }

    pub fn delete(&mut self, api_version: &str, resource: &str, ns: &str, obj_name: &str, grace: Option<i64>) -> Result<Value, ApiError> {
        let mut path = format!("{}/{obj_name}", collection_path(api_version, resource, ns));
        if let Some(g) = grace {
            path.push_str(&format!("?gracePeriodSeconds={g}"));
        }
        self.send(Request::delete(&path))
    }

    /// A DELETE with a body of DeleteOptions (propagation policy, preconditions).
    pub fn delete_with(&mut self, api_version: &str, resource: &str, ns: &str, obj_name: &str, options: Value) -> Result<Value, ApiError> {
        let path = format!("{}/{obj_name}", collection_path(api_version, resource, ns));
        self.send(Request::delete(&path).with_object(options))
    }

    pub fn subresource_post(&mut self, api_version: &str, resource: &str, ns: &str, obj_name: &str, sub: &str, body: Value) -> Result<Value, ApiError> {
        let path = format!("{}/{obj_name}/{sub}", collection_path(api_version, resource, ns));
        self.send(Request::post(&path, body))
    }

    /// Records an Event about an object, counting repeats as Kubernetes' recorder does.
    pub fn event(&mut self, about: &Value, kind: &str, reason: &str, message: &str) {
        self.event_at(about, kind, reason, message, None);
    }

    /// An Event about a part of an object (`spec.containers{nginx}`).
    pub fn event_at(&mut self, about: &Value, kind: &str, reason: &str, message: &str, field_path: Option<&str>) {
        let ns = match namespace(about) {
            "" => "default",
            n => n,
        }
        .to_string();
        let now = self.now();
        let involved_kind = about["kind"].as_str().unwrap_or_default();
        // `<name>.<unix nanoseconds in hex>`, as the event recorder names them (the store's
        // revision keeps two events of one instant apart).
        let nanos = now.unix_millis().saturating_mul(1_000_000).saturating_add(self.api.store().resource_version() as i64 % 1_000_000);
        let fresh_name = format!("{}.{nanos:x}", name(about));
        let api_version = about["apiVersion"].as_str().unwrap_or_default();
        let incoming = Incoming {
            origin: Origin { component: self.component, host: self.host.clone(), object: [involved_kind, namespace(about), name(about), uid(about), api_version].join("\0") },
            field_path: field_path.map(str::to_string),
            kind: kind.to_string(),
            reason: reason.to_string(),
            message: message.to_string(),
        };
        let outcome = if self.component == crate::scheduler::SCHEDULER_NAME {
            self.recorder.count_only(incoming, now, fresh_name)
        } else {
            self.recorder.correlate(incoming, now, fresh_name)
        };
        let write = match outcome {
            Outcome::Dropped => return,
            Outcome::Create(w) => w,
            Outcome::Patch(w) => match self.get("events", &ns, &w.name) {
                Some(e) => {
                    let mut next = (*e).clone();
                    next["count"] = json!(w.count);
                    next["lastTimestamp"] = json!(now.rfc3339());
                    next["message"] = json!(w.message);
                    let _ = self.update("v1", "events", next);
                    return;
                }
                // The Event is gone (deleted, or its first write was dropped): made again
                // under its name, with the count reached.
                None => w,
            },
        };
        let mut involved = json!({
            "kind": involved_kind,
            "namespace": namespace(about),
            "name": name(about),
            "uid": uid(about),
            "apiVersion": about["apiVersion"],
            "resourceVersion": about["metadata"]["resourceVersion"],
        });
        if namespace(about).is_empty() {
            if let Some(m) = involved.as_object_mut() {
                m.remove("namespace");
            }
        }
        if let Some(fp) = field_path {
            involved["fieldPath"] = json!(fp);
        }
        let mut source = json!({"component": self.component});
        if let Some(h) = &self.host {
            source["host"] = json!(h);
        }
        // A combined Event is made afresh by the correlator, which sets no reporting component.
        let (reporting, instance) = if write.combined { ("", String::new()) } else { (self.component, self.host.clone().unwrap_or_default()) };
        let ev = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": write.name, "namespace": ns},
            "involvedObject": involved,
            "reason": reason, "message": write.message, "type": kind,
            "source": source,
            "firstTimestamp": write.first.rfc3339(), "lastTimestamp": now.rfc3339(), "count": write.count,
            "reportingComponent": reporting, "reportingInstance": instance,
        });
        let _ = self.create("v1", "events", &ns, ev);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_that_writes_nothing_spends_a_budget_and_only_a_budget() {
        let now = crate::Timestamp::parse_rfc3339("2026-11-25T11:00:00Z").expect("time");
        let mut cluster = crate::Cluster::boot_default(1, now).expect("boot");
        let mut recorder = Recorder::default();
        let api = cluster.api();
        let until = api.store().resource_version() + 2;
        let mut c = Client::new(api, &mut recorder, "kubelet").within(Some(until));
        c.did_unwritten_work();
        assert!(!c.spent(), "one unit of two");
        c.did_unwritten_work();
        assert!(c.spent(), "two write-free syncs spend a budget of two");
        assert_eq!(c.unwritten, 2);
        // Without a budget nothing is counted and nothing is spent.
        let mut free = Client::new(cluster.api(), &mut recorder, "kubelet");
        for _ in 0..10 {
            free.did_unwritten_work();
        }
        assert_eq!(free.unwritten, 0);
        assert!(!free.spent());
    }
}
