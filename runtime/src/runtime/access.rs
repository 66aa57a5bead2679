//! Access codes for applicant inquiries (查询): a six-digit code given to the applicant at
//! launch (or reissued by a coordinator), stored only as an argon2id hash in PHC form
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), verified in constant time.
//!
//! A six-digit code has a million values, so the hash is memory-hard (argon2id, by default
//! at OWASP's recommended m = 19456 KiB, t = 2, p = 1: [`HashParams`]) and wrong codes are
//! throttled in the store (`ports::AccessThrottle`). The window adapters make the code and
//! its hash before they launch (`LaunchRequest` carries the hash) so the command path does
//! no hashing; hashing and verifying run on tokio's blocking pool ([`issue`],
//! [`verify_blocking`]), never on the async executor.
//!
//! Hashes stored before argon2id, `sha256$<salt>$<hex>`, are still verified; none is
//! written any more.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// Why an access code could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The hashing parameters are out of argon2's range.
    #[error("argon2id parameters m={memory_kib} KiB, t={iterations}, p={parallelism}: {reason}")]
    Params {
        /// Memory in KiB.
        memory_kib: u32,
        /// Iterations.
        iterations: u32,
        /// Lanes.
        parallelism: u32,
        /// What argon2 says.
        reason: String,
    },
    /// Hashing failed.
    #[error("hashing the access code: {0}")]
    Hash(String),
    /// The blocking task that hashes did not finish.
    #[error("the hashing task did not finish: {0}")]
    Task(String),
}

/// An access code, as the applicant types it. Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode(String);

impl AccessCode {
    /// A new random six-digit code, drawn from the operating system's generator.
    pub fn generate() -> AccessCode {
        AccessCode::generate_with(&mut StdRng::from_os_rng())
    }

    /// A new six-digit code drawn from `rng`.
    pub fn generate_with(rng: &mut impl Rng) -> AccessCode {
        AccessCode(format!("{:06}", rng.random_range(0..1_000_000u32)))
    }

    /// The code's digits, to show the applicant once.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessCode(…)")
    }
}

/// The stored form of an access code: an argon2id PHC string. Its `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCodeHash(String);

impl AccessCodeHash {
    /// The PHC string, for the event that records it.
    pub fn into_stored(self) -> String {
        self.0
    }

    /// The PHC string.
    pub fn stored(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessCodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessCodeHash(…)")
    }
}

/// The argon2id parameters new hashes are made with; verification reads them from the
/// stored string, so hashes made with other parameters keep verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory cost in KiB (19456 = 19 MiB by default).
    pub memory_kib: u32,
    /// Iterations (2 by default).
    pub iterations: u32,
    /// Lanes (1 by default).
    pub parallelism: u32,
}

impl Default for HashParams {
    /// OWASP's recommendation for argon2id: m = 19456 KiB, t = 2, p = 1.
    fn default() -> Self {
        HashParams {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashParams {
    /// The smallest parameters argon2 accepts (m = 8 KiB, t = 1, p = 1): for tests that
    /// make many hashes, never for stored codes.
    pub fn for_tests() -> HashParams {
        HashParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }
    }

    fn hasher(&self) -> Result<Argon2<'static>, AccessError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| AccessError::Params {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                parallelism: self.parallelism,
                reason: e.to_string(),
            })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// The argon2id hash of `code` with a fresh random 16-byte salt. CPU- and memory-bound:
    /// call it off the async executor ([`issue`] does).
    pub fn hash(&self, code: &AccessCode) -> Result<AccessCodeHash, AccessError> {
        self.hash_with_salt(code, StdRng::from_os_rng().random())
    }

    /// The argon2id hash of `code` with the given salt: for a caller that must reproduce
    /// its hashes (the seeded demo). Stored codes use [`HashParams::hash`].
    pub fn hash_with_salt(
        &self,
        code: &AccessCode,
        salt: [u8; 16],
    ) -> Result<AccessCodeHash, AccessError> {
        let salt = SaltString::encode_b64(&salt).map_err(|e| AccessError::Hash(e.to_string()))?;
        let hash = self
            .hasher()?
            .hash_password(code.0.as_bytes(), &salt)
            .map_err(|e| AccessError::Hash(e.to_string()))?;
        Ok(AccessCodeHash(hash.to_string()))
    }
}

/// A new code and its hash, hashed on tokio's blocking pool: what a window adapter calls
/// before a launch or a reissue. The code is shown to the applicant once; only the hash is
/// recorded.
pub async fn issue(params: HashParams) -> Result<(AccessCode, AccessCodeHash), AccessError> {
    let code = AccessCode::generate();
    let hashed = code.clone();
    let hash = tokio::task::spawn_blocking(move || params.hash(&hashed))
        .await
        .map_err(|e| AccessError::Task(e.to_string()))??;
    Ok((code, hash))
}

/// Whether `code` matches `stored` (an argon2id PHC string, or the older `sha256$` form),
/// in constant time. CPU- and memory-bound: call it off the async executor
/// ([`verify_blocking`] does).
pub fn verify(code: &str, stored: &str) -> bool {
    if let Some(legacy) = stored.strip_prefix("sha256$") {
        return verify_sha256(code, legacy);
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    // The parameters come from the stored string.
    Argon2::default()
        .verify_password(code.as_bytes(), &parsed)
        .is_ok()
}

/// [`verify`] on tokio's blocking pool; a task that does not finish counts as no match.
pub async fn verify_blocking(code: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&code, &stored))
        .await
        .unwrap_or(false)
}

/// Whether two stored hashes are the same, in constant time (a case's hash is compared
/// with the one a code was verified against).
pub fn same_stored(a: &str, b: &str) -> bool {
    constant_time_eq(a.as_bytes(), b.as_bytes())
}

fn verify_sha256(code: &str, salt_and_hash: &str) -> bool {
    let Some((salt, expected)) = salt_and_hash.split_once('$') else {
        return false;
    };
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b"$");
    hasher.update(code.as_bytes());
    let actual: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    constant_time_eq(actual.as_bytes(), expected.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_against_its_argon2id_hash_and_nothing_else() {
        let code = AccessCode::generate_with(&mut StdRng::seed_from_u64(7));
        assert_eq!(code.reveal().len(), 6);
        let stored = HashParams::default().hash(&code).unwrap();
        assert!(
            stored
                .stored()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            stored.stored()
        );
        assert!(verify(code.reveal(), stored.stored()));
        let other = if code.reveal() == "000000" {
            "000001"
        } else {
            "000000"
        };
        assert!(!verify(other, stored.stored()));
        assert!(!verify(code.reveal(), "md5$x$y"));
        assert_ne!(stored, HashParams::default().hash(&code).unwrap(), "salted");
    }

    #[test]
    fn hashes_made_with_other_parameters_keep_verifying() {
        let code = AccessCode::generate();
        let stored = HashParams::for_tests().hash(&code).unwrap();
        assert!(stored.stored().starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert!(verify(code.reveal(), stored.stored()));
    }

    #[test]
    fn the_older_sha256_form_still_verifies() {
        // `sha256$<salt>$<hex>` of "123456" with salt "00112233", as stored before argon2id.
        let mut hasher = Sha256::new();
        hasher.update(b"00112233$123456");
        let hex: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let stored = format!("sha256$00112233${hex}");
        assert!(verify("123456", &stored));
        assert!(!verify("123457", &stored));
    }

    #[test]
    fn debug_prints_neither_code_nor_hash() {
        let code = AccessCode::generate();
        let hash = HashParams::for_tests().hash(&code).unwrap();
        let printed = format!("{code:?} {hash:?}");
        assert!(!printed.contains(code.reveal()), "{printed}");
        assert!(!printed.contains("argon2"), "{printed}");
    }

    #[test]
    fn parameters_out_of_range_are_an_error_naming_them() {
        let params = HashParams {
            memory_kib: 1,
            ..HashParams::default()
        };
        let error = params.hash(&AccessCode::generate()).unwrap_err();
        assert!(error.to_string().contains("m=1 KiB"), "{error}");
    }
}
