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
    let mut sum = 0u32;
    let mut n = 0;
    for (c, w) in body.chars().zip(ORG_WEIGHTS) {
        let v = c.to_digit(36)?;
        sum += v * w;
        n += 1;
    }
    if n != 8 || body.chars().count() != 8 {
        return None;
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
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(UsccError::Length(chars.len()));
    }
    // (A Vec of 18 chars is cheap; validation runs once per row.)
    for (i, &c) in chars.iter().enumerate() {
        if char_value(c).is_none() {
            return Err(UsccError::Character {
                position: i + 1,
                found: c,
            });
        }
    }
    for (i, &c) in chars.iter().enumerate().take(8).skip(2) {
        if !c.is_ascii_digit() {
            return Err(UsccError::Division {
                position: i + 1,
                found: c,
            });
        }
    }
    let expected_org = org_check_char(&code[8..16]).expect("charset checked");
    if chars[16] != expected_org {
        return Err(UsccError::OrgCheck {
            expected: expected_org,
            found: chars[16],
        });
    }
    let expected = check_char(&code[..17]).expect("charset checked");
    if chars[17] != expected {
        return Err(UsccError::Check {
            expected,
            found: chars[17],
        });
    }
    Ok(())
}

/// A valid code packed into an integer (5 bits a character), for fast
/// duplicate checks.
pub fn pack(code: &str) -> u128 {
    code.chars()
        .fold(0u128, |acc, c| (acc << 5) | char_value(c).unwrap_or(31) as u128)
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn complete_makes_valid_codes() {
        let code = complete("9152260100000001").unwrap();
        assert_eq!(validate(&code), Ok(()));
        assert_eq!(complete("9164012175082231").unwrap(), "91640121750822310D");
    }
}
