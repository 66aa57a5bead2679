//! A Merkle tree over a checkpoint's leaves, as RFC 9162 (Certificate Transparency 2.0)
//! defines it: leaf and node hashes domain-separated by a prefix byte, the tree split at
//! the largest power of two below its size, and inclusion proofs checked against the root
//! without the other leaves.

use super::{sha256, Digest};

/// The hash of a leaf's data.
pub fn leaf_hash(data: &[u8]) -> Digest {
    sha256(&[&[0x00], data])
}

fn node_hash(left: &Digest, right: &Digest) -> Digest {
    sha256(&[&[0x01], left, right])
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The root of the tree over `leaves` (leaf hashes); the hash of nothing for none.
pub fn root(leaves: &[Digest]) -> Digest {
    match leaves.len() {
        0 => sha256(&[]),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The inclusion proof of the leaf at `index` (the audit path, from the leaf up).
pub fn inclusion_proof(index: usize, leaves: &[Digest]) -> Vec<Digest> {
    let mut path = Vec::new();
    prove(index, leaves, &mut path);
    path
}

fn prove(index: usize, leaves: &[Digest], path: &mut Vec<Digest>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if index < k {
        prove(index, &leaves[..k], path);
        path.push(root(&leaves[k..]));
    } else {
        prove(index - k, &leaves[k..], path);
        path.push(root(&leaves[..k]));
    }
}

/// Whether `path` proves that `leaf` is the leaf at `index` of a tree of `size` leaves
/// with `root` (RFC 9162, 2.1.3.2).
pub fn verify_inclusion(
    index: usize,
    size: usize,
    leaf: &Digest,
    path: &[Digest],
    root: &Digest,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *root
}
