//! Where a webhook may go (SSRF guard): every address a URL's host resolves to is checked,
//! and the call is made to one checked address (so a second DNS answer cannot swap it).
//! Loopback, private and shared (CGNAT) ranges are refused unless the configuration allows
//! them; link-local (which holds the cloud metadata services), unspecified, multicast and
//! broadcast addresses are always refused.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::config::WebhooksConfig;

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    Loopback,
    Private,
    LinkLocal,
    Unroutable,
}

impl Range {
    pub fn as_str(self) -> &'static str {
        match self {
            Range::Loopback => "loopback",
            Range::Private => "private",
            Range::LinkLocal => "link-local or metadata",
            Range::Unroutable => "unspecified, multicast or broadcast",
        }
    }
}

fn v4_range(ip: Ipv4Addr) -> Option<Range> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some(Range::Loopback)
    } else if ip.is_link_local() {
        Some(Range::LinkLocal)
    } else if ip.is_private() || (o[0] == 100 && (64..128).contains(&o[1])) {
        // 100.64.0.0/10 (shared address space) is private to a carrier or a cloud.
        Some(Range::Private)
    } else if ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast() || o[0] == 0 {
        Some(Range::Unroutable)
    } else {
        None
    }
}

fn v6_range(ip: Ipv6Addr) -> Option<Range> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_range(v4);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some(Range::Loopback)
    } else if first & 0xffc0 == 0xfe80 {
        Some(Range::LinkLocal)
    } else if first & 0xfe00 == 0xfc00 {
        // Unique local addresses (fc00::/7), AWS's fd00:ec2::254 metadata among them.
        Some(Range::Private)
    } else if ip.is_unspecified() || ip.is_multicast() {
        Some(Range::Unroutable)
    } else {
        None
    }
}

/// The range `ip` falls in, if it is not a public address.
pub fn range_of(ip: IpAddr) -> Option<Range> {
    match ip {
        IpAddr::V4(v4) => v4_range(v4),
        IpAddr::V6(v6) => v6_range(v6),
    }
}

/// Whether the configuration lets a webhook call `ip`.
pub fn allowed(ip: IpAddr, cfg: &WebhooksConfig) -> Result<(), Range> {
    match range_of(ip) {
        None => Ok(()),
        Some(Range::Loopback) if cfg.allow_loopback => Ok(()),
        Some(Range::Private) if cfg.allow_private => Ok(()),
        Some(r) => Err(r),
    }
}

/// Resolves `host:port` and checks every address; returns the first, to call.
pub async fn resolve(host: &str, port: u16, cfg: &WebhooksConfig) -> Result<SocketAddr, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| format!("cannot resolve {bare}: {e}"))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(format!("{bare} has no address"));
    }
    for a in &addrs {
        if let Err(r) = allowed(a.ip(), cfg) {
            return Err(format!(
                "{bare} resolves to {} ({}), which is not allowed",
                a.ip(),
                r.as_str()
            ));
        }
    }
    Ok(addrs[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn ranges() {
        assert_eq!(range_of(ip("127.0.0.1")), Some(Range::Loopback));
        assert_eq!(range_of(ip("::1")), Some(Range::Loopback));
        assert_eq!(range_of(ip("10.1.2.3")), Some(Range::Private));
        assert_eq!(range_of(ip("172.16.0.1")), Some(Range::Private));
        assert_eq!(range_of(ip("192.168.1.1")), Some(Range::Private));
        assert_eq!(range_of(ip("100.100.100.200")), Some(Range::Private));
        assert_eq!(range_of(ip("fd00:ec2::254")), Some(Range::Private));
        assert_eq!(range_of(ip("169.254.169.254")), Some(Range::LinkLocal));
        assert_eq!(range_of(ip("fe80::1")), Some(Range::LinkLocal));
        assert_eq!(range_of(ip("::ffff:127.0.0.1")), Some(Range::Loopback));
        assert_eq!(
            range_of(ip("::ffff:169.254.169.254")),
            Some(Range::LinkLocal)
        );
        assert_eq!(range_of(ip("0.0.0.0")), Some(Range::Unroutable));
        assert_eq!(range_of(ip("224.0.0.1")), Some(Range::Unroutable));
        assert_eq!(range_of(ip("93.184.216.34")), None);
        assert_eq!(range_of(ip("2606:4700::1111")), None);
    }

    #[test]
    fn configuration_opens_loopback_and_private_but_never_metadata() {
        let open = WebhooksConfig {
            allow_loopback: true,
            allow_private: true,
            ..Default::default()
        };
        assert!(allowed(ip("127.0.0.1"), &open).is_ok());
        assert!(allowed(ip("10.0.0.1"), &open).is_ok());
        assert!(allowed(ip("169.254.169.254"), &open).is_err());
        let closed = WebhooksConfig::default();
        assert!(allowed(ip("127.0.0.1"), &closed).is_err());
        assert!(allowed(ip("10.0.0.1"), &closed).is_err());
    }
}
