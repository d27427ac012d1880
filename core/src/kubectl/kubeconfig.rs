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
}

impl KubeConfig {
    /// What `kind create cluster` or `minikube start` writes: one context, cluster and user of
    /// the same name.
    pub fn single(name: &str) -> KubeConfig {
        KubeConfig { contexts: vec![Context { name: name.into(), cluster: name.into(), user: name.into(), namespace: None }], current: name.into() }
    }
    pub fn current_context(&self) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == self.current)
    }
    /// The namespace commands use when `-n` is not given.
    pub fn namespace(&self) -> &str {
        self.current_context().and_then(|c| c.namespace.as_deref()).filter(|n| !n.is_empty()).unwrap_or("default")
    }
}
