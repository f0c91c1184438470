//! The reference node's mempool policy for relaying a transaction, the rules a wallet
//! prices against: the minimum relay fee for a mass, dust outputs, and the largest
//! standard mass. Policy, not consensus: a block may hold transactions these refuse, and a
//! node may be configured with another fee rate.
//!
//! - **Minimum relay fee**: `⌊compute_mass · rate / 1000⌋` leor, where `rate` is the
//!   minimum relay fee in leor per 1000 grams of mass (1000 by default, so one leor per
//!   gram); a result of 0 is raised to `rate` itself, and the fee is capped at the largest
//!   amount, [`Amount::MAX_MONEY`].
//! - **Dust**: an output whose script is unspendable ([`crate::script::is_unspendable`]),
//!   or whose value is worth less than the fee to spend it: with `size` its estimated
//!   serialized size (8 + 2 + 8 + script length) plus 148 bytes for the input that will
//!   spend it, the output is dust when `⌊value · 1000 / (3 · size)⌋ < rate`. At the
//!   default rate a P2PK Schnorr output (34-byte script) needs at least 600 leor, a P2PK
//!   ECDSA one 603.
//! - **Standard mass**: at most [`MAXIMUM_STANDARD_TRANSACTION_MASS`] grams.
//!
//! # Storage mass (KIP-9) and fees on mainnet
//! KIP-9's storage mass is not a consensus rule on mainnet: the reference's mainnet
//! parameters set its activation DAA score (`storage_mass_activation_daa_score`) to
//! `u64::MAX`, never, as do testnet-10's and devnet's (testnet-11 and simnet activate it
//! at 0). The mainnet mempool still computes it (its "beta" variant) and refuses as non
//! standard a transaction whose larger of storage and compute mass passes
//! [`MAXIMUM_STANDARD_TRANSACTION_MASS`], but it charges the minimum fee on the **compute
//! mass alone**. So on mainnet a wallet pays [`RelayPolicy::minimum_fee`] of the signed
//! compute mass ([`crate::mass::signed_compute_mass`]); storage mass, which grows with the
//! number of outputs and as the inverse of their values, only matters for a transaction
//! that splits coins into many small outputs, which it can make non-standard. This crate
//! does not compute storage mass, nor the mass commitment consensus requires where it is
//! active.
//!
//! # Reference behaviour followed
//! The Rust reference node `Pyrinpyi/pyrin`, `mining/src/mempool`:
//! `minimum_required_transaction_relay_fee` and `is_transaction_output_dust` in
//! `check_transaction_standard.rs`, the default rate in `config.rs`; the fee check in
//! context uses `calculated_compute_mass`. Where the reference multiplies in `u64` (the
//! fee for an absurd mass, the dust size of an absurd script), this module computes in
//! `u128` and never overflows.

use pyrin_core::{Amount, ScriptPublicKey, TransactionOutput};

use crate::script;

/// The largest compute mass (and, on mainnet, the largest of storage and compute mass)
/// of a transaction the mempool relays.
pub const MAXIMUM_STANDARD_TRANSACTION_MASS: u64 = 100_000;

/// The bytes the dust rule adds for the input that will spend an output (a typical P2PK
/// input, as the reference counts it).
const SPENDING_INPUT_SIZE: u128 = 148;

/// A relay policy: the minimum relay fee rate that decides both the minimum fee and dust.
///
/// ```
/// use pyrin_tx::policy::RelayPolicy;
///
/// let policy = RelayPolicy::default();
/// assert_eq!(policy.minimum_fee(2036).to_leor(), 2036); // one leor per gram
/// assert_eq!(policy.minimum_fee(0).to_leor(), 1000); // never zero
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RelayPolicy {
    /// The minimum relay fee, in leor per 1000 grams of mass (the node's
    /// `minimum_relay_transaction_fee`).
    pub minimum_fee_per_kilogram: u64,
}

impl RelayPolicy {
    /// The reference node's default: 1000 leor per 1000 grams.
    pub const DEFAULT: RelayPolicy = RelayPolicy { minimum_fee_per_kilogram: 1000 };

    /// The smallest fee that the mempool relays a transaction of this compute mass for
    /// (see the [module documentation](self) for the formula).
    pub const fn minimum_fee(&self, compute_mass: u64) -> Amount {
        let rate = self.minimum_fee_per_kilogram;
        let fee = compute_mass as u128 * rate as u128 / 1000;
        let fee = if fee == 0 { rate as u128 } else { fee };
        let max = Amount::MAX_MONEY.to_leor();
        Amount::from_leor(if fee > max as u128 { max } else { fee as u64 })
    }

    /// Whether the mempool refuses `output` as dust: its script is unspendable, or its
    /// value is worth less than a third of the minimum fee to spend it (see the
    /// [module documentation](self)).
    ///
    /// ```
    /// use pyrin_core::{Amount, TransactionOutput};
    /// use pyrin_tx::{address::{Address, Prefix}, policy::RelayPolicy, script::pay_to_address};
    ///
    /// let script_public_key = pay_to_address(&Address::p2pk_schnorr(Prefix::Mainnet, &[7; 32]));
    /// let policy = RelayPolicy::default();
    /// assert!(policy.is_dust(&TransactionOutput::new(Amount::from_leor(599), script_public_key.clone())));
    /// assert!(!policy.is_dust(&TransactionOutput::new(Amount::from_leor(600), script_public_key)));
    /// ```
    pub fn is_dust(&self, output: &TransactionOutput) -> bool {
        if script::is_unspendable(&output.script_public_key.script) {
            return true;
        }
        let size = spend_size(&output.script_public_key);
        u128::from(output.value.to_leor()) * 1000 / (3 * size) < u128::from(self.minimum_fee_per_kilogram)
    }

    /// The smallest value an output locked by `script_public_key` may carry without being
    /// dust, or `None` when every value is dust (an unspendable script, or a rate so high
    /// that no `u64` amount clears it).
    pub fn dust_threshold(&self, script_public_key: &ScriptPublicKey) -> Option<Amount> {
        if script::is_unspendable(&script_public_key.script) {
            return None;
        }
        // ⌊v · 1000 / d⌋ ≥ rate ⇔ v · 1000 ≥ rate · d ⇔ v ≥ ⌈rate · d / 1000⌉.
        let needed = u128::from(self.minimum_fee_per_kilogram).checked_mul(3 * spend_size(script_public_key))?;
        u64::try_from(needed.div_ceil(1000)).ok().map(Amount::from_leor)
    }
}

impl Default for RelayPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The bytes the dust rule charges for an output and the input that will spend it.
fn spend_size(script_public_key: &ScriptPublicKey) -> u128 {
    (8 + 2 + 8 + script_public_key.script.len() as u128) + SPENDING_INPUT_SIZE
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn policy(rate: u64) -> RelayPolicy {
        RelayPolicy { minimum_fee_per_kilogram: rate }
    }

    fn output(value: u64, script: Vec<u8>) -> TransactionOutput {
        TransactionOutput::new(Amount::from_leor(value), ScriptPublicKey::new(0, script))
    }

    /// A 36-byte script of no standard form; only its length matters to the dust rule.
    fn script_36() -> Vec<u8> {
        let mut script = vec![0x76, 0xa9, 0x21];
        script.extend([0x03; 33]);
        script
    }

    #[test]
    fn the_minimum_fee_is_the_rate_per_kilogram_rounded_down() {
        for (mass, rate, fee) in [
            (100, 1000, 100),
            (MAXIMUM_STANDARD_TRANSACTION_MASS, 1000, 100_000),
            (1500, 5000, 7500),
            (1500, 3000, 4500),
            (782, 5000, 3910),
            (782, 3000, 2346),
            (782, 2550, 1994),
        ] {
            assert_eq!(policy(rate).minimum_fee(mass).to_leor(), fee, "mass {mass} at {rate}");
        }
    }

    #[test]
    fn a_minimum_fee_that_rounds_to_zero_is_the_rate_itself() {
        assert_eq!(policy(3).minimum_fee(250).to_leor(), 3);
        assert_eq!(RelayPolicy::DEFAULT.minimum_fee(0).to_leor(), 1000);
        assert_eq!(policy(0).minimum_fee(5000), Amount::ZERO);
    }

    #[test]
    fn the_minimum_fee_is_capped_at_the_largest_amount() {
        assert_eq!(policy(u64::MAX).minimum_fee(u64::MAX), Amount::MAX_MONEY);
        assert_eq!(RelayPolicy::DEFAULT.minimum_fee(u64::MAX), Amount::MAX_MONEY);
    }

    #[test]
    fn dust_is_a_third_of_the_fee_to_spend_the_output() {
        // Size 8 + 2 + 8 + 36 + 148 = 202: ⌊v · 1000 / 606⌋ < 1000 below 606 leor.
        assert!(RelayPolicy::DEFAULT.is_dust(&output(605, script_36())));
        assert!(!RelayPolicy::DEFAULT.is_dust(&output(606, script_36())));
        assert_eq!(
            RelayPolicy::DEFAULT.dust_threshold(&ScriptPublicKey::new(0, script_36())),
            Some(Amount::from_leor(606))
        );
        assert!(!RelayPolicy::DEFAULT.is_dust(&output(Amount::MAX_MONEY.to_leor(), script_36())));
    }

    #[test]
    fn zero_is_dust_at_any_rate_but_zero() {
        assert!(!policy(0).is_dust(&output(0, script_36())));
        assert!(policy(1).is_dust(&output(0, script_36())));
    }

    #[test]
    fn the_largest_value_at_the_largest_rate_does_not_overflow() {
        assert!(!policy(u64::MAX).is_dust(&output(u64::MAX, script_36())));
    }

    #[test]
    fn an_unspendable_output_is_dust_whatever_it_holds() {
        for script in [vec![0x01], vec![0x6a], vec![0x6a, 0x01, 0x02], vec![0x4d, 0xff]] {
            assert!(policy(0).is_dust(&output(5000, script.clone())), "{script:02x?}");
            assert_eq!(policy(0).dust_threshold(&ScriptPublicKey::new(0, script)), None);
        }
    }

    #[test]
    fn p2pk_outputs_need_600_and_603_leor_at_the_default_rate() {
        use crate::address::{Address, Prefix};
        use crate::script::pay_to_address;
        let schnorr = pay_to_address(&Address::p2pk_schnorr(Prefix::Mainnet, &[7; 32]));
        let ecdsa = pay_to_address(&Address::p2pk_ecdsa(Prefix::Mainnet, &[2; 33]));
        assert_eq!(RelayPolicy::DEFAULT.dust_threshold(&schnorr), Some(Amount::from_leor(600)));
        assert_eq!(RelayPolicy::DEFAULT.dust_threshold(&ecdsa), Some(Amount::from_leor(603)));
    }

    /// The rule as the reference states it: in `u64` while `value · 1000` fits, in
    /// `u128` otherwise.
    fn plain_is_dust(rate: u64, value: u64, script: &[u8]) -> bool {
        if script::is_unspendable(script) {
            return true;
        }
        let size = 8 + 2 + 8 + script.len() as u64 + 148;
        match value.checked_mul(1000) {
            Some(value_1000) => value_1000 / (3 * size) < rate,
            None => u128::from(value) * 1000 / (3 * u128::from(size)) < u128::from(rate),
        }
    }

    proptest! {
        #[test]
        fn is_dust_matches_the_plain_rule(rate in 0u64..1 << 20, value in any::<u64>(), script in proptest::collection::vec(any::<u8>(), 0..80)) {
            let out = output(value, script.clone());
            prop_assert_eq!(policy(rate).is_dust(&out), plain_is_dust(rate, value, &script));
        }

        #[test]
        fn the_dust_threshold_is_the_first_value_that_is_not_dust(rate in 0u64..1 << 40, len in 0usize..200) {
            let script = vec![0x51; len]; // OP_1s: always spendable
            let policy = policy(rate);
            let threshold = policy.dust_threshold(&ScriptPublicKey::new(0, script.clone())).unwrap().to_leor();
            prop_assert!(!policy.is_dust(&output(threshold, script.clone())));
            if threshold > 0 {
                prop_assert!(policy.is_dust(&output(threshold - 1, script)));
            }
        }

        #[test]
        fn the_minimum_fee_never_falls_as_mass_grows(rate in 1u64..1 << 20, mass in 1u64..1 << 40, more in 0u64..1 << 20) {
            let policy = policy(rate);
            prop_assert!(policy.minimum_fee(mass + more) >= policy.minimum_fee(mass));
        }
    }
}
