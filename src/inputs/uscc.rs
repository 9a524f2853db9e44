//! The unified social credit code (统一社会信用代码) of GB 32100-2015.
//!
//! A code is 18 characters from [`CHARSET`]. Characters 9–17 are the
//! organisation code of GB 11714, whose last character is its own check;
//! character 18 checks the first 17.

use std::fmt;

/// The 31 characters a code may use; a character's value is its index.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of GB 32100 over positions 1–17 (3^i mod 31).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Weights of GB 11714 over positions 9–16 of the credit code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Why a string is not a valid credit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    /// Not 18 characters long.
    Length(usize),
    /// A character outside [`CHARSET`] at a 1-based position.
    Character { position: usize, found: char },
    /// Positions 3–8 (the division code) must be digits.
    Division { position: usize, found: char },
    /// The GB 11714 check character (position 17) is wrong.
    OrgCheck { expected: char, found: char },
    /// The GB 32100 check character (position 18) is wrong.
    Check { expected: char, found: char },
}

impl fmt::Display for UsccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsccError::Length(n) => write!(f, "expected 18 characters, found {n}"),
            UsccError::Character { position, found } => write!(
                f,
                "character {position} is {found:?}, which a credit code never uses \
                 (allowed: {CHARSET}; no I, O, S, V or Z)"
            ),
            UsccError::Division { position, found } => write!(
                f,
                "character {position} is {found:?}, but positions 3-8 are the division code and must be digits"
            ),
            UsccError::OrgCheck { expected, found } => write!(
                f,
                "the organisation-code check (character 17, GB 11714) is {found:?} but should be {expected:?}"
            ),
            UsccError::Check { expected, found } => write!(
                f,
                "the check character (character 18) is {found:?} but should be {expected:?}"
            ),
        }
    }
}

impl std::error::Error for UsccError {}

/// Value of each ASCII byte in [`CHARSET`], or 255.
const VALUES: [u8; 128] = {
    let mut t = [255u8; 128];
    let cs = CHARSET.as_bytes();
    let mut i = 0;
    while i < cs.len() {
        t[cs[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The value of a code character, if it is one.
pub fn char_value(c: char) -> Option<u32> {
    let v = *VALUES.get(c as usize)?;
    (v != 255).then_some(v as u32)
}

/// The GB 11714 check character for the eight characters of an
/// organisation code body (positions 9–16 of a credit code), or `None`
/// when a character has no value.
///
/// Values are 0–9 for digits and A=10 … Z=35 for letters.
pub fn org_check_char(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 8 {
        return None;
    }
    let mut sum = 0u32;
    for (&c, w) in b.iter().zip(ORG_WEIGHTS) {
        sum += char::from(c).to_digit(36)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).expect("0..=9"),
    })
}

/// The GB 32100 check character for the first 17 characters of a code.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += char_value(c)? * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(CHARSET.as_bytes()[c as usize] as char)
}

/// Checks a credit code: length, charset, division digits, the GB 11714
/// check inside and the final check character.
pub fn validate(code: &str) -> Result<(), UsccError> {
    let b = code.as_bytes();
    if b.len() != 18 || !code.is_ascii() {
        let n = code.chars().count();
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        // 18 characters, not all ASCII: name the first character a code
        // never uses, which may be an ASCII one before the non-ASCII one.
        let (i, c) = code
            .chars()
            .enumerate()
            .find(|&(_, c)| char_value(c).is_none())
            .expect("a non-ASCII character has no value");
        return Err(UsccError::Character {
            position: i + 1,
            found: c,
        });
    }
    let mut values = [0u32; 18];
    for (i, &c) in b.iter().enumerate() {
        match VALUES[c as usize] {
            255 => {
                return Err(UsccError::Character {
                    position: i + 1,
                    found: c as char,
                });
            }
            v => values[i] = v as u32,
        }
    }
    for (i, &c) in b.iter().enumerate().take(8).skip(2) {
        if !c.is_ascii_digit() {
            return Err(UsccError::Division {
                position: i + 1,
                found: c as char,
            });
        }
    }
    let expected_org = org_check_char(&code[8..16]).expect("charset checked");
    if b[16] as char != expected_org {
        return Err(UsccError::OrgCheck {
            expected: expected_org,
            found: b[16] as char,
        });
    }
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let expected = CHARSET.as_bytes()[((31 - sum % 31) % 31) as usize] as char;
    if b[17] as char != expected {
        return Err(UsccError::Check {
            expected,
            found: b[17] as char,
        });
    }
    Ok(())
}

/// A code checked as [`validate`] checks it and, when valid, packed
/// ([`pack`]).
pub fn validate_and_pack(code: &str) -> Result<u128, UsccError> {
    match packed_if_valid(code.as_bytes()) {
        Some(packed) => Ok(packed),
        None => validate(code).map(|()| pack(code)),
    }
}

/// Each byte's value as a code character, or 255 for a byte that is not
/// one (any non-ASCII byte included).
const BYTE_VALUES: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 128 {
        t[i] = VALUES[i];
        i += 1;
    }
    t
};

/// Each code character's value in GB 11714: 0–9 for digits, A=10 …
/// Z=35 for letters (`char::to_digit(36)`).
const ORG_VALUES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// A field as stored, when it is exactly a valid code (no spaces around
/// it): the code and the code packed, found in one pass over its bytes.
/// `None` otherwise, which does not mean the field is not a valid code
/// once trimmed: [`validate_and_pack`] says.
pub fn valid_field(raw: &[u8]) -> Option<(Uscc, u128)> {
    let packed = packed_if_valid(raw)?;
    Some((Uscc(raw.try_into().ok()?), packed))
}

/// The packed code when `code` is valid, found in one pass over its
/// bytes; `None` when it is not ([`validate`] says why).
fn packed_if_valid(code: &[u8]) -> Option<u128> {
    let b: &[u8; 18] = code.try_into().ok()?;
    let values: [u8; 18] = std::array::from_fn(|i| BYTE_VALUES[b[i] as usize]);
    // 255 marks a byte that is no code character (the only value with its
    // high bit set); the division code is digits, whose values are below
    // 10.
    let any_high = values.iter().fold(0, |acc, &v| acc | v) & 0x80 != 0;
    if any_high || values[2..8].iter().any(|&v| v >= 10) {
        return None;
    }
    let org: u32 = b[8..16]
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(&c, w)| u32::from(ORG_VALUES[c as usize]) * w)
        .sum();
    let org_check = match 11 - org % 11 {
        10 => b'X',
        11 => b'0',
        c => b'0' + c as u8,
    };
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(&v, w)| u32::from(v) * w).sum();
    if b[16] != org_check || u32::from(values[17]) != (31 - sum % 31) % 31 {
        return None;
    }
    // As [`pack`] does, in two halves of 45 bits.
    let half = |values: &[u8]| values.iter().fold(0u64, |acc, &v| acc << 5 | u64::from(v));
    Some(u128::from(half(&values[..9])) << 45 | u128::from(half(&values[9..])))
}

/// A valid code packed into an integer (5 bits a character), for fast
/// duplicate checks and sorting: [`CHARSET`] is in ASCII order, so for
/// valid codes `pack(a) < pack(b)` exactly when `a < b` as strings.
pub fn pack(code: &str) -> u128 {
    if code.len() == 18 && code.is_ascii() {
        // The same as below, each byte being a character, in two halves
        // of 9 characters (45 bits each) so as to shift only u64s.
        let half = |bytes: &[u8]| {
            bytes.iter().fold(0u64, |acc, &b| {
                let v = match VALUES[b as usize] {
                    255 => 31,
                    v => v,
                };
                (acc << 5) | u64::from(v)
            })
        };
        let b = code.as_bytes();
        return u128::from(half(&b[..9])) << 45 | u128::from(half(&b[9..]));
    }
    code.chars()
        .fold(0u128, |acc, c| (acc << 5) | char_value(c).unwrap_or(31) as u128)
}

/// The code that [`pack`] packed, for a valid code's packing: a firm
/// keeps its code packed (16 bytes) and reads it back from there.
pub fn unpack(packed: u128) -> Uscc {
    let chars = CHARSET.as_bytes();
    let mut bytes = [b'0'; 18];
    for (i, b) in bytes.iter_mut().enumerate() {
        let v = (packed >> (5 * (17 - i))) as usize & 31;
        *b = chars.get(v).copied().unwrap_or(b'?');
    }
    Uscc(bytes)
}

/// Completes a 16-character prefix (positions 1–16) into a valid code by
/// appending both check characters. Used by the demo-data generator.
pub fn complete(prefix16: &str) -> Option<String> {
    let org = org_check_char(&prefix16[8..])?;
    let mut s = String::with_capacity(18);
    s.push_str(prefix16);
    s.push(org);
    let c = check_char(&s)?;
    s.push(c);
    Some(s)
}

/// A code kept inline, without an allocation: the 18 ASCII characters of
/// a code that passed [`validate`]. It reads as the `str` it holds, and
/// orders as that string does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uscc([u8; 18]);

impl Uscc {
    /// `code` kept inline, if it is 18 ASCII characters (a valid code
    /// always is).
    pub fn new(code: &str) -> Option<Uscc> {
        let bytes: [u8; 18] = code.as_bytes().try_into().ok()?;
        bytes.is_ascii().then_some(Uscc(bytes))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }

    /// The code's 18 bytes, for hashing (no check that they are text:
    /// they are ASCII by construction).
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::ops::Deref for Uscc {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for Uscc {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Uscc {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_code_unpacks_to_itself() {
        for code in [
            "91640121750822310D",
            "9164022122816188X8",
            "91350100M000100Y43",
            "91640221MA75XXUL75",
        ] {
            assert_eq!(unpack(pack(code)).as_str(), code);
        }
        for i in 0..2000u32 {
            let code = complete(&format!("9252260{}{i:08}", i % 10)).unwrap();
            assert_eq!(unpack(pack(&code)).as_str(), code);
        }
    }

    #[test]
    fn inline_codes_read_and_order_as_their_strings() {
        let (a, b) = ("91640121750822310D", "9164022122816188X8");
        let (ua, ub) = (Uscc::new(a).unwrap(), Uscc::new(b).unwrap());
        assert_eq!(ua.as_str(), a);
        assert_eq!(ua.to_string(), a);
        assert_eq!(format!("{ua:?}"), format!("{a:?}"));
        assert_eq!(ua.cmp(&ub), a.cmp(b));
        assert!(ua == a);
        assert_eq!(Uscc::new("91640121750822310"), None);
        assert_eq!(Uscc::new("9164012175082231Ü"), None);
    }

    #[test]
    fn organisation_check_of_eight_characters_only() {
        assert_eq!(org_check_char("75082231"), Some('0'));
        assert_eq!(org_check_char("7508223"), None);
        assert_eq!(org_check_char("750822311"), None);
        assert_eq!(org_check_char("750822é"), None);
        assert_eq!(org_check_char("7508223-"), None);
    }

    #[test]
    fn real_codes_pass() {
        for code in [
            "91640121750822310D",
            "91640221MA75XXUL75",
            "9164022122816188X8",
            "91350100M000100Y43",
        ] {
            assert_eq!(validate(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn wrong_check_names_the_right_one() {
        assert_eq!(
            validate("91640121750822310E"),
            Err(UsccError::Check {
                expected: 'D',
                found: 'E'
            })
        );
    }

    #[test]
    fn wrong_org_check_is_caught() {
        // Change character 17 and recompute 18 so only the inner check fails.
        let mut s = String::from("9164012175082231");
        s.push('1');
        let c = check_char(&s).unwrap();
        s.push(c);
        assert!(matches!(validate(&s), Err(UsccError::OrgCheck { expected: '0', .. })));
    }

    #[test]
    fn forbidden_letters_and_length() {
        assert!(matches!(validate("91640121750822310"), Err(UsccError::Length(17))));
        assert!(matches!(
            validate("9164012175082231OD"),
            Err(UsccError::Character {
                position: 17,
                found: 'O'
            })
        ));
        assert!(matches!(
            validate("91A40121750822310D"),
            Err(UsccError::Division { position: 3, .. })
        ));
    }

    #[test]
    fn first_bad_character_is_named_even_before_a_non_ascii_one() {
        // 18 characters, 19 bytes: 'O' at 2 comes before 'é' at 5.
        assert_eq!(
            validate("9O64é121750822310D"),
            Err(UsccError::Character {
                position: 2,
                found: 'O'
            })
        );
        assert_eq!(
            validate("９1522601MA6D3W2L0X"),
            Err(UsccError::Character {
                position: 1,
                found: '９'
            })
        );
    }

    #[test]
    fn pack_reads_bytes_as_characters() {
        let by_chars = |code: &str| {
            code.chars()
                .fold(0u128, |acc, c| (acc << 5) | char_value(c).unwrap_or(31) as u128)
        };
        for code in [
            "91640121750822310D",
            "91640221MA75XXUL75",
            "YYYYYYYYYYYYYYYYYY",
            "9164012175082231OD",
            "9164é121750822310D",
            "9164012",
        ] {
            assert_eq!(pack(code), by_chars(code), "{code}");
        }
        assert_ne!(pack("91640121750822310D"), pack("9164022122816188X8"));
    }

    #[test]
    fn pack_keeps_the_order_of_valid_codes() {
        let mut codes: Vec<String> = (0..2000u32)
            .map(|i| {
                let c = |k: u32| CHARSET.as_bytes()[(i.wrapping_mul(2654435761) >> k) as usize % 31] as char;
                let body: String = (0..8).map(|k| c(k * 3)).collect();
                complete(&format!("9{}52260{}{body}", c(1), i % 10)).unwrap()
            })
            .collect();
        codes.sort();
        for w in codes.windows(2) {
            assert!(validate(&w[0]).is_ok());
            assert_eq!(pack(&w[0]).cmp(&pack(&w[1])), w[0].cmp(&w[1]), "{} {}", w[0], w[1]);
        }
    }

    #[test]
    fn one_pass_check_agrees_with_validate_and_pack() {
        // Valid codes, and every one-character change of them: each
        // position to every byte value that makes a string, and to a few
        // characters beyond ASCII.
        let valid = [
            "91640121750822310D",
            "91640221MA75XXUL75",
            "9164022122816188X8",
            "91350100M000100Y43",
        ];
        let mut codes: Vec<String> = valid.iter().map(|c| c.to_string()).collect();
        for code in valid {
            for i in 0..18 {
                let others = (0u8..128).map(char::from).chain(['é', '９', 'Ü']);
                for c in others {
                    let mut s: Vec<char> = code.chars().collect();
                    s[i] = c;
                    codes.push(s.into_iter().collect());
                }
            }
        }
        // Changes to the first 16 characters with both checks made right
        // (`complete`): letters in the division code, and every check
        // character.
        for code in valid {
            for i in 0..16 {
                for c in CHARSET.chars() {
                    let mut s: Vec<char> = code[..16].chars().collect();
                    s[i] = c;
                    codes.extend(complete(&s.into_iter().collect::<String>()));
                }
            }
        }
        codes.extend(["", "9164012175082231", "91640121750822310D0"].map(String::from));
        let mut passed = 0;
        for code in &codes {
            let expected = validate(code).map(|()| pack(code));
            assert_eq!(validate_and_pack(code), expected, "{code:?}");
            if expected.is_ok() {
                assert_eq!(packed_if_valid(code.as_bytes()), expected.ok(), "{code:?}");
                passed += 1;
            } else {
                assert_eq!(packed_if_valid(code.as_bytes()), None, "{code:?}");
            }
        }
        assert!(passed > 1000, "most completed codes are valid: {passed}");
    }

    #[test]
    fn complete_makes_valid_codes() {
        let code = complete("9152260100000001").unwrap();
        assert_eq!(validate(&code), Ok(()));
        assert_eq!(complete("9164012175082231").unwrap(), "91640121750822310D");
    }
}
