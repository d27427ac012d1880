//! The live cluster view.

mod node_list;

pub use node_list::NodeList;
