//! Shared API vocabulary: names of types and objects, field errors, `Status` errors, and time
//! formats as Kubernetes prints them.

pub mod base64;
pub mod cron;
pub mod duration;
pub mod field;
pub mod ip;
pub mod jwt;
pub mod labels;
pub mod meta;
pub mod object;
pub mod quantity;
pub mod regex;
pub mod sha256;
pub mod status;
