//! One strategy per kind: defaults, validation, status and generation rules, tables and field
//! selectors. Kinds without special rules use the generic strategy.

mod config;
mod namespace;
mod node;
mod pod;
pub mod podspec;

use super::strategy::{Generic, Strategy};

/// The strategy for a kind of a group.
pub fn strategy_for(group: &str, kind: &str) -> &'static dyn Strategy {
    match (group, kind) {
        ("", "Namespace") => &namespace::NamespaceStrategy,
        ("", "Node") => &node::NodeStrategy,
        ("", "Pod") => &pod::PodStrategy,
        ("", "ConfigMap") => &config::ConfigMapStrategy,
        ("", "Secret") => &config::SecretStrategy,
        ("", "ServiceAccount") => &config::ServiceAccountStrategy,
        _ => &Generic,
    }
}
