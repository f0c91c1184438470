use core::fmt;
use core::str::FromStr;

/// A quantity of PYI, counted in leor (10^-8 PYI).
///
/// Its borsh and serde forms are those of the `u64` leor count, as the node writes output
/// values; in human-readable serde formats it is also read from a decimal string of leor
/// (see the `serde_form` module). `Display` prints PYI with up to eight decimals and the unit; `FromStr` reads
/// that form back (the unit is optional).
///
/// ```
/// use pyrin_core::Amount;
///
/// let fee = Amount::from_leor(2_036);
/// let sent = Amount::from_pyi(12).unwrap();
/// let total = sent.checked_add(fee).unwrap();
/// assert_eq!(total.to_leor(), 1_200_002_036);
/// assert_eq!(total.to_string(), "12.00002036 PYI");
/// assert_eq!("12.00002036 PYI".parse::<Amount>(), Ok(total));
/// assert!(Amount::MAX_MONEY.checked_add(Amount::from_leor(1)).is_some()); // u64, not the cap
/// assert!(Amount::from_leor(u64::MAX).checked_add(Amount::from_leor(1)).is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "borsh", derive(borsh::BorshSerialize, borsh::BorshDeserialize))]
#[repr(transparent)]
pub struct Amount(u64);

impl Amount {
    /// Nothing.
    pub const ZERO: Amount = Amount(0);
    /// One leor, the smallest unit.
    pub const ONE_LEOR: Amount = Amount(1);
    /// One PYI (10^8 leor).
    pub const ONE_PYI: Amount = Amount(Self::LEOR_PER_PYI);
    /// The consensus cap on any output, input total or output total: 10^9 PYI.
    pub const MAX_MONEY: Amount = Amount(1_000_000_000 * Self::LEOR_PER_PYI);
    /// Leor per PYI.
    pub const LEOR_PER_PYI: u64 = 100_000_000;

    /// An amount of `leor`.
    pub const fn from_leor(leor: u64) -> Self {
        Amount(leor)
    }

    /// The amount in leor.
    pub const fn to_leor(self) -> u64 {
        self.0
    }

    /// An amount of whole PYI; `None` if it does not fit in a u64 of leor.
    pub const fn from_pyi(pyi: u64) -> Option<Self> {
        match pyi.checked_mul(Self::LEOR_PER_PYI) {
            Some(leor) => Some(Amount(leor)),
            None => None,
        }
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Sum, `None` on overflow.
    #[must_use]
    pub const fn checked_add(self, rhs: Amount) -> Option<Amount> {
        match self.0.checked_add(rhs.0) {
            Some(v) => Some(Amount(v)),
            None => None,
        }
    }

    /// Difference, `None` when `rhs` is larger.
    #[must_use]
    pub const fn checked_sub(self, rhs: Amount) -> Option<Amount> {
        match self.0.checked_sub(rhs.0) {
            Some(v) => Some(Amount(v)),
            None => None,
        }
    }

    /// Product with a count, `None` on overflow.
    #[must_use]
    pub const fn checked_mul(self, rhs: u64) -> Option<Amount> {
        match self.0.checked_mul(rhs) {
            Some(v) => Some(Amount(v)),
            None => None,
        }
    }

    /// Quotient by a count (rounded down), `None` when `rhs` is zero.
    #[must_use]
    pub const fn checked_div(self, rhs: u64) -> Option<Amount> {
        match self.0.checked_div(rhs) {
            Some(v) => Some(Amount(v)),
            None => None,
        }
    }

    /// Sum, saturating at `u64::MAX` leor.
    #[must_use]
    pub const fn saturating_add(self, rhs: Amount) -> Amount {
        Amount(self.0.saturating_add(rhs.0))
    }

    /// Difference, saturating at zero.
    #[must_use]
    pub const fn saturating_sub(self, rhs: Amount) -> Amount {
        Amount(self.0.saturating_sub(rhs.0))
    }

    /// The sum of amounts, `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Amount>>(amounts: I) -> Option<Amount> {
        amounts.into_iter().try_fold(Amount::ZERO, Amount::checked_add)
    }
}

impl fmt::Display for Amount {
    /// PYI with the fractional part's trailing zeros removed, then ` PYI`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / Self::LEOR_PER_PYI;
        let mut frac = self.0 % Self::LEOR_PER_PYI;
        if frac == 0 {
            return write!(f, "{whole} PYI");
        }
        let mut digits = 8;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        write!(f, "{whole}.{frac:0digits$} PYI")
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({} leor)", self.0)
    }
}

/// Why a string is not an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseAmountError {
    /// Empty, or a character other than digits, one `.` and an optional ` PYI` suffix.
    #[error("not a PYI amount: expected digits with at most one decimal point")]
    Invalid,
    /// More than eight decimals: finer than one leor.
    #[error("more than 8 decimals: finer than one leor")]
    TooPrecise,
    /// More leor than a u64 holds.
    #[error("amount too large")]
    TooLarge,
}

impl FromStr for Amount {
    type Err = ParseAmountError;

    /// Reads a PYI amount such as `12`, `0.5` or `12.00002036 PYI`.
    ///
    /// # Errors
    /// [`ParseAmountError::Invalid`] for anything but digits with at most one `.` that has
    /// digits on both sides, optionally followed by ` PYI`; [`ParseAmountError::TooPrecise`]
    /// for more than eight decimals; [`ParseAmountError::TooLarge`] past `u64::MAX` leor.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let number = s.strip_suffix(" PYI").unwrap_or(s);
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || (number.contains('.') && frac.is_empty()) {
            return Err(ParseAmountError::Invalid);
        }
        if frac.len() > 8 {
            return Err(ParseAmountError::TooPrecise);
        }
        let whole: u64 = whole.parse().map_err(|_| ParseAmountError::TooLarge)?;
        let mut frac_leor = 0u64;
        for (i, b) in frac.bytes().enumerate() {
            frac_leor += u64::from(b - b'0') * 10u64.pow(7 - i as u32);
        }
        whole
            .checked_mul(Self::LEOR_PER_PYI)
            .and_then(|leor| leor.checked_add(frac_leor))
            .map(Amount)
            .ok_or(ParseAmountError::TooLarge)
    }
}

impl core::iter::Sum for Amount {
    /// The sum of the amounts.
    ///
    /// # Panics
    /// On overflow past `u64::MAX` leor; use [`Amount::checked_sum`] for untrusted input.
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        Amount::checked_sum(iter).expect("amount sum overflowed u64 leor")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn display_trims_trailing_zeros() {
        assert_eq!(Amount::ZERO.to_string(), "0 PYI");
        assert_eq!(Amount::from_leor(1).to_string(), "0.00000001 PYI");
        assert_eq!(Amount::from_leor(150_000_000).to_string(), "1.5 PYI");
        assert_eq!(Amount::MAX_MONEY.to_string(), "1000000000 PYI");
    }

    #[test]
    fn parse_reads_display_back() {
        for leor in [0, 1, 10, 123_456_789, 150_000_000, u64::MAX] {
            let a = Amount::from_leor(leor);
            assert_eq!(a.to_string().parse::<Amount>(), Ok(a));
        }
    }

    #[test]
    fn parse_refuses_malformed_input() {
        assert_eq!("".parse::<Amount>(), Err(ParseAmountError::Invalid));
        assert_eq!("1.".parse::<Amount>(), Err(ParseAmountError::Invalid));
        assert_eq!(".5".parse::<Amount>(), Err(ParseAmountError::Invalid));
        assert_eq!("-1".parse::<Amount>(), Err(ParseAmountError::Invalid));
        assert_eq!("1.000000001".parse::<Amount>(), Err(ParseAmountError::TooPrecise));
        assert_eq!("184467440737.09551616".parse::<Amount>(), Err(ParseAmountError::TooLarge));
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Amount::from_leor(5).checked_sub(Amount::from_leor(6)), None);
        assert_eq!(Amount::from_leor(u64::MAX).checked_mul(2), None);
        assert_eq!(Amount::from_leor(7).checked_div(0), None);
        assert_eq!(Amount::checked_sum([Amount::from_leor(u64::MAX), Amount::ONE_LEOR]), None);
        assert_eq!(Amount::from_pyi(u64::MAX), None);
    }
}
