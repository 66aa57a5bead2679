//! A checkpoint: per center, a signed commitment to the heads of its cases' chains at one
//! moment. Its leaves are the cases whose chains grew since the center's previous
//! checkpoint, each with the version and head hash it had; the Merkle root of the leaves
//! is signed with the server's Ed25519 key, and each checkpoint carries the digest of the
//! one before it, so checkpoints themselves form a chain that cannot lose a member.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::{hex, merkle, sha256, Digest};
use crate::case::Timestamp;

/// One case's chain head as a checkpoint commits to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    /// The case.
    pub case: String,
    /// Its records at the checkpoint.
    pub version: u64,
    /// The hash of its record at `version`.
    #[serde(with = "super::hex_digest")]
    pub head: Digest,
}

impl Leaf {
    /// The leaf's hash in the Merkle tree.
    pub fn hash(&self) -> Digest {
        let mut data = Vec::with_capacity(self.case.len() + 48);
        data.extend_from_slice(&(self.case.len() as u64).to_be_bytes());
        data.extend_from_slice(self.case.as_bytes());
        data.extend_from_slice(&self.version.to_be_bytes());
        data.extend_from_slice(&self.head);
        merkle::leaf_hash(&data)
    }
}

/// What a checkpoint signs: everything but the leaves themselves, which the root commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The center whose cases it covers.
    pub center: String,
    /// Its number among the center's checkpoints, from 1.
    pub seq: u64,
    /// When it was made.
    pub at: Timestamp,
    /// The digest of the center's previous checkpoint (zeros for the first).
    #[serde(with = "super::hex_digest")]
    pub previous: Digest,
    /// How many leaves it has.
    pub size: u64,
    /// The Merkle root of its leaves.
    #[serde(with = "super::hex_digest")]
    pub root: Digest,
    /// The public key that signs it (hex).
    pub key: String,
    /// The Ed25519 signature of [`Statement::message`] (hex).
    pub signature: String,
}

impl Statement {
    /// The bytes signed.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "greenlane/audit/checkpoint/v1\ncenter {}\nseq {}\nat {}\nprevious {}\nsize {}\nroot {}\nkey {}\n",
            self.center,
            self.seq,
            self.at.to_rfc3339(),
            hex(&self.previous),
            self.size,
            hex(&self.root),
            self.key
        )
        .into_bytes()
    }

    /// The digest the center's next checkpoint carries as `previous`.
    pub fn digest(&self) -> Digest {
        sha256(&[&self.message(), self.signature.as_bytes()])
    }

    /// Whether the signature is `key`'s over this statement.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        if self.key != hex(key.as_bytes()) {
            return false;
        }
        let Some(bytes) = super::from_hex::<64>(&self.signature) else {
            return false;
        };
        key.verify(&self.message(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

/// A checkpoint with its leaves, as a store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// What is signed.
    #[serde(flatten)]
    pub statement: Statement,
    /// The cases it covers, ordered by case.
    pub leaves: Vec<Leaf>,
}

impl Checkpoint {
    /// A signed checkpoint of `center` over `leaves` (sorted here by case), following the
    /// center's checkpoint `previous` (its digest and number; `None` for the first).
    pub fn sign(
        center: &str,
        previous: Option<(&Digest, u64)>,
        at: Timestamp,
        mut leaves: Vec<Leaf>,
        key: &SigningKey,
    ) -> Checkpoint {
        leaves.sort_by(|a, b| a.case.cmp(&b.case));
        let (previous, seq) = match previous {
            Some((digest, seq)) => (*digest, seq + 1),
            None => ([0; 32], 1),
        };
        let hashes: Vec<Digest> = leaves.iter().map(Leaf::hash).collect();
        let mut statement = Statement {
            center: center.to_string(),
            seq,
            at,
            previous,
            size: leaves.len() as u64,
            root: merkle::root(&hashes),
            key: hex(key.verifying_key().as_bytes()),
            signature: String::new(),
        };
        statement.signature = hex(&key.sign(&statement.message()).to_bytes());
        Checkpoint { statement, leaves }
    }

    /// Whether the root is the root of the leaves and their count the size.
    pub fn leaves_match(&self) -> bool {
        let hashes: Vec<Digest> = self.leaves.iter().map(Leaf::hash).collect();
        self.statement.size == self.leaves.len() as u64
            && merkle::root(&hashes) == self.statement.root
    }

    /// The inclusion proof of the leaf of `case`: its index and audit path.
    pub fn proof(&self, case: &str) -> Option<(usize, Vec<Digest>)> {
        let index = self.leaves.iter().position(|l| l.case == case)?;
        let hashes: Vec<Digest> = self.leaves.iter().map(Leaf::hash).collect();
        Some((index, merkle::inclusion_proof(index, &hashes)))
    }
}

/// The public key of a 32-byte secret seed.
pub fn public_key(secret: &[u8; 32]) -> VerifyingKey {
    SigningKey::from_bytes(secret).verifying_key()
}

/// A verifying key from its hex form.
pub fn parse_public_key(text: &str) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(&super::from_hex::<32>(text)?).ok()
}
