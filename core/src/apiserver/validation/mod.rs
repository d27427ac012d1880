//! Validation shared by every kind: names, keys, object metadata, label selectors.

pub mod meta;
pub mod names;
pub mod selector;
