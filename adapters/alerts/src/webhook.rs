//! Webhooks: a delivery is POSTed as JSON to the channel's URL with
//!
//! - `Idempotency-Key`: the delivery's id, the same on every retry, so a receiver that
//!   remembers the ids it processed processes each once;
//! - `X-Greenlane-Timestamp`: seconds since the Unix epoch when this attempt was signed;
//! - `X-Greenlane-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with the channel's
//!   secret, of the timestamp, a `.`, and the body's bytes.
//!
//! A receiver recomputes the signature ([`verify`] does, in constant time) and refuses a
//! timestamp far from its clock, so a recorded call cannot be replayed later. Any answer
//! but 2xx, a timeout or a refused connection is a failed attempt.

use std::time::Duration;

use greenlane_engine::audit::hex;
use greenlane_runtime::delivery::SendError;
use greenlane_runtime::ports::Delivery;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the delivery's id.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The header carrying the signing time.
pub const TIMESTAMP: &str = "X-Greenlane-Timestamp";
/// The header carrying the signature.
pub const SIGNATURE: &str = "X-Greenlane-Signature";

/// The signature of `body` signed at `timestamp` with `secret`: `sha256=<hex>`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!("sha256={}", hex(&digest))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Whether `signature` (the header's value) signs `body` at `timestamp` with `secret`,
/// compared in constant time, and `timestamp` is within `tolerance_s` of `now_s`.
pub fn verify(
    secret: &[u8],
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now_s: i64,
    tolerance_s: i64,
) -> bool {
    let Ok(timestamp) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if (now_s - timestamp).abs() > tolerance_s {
        return false;
    }
    let Some(hex_digest) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(digest) = greenlane_engine::audit::from_hex::<32>(hex_digest) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&digest).is_ok()
}

/// The signing secret: never printed.
#[derive(Clone)]
pub(crate) struct Secret(pub(crate) Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// One webhook channel.
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    url: String,
    secret: Secret,
    client: reqwest::Client,
}

impl Webhook {
    pub(crate) fn new(url: String, secret: Secret, timeout: Duration) -> Result<Webhook, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Webhook {
            url,
            secret,
            client,
        })
    }

    pub(crate) async fn send(&self, delivery: &Delivery) -> Result<(), SendError> {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let body = delivery.payload.as_bytes().to_vec();
        let signature = sign(&self.secret.0, timestamp, &body);
        let answer = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_KEY, &delivery.id)
            .header(TIMESTAMP, timestamp.to_string())
            .header(SIGNATURE, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| {
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "cannot connect"
                } else {
                    "failed"
                };
                SendError(format!("POST {}: {what}: {e}", self.url))
            })?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SendError(format!("POST {}: HTTP {status}", self.url)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_a_fresh_timestamp() {
        let body = br#"{"id":"jilin-1#12/hook/center:jilin"}"#;
        let signature = sign(b"s3cret", 1_772_413_200, body);
        assert!(signature.starts_with("sha256=") && signature.len() == 7 + 64);
        assert!(verify(
            b"s3cret",
            "1772413200",
            &signature,
            body,
            1_772_413_260,
            300
        ));
        assert!(!verify(
            b"other",
            "1772413200",
            &signature,
            body,
            1_772_413_260,
            300
        ));
        assert!(!verify(
            b"s3cret",
            "1772413200",
            &signature,
            b"{}",
            1_772_413_260,
            300
        ));
        assert!(!verify(
            b"s3cret",
            "1772413201",
            &signature,
            body,
            1_772_413_260,
            300
        ));
        assert!(!verify(
            b"s3cret",
            "1772413200",
            &signature,
            body,
            1_772_414_200,
            300
        ));
        assert!(!verify(
            b"s3cret",
            "1772413200",
            "md5=00",
            body,
            1_772_413_260,
            300
        ));
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed independently (Python's hmac module) over `1772413200.{"id":"x"}`.
        assert_eq!(
            sign(b"key", 1_772_413_200, br#"{"id":"x"}"#),
            "sha256=caddc229d75ed02f2ff1f268d60390535fa64fbd594b6c7bba832addf4e7c24b"
        );
    }
}
