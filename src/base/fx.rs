//! A fast hasher for the crate's internal maps.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small, fast hasher (FxHash, as in rustc). Keys are short strings,
/// packed credit codes and the like from the user's own files, so
/// resistance to crafted collisions (SipHash, the standard default) buys
/// nothing here. No map with this hasher is ever iterated where the order
/// could reach an output.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(pub(crate) u64);

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        // The last 1-7 bytes as two (possibly overlapping) smaller words;
        // `Hash for [u8]` has already written the length.
        let rest = words.remainder();
        let n = rest.len();
        if n >= 4 {
            let word = |i: usize| u64::from(u32::from_le_bytes(rest[i..i + 4].try_into().expect("4 bytes")));
            self.add(word(0) << 32 | word(n - 4));
        } else if n > 0 {
            self.add(u64::from(rest[0]) << 16 | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i.into());
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
