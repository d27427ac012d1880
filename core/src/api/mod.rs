//! Shared API vocabulary: object keys, time formats as Kubernetes prints them.

pub mod duration;
pub mod meta;
