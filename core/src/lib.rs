//! Hakoniwa's simulated Kubernetes cluster.
//!
//! This crate is pure and deterministic: no browser APIs, no wall clock, no global randomness
//! and no IO. It builds for `wasm32-unknown-unknown` and for the host, where it is tested.

pub mod api;
pub mod apiserver;
pub mod bench;
pub mod cluster;
pub mod kubectl;
pub mod kubelet;
pub mod lessons;
pub mod metrics;
pub mod network;
pub mod playground;
pub mod controllers;
pub mod scheduler;
pub mod schema;
pub mod sim;
pub mod sort;
pub mod store;
pub mod terminal;

pub use cluster::{view::IngressRow, view::PodRow, view::ServiceRow, Cluster, ClusterError, NodeRow};
pub use sim::clock::{Duration, Timestamp};
