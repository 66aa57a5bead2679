//! Browser sessions of the web desk.
//!
//! Logging in with a principal's token (the same tokens as the API) opens a session: a
//! random 256-bit id sent as the cookie `greenlane_session` (HttpOnly, SameSite=Strict,
//! Path=/, Secure when the server is reached over TLS). The server keeps only the SHA-256
//! of the id, with the principal's id and the session's CSRF token, so neither the token
//! nor a usable session id can be read back from memory dumps of the map or logs. A
//! session ends at log-out or after [`IDLE`] without a request; a server restart signs
//! everyone out (sessions live in this process).
//!
//! Every form post carries the session's CSRF token in the field `csrf`, compared in
//! constant time; the log-in form, before any session, carries a token that must equal the
//! `greenlane_login` cookie (double submit).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use greenlane_engine::ids::PrincipalId;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "greenlane_session";
/// The log-in form's double-submit cookie.
pub(crate) const LOGIN_COOKIE: &str = "greenlane_login";
/// A session ends after this long without a request.
pub(crate) const IDLE: Duration = Duration::from_secs(8 * 3600);
/// At most this many sessions are kept; the least recently used go first.
const MAX_SESSIONS: usize = 10_000;

/// One open session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// Who logged in.
    pub(crate) principal: PrincipalId,
    /// The CSRF token every form of the browser session carries.
    pub(crate) csrf: String,
    last_seen: Instant,
}

/// The open sessions, by the SHA-256 of their id.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    open: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// Opens a session for `principal`; returns the cookie value.
    pub(crate) fn open(&self, principal: PrincipalId) -> String {
        let id = random_token();
        let session = Session {
            principal,
            csrf: random_token(),
            last_seen: Instant::now(),
        };
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|_, s| s.last_seen.elapsed() < IDLE);
        if open.len() >= MAX_SESSIONS {
            if let Some(oldest) = open
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| *k)
            {
                open.remove(&oldest);
            }
        }
        open.insert(digest(&id), session);
        id
    }

    /// The session of cookie value `id`, if open; counts as a request.
    pub(crate) fn get(&self, id: &str) -> Option<Session> {
        let key = digest(id);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        match open.get_mut(&key) {
            Some(s) if s.last_seen.elapsed() < IDLE => {
                s.last_seen = Instant::now();
                Some(s.clone())
            }
            Some(_) => {
                open.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends the session of cookie value `id`.
    pub(crate) fn close(&self, id: &str) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&digest(id));
    }
}

fn digest(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

/// 32 random bytes from the operating system, hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    StdRng::from_os_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `a` equals `b`, in time that depends only on their lengths.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// The value of cookie `name` in `headers`.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Whether the request reached the server over TLS (directly or through a proxy that says
/// so), so cookies must be `Secure`.
pub(crate) fn over_tls(headers: &HeaderMap, always: bool) -> bool {
    always
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value for `name=value` with the desk's attributes; `max_age` 0 deletes it.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> String {
    let mut out = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        out.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        out.push_str("; Secure");
    }
    out
}

/// Whether a form post comes from this site: a browser sends `Origin` on every cross-site
/// post, so one that names another host is refused whatever its cookies.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    origin != "null" && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_cookie_and_ends_at_close() {
        let sessions = Sessions::default();
        let id = sessions.open(PrincipalId::new("c1"));
        let session = sessions.get(&id).expect("open");
        assert_eq!(session.principal.as_str(), "c1");
        assert_eq!(session.csrf.len(), 64);
        assert!(sessions.get("not-a-session").is_none());
        sessions.close(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn cookies_and_origins_are_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("cookie", "a=1; greenlane_session=abc".parse().unwrap());
        headers.insert("host", "127.0.0.1:8080".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert!(same_origin(&headers));
        headers.insert("origin", "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&headers));
        headers.insert("origin", "http://evil.example".parse().unwrap());
        assert!(!same_origin(&headers));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
