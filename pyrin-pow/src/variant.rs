//! Which nibble reduction of the matrix product a header uses.

use pyrin_core::{params::MAINNET_HF_RELAUNCH_DAA_SCORE, Header};

/// The two reductions of the matrix–vector product the network has used.
///
/// Each of the 64 row sums is a 14-bit number; the reduction turns it into a nibble.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Variant {
    /// The original rule: keep the top four bits of the sum (`sum >> 10`).
    Legacy,
    /// The rule activated by the relaunch hard fork: XOR the sum's three low nibbles.
    Relaunch,
}

impl Variant {
    /// The variant for a block with this DAA score: [`Variant::Relaunch`] strictly after
    /// the mainnet relaunch score (27,037,930).
    ///
    /// The reference node compares against the *mainnet* constant on every network, so
    /// this does too: a testnet header with a DAA score above it uses the relaunch rule.
    pub const fn for_daa_score(daa_score: u64) -> Self {
        if daa_score > MAINNET_HF_RELAUNCH_DAA_SCORE {
            Variant::Relaunch
        } else {
            Variant::Legacy
        }
    }

    /// The variant the network applies to `header` (see [`Variant::for_daa_score`]).
    pub const fn for_header(header: &Header) -> Self {
        Self::for_daa_score(header.daa_score)
    }

    /// Reduces one 14-bit row sum to a nibble.
    #[inline(always)]
    pub const fn reduce(self, sum: u16) -> u8 {
        match self {
            Variant::Legacy => (sum >> 10) as u8,
            Variant::Relaunch => ((sum ^ (sum >> 4) ^ (sum >> 8)) & 0xF) as u8,
        }
    }
}

impl core::fmt::Display for Variant {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Variant::Legacy => "legacy",
            Variant::Relaunch => "relaunch",
        })
    }
}

impl core::str::FromStr for Variant {
    type Err = UnknownVariant;

    /// Reads the [`Display`](core::fmt::Display) form: `legacy` or `relaunch`.
    ///
    /// # Errors
    /// [`UnknownVariant`] for any other text.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "legacy" => Ok(Variant::Legacy),
            "relaunch" => Ok(Variant::Relaunch),
            _ => Err(UnknownVariant),
        }
    }
}

/// A variant name other than `legacy` or `relaunch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown PoW variant (expected `legacy` or `relaunch`)")]
#[non_exhaustive]
pub struct UnknownVariant;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_after_the_relaunch_score() {
        assert_eq!(Variant::for_daa_score(MAINNET_HF_RELAUNCH_DAA_SCORE), Variant::Legacy);
        assert_eq!(Variant::for_daa_score(MAINNET_HF_RELAUNCH_DAA_SCORE + 1), Variant::Relaunch);
    }

    #[test]
    fn reductions() {
        assert_eq!(Variant::Legacy.reduce(0x3FFF), 0xF);
        assert_eq!(Variant::Legacy.reduce(0x03FF), 0);
        assert_eq!(Variant::Relaunch.reduce(0x0123), 0x1 ^ 0x2 ^ 0x3);
        assert_eq!(Variant::Relaunch.reduce(0x3ABC), 0xA ^ 0xB ^ 0xC);
    }
}
