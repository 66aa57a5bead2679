//! `Client`: who sent a request, for the per-client limit of wrong access codes. The peer
//! address of the connection (`serve` records it), or, when the server is configured to
//! sit behind a proxy (`Settings::trust_forwarded_for`), the last address of
//! `X-Forwarded-For` — the one the proxy added; earlier entries come from the client and are
//! not believed. A request with neither (a test calling the router directly) is "unknown",
//! one client for all such requests.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use greenlane_runtime::ports::Backend;

use crate::state::App;

/// The client a request came from: an IP address, or `unknown`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Client(pub(crate) String);

impl Client {
    pub(crate) fn of(parts: &Parts, trust_forwarded_for: bool) -> Client {
        if trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(address) = forwarded {
                return Client(address.to_string());
            }
        }
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => Client(peer.ip().to_string()),
            None => Client("unknown".to_string()),
        }
    }
}

impl<B: Backend> FromRequestParts<App<B>> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App<B>) -> Result<Self, Self::Rejection> {
        Ok(Client::of(parts, app.settings().trust_forwarded_for))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn parts(forwarded: Option<&str>, peer: Option<&str>) -> Parts {
        let mut request = Request::builder().uri("/");
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            parts
                .extensions
                .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        }
        parts
    }

    #[test]
    fn the_forwarded_header_counts_only_when_trusted_and_then_its_last_address() {
        let p = parts(Some("203.0.113.9, 198.51.100.4"), Some("10.0.0.2:5000"));
        assert_eq!(Client::of(&p, false).0, "10.0.0.2");
        assert_eq!(Client::of(&p, true).0, "198.51.100.4");
        let garbage = parts(Some("not-an-address"), Some("10.0.0.2:5000"));
        assert_eq!(Client::of(&garbage, true).0, "10.0.0.2");
        assert_eq!(Client::of(&parts(None, None), true).0, "unknown");
    }
}
