//! Sampling ratios written as percent strings, kept as basis points so
//! that no floating point decides who is drawn.

use std::fmt;
use std::str::FromStr;

/// A ratio from 0% to 100% in basis points (1% = 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ratio(u32);

impl Ratio {
    /// The ratio in basis points, 0..=10000.
    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// From basis points; `None` above 10000.
    pub fn from_basis_points(bp: u32) -> Option<Ratio> {
        (bp <= 10_000).then_some(Ratio(bp))
    }

    /// ceil(n × basis_points / 10000), in integers.
    pub fn of(self, n: u64) -> u64 {
        (n * self.0 as u64).div_ceil(10_000)
    }
}

impl FromStr for Ratio {
    type Err = String;

    /// Parses a ratio as SPEC.md §1.5 writes its grammar:
    ///
    /// ```text
    /// ratio   = integer [ "." 1*2DIGIT ] "%"
    /// integer = "0" / %x31-39 *2DIGIT      ; no leading zero
    /// ```
    ///
    /// with no spaces, from `0%` to `100%`: `"3%"`, `"2.5%"`, `"0.25%"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = "expected a percentage such as \"3%\" or \"2.5%\" (digits, at most two decimals, \
                        no leading zero, no spaces; 0% to 100%)";
        let number = s
            .strip_suffix('%')
            .ok_or_else(|| format!("{s:?} has no % sign at the end; {expected}"))?;
        let (whole, frac) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number, ""),
        };
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (number.contains('.') && !digits(frac)) {
            return Err(format!("{s:?} is not a number; {expected}"));
        }
        if whole.len() > 1 && whole.starts_with('0') {
            return Err(format!("{s:?} has a leading zero; {expected}"));
        }
        if frac.len() > 2 {
            return Err(format!("{s:?} has more than two decimals; {expected}"));
        }
        if whole.len() > 3 {
            return Err(format!("{s:?} is over 100%; {expected}"));
        }
        let whole: u32 = whole.parse().map_err(|_| format!("{s:?}: {expected}"))?;
        let frac: u32 = format!("{frac:0<2}")
            .parse()
            .map_err(|_| format!("{s:?}: {expected}"))?;
        let bp = whole * 100 + frac;
        Ratio::from_basis_points(bp).ok_or_else(|| format!("{s:?} is over 100%; {expected}"))
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, r) = (self.0 / 100, self.0 % 100);
        match r {
            0 => write!(f, "{w}%"),
            r if r % 10 == 0 => write!(f, "{w}.{}%", r / 10),
            r => write!(f, "{w}.{r:02}%"),
        }
    }
}

/// `k/n` written as a decimal with six places, rounded half up, in
/// integers (for reports; never used to decide a draw).
pub fn probability(k: u64, n: u64) -> String {
    if n == 0 {
        return "0.000000".to_string();
    }
    let scaled = (k as u128 * 1_000_000 * 2 + n as u128) / (2 * n as u128);
    format!("{}.{:06}", scaled / 1_000_000, scaled % 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percentages() {
        let bp = |s: &str| s.parse::<Ratio>().map(|r| r.basis_points());
        assert_eq!(bp("3%"), Ok(300));
        assert_eq!(bp("2.5%"), Ok(250));
        assert_eq!(bp("0.25%"), Ok(25));
        assert_eq!(bp("100%"), Ok(10_000));
        assert_eq!(bp("0%"), Ok(0));
        assert_eq!(bp("0.5%"), Ok(50));
        assert_eq!(bp("99.99%"), Ok(9999));
        assert_eq!(bp("100.00%"), Ok(10_000));
        for bad in [
            "3", "2.555%", "100.01%", "101%", "-1%", "+1%", "abc%", ".5%", "5.%", "1e2%", "05%", "00%", "0005%", " 5%",
            "5% ", "5 %", "5 .5%", "５%", "5%%", "%", "",
        ] {
            assert!(bp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ceil_in_integers() {
        let r: Ratio = "3%".parse().unwrap();
        assert_eq!(r.of(100), 3);
        assert_eq!(r.of(101), 4);
        assert_eq!(r.of(0), 0);
        assert_eq!("2.5%".parse::<Ratio>().unwrap().of(1), 1);
        assert_eq!("0%".parse::<Ratio>().unwrap().of(1000), 0);
    }

    #[test]
    fn display_and_probability() {
        assert_eq!("2.5%".parse::<Ratio>().unwrap().to_string(), "2.5%");
        assert_eq!("0.25%".parse::<Ratio>().unwrap().to_string(), "0.25%");
        assert_eq!(probability(1, 3), "0.333333");
        assert_eq!(probability(2, 3), "0.666667");
        assert_eq!(probability(5, 5), "1.000000");
    }
}
