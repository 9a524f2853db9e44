//! SHA-256's compression function (FIPS 180-4 §6.2.2) for a block that is
//! compressed under many chaining states.
//!
//! The team draw hashes every inspector's id under every target's seed:
//! a few hundred final blocks, each compressed under thousands of states
//! ([`crate::draw::ticket::IdBlock`]). A block's message schedule does not
//! depend on the state, so a [`PreparedBlock`] works it out once, with the
//! round constants added; a compression is then the 64 rounds alone.
//! Four blocks are compressed side by side, which keeps a processor's
//! SHA-256 unit busy where one compression would wait on each round.
//!
//! On x86-64 processors with the SHA extensions the rounds use them;
//! elsewhere they are plain Rust. The `sha2` crate remains the hash for
//! everything else; the tests hold this module to it.

/// SHA-256's initial hash value (FIPS 180-4 §5.3.3).
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// A chaining state as the 32 bytes of a digest.
pub fn digest_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, w) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// The last block of a message of `message_len` bytes whose final `tail`
/// bytes follow whole 64-byte blocks: the tail, 0x80, zeros, and the
/// message length in bits as a big-endian u64 (SHA-256's padding). `None`
/// for a tail over 55 bytes, whose padding takes a block of its own.
pub fn final_block(tail: &[u8], message_len: usize) -> Option<[u8; 64]> {
    if tail.len() > 55 {
        return None;
    }
    let mut block = [0u8; 64];
    block[..tail.len()].copy_from_slice(tail);
    block[tail.len()] = 0x80;
    block[56..].copy_from_slice(&(message_len as u64 * 8).to_be_bytes());
    Some(block)
}

/// SHA-256's round constants.
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

/// A 64-byte block with its message schedule worked out: word `t` is
/// W_t + K_t.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedBlock {
    wk: [u32; 64],
}

impl PreparedBlock {
    pub fn new(block: &[u8; 64]) -> PreparedBlock {
        let mut w = [0u32; 64];
        for (t, word) in block.chunks_exact(4).enumerate() {
            w[t] = u32::from_be_bytes(word.try_into().expect("4 bytes"));
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        for (w, k) in w.iter_mut().zip(K) {
            *w = w.wrapping_add(k);
        }
        PreparedBlock { wk: w }
    }

    /// The chaining state after compressing this block under `state`.
    pub fn compress(&self, state: &[u32; 8]) -> [u32; 8] {
        let [out] = PreparedBlock::compress_each(state, [self]);
        out
    }

    /// [`PreparedBlock::compress`] of four blocks under one state.
    pub fn compress_four(state: &[u32; 8], blocks: [&PreparedBlock; 4]) -> [[u32; 8]; 4] {
        PreparedBlock::compress_each(state, blocks)
    }

    fn compress_each<const N: usize>(state: &[u32; 8], blocks: [&PreparedBlock; N]) -> [[u32; 8]; N] {
        #[cfg(target_arch = "x86_64")]
        if sha_extensions::available() {
            return sha_extensions::compress_each(state, blocks);
        }
        blocks.map(|b| rounds(state, &b.wk))
    }
}

/// The 64 rounds and the final addition, in plain Rust.
fn rounds(state: &[u32; 8], wk: &[u32; 64]) -> [u32; 8] {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for &x in wk {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h.wrapping_add(s1).wrapping_add(ch).wrapping_add(x);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        (h, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
    }
    let mut out = *state;
    for (o, v) in out.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *o = o.wrapping_add(v);
    }
    out
}

/// The rounds on the SHA extensions of x86-64 processors.
#[cfg(target_arch = "x86_64")]
mod sha_extensions {
    use super::PreparedBlock;
    use std::arch::x86_64::*;

    /// Whether this processor has the instructions [`rounds_each`] uses.
    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("sha") && std::is_x86_feature_detected!("sse4.1")
    }

    /// [`PreparedBlock::compress_each`]; only when [`available`].
    #[allow(unsafe_code)]
    pub(super) fn compress_each<const N: usize>(state: &[u32; 8], blocks: [&PreparedBlock; N]) -> [[u32; 8]; N] {
        assert!(available());
        // SAFETY: the processor has every feature `rounds_each` is
        // compiled for: checked just above. The function itself is safe
        // code.
        unsafe { rounds_each(state, blocks) }
    }

    /// Four words as a vector, the first in the lowest lane.
    #[target_feature(enable = "sse2")]
    fn vector(w: &[u32]) -> __m128i {
        _mm_set_epi32(w[3] as i32, w[2] as i32, w[1] as i32, w[0] as i32)
    }

    /// The instructions keep the state as two vectors, (A, B, E, F) and
    /// (C, D, G, H), highest lane first. Each `sha256rnds2` does two
    /// rounds with the two W + K words in the vector's low lanes.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn rounds_each<const N: usize>(state: &[u32; 8], blocks: [&PreparedBlock; N]) -> [[u32; 8]; N] {
        let dcba = _mm_shuffle_epi32(vector(&state[0..4]), 0xB1); // C D A B
        let hgfe = _mm_shuffle_epi32(vector(&state[4..8]), 0x1B); // E F G H
        let abef = _mm_alignr_epi8(dcba, hgfe, 8);
        let cdgh = _mm_blend_epi16(hgfe, dcba, 0xF0);
        let (mut x, mut y) = ([abef; N], [cdgh; N]);
        for r in 0..16 {
            for n in 0..N {
                let wk = vector(&blocks[n].wk[4 * r..4 * r + 4]);
                y[n] = _mm_sha256rnds2_epu32(y[n], x[n], wk);
                x[n] = _mm_sha256rnds2_epu32(x[n], y[n], _mm_shuffle_epi32(wk, 0x0E));
            }
        }
        let mut out = [[0u32; 8]; N];
        for (n, out) in out.iter_mut().enumerate() {
            let abef = _mm_add_epi32(x[n], abef);
            let cdgh = _mm_add_epi32(y[n], cdgh);
            let feba = _mm_shuffle_epi32(abef, 0x1B);
            let dchg = _mm_shuffle_epi32(cdgh, 0xB1);
            let abcd = _mm_blend_epi16(feba, dchg, 0xF0);
            let efgh = _mm_alignr_epi8(dchg, feba, 8);
            *out = [
                _mm_extract_epi32(abcd, 0) as u32,
                _mm_extract_epi32(abcd, 1) as u32,
                _mm_extract_epi32(abcd, 2) as u32,
                _mm_extract_epi32(abcd, 3) as u32,
                _mm_extract_epi32(efgh, 0) as u32,
                _mm_extract_epi32(efgh, 1) as u32,
                _mm_extract_epi32(efgh, 2) as u32,
                _mm_extract_epi32(efgh, 3) as u32,
            ];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_sha2(state: &[u32; 8], block: &[u8; 64]) -> [u32; 8] {
        let mut s = *state;
        sha2::block_api::compress256(&mut s, &[*block]);
        s
    }

    #[test]
    fn abc_is_the_standard_digest() {
        // FIPS 180-4's example: "abc", padded into one block.
        let mut block = [0u8; 64];
        block[..3].copy_from_slice(b"abc");
        block[3] = 0x80;
        block[63] = 24;
        let expected = [
            0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad,
        ];
        let p = PreparedBlock::new(&block);
        assert_eq!(p.compress(&IV), expected);
        assert_eq!(PreparedBlock::compress_four(&IV, [&p; 4]), [expected; 4]);
    }

    proptest! {
        #[test]
        fn compressions_agree_with_sha2(
            state in any::<[u32; 8]>(),
            blocks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 64), 4),
        ) {
            let blocks: Vec<[u8; 64]> = blocks.iter().map(|b| b[..].try_into().unwrap()).collect();
            let prepared: Vec<PreparedBlock> = blocks.iter().map(PreparedBlock::new).collect();
            let expected: Vec<[u32; 8]> = blocks.iter().map(|b| by_sha2(&state, b)).collect();
            for (p, e) in prepared.iter().zip(&expected) {
                prop_assert_eq!(&p.compress(&state), e);
                prop_assert_eq!(&rounds(&state, &p.wk), e);
            }
            let four = PreparedBlock::compress_four(&state, std::array::from_fn(|n| &prepared[n]));
            prop_assert_eq!(four.to_vec(), expected);
        }
    }
}
