//! The client's address: the TCP peer, or, when the peer is a reverse proxy the
//! operator named in `HYTE_TRUSTED_PROXIES`, the address that proxy put in
//! `X-Forwarded-For`.
//!
//! `X-Forwarded-For` from anyone else is ignored: a client could write any address
//! there and slip past every per-address limit. Behind the documented nginx, without
//! this, every sign-in would seem to come from the proxy and 20 failures by anyone
//! would slow everyone down.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// An address or a CIDR range (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    base: IpAddr,
    prefix: u8,
}

impl Range {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, canonical(ip)) {
            (IpAddr::V4(b), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(b) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(b), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(b) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, as a dual-stack listener
/// reports it) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Range>);

impl TrustedProxies {
    /// Parses `HYTE_TRUSTED_PROXIES`: addresses or CIDR ranges separated by commas
    /// (white space allowed; empty: none). The error names the entry that is wrong.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        let mut ranges = vec![];
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let wrong = || {
                format!(
                    "HYTE_TRUSTED_PROXIES: '{entry}' is not an IP address or a CIDR range (e.g. 10.0.0.5 or 10.0.0.0/24)"
                )
            };
            let (addr, prefix) = match entry.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (entry, None),
            };
            let base: IpAddr = addr.parse().map_err(|_| wrong())?;
            let base = canonical(base);
            let max = if base.is_ipv4() { 32 } else { 128 };
            let prefix = match prefix {
                None => max,
                Some(p) => p
                    .parse::<u8>()
                    .ok()
                    .filter(|p| *p <= max)
                    .ok_or_else(wrong)?,
            };
            ranges.push(Range { base, prefix });
        }
        Ok(TrustedProxies(ranges))
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|r| r.contains(ip))
    }

    /// The client's address of a request from `peer` with these headers: the peer
    /// itself unless it is trusted; then, reading `X-Forwarded-For` from the right
    /// (each proxy appends the address it saw), the first address that is not a
    /// trusted proxy. A malformed header counts as absent.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.contains(peer) {
            return peer;
        }
        let mut hops = vec![];
        for value in headers.get_all("x-forwarded-for") {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            for part in text.split(',') {
                match part.trim().parse::<IpAddr>() {
                    Ok(ip) => hops.push(canonical(ip)),
                    Err(_) => return peer,
                }
            }
        }
        let mut client = peer;
        for ip in hops.into_iter().rev() {
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// The client's address of a request (see the module's documentation).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Served without connection info (a test calling the router directly): the
        // local host.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientAddr(
            state.config.trusted_proxies.client(peer, &parts.headers),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        let proxies = TrustedProxies::parse("10.0.0.5, 192.168.0.0/16 ,::1").expect("parses");
        let h = headers(&["203.0.113.9"]);
        // Nobody trusted: the peer, whatever the header says.
        assert_eq!(none.client(ip("10.0.0.5"), &h), ip("10.0.0.5"));
        // An untrusted peer cannot name another address.
        assert_eq!(proxies.client(ip("198.51.100.7"), &h), ip("198.51.100.7"));
        // Through the trusted proxy (also seen as IPv4-mapped IPv6).
        assert_eq!(proxies.client(ip("10.0.0.5"), &h), ip("203.0.113.9"));
        assert_eq!(proxies.client(ip("::ffff:10.0.0.5"), &h), ip("203.0.113.9"));
        assert_eq!(proxies.client(ip("::1"), &h), ip("203.0.113.9"));
        // A client that writes its own X-Forwarded-For: the address our proxy saw
        // (the rightmost untrusted one) counts, not the forged one on the left.
        let forged = headers(&["1.2.3.4, 203.0.113.9"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &forged), ip("203.0.113.9"));
        // Two trusted proxies in a row; headers on separate lines.
        let chain = headers(&["203.0.113.9", "192.168.1.1"]);
        assert_eq!(proxies.client(ip("10.0.0.5"), &chain), ip("203.0.113.9"));
        // No header, or a malformed one: the proxy itself.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &HeaderMap::new()),
            ip("10.0.0.5")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), &headers(&["unknown"])),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn the_setting_is_checked() {
        assert_eq!(
            TrustedProxies::parse("").expect("empty"),
            TrustedProxies::default()
        );
        let p = TrustedProxies::parse("10.1.0.0/16").expect("range");
        assert!(p.contains(ip("10.1.200.3")));
        assert!(!p.contains(ip("10.2.0.1")));
        assert!(TrustedProxies::parse("0.0.0.0/0")
            .expect("all")
            .contains(ip("8.8.8.8")));
        for bad in ["10.0.0", "10.0.0.0/33", "nginx", "10.0.0.1/x", "::1/129"] {
            let e = TrustedProxies::parse(bad).expect_err(bad);
            assert!(e.contains(bad.split('/').next().unwrap_or(bad)), "{e}");
        }
    }
}
