//! The ClusterRole aggregation controller: a ClusterRole with an `aggregationRule` (the
//! defaults `admin`, `edit` and `view`) holds the rules of every ClusterRole its selectors
//! match, in name order, each rule once — so a ClusterRole labelled
//! `rbac.authorization.k8s.io/aggregate-to-view: "true"` adds to what `view` grants.

use std::sync::Arc;

use serde_json::Value;

use crate::api::labels::Selector;
use crate::apiserver::auth::rbac::CLUSTER_ROLES;
use crate::sort::Order;

use super::{Client, Controller};

#[derive(Default)]
pub struct ClusterRoleAggregationController {
    /// The ClusterRoles as last seen (count and newest resourceVersion): nothing to do while
    /// they stay the same.
    seen: Option<(usize, String)>,
}

impl Controller for ClusterRoleAggregationController {
    fn name(&self) -> &'static str {
        "clusterrole-aggregation-controller"
    }

    fn sync(&mut self, c: &mut Client) {
        let mut roles: Vec<Arc<Value>> = c.list(CLUSTER_ROLES, None);
        let newest = roles.iter().filter_map(|r| r["metadata"]["resourceVersion"].as_str()).max_by_key(|rv| (rv.len(), rv.to_string())).unwrap_or_default().to_string();
        let state = (roles.len(), newest);
        if self.seen.as_ref() == Some(&state) {
            return;
        }
        self.seen = Some(state);
        roles.order_by_key(|r| r["metadata"]["name"].as_str().unwrap_or_default().to_string());
        for role in roles.iter().filter(|r| r["aggregationRule"]["clusterRoleSelectors"].is_array()) {
            let selectors: Vec<Selector> = role["aggregationRule"]["clusterRoleSelectors"].as_array().into_iter().flatten().filter_map(|s| Selector::from_label_selector(s).ok()).collect();
            let mut rules: Vec<Value> = Vec::new();
            for other in &roles {
                if other["metadata"]["name"] == role["metadata"]["name"] {
                    continue;
                }
                let labels = other["metadata"]["labels"].as_object();
                if !selectors.iter().any(|s| s.matches(labels)) {
                    continue;
                }
                for rule in other["rules"].as_array().into_iter().flatten() {
                    if !rules.contains(rule) {
                        rules.push(rule.clone());
                    }
                }
            }
            let current: Vec<Value> = role["rules"].as_array().cloned().unwrap_or_default();
            if current != rules {
                let mut next = (**role).clone();
                next["rules"] = Value::Array(rules);
                let _ = c.update("rbac.authorization.k8s.io/v1", "clusterroles", next);
            }
        }
    }
}
