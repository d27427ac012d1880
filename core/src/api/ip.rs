//! IP addresses and CIDRs checked the strict way Kubernetes 1.33 checks them, with its
//! messages.

use std::net::{IpAddr, Ipv4Addr};

pub const IP_FORMAT_MSG: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
pub const CIDR_FORMAT_MSG: &str = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

fn has_leading_zero_v4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit())) && parts.iter().any(|p| p.len() > 1 && p.starts_with('0'))
}

/// The messages for a string that should be an IP address (empty when valid).
pub fn validate_ip(s: &str) -> Vec<String> {
    if has_leading_zero_v4(s) {
        return vec!["must not have leading 0s".to_string()];
    }
    match s.parse::<IpAddr>() {
        Err(_) => vec![IP_FORMAT_MSG.to_string()],
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some() => vec!["must not be an IPv4-mapped IPv6 address".to_string()],
        Ok(ip) if ip.to_string() != s => vec![format!("must be in canonical form ({})", crate::api::field::go_quote(&ip.to_string()))],
        Ok(_) => Vec::new(),
    }
}

/// The messages for an IP that may not be special (externalIPs, endpoints).
pub fn validate_endpoint_ip(ip: &IpAddr) -> Vec<String> {
    let mut errs = Vec::new();
    if ip.is_unspecified() {
        errs.push(format!("may not be unspecified ({ip})"));
    }
    if ip.is_loopback() {
        errs.push("may not be in the loopback range (127.0.0.0/8, ::1/128)".to_string());
    }
    let link_local = match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    if link_local {
        errs.push("may not be in the link-local range (169.254.0.0/16, fe80::/10)".to_string());
    }
    let ll_multicast = match ip {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] == 0xff02,
    };
    if ll_multicast {
        errs.push("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)".to_string());
    }
    errs
}

/// The messages for a string that should be a CIDR (empty when valid).
pub fn validate_cidr(s: &str) -> Vec<String> {
    let Some((ip, prefix)) = s.split_once('/') else { return vec![CIDR_FORMAT_MSG.to_string()] };
    if has_leading_zero_v4(ip) || (prefix.len() > 1 && prefix.starts_with('0')) {
        return vec!["must not have leading 0s in IP or prefix length".to_string()];
    }
    let (Ok(addr), Ok(bits)) = (ip.parse::<IpAddr>(), prefix.parse::<u8>()) else {
        return vec![CIDR_FORMAT_MSG.to_string()];
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if bits > max {
        return vec![CIDR_FORMAT_MSG.to_string()];
    }
    if let IpAddr::V4(v4) = addr {
        let n = u32::from(v4);
        let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
        if n & !mask != 0 {
            return vec!["must not have bits set beyond the prefix length".to_string()];
        }
        let canonical = format!("{}/{bits}", Ipv4Addr::from(n));
        if canonical != s {
            return vec![format!("must be in canonical form ({})", crate::api::field::go_quote(&canonical))];
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_and_cidrs() {
        assert!(validate_ip("10.0.0.1").is_empty());
        assert_eq!(validate_ip("10.0.0.256"), [IP_FORMAT_MSG]);
        assert_eq!(validate_ip("010.0.0.1"), ["must not have leading 0s"]);
        assert_eq!(validate_ip("xxx.xxx.xxx.xxx"), [IP_FORMAT_MSG]);
        assert!(validate_cidr("10.0.0.0/8").is_empty());
        assert_eq!(validate_cidr("10.0.0.1/8"), ["must not have bits set beyond the prefix length"]);
        assert_eq!(validate_cidr("nope"), [CIDR_FORMAT_MSG]);
        assert_eq!(validate_endpoint_ip(&"127.0.0.1".parse().unwrap()), ["may not be in the loopback range (127.0.0.0/8, ::1/128)"]);
    }
}
