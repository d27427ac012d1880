pub mod clock;
pub mod cluster_view;
pub mod terminal;
