//! Offline verification of a drand **quicknet** beacon round.
//!
//! A seed ceremony fixes, in advance, a drand round number (usually with
//! [`round_at`] applied to the public meeting time). Once that round has been
//! published, anybody can fetch its JSON from a drand HTTP relay
//! (`GET /{chain hash}/public/{round}`) and check it here, without network
//! access:
//!
//! 1. [`parse_round`] reads the JSON into a [`BeaconRound`];
//! 2. [`verify_round`] checks that it is the expected round, that its BLS
//!    signature is valid under the pinned quicknet public key
//!    ([`QUICKNET_PUBLIC_KEY_HEX`]), and that the claimed randomness is
//!    SHA-256 of the signature; it returns those 32 randomness bytes.
//!
//! Quicknet uses the `bls-unchained-g1-rfc9380` scheme: signatures are
//! compressed BLS12-381 G1 points (48 bytes), the group public key is a
//! compressed G2 point (96 bytes), and the signed message is
//! SHA-256(round as 8 big-endian bytes), hashed to G1 per RFC 9380. The
//! pairing check itself is done by the `drand-verify` crate
//! ([`drand_verify::G2PubkeyRfc`]).

use chrono::{DateTime, Utc};
use drand_verify::{G2PubkeyRfc, Pubkey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Chain hash of drand's quicknet (League of Entropy mainnet, 3 s period,
/// unchained, scheme `bls-unchained-g1-rfc9380`), as used in relay URLs
/// `/{chain hash}/public/{round}`.
pub const QUICKNET_CHAIN_HASH: &str = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";

/// Quicknet's group public key: a compressed BLS12-381 G2 point (96 bytes),
/// hex-encoded (192 lowercase hex digits).
///
/// Pinned here so that verification never trusts a key served by a relay. The
/// value matches the `public_key` field of the quicknet chain info and the
/// quicknet key used in the `drand-verify` crate's own documentation and tests.
pub const QUICKNET_PUBLIC_KEY_HEX: &str = "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a";

/// Quicknet's genesis time in Unix seconds (2023-08-23T15:09:27Z): the time
/// of round 1.
pub const QUICKNET_GENESIS: i64 = 1_692_803_367;

/// Quicknet's period in seconds: round `r + 1` is due `QUICKNET_PERIOD`
/// seconds after round `r`.
pub const QUICKNET_PERIOD: i64 = 3;

/// Length in bytes of a quicknet signature (a compressed G1 point).
const SIGNATURE_LEN: usize = 48;

/// One drand beacon round, as returned by a drand HTTP relay for
/// `GET /{chain hash}/public/{round}`, e.g.
/// `{"round":657413,"randomness":"fc18…","signature":"b713…"}`.
///
/// Fields the relay may add (such as `previous_signature`, which chained
/// networks carry) are ignored when deserializing. Nothing in this struct is
/// trusted until [`verify_round`] has accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeaconRound {
    /// The round number.
    pub round: u64,
    /// The claimed randomness: hex of SHA-256(signature), 32 bytes.
    pub randomness: String,
    /// The BLS signature on the round, hex of a compressed G1 point (48 bytes).
    pub signature: String,
}

/// Why a beacon round could not be parsed or was rejected.
#[derive(Debug, Error)]
pub enum BeaconError {
    /// The beacon is for another round than the one the ceremony fixed.
    #[error("beacon is for round {found}, but round {expected} was expected")]
    WrongRound {
        /// The round the caller asked for.
        expected: u64,
        /// The round the beacon claims to be.
        found: u64,
    },
    /// The named field (`"signature"` or `"randomness"`) is not valid hex.
    #[error("field `{0}` is not valid hex")]
    BadHex(&'static str),
    /// The signature does not decode to exactly 48 bytes.
    #[error("signature is {found} bytes long, but a quicknet signature is 48 bytes")]
    BadSignatureLength {
        /// The number of bytes the signature hex decoded to.
        found: usize,
    },
    /// The signature is not a valid quicknet BLS signature for this round:
    /// either it is not a valid G1 point, or the pairing check against the
    /// pinned quicknet public key fails.
    #[error("signature is not a valid quicknet signature for round {round}")]
    InvalidSignature {
        /// The round the signature was checked against.
        round: u64,
    },
    /// The claimed `randomness` is not SHA-256 of the signature.
    #[error("claimed randomness {claimed} is not SHA-256 of the signature ({computed})")]
    RandomnessMismatch {
        /// The randomness the beacon claims (as given, hex).
        claimed: String,
        /// SHA-256 of the signature (lowercase hex).
        computed: String,
    },
    /// The input is not a JSON beacon object (`round`, `randomness`,
    /// `signature`).
    #[error("beacon JSON could not be parsed: {0}")]
    Json(#[from] serde_json::Error),
}

/// Parses a drand relay's JSON for one round into a [`BeaconRound`].
///
/// Unknown fields are ignored. This only checks the JSON shape; it verifies
/// nothing (see [`verify_round`]).
///
/// # Errors
///
/// [`BeaconError::Json`] if `json` is not an object with a non-negative
/// integer `round` and string `randomness` and `signature`.
pub fn parse_round(json: &str) -> Result<BeaconRound, BeaconError> {
    Ok(serde_json::from_str(json)?)
}

/// Verifies a quicknet beacon offline and returns its 32 randomness bytes.
///
/// The checks, in order:
/// 1. `b.round == expected_round`, otherwise [`BeaconError::WrongRound`];
/// 2. `b.signature` is hex ([`BeaconError::BadHex`]`("signature")`) of exactly
///    48 bytes ([`BeaconError::BadSignatureLength`]);
/// 3. the signature is a valid BLS signature for round `expected_round` under
///    the pinned [`QUICKNET_PUBLIC_KEY_HEX`] (unchained: the signed message
///    depends on the round number only), otherwise
///    [`BeaconError::InvalidSignature`];
/// 4. `b.randomness` is hex ([`BeaconError::BadHex`]`("randomness")`, either
///    letter case) of SHA-256(signature bytes), otherwise
///    [`BeaconError::RandomnessMismatch`].
///
/// The returned bytes are SHA-256(signature), i.e. exactly drand's randomness
/// for that round.
pub fn verify_round(b: &BeaconRound, expected_round: u64) -> Result<[u8; 32], BeaconError> {
    if b.round != expected_round {
        return Err(BeaconError::WrongRound {
            expected: expected_round,
            found: b.round,
        });
    }

    let signature = hex::decode(&b.signature).map_err(|_| BeaconError::BadHex("signature"))?;
    if signature.len() != SIGNATURE_LEN {
        return Err(BeaconError::BadSignatureLength { found: signature.len() });
    }

    // Unchained scheme: no previous signature goes into the message.
    let valid = quicknet_public_key()
        .verify(expected_round, b"", &signature)
        // `Err` means the bytes are not a valid (subgroup) G1 point.
        .unwrap_or(false);
    if !valid {
        return Err(BeaconError::InvalidSignature { round: expected_round });
    }

    let computed: [u8; 32] = Sha256::digest(&signature).into();
    let claimed = hex::decode(&b.randomness).map_err(|_| BeaconError::BadHex("randomness"))?;
    if claimed != computed {
        return Err(BeaconError::RandomnessMismatch {
            claimed: b.randomness.clone(),
            computed: hex::encode(computed),
        });
    }
    Ok(computed)
}

/// The pinned quicknet public key as a G2 point.
fn quicknet_public_key() -> G2PubkeyRfc {
    let mut bytes = [0u8; 96];
    hex::decode_to_slice(QUICKNET_PUBLIC_KEY_HEX, &mut bytes).expect("QUICKNET_PUBLIC_KEY_HEX is 96 bytes of hex");
    G2PubkeyRfc::from_fixed(bytes).expect("QUICKNET_PUBLIC_KEY_HEX is a valid G2 point")
}

/// The time at which quicknet round `round` is due:
/// `QUICKNET_GENESIS + (round − 1) × QUICKNET_PERIOD` seconds (Unix time, UTC).
///
/// Round 1 is at genesis, 2023-08-23T15:09:27Z. Rounds start at 1; round 0
/// (which drand never publishes) is mapped to genesis as well. A beacon is
/// published at (in practice shortly after) its round time, never before.
///
/// # Panics
///
/// If the time does not fit in [`DateTime<Utc>`] (rounds beyond roughly
/// 8.7 × 10¹², some 260,000 years from now).
pub fn round_time(round: u64) -> DateTime<Utc> {
    let secs = i64::try_from(round.saturating_sub(1))
        .ok()
        .and_then(|n| n.checked_mul(QUICKNET_PERIOD))
        .and_then(|n| n.checked_add(QUICKNET_GENESIS))
        .and_then(|s| DateTime::from_timestamp(s, 0));
    secs.unwrap_or_else(|| panic!("quicknet round {round} is out of the representable time range"))
}

/// The first quicknet round whose [`round_time`] is at or after `t`.
///
/// So the round chosen for a public meeting at time `t` is never due before
/// `t`: `round_time(round_at(t)) >= t`, and `round_at(t)` is the smallest
/// round (≥ 1) with that property. Exactly:
///
/// - if `t` is at or before genesis, the result is 1;
/// - otherwise, with `d = t − QUICKNET_GENESIS` in seconds (fractions count:
///   any sub-second part moves `t` past a round time), the result is
///   `1 + ⌈d / QUICKNET_PERIOD⌉`.
///
/// If `t` is exactly a round time, that round is returned; one nanosecond
/// later gives the next round. `round_at(round_time(r)) == r` for every
/// `r ≥ 1`.
pub fn round_at(t: DateTime<Utc>) -> u64 {
    // Round times are whole seconds, so `round_time(r) >= t` is the same as
    // `round_time(r) >= ceil(t)` in whole seconds.
    let mut secs = t.timestamp();
    if t.timestamp_subsec_nanos() > 0 {
        secs += 1;
    }
    let d = secs - QUICKNET_GENESIS;
    if d <= 0 {
        return 1;
    }
    // `d > 0` here, so the casts are lossless; `DateTime` timestamps are far
    // below `i64::MAX`, so nothing overflows.
    1 + (d as u64).div_ceil(QUICKNET_PERIOD as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    const ROUND: u64 = 657413;
    const SIG: &str =
        "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b";
    const RAND: &str = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587";
    /// The test-data file meant for integration tests; checked here too.
    const FIXTURE: &str = include_str!("../../tests/data/beacon-657413.json");

    fn good() -> BeaconRound {
        BeaconRound {
            round: ROUND,
            randomness: RAND.into(),
            signature: SIG.into(),
        }
    }

    #[test]
    fn public_key_is_pinned_and_valid() {
        assert_eq!(QUICKNET_PUBLIC_KEY_HEX.len(), 192);
        // Same key as in drand-verify's quicknet doc example.
        assert!(QUICKNET_PUBLIC_KEY_HEX.starts_with("83cf0f2896adee7eb8b5f01fcad39122"));
        let _ = quicknet_public_key();
    }

    #[test]
    fn accepts_round_657413() {
        let r = verify_round(&good(), ROUND).unwrap();
        assert_eq!(hex::encode(r), RAND);
    }

    #[test]
    fn accepts_uppercase_hex() {
        let mut b = good();
        b.signature = b.signature.to_uppercase();
        b.randomness = b.randomness.to_uppercase();
        assert_eq!(hex::encode(verify_round(&b, ROUND).unwrap()), RAND);
    }

    #[test]
    fn accepts_round_123_from_drand_verify_docs() {
        // The quicknet example in drand-verify's documentation; randomness is
        // whatever SHA-256 of that signature is (checked independently here).
        let sig = "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92";
        let randomness = hex::encode(Sha256::digest(hex::decode(sig).unwrap()));
        let b = BeaconRound {
            round: 123,
            randomness,
            signature: sig.into(),
        };
        verify_round(&b, 123).unwrap();
    }

    #[test]
    fn fixture_file_parses_and_verifies() {
        let b = parse_round(FIXTURE).unwrap();
        assert_eq!(b, good());
        assert_eq!(hex::encode(verify_round(&b, ROUND).unwrap()), RAND);
    }

    #[test]
    fn parse_ignores_unknown_fields() {
        let json = format!(
            r#"{{"round":{ROUND},"randomness":"{RAND}","signature":"{SIG}","previous_signature":"00","extra":[1,2]}}"#
        );
        assert_eq!(parse_round(&json).unwrap(), good());
    }

    #[test]
    fn parse_rejects_bad_json() {
        for bad in [
            "",
            "{}",
            r#"{"round":-1,"randomness":"","signature":""}"#,
            r#"{"round":"1","randomness":"","signature":""}"#,
            r#"{"round":1,"randomness":"ab"}"#,
        ] {
            assert!(matches!(parse_round(bad), Err(BeaconError::Json(_))), "{bad:?}");
        }
    }

    #[test]
    fn rejects_flipped_signature_bits() {
        let sig = hex::decode(SIG).unwrap();
        // A few positions: the flag bits of the first byte, the middle, and
        // the last bit.
        for (byte, bit) in [(0, 5), (0, 0), (24, 3), (47, 0)] {
            let mut s = sig.clone();
            s[byte] ^= 1 << bit;
            let mut b = good();
            b.signature = hex::encode(&s);
            let err = verify_round(&b, ROUND).unwrap_err();
            assert!(
                matches!(err, BeaconError::InvalidSignature { round: ROUND }),
                "byte {byte} bit {bit}: {err:?}"
            );
        }
    }

    #[test]
    fn rejects_wrong_expected_round() {
        let err = verify_round(&good(), ROUND + 1).unwrap_err();
        assert!(matches!(
            err,
            BeaconError::WrongRound {
                expected: 657414,
                found: 657413
            }
        ));
        let msg = err.to_string();
        assert!(msg.contains("657413") && msg.contains("657414"), "{msg}");
    }

    #[test]
    fn rejects_signature_replayed_for_next_round() {
        let json = format!(r#"{{"round":657414,"randomness":"{RAND}","signature":"{SIG}"}}"#);
        let b = parse_round(&json).unwrap();
        let err = verify_round(&b, 657414).unwrap_err();
        assert!(
            matches!(err, BeaconError::InvalidSignature { round: 657414 }),
            "{err:?}"
        );
    }

    #[test]
    fn rejects_randomness_mismatch() {
        let mut b = good();
        b.randomness = format!("{}0", &RAND[..63]);
        let err = verify_round(&b, ROUND).unwrap_err();
        assert!(matches!(err, BeaconError::RandomnessMismatch { .. }), "{err:?}");
        assert!(err.to_string().contains(RAND));

        // Right prefix, wrong length.
        b.randomness = RAND[..62].into();
        assert!(matches!(
            verify_round(&b, ROUND),
            Err(BeaconError::RandomnessMismatch { .. })
        ));
        b.randomness = String::new();
        assert!(matches!(
            verify_round(&b, ROUND),
            Err(BeaconError::RandomnessMismatch { .. })
        ));
    }

    #[test]
    fn rejects_bad_hex_and_lengths() {
        let mut b = good();
        b.signature = format!("{}zz", &SIG[..94]);
        assert!(matches!(verify_round(&b, ROUND), Err(BeaconError::BadHex("signature"))));
        b.signature = SIG[..95].into(); // odd length
        assert!(matches!(verify_round(&b, ROUND), Err(BeaconError::BadHex("signature"))));
        b.signature = SIG[..94].into();
        assert!(matches!(
            verify_round(&b, ROUND),
            Err(BeaconError::BadSignatureLength { found: 47 })
        ));
        b.signature = format!("{SIG}00");
        assert!(matches!(
            verify_round(&b, ROUND),
            Err(BeaconError::BadSignatureLength { found: 49 })
        ));

        let mut b = good();
        b.randomness = format!("{}xy", &RAND[..62]);
        assert!(matches!(
            verify_round(&b, ROUND),
            Err(BeaconError::BadHex("randomness"))
        ));
    }

    #[test]
    fn round_time_known_values() {
        let genesis = Utc.with_ymd_and_hms(2023, 8, 23, 15, 9, 27).unwrap();
        assert_eq!(genesis.timestamp(), QUICKNET_GENESIS);
        assert_eq!(round_time(1), genesis);
        assert_eq!(round_time(0), genesis);
        assert_eq!(round_time(2), genesis + Duration::seconds(3));
        assert_eq!(round_time(ROUND), Utc.with_ymd_and_hms(2023, 9, 15, 11, 0, 3).unwrap());
    }

    #[test]
    fn round_at_known_values() {
        let genesis = round_time(1);
        assert_eq!(round_at(genesis), 1);
        assert_eq!(round_at(genesis - Duration::days(365)), 1);
        assert_eq!(round_at(DateTime::<Utc>::MIN_UTC), 1);
        assert_eq!(round_at(genesis + Duration::nanoseconds(1)), 2);
        assert_eq!(round_at(genesis + Duration::seconds(1)), 2);
        assert_eq!(round_at(genesis + Duration::seconds(3)), 2);
        assert_eq!(round_at(genesis + Duration::milliseconds(3001)), 3);
        let t = Utc.with_ymd_and_hms(2023, 9, 15, 11, 0, 3).unwrap();
        assert_eq!(round_at(t), ROUND);
        assert_eq!(round_at(t - Duration::seconds(1)), ROUND);
        assert_eq!(round_at(t - Duration::seconds(3)), ROUND - 1);
        assert_eq!(round_at(t + Duration::milliseconds(1)), ROUND + 1);
        // Does not overflow at the end of chrono's range.
        assert!(round_at(DateTime::<Utc>::MAX_UTC) > 1);
    }

    #[test]
    fn round_time_round_at_round_trip() {
        for r in (1..2_000u64).chain([ROUND - 1, ROUND, ROUND + 1, 1 << 32, 1 << 40]) {
            let t = round_time(r);
            assert_eq!(round_at(t), r);
            assert_eq!(round_at(t - Duration::seconds(1)), r);
            assert_eq!(round_at(t + Duration::nanoseconds(1)), r + 1);
        }
    }

    proptest::proptest! {
        #[test]
        fn round_at_is_first_round_not_before(
            secs in QUICKNET_GENESIS - 100..QUICKNET_GENESIS + 10_000_000_000i64,
            nanos in 0u32..1_000_000_000,
        ) {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            let r = round_at(t);
            proptest::prop_assert!(r >= 1);
            proptest::prop_assert!(round_time(r) >= t);
            if r > 1 {
                proptest::prop_assert!(round_time(r - 1) < t);
            }
        }
    }
}
