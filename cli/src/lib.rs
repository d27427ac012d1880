//! The native side of Hakoniwa: scripts of kubectl commands run against an in-process cluster
//! (`hakoniwa script`, the scenario tests). The `hakoniwa` binary adds `serve`.

pub mod script;
