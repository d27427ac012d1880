//! One strategy per kind: defaults, validation, status and generation rules, tables and field
//! selectors. Kinds without special rules use the generic strategy.

mod namespace;
mod node;

use super::strategy::{Generic, Strategy};

/// The strategy for a kind of a group.
pub fn strategy_for(group: &str, kind: &str) -> &'static dyn Strategy {
    match (group, kind) {
        ("", "Namespace") => &namespace::NamespaceStrategy,
        ("", "Node") => &node::NodeStrategy,
        _ => &Generic,
    }
}
