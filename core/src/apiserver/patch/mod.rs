//! The three patch formats Kubernetes accepts: JSON patch (RFC 6902), JSON merge patch
//! (RFC 7386) and strategic merge patch (merge keys and directives from the Go types).

pub mod json_patch;
pub mod merge;
pub mod strategic;

/// Patches nest no deeper than this (wasm's stack is small).
pub const MAX_DEPTH: usize = 100;
