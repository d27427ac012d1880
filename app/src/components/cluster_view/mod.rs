//! The live picture of the cluster.

mod forwards;
mod inspector;
mod node_list;
mod pods;
mod services;

pub use forwards::ForwardedPorts;
pub use node_list::NodeList;
pub use pods::NodesWithPods;
