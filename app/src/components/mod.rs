//! UI components, one folder per panel.

pub mod cluster_view;
