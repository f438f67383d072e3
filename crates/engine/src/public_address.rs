//! The office's public address as the owner typed it (a host name or an IP address),
//! turned into the IP the PBX advertises to phones outside the LAN.

use std::net::IpAddr;

/// The IP for `address`: itself when it is one, else what DNS says for the name (IPv4
/// first, since most offices' routers forward IPv4 only). `None` when nothing resolves.
pub async fn resolve_public_address(address: &str) -> Option<IpAddr> {
    let address = address.trim();
    let unbracketed = address.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Some(ip);
    }
    let found: Vec<IpAddr> = tokio::net::lookup_host((address, 0))
        .await
        .ok()?
        .map(|a| a.ip())
        .collect();
    found
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| found.first())
        .copied()
}

/// The saved public address (read before any await: the store is not `Sync`).
pub(crate) fn saved(store: &store::Store) -> Option<String> {
    match store.remote_access() {
        Ok(saved) => saved.public_address,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the public address");
            None
        }
    }
}

/// Resolves the saved public address, for the PBX at start.
pub(crate) async fn load(saved: Option<String>) -> Option<IpAddr> {
    let ip = resolve_public_address(&saved?).await;
    match ip {
        Some(ip) => tracing::info!(%ip, "public address for phones outside the office"),
        None => tracing::warn!("the public address does not resolve; not advertised"),
    }
    ip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn addresses_and_names_resolve() {
        assert_eq!(
            resolve_public_address(" 203.0.113.7 ").await,
            Some("203.0.113.7".parse().expect("ip"))
        );
        assert_eq!(
            resolve_public_address("[2001:db8::7]").await,
            Some("2001:db8::7".parse().expect("ip"))
        );
        assert_eq!(
            resolve_public_address("localhost")
                .await
                .map(|ip| ip.is_loopback()),
            Some(true)
        );
    }
}
