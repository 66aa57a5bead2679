//! Access codes for applicant inquiries (查询): a short code given at launch, stored only
//! as a salted SHA-256 hash and compared in constant time.

use rand::Rng;
use sha2::{Digest, Sha256};

/// A new six-digit access code.
pub fn new_code(rng: &mut impl Rng) -> String {
    format!("{:06}", rng.random_range(0..1_000_000u32))
}

/// `sha256$<salt>$<hash>` of `code` with a fresh random salt.
pub fn hash(code: &str, rng: &mut impl Rng) -> String {
    let salt: [u8; 8] = rng.random();
    let salt = hex(&salt);
    format!("sha256${salt}${}", digest(&salt, code))
}

/// Whether `code` matches `stored` (a value made by [`hash`]).
pub fn verify(code: &str, stored: &str) -> bool {
    let mut parts = stored.splitn(3, '$');
    let (Some("sha256"), Some(salt), Some(expected)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let actual = digest(salt, code);
    actual.len() == expected.len()
        && actual
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

fn digest(salt: &str, code: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b"$");
    hasher.update(code.as_bytes());
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn a_code_verifies_against_its_hash_and_nothing_else() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let code = new_code(&mut rng);
        assert_eq!(code.len(), 6);
        let stored = hash(&code, &mut rng);
        assert!(verify(&code, &stored));
        assert!(!verify("000000x", &stored));
        assert!(!verify(&code, "md5$x$y"));
        assert_ne!(stored, hash(&code, &mut rng), "salted");
    }
}
