//! The simulation: virtual time and seeded randomness (the event queue joins them later).

pub mod clock;
pub mod rng;
