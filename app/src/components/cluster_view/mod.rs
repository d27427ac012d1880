//! The live picture of the cluster.

mod inspector;
mod node_list;
mod pods;
mod services;

pub use node_list::NodeList;
pub use pods::NodesWithPods;
