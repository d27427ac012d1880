//! The kubeconfig kubectl works from: contexts naming a cluster, a user and a namespace.

/// One context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub cluster: String,
    pub user: String,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeConfig {
    pub contexts: Vec<Context>,
    pub current: String,
    /// Where the clusters' API servers are (kind publishes its API on a localhost port).
    pub server: String,
}

impl KubeConfig {
    /// What `kind create cluster` or `minikube start` writes: one context, cluster and user of
    /// the same name.
    pub fn single(name: &str) -> KubeConfig {
        KubeConfig { contexts: vec![Context { name: name.into(), cluster: name.into(), user: name.into(), namespace: None }], current: name.into(), server: "https://127.0.0.1:6443".into() }
    }
    pub fn current_context(&self) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == self.current)
    }
    /// The namespace commands use when `-n` is not given.
    pub fn namespace(&self) -> &str {
        self.current_context().and_then(|c| c.namespace.as_deref()).filter(|n| !n.is_empty()).unwrap_or("default")
    }
}

impl KubeConfig {
    /// `kubectl config view`: the kubeconfig with credentials shown as `DATA+OMITTED` (all
    /// contexts, or only the current one with `minify`).
    pub fn view(&self, minify: bool) -> serde_json::Value {
        use serde_json::json;
        let contexts: Vec<&Context> = self.contexts.iter().filter(|c| !minify || c.name == self.current).collect();
        let mut clusters: Vec<&str> = contexts.iter().map(|c| c.cluster.as_str()).filter(|c| !c.is_empty()).collect();
        clusters.dedup();
        let mut users: Vec<&str> = contexts.iter().map(|c| c.user.as_str()).filter(|u| !u.is_empty()).collect();
        users.dedup();
        json!({
            "apiVersion": "v1",
            "clusters": clusters.iter().map(|c| json!({"cluster": {"certificate-authority-data": "DATA+OMITTED", "server": self.server}, "name": c})).collect::<Vec<_>>(),
            "contexts": contexts.iter().map(|c| {
                let mut ctx = json!({"cluster": c.cluster, "user": c.user});
                if let Some(ns) = &c.namespace {
                    ctx["namespace"] = json!(ns);
                }
                json!({"context": ctx, "name": c.name})
            }).collect::<Vec<_>>(),
            "current-context": self.current,
            "kind": "Config",
            "preferences": {},
            "users": users.iter().map(|u| json!({"name": u, "user": {"client-certificate-data": "DATA+OMITTED", "client-key-data": "DATA+OMITTED"}})).collect::<Vec<_>>(),
        })
    }
}
