//! The API server: one door for everything that reads or writes the cluster. A request in, a
//! response out, shaped like Kubernetes' REST API; behind it the registry of served resources,
//! the strategies of their kinds, and the store.

pub mod admission;
pub mod aggregator;
pub mod auth;
pub mod alloc;
pub mod convert;
pub mod crd;
pub mod decode;
mod fields;
mod discovery;
pub mod dup;
mod handlers;
pub mod kinds;
pub mod openapi;
pub mod patch;
#[cfg(feature = "wire")]
pub mod protobuf;
pub mod registry;
pub mod request;
pub mod route;
pub(crate) mod select;
pub mod strategy;
pub mod tables;
mod ttl;
pub mod validation;

use serde_json::Value;

use crate::api::status::ApiError;
use crate::sim::clock::Timestamp;
use crate::sim::rng::Rng;
use crate::store::Store;

use alloc::Allocators;
use registry::Registry;
pub use handlers::NEXT_RESOURCE_VERSION_HEADER;
pub use request::{Body, Method, Request, Response, ResponseBody, WatchItem};
use route::Route;

/// Where CustomResourceDefinitions are stored.
pub const CRD_STORAGE: &str = "customresourcedefinitions.apiextensions.k8s.io";

/// What a container wrote: the running one's log and the one before it.
#[derive(Clone, Debug, Default)]
pub struct ContainerLog {
    pub current: LogText,
    pub previous: Option<LogText>,
}

/// Log lines and when each was written (for `timestamps`, `sinceSeconds`, `sinceTime`).
#[derive(Clone, Debug, Default)]
pub struct LogText {
    pub text: String,
    /// One per line of `text`, in order.
    pub stamps: std::collections::VecDeque<Timestamp>,
}

impl LogText {
    /// The lines with their times.
    pub fn lines(&self) -> impl Iterator<Item = (Timestamp, &str)> {
        self.text.split_inclusive('\n').zip(self.stamps.iter().copied().chain(std::iter::repeat(Timestamp::default()))).map(|(l, t)| (t, l))
    }
}

/// The most of one container's log kept in memory.
const MAX_LOG_BYTES: usize = 1 << 20;

type ContainerLogs = std::collections::BTreeMap<(String, String), ContainerLog>;

#[derive(Clone)]
pub struct ApiServer {
    store: Store,
    /// Container logs by (namespace, pod, container), written by the kubelets.
    logs: ContainerLogs,
    registry: Registry,
    rng: Rng,
    alloc: Allocators,
    now: Timestamp,
    /// Who the kubeconfig's user is (name, groups): every request is theirs unless it
    /// impersonates someone.
    admin: (String, Vec<String>),
    /// Whom the request being served is from (the reviews answer for them).
    user: Option<auth::User>,
    /// Warnings admission raised while serving the request (PodSecurity's warn mode).
    pub(crate) warnings: Vec<String>,
    /// When Events expire (`--event-ttl`).
    event_leases: ttl::EventLeases,
}

impl ApiServer {
    /// A server with an empty store; `seed` drives uids, generated names and allocations.
    pub fn new(seed: u64, now: Timestamp) -> Self {
        ApiServer::with_store(seed, now, Store::new())
    }

    /// A server over a given store (tests use a small watch log to see compaction).
    pub fn with_store(seed: u64, now: Timestamp, mut store: Store) -> Self {
        store.index_field("pods", "spec.nodeName");
        let admin = ("kubernetes-admin".to_string(), vec!["kubeadm:cluster-admins".to_string(), "system:authenticated".to_string()]);
        ApiServer { store, logs: Default::default(), registry: Registry::builtin(), rng: Rng::seeded(seed), alloc: Allocators::default(), now, admin, user: None, warnings: Vec::new(), event_leases: Default::default() }
    }

    /// Runs `f` with the server's randomness set aside: what it creates takes uids from a
    /// sequence of its own (`seed`), and later requests draw as if it had not run.
    pub fn aside<R>(&mut self, seed: u64, f: impl FnOnce(&mut ApiServer) -> R) -> R {
        let saved = std::mem::replace(&mut self.rng, Rng::seeded(seed));
        let r = f(self);
        self.rng = saved;
        r
    }

    /// Tells the server what time it is (the simulation clock moves it).
    pub fn set_time(&mut self, now: Timestamp) {
        if now > self.now {
            // What was written so far was written at the time before.
            self.event_leases.note_writes(&self.store, self.now);
            self.now = now;
            self.event_leases.expire(&mut self.store, now);
        }
        self.now = now;
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The user every request is made as (the cluster's administrator), and their groups.
    pub fn admin_user(&self) -> (&str, &[String]) {
        (&self.admin.0, &self.admin.1)
    }

    /// Sets who the administrator is (a preset's kubeconfig user).
    pub fn set_admin_user(&mut self, name: &str, groups: &[&str]) {
        self.admin = (name.to_string(), groups.iter().map(|g| g.to_string()).collect());
    }

    /// Appends one line to a container's log (the kubelet's side of `pods/log`), written at
    /// `at`; pods are known by uid.
    pub fn append_log_line(&mut self, pod_uid: &str, container: &str, at: Timestamp, line: &str) {
        let log = &mut self.logs.entry((pod_uid.to_string(), container.to_string())).or_default().current;
        log.text.push_str(line);
        if !line.ends_with('\n') {
            log.text.push('\n');
        }
        log.stamps.push_back(at);
        // Like the kubelet's log rotation, only the newest part is kept (whole lines).
        while log.text.len() > MAX_LOG_BYTES {
            let cut = log.text.find('\n').map_or(log.text.len(), |i| i + 1);
            log.text.drain(..cut);
            log.stamps.pop_front();
        }
    }

    /// A container was replaced: its log becomes the previous one (`kubectl logs --previous`).
    pub fn rotate_log(&mut self, pod_uid: &str, container: &str) {
        let log = self.logs.entry((pod_uid.to_string(), container.to_string())).or_default();
        log.previous = Some(std::mem::take(&mut log.current));
    }

    /// Forgets the logs of a pod that no longer exists.
    pub fn drop_logs(&mut self, pod_uid: &str) {
        self.logs.retain(|(uid, _), _| uid != pod_uid);
    }

    /// Read-only access to the store, for views that render state. Writes go through `handle`.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Every stored object of a built-in resource, ordered by namespace and name, with the
    /// cells its Table row would have now: what a view that redraws several times a second
    /// reads, as a controller reads its cache. A Table response copies each object's metadata
    /// into its row; this shares the stored objects.
    pub fn table_rows(&self, group: &str, version: &str, resource: &str) -> Vec<(std::sync::Arc<Value>, Vec<Value>)> {
        self.table_rows_where(group, version, resource, |_| true).into_iter().map(|(o, cells)| (o, cells.unwrap_or_default())).collect()
    }

    /// [`ApiServer::table_rows`], with cells only for the objects `wanted` asks them for (a
    /// view that kept the rows of objects unchanged since it last looked).
    pub fn table_rows_where(&self, group: &str, version: &str, resource: &str, mut wanted: impl FnMut(&std::sync::Arc<Value>) -> bool) -> Vec<(std::sync::Arc<Value>, Option<Vec<Value>>)> {
        let Some(info) = self.registry.get(group, version, resource) else { return Vec::new() };
        self.store
            .scan(&info.storage, None, &crate::store::Selection::All, None)
            .map(|s| {
                let obj = handlers::in_version_shared(&info, &s.object);
                let cells = wanted(&obj).then(|| info.strategy.table_cells(&obj, self.now));
                (obj, cells)
            })
            .collect()
    }

    /// Serves what the stored CustomResourceDefinitions define (after a write to one, or
    /// when a store is restored).
    pub fn sync_custom_resources(&mut self) {
        let crds: Vec<std::sync::Arc<Value>> = self.store.list(CRD_STORAGE, None, &crate::store::Selection::All, None).into_iter().map(|s| s.object).collect();
        self.registry.set_custom(&crds);
    }

    /// Handles one request. Never panics on any input; every failure is a `Status`.
    ///
    /// A dry run leaves everything as it was, the seeded randomness included (the uid and
    /// generated name it shows are not taken from what later requests get), so looking never
    /// changes what happens next: the editor checks manifests with dry runs that are not part
    /// of a playground's journal.
    pub fn handle(&mut self, req: &Request) -> Response {
        let saved = req.params("dryRun").next().is_some().then(|| self.rng.clone());
        self.warnings.clear();
        let mut resp = match self.authenticate(req).and_then(|user| {
            self.user = Some(user);
            self.dispatch(req)
        }) {
            Ok(resp) => resp,
            Err(e) => error_response(&e),
        };
        for w in std::mem::take(&mut self.warnings) {
            resp.add_warning(&w);
        }
        self.user = None;
        if let Some(rng) = saved {
            self.rng = rng;
        }
        self.event_leases.note_writes(&self.store, self.now);
        resp
    }

    /// Whom a request at the door is from, once they may make it: the kubeconfig's user, or
    /// whom they impersonate (who must be authorized for it).
    fn authenticate(&self, req: &Request) -> Result<auth::User, ApiError> {
        // A bearer token (the scheme in any case) names its service account; any other
        // credentials (Basic, which v1.33 no longer reads) are refused.
        let requester = match req.header("authorization").map(|h| h.trim().split_once(' ')) {
            Some(Some((scheme, token))) if scheme.eq_ignore_ascii_case("bearer") => auth::token_user(&self.store, token.trim(), self.now).ok_or(ApiError::Unauthorized)?,
            Some(_) => return Err(ApiError::Unauthorized),
            None => auth::User { name: self.admin.0.clone(), groups: self.admin.1.clone() },
        };
        let user = auth::user_of(&self.store, &requester, req)?;
        // The cluster's own administrator may do anything; anyone else is authorized.
        let admin = user.name == self.admin.0 && user.groups == self.admin.1;
        if !admin {
            let route = route::route(req);
            let a = auth::attributes_of(&user, req, &route);
            let d = auth::authorize(&self.store, &a);
            if !d.allowed {
                return Err(auth::forbidden(&a, &d.reason));
            }
        }
        Ok(user)
    }

    /// Whether the request being served came through the door (someone reads its warnings),
    /// not from an in-process caller.
    pub(crate) fn at_door(&self) -> bool {
        self.user.is_some()
    }

    /// Whom the request being served is from.
    pub fn requester(&self) -> auth::User {
        self.user.clone().unwrap_or_else(|| auth::User { name: self.admin.0.clone(), groups: self.admin.1.clone() })
    }

    fn dispatch(&mut self, req: &Request) -> Result<Response, ApiError> {
        let route = route::route(req);
        if let Some(resp) = self.aggregated(req, &route) {
            return resp;
        }
        match route {
            Route::Version => Ok(discovery::version()),
            Route::Health(_) => Ok(Response::text(200, "ok".into())),
            Route::CoreVersions => Ok(discovery::core_versions()),
            Route::Groups => Ok(discovery::groups(&self.registry, &aggregator::groups(&self.store))),
            Route::Group(g) => discovery::group(&self.registry, &aggregator::groups(&self.store), &g).ok_or(ApiError::NoRoute),
            Route::GroupVersion { group, version } => discovery::group_version(&self.registry, &group, &version).ok_or(ApiError::NoRoute),
            Route::Resource(r) => handlers::handle(self, req, &r),
            r @ (Route::OpenApiV2 | Route::OpenApiV3Root | Route::OpenApiV3(_)) => Ok(openapi_document(self, &r, req)),
            Route::NotFound => Ok(Response::text(404, "404 page not found\n".into())),
        }
    }

    /// Serves a read (GET of discovery, an object or a list) without changing anything; other
    /// requests are refused. Views use it to render state.
    pub fn read(&self, req: &Request) -> Response {
        let route = route::route(req);
        if let Some(resp) = self.aggregated(req, &route) {
            return resp.unwrap_or_else(|e| error_response(&e));
        }
        let result = match route {
            Route::Version => Ok(discovery::version()),
            Route::CoreVersions => Ok(discovery::core_versions()),
            Route::Groups => Ok(discovery::groups(&self.registry, &aggregator::groups(&self.store))),
            Route::Group(g) => discovery::group(&self.registry, &aggregator::groups(&self.store), &g).ok_or(ApiError::NoRoute),
            Route::GroupVersion { group, version } => discovery::group_version(&self.registry, &group, &version).ok_or(ApiError::NoRoute),
            Route::Resource(r) => handlers::read_only(self, req, &r),
            Route::Health(_) => Ok(Response::text(200, "ok".into())),
            r @ (Route::OpenApiV2 | Route::OpenApiV3Root | Route::OpenApiV3(_)) => Ok(openapi_document(self, &r, req)),
            Route::NotFound => Ok(Response::text(404, "404 page not found\n".into())),
        };
        result.unwrap_or_else(|e| error_response(&e))
    }

    /// The answer to a request for a group version an APIService hands to a Service (its
    /// discovery document or its resources), or `None` for everything else.
    fn aggregated(&self, req: &Request, route: &Route) -> Option<Result<Response, ApiError>> {
        let (group, version, r) = match route {
            Route::GroupVersion { group, version } => (group.as_str(), version.as_str(), None),
            Route::Resource(r) if !r.group.is_empty() => (r.group.as_str(), r.version.as_str(), Some(r)),
            _ => return None,
        };
        if self.registry.get_group_version(group, version) {
            return None;
        }
        let a = aggregator::find(&self.store, group, version)?;
        Some(aggregator::proxy(self, req, &a, r))
    }

    /// A shorthand for in-process callers: the JSON body of a successful response, or the error.
    pub fn call(&mut self, req: &Request) -> Result<Value, ApiError> {
        let resp = self.dispatch(req);
        self.event_leases.note_writes(&self.store, self.now);
        // In-process callers (controllers, the kubelets) see no warnings.
        self.warnings.clear();
        Ok(resp?.into_value().unwrap_or(Value::Null))
    }
}

impl ApiServer {
    /// Keeps every quota's `status` in a namespace equal to a fresh count (as the quota
    /// admission and controller do), after a write that may change usage.
    pub(crate) fn refresh_quotas(&mut self, ns: &str) {
        if ns.is_empty() || self.store.count("resourcequotas", Some(ns)) == 0 {
            return;
        }
        for (name, status) in admission::quota::refreshed_statuses(&self.store, ns) {
            if let Some(current) = self.store.get("resourcequotas", ns, &name) {
                let mut next = (*current.object).clone();
                next["status"] = status;
                let _ = self.store.update("resourcequotas", ns, &name, next, Some(current.resource_version));
            }
        }
    }
}

/// The response for an error: its `Status` with the status code.
pub fn error_response(e: &ApiError) -> Response {
    Response::object(e.code(), e.to_status())
}

/// The OpenAPI documents clients read (`kubectl explain`; the real kubectl's client-side
/// validation): v3 documents of the built-in group versions and of the CRDs' served versions.
/// The protobuf form of v2 only a build for real clients (feature `wire`) writes.
fn openapi_document(server: &ApiServer, route: &route::Route, req: &Request) -> Response {
    let crd = |name: &str| server.store.get(CRD_STORAGE, "", name).map(|s| s.object);
    let doc = match route {
        route::Route::OpenApiV2 => return openapi::v2(req.header("accept")),
        route::Route::OpenApiV3Root => Some(openapi::root(&server.registry)),
        route::Route::OpenApiV3(key) => openapi::group_version(&server.registry, &crd, key),
        _ => None,
    };
    match doc {
        Some(doc) => Response::object(200, doc),
        None => Response::text(404, "404 page not found\n".into()),
    }
}
