//! SHA-256 as the files and records write it: 64 lowercase hex digits.
//!
//! Every file hash, plan hash and commitment in spotcheck is this. The
//! draw's own SHA-256 work (tickets, the frame tree) is in
//! `draw::prepared_block`, which is held to the same `sha2` crate.

use sha2::{Digest, Sha256};

/// hexlower(SHA-256(bytes)).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty_input_gives_the_fips_digest() {
        assert_eq!(
            super::sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
