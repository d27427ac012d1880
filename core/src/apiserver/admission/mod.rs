//! Admission that spans kinds (the per-kind mutating plugins live in each kind's `admit`).

pub mod limits;
pub mod podsecurity;
pub mod quota;
pub mod resize;
