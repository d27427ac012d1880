//! One strategy per kind: defaults, validation, status and generation rules, tables and field
//! selectors. Kinds without special rules use the generic strategy.

mod apiservice;
pub mod apps;
mod batch;
mod config;
mod crd;
mod namespace;
mod networking;
mod node;
mod pod;
pub mod podspec;
pub mod policy;
mod rbac;
mod replication_controller;
mod service;
pub mod storage;
pub mod workload;

use super::strategy::{Generic, Strategy};

/// The strategy for a kind of a group.
pub fn strategy_for(group: &str, kind: &str) -> &'static dyn Strategy {
    match (group, kind) {
        ("", "Namespace") => &namespace::NamespaceStrategy,
        ("", "Node") => &node::NodeStrategy,
        ("", "Pod") => &pod::PodStrategy,
        ("", "ConfigMap") => &config::ConfigMapStrategy,
        ("", "Secret") => &config::SecretStrategy,
        ("", "ServiceAccount") => &config::ServiceAccountStrategy,
        ("", "ReplicationController") => &replication_controller::ReplicationControllerStrategy,
        ("", "PodTemplate") => &workload::PodTemplateStrategy,
        ("", "Service") => &service::ServiceStrategy,
        ("", "Endpoints") => &service::EndpointsStrategy,
        ("discovery.k8s.io", "EndpointSlice") => &service::EndpointSliceStrategy,
        ("", "PersistentVolume") => &storage::PersistentVolumeStrategy,
        ("", "PersistentVolumeClaim") => &storage::PersistentVolumeClaimStrategy,
        ("", "LimitRange") => &policy::LimitRangeStrategy,
        ("", "ResourceQuota") => &policy::ResourceQuotaStrategy,
        ("", "Event") | ("events.k8s.io", "Event") => &policy::EventStrategy,
        ("storage.k8s.io", "StorageClass") => &storage::StorageClassStrategy,
        ("networking.k8s.io", "Ingress") => &networking::IngressStrategy,
        ("networking.k8s.io", "IngressClass") => &networking::IngressClassStrategy,
        ("networking.k8s.io", "NetworkPolicy") => &networking::NetworkPolicyStrategy,
        ("rbac.authorization.k8s.io", "Role") => &rbac::RoleStrategy { namespaced: true },
        ("rbac.authorization.k8s.io", "ClusterRole") => &rbac::RoleStrategy { namespaced: false },
        ("rbac.authorization.k8s.io", "RoleBinding") => &rbac::RoleBindingStrategy { cluster: false },
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => &rbac::RoleBindingStrategy { cluster: true },
        ("policy", "PodDisruptionBudget") => &policy::PodDisruptionBudgetStrategy,
        ("scheduling.k8s.io", "PriorityClass") => &policy::PriorityClassStrategy,
        ("autoscaling", "HorizontalPodAutoscaler") => &policy::HorizontalPodAutoscalerStrategy,
        ("coordination.k8s.io", "Lease") => &policy::LeaseStrategy,
        ("certificates.k8s.io", "CertificateSigningRequest") => &policy::CertificateSigningRequestStrategy,
        ("node.k8s.io", "RuntimeClass") => &policy::RuntimeClassStrategy,
        ("apps", "Deployment") => &apps::DeploymentStrategy,
        ("apps", "ReplicaSet") => &apps::ReplicaSetStrategy,
        ("apps", "DaemonSet") => &apps::DaemonSetStrategy,
        ("apps", "StatefulSet") => &apps::StatefulSetStrategy,
        ("apps", "ControllerRevision") => &apps::ControllerRevisionStrategy,
        ("batch", "Job") => &batch::JobStrategy,
        ("batch", "CronJob") => &batch::CronJobStrategy,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => &crd::CustomResourceDefinitionStrategy,
        ("apiregistration.k8s.io", "APIService") => &apiservice::ApiServiceStrategy,
        _ => &Generic,
    }
}
