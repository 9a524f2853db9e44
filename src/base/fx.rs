//! The fast hasher of the crate's internal maps: FxHash, as in rustc
//! (`rustc-hash`). Keys are short strings, packed credit codes and the like
//! from the user's own files, so resistance to crafted collisions
//! (SipHash, the standard default) buys nothing here. No map with this
//! hasher is ever iterated where the order could reach an output.

pub(crate) use rustc_hash::{FxHashMap, FxHasher};
