//! Allocators the API server owns: Service cluster IPs from the service CIDR and node ports
//! from their range. Choices use the server's seeded RNG, so they repeat with the seed.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::sim::rng::Rng;

/// Why an allocation failed, in the words Kubernetes uses after `Invalid value: ...: `.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AllocError {
    #[error("provided IP is already allocated")]
    IpInUse,
    #[error("provided IP is not in the valid range. The range of valid IPs is {0}")]
    IpOutOfRange(String),
    #[error("range is full")]
    IpRangeFull,
    #[error("provided port is already allocated")]
    PortInUse,
    #[error("provided port is not in the valid range. The range of valid ports is {0}")]
    PortOutOfRange(String),
    #[error("range is full")]
    PortRangeFull,
}

#[derive(Clone, Debug)]
pub struct Allocators {
    /// Service CIDR base and prefix length (kind: 10.96.0.0/16).
    service_base: u32,
    service_prefix: u8,
    used_ips: BTreeSet<u32>,
    node_port_min: u16,
    node_port_max: u16,
    used_ports: BTreeSet<u16>,
}

impl Default for Allocators {
    fn default() -> Self {
        Allocators::new(Ipv4Addr::new(10, 96, 0, 0), 16, 30000, 32767)
    }
}

impl Allocators {
    pub fn new(service_base: Ipv4Addr, prefix: u8, node_port_min: u16, node_port_max: u16) -> Self {
        Allocators {
            service_base: u32::from(service_base),
            service_prefix: prefix.min(30),
            used_ips: BTreeSet::new(),
            node_port_min,
            node_port_max,
            used_ports: BTreeSet::new(),
        }
    }

    pub fn service_cidr(&self) -> String {
        format!("{}/{}", Ipv4Addr::from(self.service_base), self.service_prefix)
    }

    fn ip_range(&self) -> (u32, u32) {
        let size = 1u32 << (32 - self.service_prefix);
        // The network address and the broadcast address are never handed out.
        (self.service_base + 1, self.service_base + size - 2)
    }

    /// Takes a specific cluster IP.
    pub fn take_ip(&mut self, ip: Ipv4Addr) -> Result<(), AllocError> {
        let n = u32::from(ip);
        let (lo, hi) = self.ip_range();
        if n < lo || n > hi {
            return Err(AllocError::IpOutOfRange(self.service_cidr()));
        }
        if !self.used_ips.insert(n) {
            return Err(AllocError::IpInUse);
        }
        Ok(())
    }

    /// Picks a free cluster IP at random.
    pub fn next_ip(&mut self, rng: &mut Rng) -> Result<Ipv4Addr, AllocError> {
        let (lo, hi) = self.ip_range();
        let count = (hi - lo + 1) as u64;
        if self.used_ips.len() as u64 >= count {
            return Err(AllocError::IpRangeFull);
        }
        let start = lo + rng.below(count) as u32;
        // Walk forward from a random point to the first free address.
        let mut n = start;
        loop {
            if !self.used_ips.contains(&n) {
                self.used_ips.insert(n);
                return Ok(Ipv4Addr::from(n));
            }
            n = if n == hi { lo } else { n + 1 };
        }
    }

    pub fn release_ip(&mut self, ip: Ipv4Addr) {
        self.used_ips.remove(&u32::from(ip));
    }

    pub fn take_port(&mut self, port: u16) -> Result<(), AllocError> {
        if port < self.node_port_min || port > self.node_port_max {
            return Err(AllocError::PortOutOfRange(format!("{}-{}", self.node_port_min, self.node_port_max)));
        }
        if !self.used_ports.insert(port) {
            return Err(AllocError::PortInUse);
        }
        Ok(())
    }

    pub fn next_port(&mut self, rng: &mut Rng) -> Result<u16, AllocError> {
        let count = (self.node_port_max - self.node_port_min) as u64 + 1;
        if self.used_ports.len() as u64 >= count {
            return Err(AllocError::PortRangeFull);
        }
        let mut p = self.node_port_min + rng.below(count) as u16;
        loop {
            if self.used_ports.insert(p) {
                return Ok(p);
            }
            p = if p == self.node_port_max { self.node_port_min } else { p + 1 };
        }
    }

    pub fn release_port(&mut self, port: u16) {
        self.used_ports.remove(&port);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_without_collisions_and_repeats_with_the_seed() {
        let mut a = Allocators::default();
        let mut rng = Rng::seeded(1);
        a.take_ip(Ipv4Addr::new(10, 96, 0, 1)).unwrap();
        assert_eq!(a.take_ip(Ipv4Addr::new(10, 96, 0, 1)), Err(AllocError::IpInUse));
        assert!(matches!(a.take_ip(Ipv4Addr::new(10, 97, 0, 1)), Err(AllocError::IpOutOfRange(_))));
        let ip = a.next_ip(&mut rng).unwrap();
        let mut b = Allocators::default();
        b.take_ip(Ipv4Addr::new(10, 96, 0, 1)).unwrap();
        assert_eq!(b.next_ip(&mut Rng::seeded(1)).unwrap(), ip);
        assert_eq!(a.take_port(80).unwrap_err().to_string(), "provided port is not in the valid range. The range of valid ports is 30000-32767");
        let p = a.next_port(&mut rng).unwrap();
        assert_eq!(a.take_port(p), Err(AllocError::PortInUse));
        a.release_port(p);
        assert!(a.take_port(p).is_ok());
    }
}
