//! Tickets of Rivest's consistent sampler (PyPI `consistent-sampler`
//! 1.0.10, first generation), computed exactly as that package does.
//!
//! For a seed string `S` and an id string `I`:
//!
//! ```text
//! h      = SHA-256( hexlower(SHA-256(S)) ‖ I )          (UTF-8 bytes)
//! digits = decimal(int(h)), zero-padded to at least 64 digits
//! ticket = "0." ‖ reverse(digits)
//! ```
//!
//! Tickets are compared as byte strings; since every ticket starts with
//! `0.`, this is the same order as Python's string comparison.

use crate::draw::prepared_block::{IV, PreparedBlock, digest_bytes, final_block};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::fmt;

/// A first-generation ticket number, a decimal fraction in (0, 1) kept
/// in full as text. Never truncated.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Ticket(String);

impl Ticket {
    /// The ticket as text, e.g. `0.2629971412…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses a ticket written as `0.` followed by decimal digits.
    pub fn parse(s: &str) -> Option<Ticket> {
        let digits = s.strip_prefix("0.")?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Ticket(s.to_string()))
    }
}

impl Ord for Ticket {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.as_bytes().cmp(other.0.as_bytes())
    }
}

impl PartialOrd for Ticket {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ticket({})", self.0)
    }
}

/// A seed prepared for ticketing: `hexlower(SHA-256(S))`, computed once.
///
/// The hex digest is 64 bytes, exactly one SHA-256 block, so the hash
/// state after it is kept and each id costs one more block: for ids of up
/// to 55 bytes (credit codes, inspector ids) that block is the id with
/// SHA-256's standard padding, compressed directly.
#[derive(Clone, Debug)]
pub struct SeedHash {
    hex: String,
    state: Sha256,
    /// The compression state after the 64-byte hex block.
    words: [u32; 8],
}

impl SeedHash {
    /// Hashes the seed string's UTF-8 bytes. The seed is text, never a
    /// number: `"007"` and `"7"` are different seeds.
    pub fn new(seed: &str) -> SeedHash {
        let hex = hex::encode(Sha256::digest(seed.as_bytes()));
        let state = Sha256::new_with_prefix(hex.as_bytes());
        let mut words = IV;
        let block: [u8; 64] = hex.as_bytes().try_into().expect("64 hex characters");
        sha2::block_api::compress256(&mut words, &[block]);
        SeedHash { hex, state, words }
    }

    /// SHA-256(hex ‖ id) as its eight big-endian words.
    fn digest_words(&self, id: &[u8]) -> [u32; 8] {
        let Some(block) = last_block(id) else {
            let digest: [u8; 32] = self.state.clone().chain_update(id).finalize().into();
            return std::array::from_fn(|i| u32::from_be_bytes(digest[4 * i..4 * i + 4].try_into().expect("4 bytes")));
        };
        let mut words = self.words;
        sha2::block_api::compress256(&mut words, &[block]);
        words
    }

    /// The first nine digits after `0.` of a prepared id's ticket, read
    /// as a number: tickets with different prefixes order as their
    /// prefixes; equal prefixes (about one pair in 10^9) need the full
    /// tickets ([`SeedHash::key`]).
    pub fn prefix(&self, id: &IdBlock) -> u32 {
        reversed_low_digits(&id.0.compress(&self.words))
    }

    /// [`SeedHash::prefix`] of four ids at once, which is faster than one
    /// by one; `None` for an id whose prefix is above `bound` by its first
    /// digit alone, which is cheaper to find.
    pub fn prefixes_up_to(&self, ids: [&IdBlock; 4], bound: u32) -> [Option<u32>; 4] {
        let first = bound / 100_000_000;
        let words = PreparedBlock::compress_four(&self.words, [&ids[0].0, &ids[1].0, &ids[2].0, &ids[3].0]);
        let mut out = [None; 4];
        for (out, words) in out.iter_mut().zip(&words) {
            if first_digit(words) <= first {
                *out = Some(reversed_low_digits(words));
            }
        }
        out
    }

    /// The hex digest that prefixes every id before hashing.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The ticket of one id.
    pub fn ticket(&self, id: &str) -> Ticket {
        self.key(id).ticket()
    }

    /// The first nine digits after `0.` of an id's ticket, read as a
    /// number (see [`SeedHash::prefix`]); the id as bytes.
    pub fn prefix_of(&self, id: &[u8]) -> u32 {
        reversed_low_digits(&self.digest_words(id))
    }

    /// The ticket of one id in a compact form that sorts the same way.
    pub fn key(&self, id: &str) -> TicketKey {
        let words = self.digest_words(id.as_bytes());
        TicketKey {
            prefix: reversed_low_digits(&words),
            digest: digest_bytes(&words),
        }
    }
}

/// The last SHA-256 block of `hex ‖ id`, which is the same whatever the
/// seed: the id, 0x80, zeros, and the message length in bits (64 + len
/// bytes) as a big-endian u64, SHA-256's standard padding. `None` for ids
/// longer than 55 bytes, which take two blocks.
fn last_block(id: &[u8]) -> Option<[u8; 64]> {
    final_block(id, 64 + id.len())
}

/// An id prepared for hashing under many seeds: its last block
/// ([`last_block`]) with the block's message schedule worked out.
#[derive(Clone, Debug)]
pub struct IdBlock(PreparedBlock);

impl IdBlock {
    /// `None` for ids longer than 55 bytes.
    pub fn new(id: &str) -> Option<IdBlock> {
        last_block(id.as_bytes()).map(|b| IdBlock(PreparedBlock::new(&b)))
    }
}

/// A ticket kept as its hash, with the value of its first 9 decimal
/// digits for fast comparison. Orders exactly as [`Ticket`] does: equal
/// prefixes (about one pair in 10^9) fall back to the full tickets.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TicketKey {
    prefix: u32,
    digest: [u8; 32],
}

impl TicketKey {
    /// The full ticket.
    pub fn ticket(&self) -> Ticket {
        Ticket(fraction_from_digest(&self.digest))
    }
}

impl Ord for TicketKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.prefix.cmp(&other.prefix).then_with(|| {
            if self.digest == other.digest {
                Ordering::Equal
            } else {
                self.ticket().cmp(&other.ticket())
            }
        })
    }
}

impl PartialOrd for TicketKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The first 9 digits after "0." of a ticket, read as a number: the
/// digits of int(digest) mod 10^9, lowest first. The digest is given as
/// its eight big-endian 32-bit words.
fn reversed_low_digits(words: &[u32; 8]) -> u32 {
    const M: u64 = 1_000_000_000;
    // 2^(32·(7−i)) mod 10^9 for the eight big-endian 32-bit words.
    const WEIGHTS: [u64; 8] = {
        let mut w = [0u64; 8];
        let mut i = 8;
        let mut p = 1u64;
        while i > 0 {
            i -= 1;
            w[i] = p;
            p = (p << 32) % M;
        }
        w
    };
    let mut halves = [0u64; 2];
    for (i, &w) in words.iter().enumerate() {
        let w = w as u64;
        // Each product is below 2^62 and four of them below 2^64.
        halves[i / 4] += w * WEIGHTS[i];
    }
    let low = ((halves[0] % M + halves[1] % M) % M) as u32;
    // Reverse the nine digits three at a time.
    let (a, b, c) = (low % 1000, (low / 1000) % 1000, low / 1_000_000);
    REVERSED_3[a as usize] as u32 * 1_000_000 + REVERSED_3[b as usize] as u32 * 1000 + REVERSED_3[c as usize] as u32
}

/// The first digit after "0." of a ticket: int(digest) mod 10, the first
/// of [`reversed_low_digits`]. Every 2^(32·k), k ≥ 1, is 6 mod 10.
fn first_digit(words: &[u32; 8]) -> u32 {
    let high: u64 = words[..7].iter().map(|&w| u64::from(w)).sum();
    ((u64::from(words[7]) + 6 * high) % 10) as u32
}

/// For each n < 1000, the number its three digits (zero-padded) make
/// when read backwards: 12 → "012" → "210" → 210.
const REVERSED_3: [u16; 1000] = {
    let mut t = [0u16; 1000];
    let mut n = 0;
    while n < 1000 {
        t[n] = ((n % 10) * 100 + (n / 10 % 10) * 10 + n / 100) as u16;
        n += 1;
    }
    t
};

/// The ticket of `id` under `seed` (hashes the seed each time; use
/// [`SeedHash`] for many ids).
pub fn ticket(seed: &str, id: &str) -> Ticket {
    SeedHash::new(seed).ticket(id)
}

/// `"0." ‖ reverse(decimal(int(digest)) zero-padded to 64)`.
fn fraction_from_digest(digest: &[u8; 32]) -> String {
    // The 256-bit integer as eight 32-bit limbs, most significant first.
    let mut limbs: [u32; 8] =
        std::array::from_fn(|i| u32::from_be_bytes(digest[4 * i..4 * i + 4].try_into().expect("4 bytes")));
    // Repeatedly divide by 10^9 and collect the remainders, least
    // significant first: this yields the decimal digits from the lowest,
    // which is exactly the reversed order the ticket needs. Each step
    // divides a number below 10^9 · 2^32 < 2^62, so it stays in u64, where
    // dividing by a constant is a multiplication.
    const CHUNK: u64 = 1_000_000_000;
    let mut out = String::with_capacity(2 + 78);
    out.push_str("0.");
    let mut digits_written = 0;
    loop {
        let mut rem: u64 = 0;
        for limb in limbs.iter_mut() {
            let cur = rem << 32 | u64::from(*limb);
            *limb = (cur / CHUNK) as u32;
            rem = cur % CHUNK;
        }
        let is_last = limbs.iter().all(|&l| l == 0);
        // Emit the chunk's 9 digits lowest first; the last chunk stops at
        // its highest non-zero digit.
        let mut chunk = rem;
        for _ in 0..9 {
            if is_last && chunk == 0 {
                break;
            }
            out.push((b'0' + (chunk % 10) as u8) as char);
            chunk /= 10;
            digits_written += 1;
        }
        if is_last {
            break;
        }
    }
    // Zero padding of the decimal to 64 digits sits at its high end, which
    // is the tail of the reversed string.
    while digits_written < 64 {
        out.push('0');
        digits_written += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_sampler_doc_vector() {
        // consistent_sampler.first_fraction('AB-130', '01382438112797316654')
        assert_eq!(
            ticket("01382438112797316654", "AB-130").as_str(),
            "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
        );
    }

    /// consistent_sampler.sampler(['ab-1', 'ab-2', 'cd-1', 'ef-3'],
    /// seed=314159) yields cd-1 (0.317685817…), ef-3 (0.832984519…),
    /// ab-1 (0.9098039269…), ab-2 (0.9231549043…): the package's own
    /// example, with the integer seed as the text Python makes of it.
    #[test]
    fn sampler_doc_vector() {
        let s = SeedHash::new("314159");
        let mut ids = vec!["ab-1", "ab-2", "cd-1", "ef-3"];
        ids.sort_by_key(|id| s.key(id));
        assert_eq!(ids, ["cd-1", "ef-3", "ab-1", "ab-2"]);
        for (id, head) in [
            ("cd-1", "0.317685817"),
            ("ef-3", "0.832984519"),
            ("ab-1", "0.9098039269"),
            ("ab-2", "0.9231549043"),
        ] {
            assert!(s.ticket(id).as_str().starts_with(head), "{id}");
        }
    }

    #[test]
    fn ticket_heap_doc_vector() {
        let s = SeedHash::new("xy()134!g2n");
        assert_eq!(
            s.ticket("cat").as_str(),
            "0.24866413894129579898796850445568128508290132707747976039848637531569373309555"
        );
        assert_eq!(
            s.ticket("goat").as_str(),
            "0.49599842072022713663423753308080171636735689997237236247068925068573448764387"
        );
    }

    /// SPEC.md §2: the stratum of four firms under seed "20250301-QDN".
    #[test]
    fn spec_vectors() {
        let s = SeedHash::new("20250301-QDN");
        assert_eq!(
            s.hex(),
            "f9b13c68e8fa5241ab97dbf2bfee744f062a41b9f7d310b78c549c2ea6197b09"
        );
        let expected = [
            (
                "91640121750822310D",
                "0.37632197080225483250199307517330880493502141177248781684697061492577131568261",
            ),
            (
                "91640221MA75XXUL75",
                "0.14236155032877600162941296972668971134664346034673700328550125809805456923397",
            ),
            (
                "9164022122816188X8",
                "0.52235651166613383232178844699141865004696725110302340169391178035165016679367",
            ),
            (
                "91350100M000100Y43",
                "0.03564501221880607793665928530218228191322090203711250597641202119735074971869",
            ),
        ];
        for (id, t) in expected {
            assert_eq!(s.ticket(id).as_str(), t, "{id}");
        }
        let mut ids: Vec<&str> = expected.iter().map(|(id, _)| *id).collect();
        ids.sort_by_key(|id| s.key(id));
        assert_eq!(&ids[..2], &["91350100M000100Y43", "91640221MA75XXUL75"]);
        // SPEC.md §4: the team seed of 91640121750822310D.
        let team = SeedHash::new("20250301-QDN:team:91640121750822310D");
        let mut inspectors = vec!["QDN-SJ-0003", "QDN-SW-0001", "QDN-SJ-0002", "QDN-SJ-0001"];
        inspectors.sort_by_key(|id| team.key(id));
        assert_eq!(inspectors, ["QDN-SJ-0001", "QDN-SJ-0002", "QDN-SW-0001", "QDN-SJ-0003"]);
        assert_eq!(
            team.ticket("QDN-SJ-0001").as_str(),
            "0.03212901743976614566785281193304067010642040918078495172043143929793160181976"
        );
    }

    #[test]
    fn zero_digest_is_padded() {
        let t = fraction_from_digest(&[0u8; 32]);
        assert_eq!(t.len(), 66);
        assert!(t[2..].bytes().all(|b| b == b'0'));
        let mut one = [0u8; 32];
        one[31] = 10;
        let t = fraction_from_digest(&one);
        assert_eq!(&t[..4], "0.01");
        assert_eq!(t.len(), 66);
    }

    #[test]
    fn max_digest_has_78_digits() {
        let t = fraction_from_digest(&[0xffu8; 32]);
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        let rev: String = max.chars().rev().collect();
        assert_eq!(&t[2..], rev);
    }

    /// The decimal digits of a big-endian number, lowest first, by long
    /// division by 10 a byte at a time.
    fn digits_lowest_first(digest: &[u8; 32]) -> String {
        let mut n = digest.to_vec();
        let mut out = String::new();
        while n.iter().any(|&b| b != 0) {
            let mut rem = 0u32;
            for b in n.iter_mut() {
                let cur = rem << 8 | u32::from(*b);
                *b = (cur / 10) as u8;
                rem = cur % 10;
            }
            out.push(char::from(b'0' + rem as u8));
        }
        out
    }

    proptest::proptest! {
        /// Tickets are the digits of the digest, lowest first, padded to
        /// 64: for any digest, and for digests with runs of zero bits
        /// (whose decimal chunks may be zero).
        #[test]
        fn tickets_are_the_reversed_decimal(
            digest in proptest::array::uniform32(proptest::prelude::any::<u8>()),
            zeros in 0usize..32,
        ) {
            for d in [digest, { let mut d = digest; d[..zeros].fill(0); d }] {
                let mut want = digits_lowest_first(&d);
                while want.len() < 64 {
                    want.push('0');
                }
                proptest::prop_assert_eq!(fraction_from_digest(&d), format!("0.{want}"));
            }
        }
    }

    #[test]
    fn keys_order_as_tickets() {
        let s = SeedHash::new("key order");
        let mut keys: Vec<TicketKey> = (0..2000).map(|i| s.key(&format!("id-{i}"))).collect();
        let mut tickets: Vec<Ticket> = keys.iter().map(|k| k.ticket()).collect();
        keys.sort();
        tickets.sort();
        assert_eq!(keys.iter().map(|k| k.ticket()).collect::<Vec<_>>(), tickets);
        for k in &keys[..20] {
            assert_eq!(k.prefix.to_string(), k.ticket().as_str()[2..11].trim_start_matches('0'));
        }
    }

    #[test]
    fn equal_prefixes_fall_back_to_full_tickets() {
        let s = SeedHash::new("ties");
        let (a, b) = (s.key("a"), s.key("b"));
        let (ta, tb) = (TicketKey { prefix: 7, ..a }, TicketKey { prefix: 7, ..b });
        assert_eq!(ta.cmp(&tb), a.ticket().cmp(&b.ticket()));
        assert_eq!(ta.cmp(&ta), Ordering::Equal);
    }

    #[test]
    fn one_block_digest_is_sha256() {
        let s = SeedHash::new("block");
        for len in 0..120 {
            let id: String = (0..len).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
            let expected: [u8; 32] = Sha256::new()
                .chain_update(s.hex().as_bytes())
                .chain_update(&id)
                .finalize()
                .into();
            assert_eq!(digest_bytes(&s.digest_words(id.as_bytes())), expected, "length {len}");
        }
        let chinese = "执法人员甲";
        let expected: [u8; 32] = Sha256::new()
            .chain_update(s.hex().as_bytes())
            .chain_update(chinese)
            .finalize()
            .into();
        assert_eq!(digest_bytes(&s.digest_words(chinese.as_bytes())), expected);
    }

    #[test]
    fn prefixes_of_prepared_ids_are_the_tickets_first_digits() {
        let s = SeedHash::new("prefixes");
        let ids: Vec<String> = (0..400).map(|i| format!("ZF-{i:04}")).collect();
        let blocks: Vec<IdBlock> = ids.iter().map(|id| IdBlock::new(id).unwrap()).collect();
        for (four, blocks) in ids.chunks(4).zip(blocks.chunks(4)) {
            let blocks: [&IdBlock; 4] = std::array::from_fn(|n| &blocks[n]);
            let all = s.prefixes_up_to(blocks, u32::MAX);
            for bound in [u32::MAX, 999_999_999, 500_000_000, 99_999_999, 0] {
                let some = s.prefixes_up_to(blocks, bound);
                for ((id, block), (all, some)) in four.iter().zip(blocks).zip(all.iter().zip(some)) {
                    let prefix = s.key(id).prefix;
                    assert_eq!(s.prefix(block), prefix);
                    assert_eq!(*all, Some(prefix));
                    // Only prefixes above the bound may be left out.
                    assert!(
                        some == Some(prefix) || (some.is_none() && prefix > bound),
                        "{id} {bound}"
                    );
                    // And those whose first digit is above the bound's are.
                    assert_eq!(
                        some.is_none(),
                        prefix / 100_000_000 > bound / 100_000_000,
                        "{id} {bound}"
                    );
                }
            }
        }
    }

    #[test]
    fn seed_is_text() {
        assert_ne!(ticket("007", "x"), ticket("7", "x"));
    }
}
