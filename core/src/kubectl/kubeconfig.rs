//! The kubeconfig kubectl works from: contexts naming a cluster, a user and a namespace.

use crate::sort::Order;

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
    /// The clusters the kubeconfig defines, by name (all at `server`).
    pub clusters: Vec<String>,
    /// The users the kubeconfig defines, by name (the cluster's own with a client certificate).
    pub users: Vec<String>,
    /// Bearer tokens of users (`kubectl config set-credentials NAME --token=...`).
    pub tokens: Vec<(String, String)>,
    /// Users with no credentials at all (`set-credentials NAME` alone).
    pub bare: Vec<String>,
    pub current: String,
    /// Where the clusters' API servers are (kind publishes its API on a localhost port).
    pub server: String,
}

/// What `kubectl config set-context` changes: only what was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextChange {
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

impl KubeConfig {
    /// What `kind create cluster` or `minikube start` writes: one context, cluster and user of
    /// the same name.
    pub fn single(name: &str) -> KubeConfig {
        KubeConfig {
            contexts: vec![Context { name: name.into(), cluster: name.into(), user: name.into(), namespace: None }],
            clusters: vec![name.into()],
            users: vec![name.into()],
            tokens: Vec::new(),
            bare: Vec::new(),
            current: name.into(),
            server: "https://127.0.0.1:6443".into(),
        }
    }
    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == name)
    }
    pub fn current_context(&self) -> Option<&Context> {
        self.context(&self.current)
    }
    /// The bearer token the current context's user sends, if it has one.
    pub fn current_token(&self) -> Option<&str> {
        let user = &self.current_context()?.user;
        self.tokens.iter().find(|(u, _)| u == user).map(|(_, t)| t.as_str())
    }

    /// `kubectl config set-credentials NAME [--token=T]`: the user, created if new; a token
    /// replaces its credentials.
    pub fn set_credentials(&mut self, name: &str, token: Option<&str>) {
        if !self.users.iter().any(|u| u == name) {
            self.users.push(name.into());
            if token.is_none() {
                self.bare.push(name.into());
            }
        }
        if let Some(t) = token {
            self.bare.retain(|u| u != name);
            self.tokens.retain(|(u, _)| u != name);
            self.tokens.push((name.into(), t.into()));
        }
    }

    /// The namespace commands use when `-n` is not given.
    pub fn namespace(&self) -> &str {
        self.current_context().and_then(|c| c.namespace.as_deref()).filter(|n| !n.is_empty()).unwrap_or("default")
    }
    /// The contexts by name, as kubectl lists them (a kubeconfig keeps them in a map).
    pub fn sorted_contexts(&self) -> Vec<&Context> {
        let mut all: Vec<&Context> = self.contexts.iter().collect();
        all.order_by(|a, b| a.name.cmp(&b.name));
        all
    }
    /// `kubectl config set-context NAME`: changes what was given, creating the context (with
    /// no cluster, user or namespace) if there is none of that name. Whether it existed.
    pub fn set_context(&mut self, name: &str, change: ContextChange) -> bool {
        let exists = self.context(name).is_some();
        if !exists {
            self.contexts.push(Context { name: name.into(), cluster: String::new(), user: String::new(), namespace: None });
        }
        if let Some(c) = self.contexts.iter_mut().find(|c| c.name == name) {
            if let Some(cluster) = change.cluster {
                c.cluster = cluster;
            }
            if let Some(user) = change.user {
                c.user = user;
            }
            if change.namespace.is_some() {
                c.namespace = change.namespace;
            }
        }
        exists
    }
}

/// A JSON value whose object keys keep the order they were given in (kubectl prints the
/// kubeconfig in its Go structs' field order).
enum Ordered {
    Str(String),
    Object(Vec<(&'static str, Ordered)>),
    Array(Vec<Ordered>),
}

impl Ordered {
    fn str(s: &str) -> Ordered {
        Ordered::Str(s.to_string())
    }
    fn to_value(&self) -> serde_json::Value {
        match self {
            Ordered::Str(s) => serde_json::Value::String(s.clone()),
            Ordered::Object(fields) => serde_json::Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.to_value())).collect()),
            Ordered::Array(items) => serde_json::Value::Array(items.iter().map(Ordered::to_value).collect()),
        }
    }
    /// Go's `json.MarshalIndent` with four spaces, as `kubectl config view -o json` prints.
    fn write_json(&self, depth: usize, out: &mut String) {
        let pad = "    ".repeat(depth + 1);
        let end = "    ".repeat(depth);
        match self {
            Ordered::Str(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
            Ordered::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Ordered::Array(items) if items.is_empty() => out.push_str("[]"),
            Ordered::Object(fields) => {
                out.push_str("{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    out.push_str(&format!("{pad}{k:?}: "));
                    v.write_json(depth + 1, out);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                out.push_str(&end);
                out.push('}');
            }
            Ordered::Array(items) => {
                out.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    out.push_str(&pad);
                    v.write_json(depth + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&end);
                out.push(']');
            }
        }
    }
}

impl KubeConfig {
    /// `kubectl config view` in the v1 Config's field order: credentials shown as
    /// `DATA+OMITTED`, clusters, users and contexts by name (all of them, or with `minify` only
    /// the current context and what it names).
    fn ordered_view(&self, minify: bool) -> Ordered {
        let current = self.current_context();
        let mut clusters: Vec<&String> = self.clusters.iter().filter(|c| !minify || current.is_some_and(|x| &x.cluster == *c)).collect();
        clusters.order();
        clusters.dedup();
        let mut users: Vec<&String> = self.users.iter().filter(|u| !minify || current.is_some_and(|x| &x.user == *u)).collect();
        users.order();
        users.dedup();
        let contexts: Vec<&Context> = self.sorted_contexts().into_iter().filter(|c| !minify || c.name == self.current).collect();
        let omitted = || Ordered::str("DATA+OMITTED");
        Ordered::Object(vec![
            ("kind", Ordered::str("Config")),
            ("apiVersion", Ordered::str("v1")),
            ("preferences", Ordered::Object(vec![])),
            ("clusters", Ordered::Array(clusters.iter().map(|c| Ordered::Object(vec![("name", Ordered::str(c)), ("cluster", Ordered::Object(vec![("server", Ordered::str(&self.server)), ("certificate-authority-data", omitted())]))])).collect())),
            ("users", Ordered::Array(users.iter().map(|u| Ordered::Object(vec![("name", Ordered::str(u)), ("user", self.credentials_view(u))])).collect())),
            (
                "contexts",
                Ordered::Array(
                    contexts
                        .iter()
                        .map(|c| {
                            let mut ctx = vec![("cluster", Ordered::str(&c.cluster)), ("user", Ordered::str(&c.user))];
                            if let Some(ns) = c.namespace.as_deref().filter(|n| !n.is_empty()) {
                                ctx.push(("namespace", Ordered::str(ns)));
                            }
                            Ordered::Object(vec![("name", Ordered::str(&c.name)), ("context", Ordered::Object(ctx))])
                        })
                        .collect(),
                ),
            ),
            ("current-context", Ordered::str(&self.current)),
        ])
    }

    /// What `config view` shows of a user's credentials (secrets redacted).
    fn credentials_view(&self, user: &str) -> Ordered {
        if self.tokens.iter().any(|(u, _)| u == user) {
            Ordered::Object(vec![("token", Ordered::str("REDACTED"))])
        } else if self.bare.iter().any(|u| u == user) {
            Ordered::Object(vec![])
        } else {
            Ordered::Object(vec![("client-certificate-data", Ordered::str("DATA+OMITTED")), ("client-key-data", Ordered::str("DATA+OMITTED"))])
        }
    }

    /// `kubectl config view`: the kubeconfig as a value (for YAML and templates).
    pub fn view(&self, minify: bool) -> serde_json::Value {
        self.ordered_view(minify).to_value()
    }

    /// `kubectl config view -o json`.
    pub fn view_json(&self, minify: bool) -> String {
        let mut out = String::new();
        self.ordered_view(minify).write_json(0, &mut out);
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_context_changes_only_what_is_given() {
        let mut c = KubeConfig::single("kind-kind");
        assert!(!c.set_context("dev", ContextChange { cluster: Some("kind-kind".into()), user: Some("kind-kind".into()), namespace: Some("dev".into()) }));
        assert!(c.set_context("dev", ContextChange { user: Some("bob".into()), ..ContextChange::default() }));
        let dev = c.context("dev").cloned();
        assert_eq!(dev, Some(Context { name: "dev".into(), cluster: "kind-kind".into(), user: "bob".into(), namespace: Some("dev".into()) }));
        assert_eq!(c.sorted_contexts().iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["dev", "kind-kind"]);
    }

    #[test]
    fn view_json_keeps_go_field_order() {
        let c = KubeConfig::single("kind-kind");
        let json = c.view_json(false);
        assert!(json.starts_with("{\n    \"kind\": \"Config\",\n    \"apiVersion\": \"v1\",\n    \"preferences\": {},\n    \"clusters\": [\n        {\n            \"name\": \"kind-kind\",\n"), "{json}");
        assert!(json.ends_with("    \"current-context\": \"kind-kind\"\n}\n"), "{json}");
    }
}
