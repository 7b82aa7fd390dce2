//! The host's default-route interface and its address, read from `/proc/net/route` (the
//! kernel's IPv4 routing table) without a netlink dependency. Seed 001's initializer attaches
//! macvlan to this interface and registers the node with MAAS on this address.

use std::net::{Ipv4Addr, UdpSocket};

use crate::LxdError;

/// The IPv4 default route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultRoute {
    /// The interface, e.g. `eth0`.
    pub interface: String,
    /// The gateway.
    pub gateway: Ipv4Addr,
}

/// The default route with the lowest metric, from `/proc/net/route`.
pub fn default_route() -> Result<DefaultRoute, LxdError> {
    let table = std::fs::read_to_string("/proc/net/route").map_err(|e| LxdError::HostNetwork {
        reason: format!("cannot read /proc/net/route: {e}"),
    })?;
    parse_default_route(&table).ok_or_else(|| LxdError::HostNetwork {
        reason: "no IPv4 default route; give the interface or address explicitly".into(),
    })
}

/// The default route in a `/proc/net/route` table: destination and mask 0, the `UP` and
/// `GATEWAY` flags set, the lowest metric wins.
pub fn parse_default_route(table: &str) -> Option<DefaultRoute> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            if f.len() < 8 || f[1] != "00000000" || f[7] != "00000000" {
                return None;
            }
            let flags = u32::from_str_radix(f[3], 16).ok()?;
            if flags & 0x3 != 0x3 {
                return None;
            }
            // The kernel prints the address in host byte order (little endian here).
            let gateway = Ipv4Addr::from(u32::from_str_radix(f[2], 16).ok()?.swap_bytes());
            let metric: u32 = f[6].parse().ok()?;
            Some((metric, f[0].to_string(), gateway))
        })
        .min_by_key(|(metric, ..)| *metric)
        .map(|(_, interface, gateway)| DefaultRoute { interface, gateway })
}

/// The address this host sends from on its default route: the kernel picks it when a UDP
/// socket is connected (no packet leaves the host).
pub fn default_source_address(route: &DefaultRoute) -> Result<Ipv4Addr, LxdError> {
    let fail = |e: std::io::Error| LxdError::HostNetwork {
        reason: format!(
            "cannot find the source address towards {}: {e}",
            route.gateway
        ),
    };
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).map_err(fail)?;
    socket.connect((route.gateway, 9)).map_err(fail)?;
    match socket.local_addr().map_err(fail)?.ip() {
        std::net::IpAddr::V4(a) => Ok(a),
        std::net::IpAddr::V6(_) => Err(LxdError::HostNetwork {
            reason: "the default route has no IPv4 source address".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

    #[test]
    fn lowest_metric_default_route_wins() {
        let route = parse_default_route(TABLE).unwrap();
        assert_eq!(route.interface, "eth0");
        assert_eq!(route.gateway, Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(
            parse_default_route(&TABLE[..TABLE.find("wlan0").unwrap()]),
            None
        );
    }
}
