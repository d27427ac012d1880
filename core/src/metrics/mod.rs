//! Resource metrics: what simulated containers and nodes use ([`usage`]) and the
//! metrics-server that serves it as `metrics.k8s.io/v1beta1` ([`server`]) once a learner has
//! installed it. `kubectl top` reads it; the autoscalers will.

pub mod server;
pub mod usage;
