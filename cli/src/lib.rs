//! The native side of Hakoniwa: scripts of kubectl commands run against an in-process cluster
//! (`hakoniwa script`, the scenario tests), and the lessons read from disk (`hakoniwa lessons check`). The `hakoniwa` binary adds `serve`.

pub mod lessons;
pub mod script;
