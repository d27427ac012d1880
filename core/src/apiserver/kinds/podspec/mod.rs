//! The pod spec, shared by Pods and every pod template (ReplicaSet, Deployment, DaemonSet,
//! StatefulSet, Job, CronJob, ReplicationController, PodTemplate): its defaults and validation.

pub mod defaults;
pub mod validation;
pub mod warnings;
