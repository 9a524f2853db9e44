//! A Merkle tree over the whole frame, so that one firm can be shown to
//! have been in it, in its stratum, without publishing the directory.
//!
//! Every firm of the directory is a leaf, eligible or not:
//!
//! ```text
//! leaf data = uscc ‖ "\n" ‖ stratum label ‖ "\n" ‖ eligibility     (UTF-8)
//! leaf hash = SHA-256(0x00 ‖ leaf data)
//! node hash = SHA-256(0x01 ‖ left ‖ right)
//! ```
//!
//! Leaves are sorted by credit code (byte order) and the tree is RFC 6962's
//! Merkle Tree Hash: a list of n > 1 leaves splits at the largest power of
//! two below n. The audit path of a leaf is RFC 6962's too (§2.1.1).

use crate::base::fx::FxHashMap;
use crate::draw::prepared_block::{IV, digest_bytes, final_block};
use crate::draw::targets::{Exclusion, exclusions, label_parts, stratum_key, stratum_label};
use crate::inputs::directory::{Directory, Enterprise};
use crate::inputs::history::History;
use crate::inputs::plan::Plan;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The version of the leaf encoding.
pub const LEAF_FORMAT: &str = "spotcheck-leaf/1";

/// One firm's leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    pub uscc: String,
    /// The stratum the firm belongs to (also when it is not eligible).
    pub stratum: String,
    /// `eligible`, or why not (`inactive:revoked`, `outside-counties`,
    /// `outside-industries`, `recently-inspected`).
    pub eligibility: String,
}

impl Leaf {
    /// The bytes that are hashed.
    pub fn data(&self) -> String {
        format!("{}\n{}\n{}", self.uscc, self.stratum, self.eligibility)
    }

    /// SHA-256(0x00 ‖ data).
    pub fn hash(&self) -> [u8; 32] {
        leaf_hash(
            self.uscc.as_bytes(),
            [self.stratum.as_str()].into_iter(),
            &self.eligibility,
        )
    }

    /// The same hash from the data string, for checking [`Leaf::hash`].
    #[cfg(test)]
    fn hash_of_data(&self) -> [u8; 32] {
        Sha256::new()
            .chain_update([0u8])
            .chain_update(self.data().as_bytes())
            .finalize()
            .into()
    }
}

/// SHA-256(0x00 ‖ uscc ‖ "\n" ‖ label ‖ "\n" ‖ eligibility), the label
/// given as its `/`-joined parts, without building strings.
fn leaf_hash<'a>(uscc: &[u8], label_parts: impl Iterator<Item = &'a str> + Clone, eligibility: &str) -> [u8; 32] {
    // Most leaves fit one block, which is filled and compressed here.
    let mut block = OneBlock::new(0x00);
    if leaf_pieces(uscc, label_parts.clone(), eligibility, &mut |p| block.push(p)) {
        return compress_one(block.padded());
    }
    let mut h = Sha256::new_with_prefix([0u8]);
    leaf_pieces(uscc, label_parts, eligibility, &mut |p| {
        h.update(p);
        true
    });
    h.finalize().into()
}

/// Gives the pieces of a leaf's data (without its 0x00), in order, to
/// `put` until it refuses one; whether all were taken.
fn leaf_pieces<'a>(
    uscc: &[u8],
    label_parts: impl Iterator<Item = &'a str>,
    eligibility: &str,
    put: &mut dyn FnMut(&[u8]) -> bool,
) -> bool {
    let mut ok = put(uscc) && put(b"\n");
    for (i, part) in label_parts.enumerate() {
        ok = ok && (i == 0 || put(b"/")) && put(part.as_bytes());
    }
    ok && put(b"\n") && put(eligibility.as_bytes())
}

/// A message of at most 55 bytes, which SHA-256 pads into one block.
struct OneBlock {
    bytes: [u8; 55],
    len: usize,
}

impl OneBlock {
    fn new(first: u8) -> OneBlock {
        let mut bytes = [0u8; 55];
        bytes[0] = first;
        OneBlock { bytes, len: 1 }
    }

    /// Appends `bytes`; `false`, with the message unusable, when it would
    /// pass 55 bytes.
    fn push(&mut self, bytes: &[u8]) -> bool {
        let end = self.len + bytes.len();
        if end > self.bytes.len() {
            return false;
        }
        self.bytes[self.len..end].copy_from_slice(bytes);
        self.len = end;
        true
    }

    /// The message in its one block, padded.
    fn padded(self) -> [u8; 64] {
        final_block(&self.bytes[..self.len], self.len).expect("at most 55 bytes")
    }
}

/// SHA-256 of a message in one padded block.
fn compress_one(block: [u8; 64]) -> [u8; 32] {
    let mut state = IV;
    sha2::block_api::compress256(&mut state, &[block]);
    digest_bytes(&state)
}

/// The bytes of a credit code.
const CODE_BYTES: usize = 18;

/// The one block of the leaves of a stratum and an eligibility, with the
/// credit code left blank: the leaves of a directory take few of these,
/// and each leaf's hash is then its code written into a copy.
struct LeafBlock([u8; 64]);

impl LeafBlock {
    /// `None` for leaves of more than one block.
    fn new<'a>(label_parts: impl Iterator<Item = &'a str> + Clone, eligibility: &str) -> Option<LeafBlock> {
        let mut block = OneBlock::new(0x00);
        let whole = leaf_pieces(&[0; CODE_BYTES], label_parts, eligibility, &mut |p| block.push(p));
        whole.then(|| LeafBlock(block.padded()))
    }

    /// The hash of the leaf of `code`.
    fn hash(&self, code: &[u8; CODE_BYTES]) -> [u8; 32] {
        let mut block = self.0;
        block[1..1 + CODE_BYTES].copy_from_slice(code);
        compress_one(block)
    }
}

/// The root and the number of leaves of a frame, computed without
/// keeping the leaves (the draw needs nothing else; proofs use
/// [`FrameTree::build`], which gives the same root).
///
/// `exclusions` are every firm's, in directory order
/// ([`crate::draw::targets::exclusions`]).
pub fn frame_root(plan: &Plan, directory: &Directory, exclusions: &[Option<Exclusion>]) -> ([u8; 32], u64) {
    let firms = &directory.firms;
    let order = directory.by_code();
    let root = root_in_blocks(order.len(), |block, hashes| {
        // The block's firms are copied out in code order first, by a loop
        // that does nothing else: the reads are scattered over the whole
        // directory, and so many of them are under way at once.
        let block: Vec<(Enterprise, Option<Exclusion>)> = order[block]
            .iter()
            .map(|&i| (firms[i as usize].clone(), exclusions[i as usize]))
            .collect();
        // The leaves' blocks by stratum (its field values) and
        // eligibility.
        let fields = &plan.targets.stratify_by;
        let mut blocks: FxHashMap<(u128, Option<Exclusion>), Option<LeafBlock>> = FxHashMap::default();
        hashes.extend(block.iter().map(|(f, e)| {
            let key = stratum_key(fields, f);
            let parts = || label_parts(fields, directory, f);
            let uscc = f.uscc();
            let leaf = blocks
                .entry((key, *e))
                .or_insert_with(|| LeafBlock::new(parts(), Exclusion::describe(*e)));
            match (leaf, <&[u8; CODE_BYTES]>::try_from(uscc.bytes())) {
                (Some(leaf), Ok(code)) => leaf.hash(code),
                _ => leaf_hash(uscc.bytes(), parts(), Exclusion::describe(*e)),
            }
        }));
    });
    (root, order.len() as u64)
}

/// Leaves per block of [`root_in_blocks`] (a power of two).
const BLOCK: usize = 1 << 11;

/// [`root`] of `n` leaves, with the tree's lower levels hashed in blocks
/// of [`BLOCK`] leaves on every processor; `leaves` gives the hashes of
/// the leaves in a range, into a list it is given. Only a block's leaves
/// are kept at a time: a frame of 20 million firms would otherwise keep
/// 640 MB of them.
///
/// The root over the blocks' roots, followed by the root of the leaves
/// after the last whole block, is the root over the leaves. A block
/// starts at a multiple of its size, which is a power of two, so it is a
/// whole subtree of RFC 6962's tree: every split falls at a sum of larger
/// powers of two. And the largest power of two below the number of
/// leaves is `BLOCK` times the largest below the number of those roots.
fn root_in_blocks(n: usize, leaves: impl Fn(std::ops::Range<usize>, &mut Vec<[u8; 32]>) + Sync) -> [u8; 32] {
    let block_root = |range: std::ops::Range<usize>| {
        let mut hashes = Vec::with_capacity(range.len());
        leaves(range, &mut hashes);
        root(&hashes)
    };
    let whole = n / BLOCK;
    let mut roots: Vec<[u8; 32]> = (0..whole)
        .into_par_iter()
        .map(|b| block_root(b * BLOCK..(b + 1) * BLOCK))
        .collect();
    if whole * BLOCK < n {
        roots.push(block_root(whole * BLOCK..n));
    }
    root(&roots)
}

/// SHA-256(0x01 ‖ left ‖ right).
pub fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut first = [0u8; 64];
    first[0] = 0x01;
    first[1..33].copy_from_slice(left);
    first[33..].copy_from_slice(&right[..31]);
    let second = final_block(&right[31..], 65).expect("one byte");
    let mut state = IV;
    sha2::block_api::compress256(&mut state, &[first, second]);
    digest_bytes(&state)
}

/// The leaves of a frame, sorted by credit code.
pub fn frame_leaves(plan: &Plan, directory: &Directory, history: Option<&History>) -> Vec<Leaf> {
    let exclusions = exclusions(plan, directory, history);
    directory
        .by_code()
        .iter()
        .map(|&i| {
            let f = &directory.firms[i as usize];
            Leaf {
                uscc: f.uscc().to_string(),
                stratum: stratum_label(&plan.targets.stratify_by, directory, f),
                eligibility: Exclusion::describe(exclusions[i as usize]).into(),
            }
        })
        .collect()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 Merkle Tree Hash of leaf hashes (SHA-256 of nothing for none).
pub fn root(hashes: &[[u8; 32]]) -> [u8; 32] {
    match hashes.len() {
        0 => Sha256::digest([]).into(),
        1 => hashes[0],
        n => {
            let (left, right) = hashes.split_at(split(n));
            node(&root(left), &root(right))
        }
    }
}

/// RFC 6962 audit path of leaf `m`, from the leaf up.
pub fn path(hashes: &[[u8; 32]], m: usize) -> Vec<[u8; 32]> {
    let n = hashes.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut p = path(&hashes[..k], m);
        p.push(root(&hashes[k..]));
        p
    } else {
        let mut p = path(&hashes[k..], m - k);
        p.push(root(&hashes[..k]));
        p
    }
}

/// Recomputes the root from a leaf hash, its index, the tree size and
/// its audit path (RFC 9162 §2.1.3.2); `None` when the path does not fit.
pub fn root_from_path(leaf: [u8; 32], index: u64, size: u64, path: &[[u8; 32]]) -> Option<[u8; 32]> {
    if index >= size {
        return None;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = leaf;
    for p in path {
        if s_n == 0 {
            return None;
        }
        if f_n % 2 == 1 || f_n == s_n {
            r = node(p, &r);
            if f_n % 2 == 0 {
                while f_n % 2 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    (s_n == 0).then_some(r)
}

/// The frame's tree: leaves, their hashes and the root.
#[derive(Debug, Clone)]
pub struct FrameTree {
    pub leaves: Vec<Leaf>,
    pub hashes: Vec<[u8; 32]>,
    pub root: [u8; 32],
}

impl FrameTree {
    /// Builds the tree of a frame.
    pub fn build(plan: &Plan, directory: &Directory, history: Option<&History>) -> FrameTree {
        let leaves = frame_leaves(plan, directory, history);
        let hashes: Vec<[u8; 32]> = leaves.iter().map(Leaf::hash).collect();
        let root = root(&hashes);
        FrameTree { leaves, hashes, root }
    }

    /// The index of a firm's leaf.
    pub fn find(&self, uscc: &str) -> Option<usize> {
        self.leaves.binary_search_by(|l| l.uscc.as_str().cmp(uscc)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<[u8; 32]> {
        (0..n)
            .map(|i| Sha256::digest(i.to_string().as_bytes()).into())
            .collect()
    }

    #[test]
    fn every_path_leads_to_the_root() {
        for n in 1..40 {
            let h = leaves(n);
            let r = root(&h);
            for m in 0..n {
                let p = path(&h, m);
                assert_eq!(root_from_path(h[m], m as u64, n as u64, &p), Some(r), "n={n} m={m}");
                if n > 1 {
                    assert_ne!(root_from_path(h[m], ((m + 1) % n) as u64, n as u64, &p), Some(r));
                    let mut bad = p.clone();
                    bad[0][0] ^= 1;
                    assert_ne!(root_from_path(h[m], m as u64, n as u64, &bad), Some(r));
                }
            }
        }
    }

    #[test]
    fn streamed_leaf_hash_is_the_hash_of_the_data() {
        let l = Leaf {
            uscc: "91640121750822310D".into(),
            stratum: "B/凯里市".into(),
            eligibility: "eligible".into(),
        };
        assert_eq!(l.hash(), l.hash_of_data());
        assert_eq!(
            leaf_hash(l.uscc.as_bytes(), ["B", "凯里市"].into_iter(), "eligible"),
            l.hash()
        );
    }

    #[test]
    fn roots_hashed_in_blocks_are_the_root() {
        for n in [
            0,
            1,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            3 * BLOCK,
            3 * BLOCK + 5,
            8 * BLOCK + 2,
        ] {
            let h = leaves(n);
            let blocks = root_in_blocks(h.len(), |range, out| out.extend_from_slice(&h[range]));
            assert_eq!(blocks, root(&h), "{n}");
        }
    }

    #[test]
    fn leaf_hashes_of_every_length_are_the_hash_of_the_data() {
        // One block up to 55 bytes of message (with the 0x00), two after.
        for extra in 0..40 {
            let l = Leaf {
                uscc: "91640121750822310D".into(),
                stratum: format!("B/{}", "x".repeat(extra)),
                eligibility: "recently-inspected".into(),
            };
            let label = l.stratum.split('/');
            assert_eq!(
                leaf_hash(l.uscc.as_bytes(), label.clone(), &l.eligibility),
                l.hash_of_data(),
                "{extra}"
            );
            // The block with the code left blank gives the same hash, for
            // as long as the leaf is one block.
            let code: &[u8; CODE_BYTES] = l.uscc.as_bytes().try_into().unwrap();
            match LeafBlock::new(label, &l.eligibility) {
                Some(block) => assert_eq!(block.hash(code), l.hash_of_data(), "{extra}"),
                None => assert!(1 + l.data().len() > 55, "{extra}"),
            }
        }
    }

    #[test]
    fn nodes_are_the_hash_of_both_children() {
        // Enough pairs for most of the 256 last bytes of a right child.
        let h = leaves(1000);
        for pair in h.windows(2) {
            let (l, r) = (&pair[0], &pair[1]);
            let expected: [u8; 32] = Sha256::new()
                .chain_update([1u8])
                .chain_update(l)
                .chain_update(r)
                .finalize()
                .into();
            assert_eq!(node(l, r), expected);
        }
    }

    /// SPEC.md §6.
    #[test]
    fn spec_vectors() {
        let a = Leaf {
            uscc: "91640121750822310D".into(),
            stratum: "B/凯里市".into(),
            eligibility: "eligible".into(),
        };
        let b = Leaf {
            uscc: "91640221MA75XXUL75".into(),
            stratum: "A/凯里市".into(),
            eligibility: "inactive:revoked".into(),
        };
        assert_eq!(
            hex::encode(a.hash()),
            "2eb632e20db3dc4c31a105843d60e4ff7f49545cec49819737aa6c97c54dfd51"
        );
        assert_eq!(
            hex::encode(b.hash()),
            "a0397345354286c5c5643ef1f17dd2f2c502b3b02b0e2530e775936c8a0e2a49"
        );
        assert_eq!(
            hex::encode(root(&[a.hash(), b.hash()])),
            "1584f3a33655c2da48a881435f341bd7cbce72c09910ef6405f1c2638c0e7713"
        );
    }

    #[test]
    fn rfc6962_shape() {
        let h = leaves(3);
        assert_eq!(root(&h), node(&node(&h[0], &h[1]), &h[2]));
    }
}
