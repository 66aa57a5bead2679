//! The tamper-evident audit trail, as pure functions: every case's events form a hash
//! chain (`chain`: each stored record carries the hash of the one before and its own,
//! over its canonical encoding), per-center checkpoints commit to the chain heads with a
//! Merkle root signed with Ed25519 (`merkle`, `checkpoint`, as Certificate Transparency
//! does), and an export of part of the trail carries what an offline verifier needs
//! (`export`). Stores keep the hashes; the runtime signs and checks; nothing here does I/O.

pub mod chain;
pub mod checkpoint;
pub mod export;
pub mod merkle;

#[cfg(test)]
mod tests;

pub use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// The SHA-256 of the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> Digest {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// The bytes of lower- or upper-case hex `text`, `None` when it is not hex of `N` bytes.
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.trim().as_bytes();
    if text.len() != N * 2 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

/// Serde of a [`Digest`] as hex.
pub mod hex_digest {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Digest;

    /// Writes the digest as hex.
    pub fn serialize<S: Serializer>(digest: &Digest, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::hex(digest))
    }

    /// Reads a digest from hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let text = String::deserialize(d)?;
        super::from_hex(&text).ok_or_else(|| serde::de::Error::custom("not 64 hex digits"))
    }
}

/// Serde of a list of [`Digest`]s as hex strings.
pub mod hex_digests {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Digest;

    /// Writes the digests as hex strings.
    pub fn serialize<S: Serializer>(digests: &[Digest], s: S) -> Result<S::Ok, S::Error> {
        digests
            .iter()
            .map(|d| super::hex(d))
            .collect::<Vec<_>>()
            .serialize(s)
    }

    /// Reads digests from hex strings.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Digest>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| {
                super::from_hex(t).ok_or_else(|| serde::de::Error::custom("not 64 hex digits"))
            })
            .collect()
    }
}
