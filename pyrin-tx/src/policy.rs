//! The reference node's mempool policy for relaying a transaction, the rules a wallet
//! prices against: the minimum relay fee for a mass, dust outputs, the largest standard
//! mass, and the standard forms of a transaction's scripts. Policy, not consensus: a block may hold transactions these refuse, and a
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
//! - **Standard transactions** ([`RelayPolicy::check_standard_in_isolation`],
//!   [`RelayPolicy::check_standard_in_context`]): in this order, a version in
//!   [`MINIMUM_STANDARD_TRANSACTION_VERSION`]`..=`[`MAXIMUM_STANDARD_TRANSACTION_VERSION`],
//!   a compute mass of at most [`MAXIMUM_STANDARD_TRANSACTION_MASS`], signature scripts of
//!   at most [`MAXIMUM_STANDARD_SIGNATURE_SCRIPT_SIZE`] bytes, and outputs of script
//!   version 0, of a standard class ([`crate::script::classify`]) and not dust; then, with
//!   the UTXO entries, spent outputs of a standard class and the minimum relay fee.
//!   Signature scripts being push-only is no policy here: the engine refuses any other
//!   (consensus).
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
//! context uses `calculated_compute_mass`; `check_transaction_standard_in_isolation` and
//! `check_transaction_standard_in_context` in the same file for the standardness checks,
//! in its order. Two of its checks are not made here: the contextual (storage) mass in
//! context, which this crate does not compute, and the limit of
//! [`MAX_STANDARD_P2SH_SIG_OPS`] signature operations per P2SH input, which the reference
//! names but does not apply (it counts an input's signature operations, discards the
//! count and compares 1 with the limit); [`check_p2sh_sig_ops`] is that rule as kaspad
//! (the Go node) applied it, for a wallet that wants its spends relayed by either. Where
//! the reference multiplies in `u64` (the fee for an absurd mass, the dust size of an
//! absurd script), this module computes in `u128` and never overflows.

use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionOutput};

use crate::engine::{self, MAX_SCRIPT_PUBLIC_KEY_VERSION};
use crate::mass::{self, MassPrices};
use crate::script::{self, ScriptClass};
use crate::UtxoEntry;

/// The largest compute mass (and, on mainnet, the largest of storage and compute mass)
/// of a transaction the mempool relays.
pub const MAXIMUM_STANDARD_TRANSACTION_MASS: u64 = 100_000;

/// The lowest transaction version the mempool relays (the only version there is).
pub const MINIMUM_STANDARD_TRANSACTION_VERSION: u16 = 0;

/// The highest transaction version the mempool relays.
pub const MAXIMUM_STANDARD_TRANSACTION_VERSION: u16 = 0;

/// The longest signature script the mempool relays, in bytes: room for a 15-of-15
/// multisig of compressed keys spent through P2SH, with some to spare.
pub const MAXIMUM_STANDARD_SIGNATURE_SCRIPT_SIZE: usize = 1650;

/// The most signature operations a standard P2SH input performs under kaspad's rule
/// ([`check_p2sh_sig_ops`]; the reference node does not apply it).
pub const MAX_STANDARD_P2SH_SIG_OPS: u64 = 15;

/// Why the mempool refuses to relay a transaction (policy, not consensus).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NonStandardError {
    /// A transaction version outside the standard range.
    #[error("transaction version {version} is not in the standard range {MINIMUM_STANDARD_TRANSACTION_VERSION}..={MAXIMUM_STANDARD_TRANSACTION_VERSION}")]
    Version {
        /// The transaction's version.
        version: u16,
    },
    /// A compute mass above [`MAXIMUM_STANDARD_TRANSACTION_MASS`].
    #[error("compute mass {mass} is above the standard {MAXIMUM_STANDARD_TRANSACTION_MASS}")]
    Mass {
        /// The transaction's compute mass.
        mass: u64,
    },
    /// A signature script longer than [`MAXIMUM_STANDARD_SIGNATURE_SCRIPT_SIZE`].
    #[error("input {input}: a signature script of {len} bytes is longer than the standard {MAXIMUM_STANDARD_SIGNATURE_SCRIPT_SIZE}")]
    SignatureScriptSize {
        /// The input.
        input: usize,
        /// Its signature script's length.
        len: usize,
    },
    /// An output script public key of a version the node does not know.
    #[error("output {output}: script public key version {version} is above the known {MAX_SCRIPT_PUBLIC_KEY_VERSION}")]
    ScriptPublicKeyVersion {
        /// The output.
        output: usize,
        /// Its script public key's version.
        version: u16,
    },
    /// An output script of no standard form.
    #[error("output {output}: non-standard script form")]
    OutputScriptClass {
        /// The output.
        output: usize,
    },
    /// A dust output ([`RelayPolicy::is_dust`]).
    #[error("output {output}: a payment of {value} is dust")]
    Dust {
        /// The output.
        output: usize,
        /// Its value.
        value: Amount,
    },
    /// The UTXO entries do not match the inputs one for one.
    #[error("{entries} UTXO entries for {inputs} inputs")]
    EntryCount {
        /// Inputs of the transaction.
        inputs: usize,
        /// Entries given.
        entries: usize,
    },
    /// An input spends an output of no standard form.
    #[error("input {input}: spends a non-standard script form")]
    InputScriptClass {
        /// The input.
        input: usize,
    },
    /// A P2SH input performing more than [`MAX_STANDARD_P2SH_SIG_OPS`] signature
    /// operations ([`check_p2sh_sig_ops`] only).
    #[error("input {input}: {sig_ops} signature operations are more than the standard {MAX_STANDARD_P2SH_SIG_OPS}")]
    SignatureCount {
        /// The input.
        input: usize,
        /// The signature operations its scripts perform.
        sig_ops: u64,
    },
    /// A fee below [`RelayPolicy::minimum_fee`] of the compute mass.
    #[error("a fee of {fee} is below the minimum relay fee {minimum}")]
    InsufficientFee {
        /// The transaction's fee.
        fee: Amount,
        /// The minimum relay fee for its compute mass.
        minimum: Amount,
    },
}

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

    /// The checks the mempool makes on a transaction alone, in its order: the version,
    /// the compute mass (at `prices`), each signature script's size, and each output's
    /// script version, class and value (dust). A wallet runs it on the signed transaction.
    ///
    /// # Errors
    /// The first failure: [`NonStandardError::Version`], [`NonStandardError::Mass`],
    /// [`NonStandardError::SignatureScriptSize`],
    /// [`NonStandardError::ScriptPublicKeyVersion`], [`NonStandardError::OutputScriptClass`]
    /// or [`NonStandardError::Dust`].
    ///
    /// ```
    /// use pyrin_core::{params::Network, Amount, Transaction, TransactionOutput, ScriptPublicKey};
    /// use pyrin_tx::{address::{Address, Prefix}, mass::MassPrices, script::pay_to_address};
    /// use pyrin_tx::policy::{NonStandardError, RelayPolicy};
    ///
    /// let prices = MassPrices::from_params(Network::Mainnet.params());
    /// let to = pay_to_address(&Address::p2pk_schnorr(Prefix::Mainnet, &[7; 32]));
    /// let mut tx = Transaction { outputs: vec![TransactionOutput::new(Amount::from_leor(600), to)], ..Transaction::default() };
    /// assert_eq!(RelayPolicy::DEFAULT.check_standard_in_isolation(&tx, &prices), Ok(()));
    /// tx.outputs.push(TransactionOutput::new(Amount::from_leor(600), ScriptPublicKey::new(0, vec![0x51])));
    /// assert_eq!(RelayPolicy::DEFAULT.check_standard_in_isolation(&tx, &prices), Err(NonStandardError::OutputScriptClass { output: 1 }));
    /// ```
    pub fn check_standard_in_isolation(&self, tx: &Transaction, prices: &MassPrices) -> Result<(), NonStandardError> {
        if !(MINIMUM_STANDARD_TRANSACTION_VERSION..=MAXIMUM_STANDARD_TRANSACTION_VERSION).contains(&tx.version) {
            return Err(NonStandardError::Version { version: tx.version });
        }
        let mass = mass::compute_mass(tx, prices);
        if mass > MAXIMUM_STANDARD_TRANSACTION_MASS {
            return Err(NonStandardError::Mass { mass });
        }
        for (input, tx_input) in tx.inputs.iter().enumerate() {
            let len = tx_input.signature_script.len();
            if len > MAXIMUM_STANDARD_SIGNATURE_SCRIPT_SIZE {
                return Err(NonStandardError::SignatureScriptSize { input, len });
            }
        }
        for (output, tx_output) in tx.outputs.iter().enumerate() {
            let version = tx_output.script_public_key.version;
            if version > MAX_SCRIPT_PUBLIC_KEY_VERSION {
                return Err(NonStandardError::ScriptPublicKeyVersion { output, version });
            }
            if script::classify(&tx_output.script_public_key) == ScriptClass::NonStandard {
                return Err(NonStandardError::OutputScriptClass { output });
            }
            if self.is_dust(tx_output) {
                return Err(NonStandardError::Dust { output, value: tx_output.value });
            }
        }
        Ok(())
    }

    /// The checks the mempool makes on a transaction with the UTXO entries it spends and
    /// its `fee` (as [`crate::context::check_in_context`] returns it), in its order: for
    /// each input, that the spent output is of a standard class, and that the fee is at
    /// least [`minimum_fee`](Self::minimum_fee) of the compute mass at `prices` (checked
    /// from the first input on, as the reference does; a transaction without inputs is not
    /// charged). Not checked: the storage mass (see the [module documentation](self)).
    ///
    /// # Errors
    /// [`NonStandardError::EntryCount`], then the first failure:
    /// [`NonStandardError::InputScriptClass`] or [`NonStandardError::InsufficientFee`].
    pub fn check_standard_in_context(
        &self,
        tx: &Transaction,
        entries: &[UtxoEntry],
        fee: Amount,
        prices: &MassPrices,
    ) -> Result<(), NonStandardError> {
        if entries.len() != tx.inputs.len() {
            return Err(NonStandardError::EntryCount { inputs: tx.inputs.len(), entries: entries.len() });
        }
        let minimum = self.minimum_fee(mass::compute_mass(tx, prices));
        for (input, entry) in entries.iter().enumerate() {
            if script::classify(&entry.script_public_key) == ScriptClass::NonStandard {
                return Err(NonStandardError::InputScriptClass { input });
            }
            if fee < minimum {
                return Err(NonStandardError::InsufficientFee { fee, minimum });
            }
        }
        Ok(())
    }
}

/// kaspad's (the Go node's) limit on P2SH spends: an input spending a P2SH output may
/// perform at most [`MAX_STANDARD_P2SH_SIG_OPS`] signature operations, counted from its
/// signature script's redeem script ([`engine::sig_op_count`]), so run it on the signed
/// transaction. The reference Rust node does not apply it (see the
/// [module documentation](self)); a multisig of up to 15 keys always passes.
///
/// # Errors
/// [`NonStandardError::EntryCount`], or [`NonStandardError::SignatureCount`] for the first
/// P2SH input above the limit.
pub fn check_p2sh_sig_ops(tx: &Transaction, entries: &[UtxoEntry]) -> Result<(), NonStandardError> {
    if entries.len() != tx.inputs.len() {
        return Err(NonStandardError::EntryCount { inputs: tx.inputs.len(), entries: entries.len() });
    }
    for (input, (tx_input, entry)) in tx.inputs.iter().zip(entries).enumerate() {
        if let ScriptClass::ScriptHash(_) = script::classify(&entry.script_public_key) {
            let sig_ops = engine::sig_op_count(&tx_input.signature_script, &entry.script_public_key.script);
            if sig_ops > MAX_STANDARD_P2SH_SIG_OPS {
                return Err(NonStandardError::SignatureCount { input, sig_ops });
            }
        }
    }
    Ok(())
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

    mod standard {
        use super::*;
        use crate::address::{Address, Prefix};
        use crate::script::{pay_to_address, pay_to_script_hash};
        use crate::script_builder::ScriptBuilder;
        use pyrin_core::params::Network;
        use pyrin_core::{TransactionInput, TransactionOutpoint};

        fn prices() -> MassPrices {
            MassPrices::from_params(Network::Mainnet.params())
        }

        fn p2pk() -> ScriptPublicKey {
            pay_to_address(&Address::p2pk_schnorr(Prefix::Mainnet, &[7; 32]))
        }

        fn entry(script_public_key: ScriptPublicKey) -> UtxoEntry {
            UtxoEntry {
                amount: Amount::from_leor(1_000_000),
                script_public_key,
                block_daa_score: 0,
                is_coinbase: false,
            }
        }

        /// One input with `signature_script`, one 1000-leor P2PK output.
        fn tx(signature_script: Vec<u8>) -> Transaction {
            let mut input = TransactionInput::spending(TransactionOutpoint::default());
            input.signature_script = signature_script;
            Transaction {
                inputs: vec![input],
                outputs: vec![TransactionOutput::new(Amount::from_leor(1000), p2pk())],
                ..Transaction::default()
            }
        }

        fn isolation(tx: &Transaction) -> Result<(), NonStandardError> {
            RelayPolicy::DEFAULT.check_standard_in_isolation(tx, &prices())
        }

        #[test]
        fn a_p2pk_payment_is_standard() {
            assert_eq!(isolation(&tx(vec![0x41; 66])), Ok(()));
        }

        #[test]
        fn only_version_0_is_standard() {
            let mut t = tx(vec![]);
            t.version = 1;
            assert_eq!(isolation(&t), Err(NonStandardError::Version { version: 1 }));
        }

        #[test]
        fn the_compute_mass_is_capped() {
            let mut t = tx(vec![]);
            t.payload = vec![0; MAXIMUM_STANDARD_TRANSACTION_MASS as usize];
            let mass = mass::compute_mass(&t, &prices());
            assert_eq!(isolation(&t), Err(NonStandardError::Mass { mass }));
        }

        #[test]
        fn signature_scripts_are_capped_at_1650_bytes() {
            assert_eq!(isolation(&tx(vec![0; 1650])), Ok(()));
            assert_eq!(
                isolation(&tx(vec![0; 1651])),
                Err(NonStandardError::SignatureScriptSize { input: 0, len: 1651 })
            );
        }

        #[test]
        fn outputs_must_be_known_standard_and_not_dust() {
            let mut t = tx(vec![]);
            t.outputs[0].script_public_key.version = 1;
            assert_eq!(isolation(&t), Err(NonStandardError::ScriptPublicKeyVersion { output: 0, version: 1 }));
            t.outputs[0].script_public_key = ScriptPublicKey::new(0, vec![0x51]);
            assert_eq!(isolation(&t), Err(NonStandardError::OutputScriptClass { output: 0 }));
            t.outputs[0] = TransactionOutput::new(Amount::from_leor(599), p2pk());
            assert_eq!(isolation(&t), Err(NonStandardError::Dust { output: 0, value: Amount::from_leor(599) }));
            t.outputs[0] = TransactionOutput::new(Amount::from_leor(1000), pay_to_script_hash(&[0x51]));
            assert_eq!(isolation(&t), Ok(()));
        }

        #[test]
        fn inputs_are_checked_before_outputs() {
            let mut t = tx(vec![0; 1651]);
            t.outputs[0].value = Amount::ZERO;
            assert_eq!(isolation(&t), Err(NonStandardError::SignatureScriptSize { input: 0, len: 1651 }));
        }

        #[test]
        fn in_context_spent_outputs_must_be_standard_and_the_fee_paid() {
            let policy = RelayPolicy::DEFAULT;
            let t = tx(vec![0x41; 66]);
            let minimum = policy.minimum_fee(mass::compute_mass(&t, &prices()));
            let check = |entries: &[UtxoEntry], fee| policy.check_standard_in_context(&t, entries, fee, &prices());
            assert_eq!(check(&[entry(p2pk())], minimum), Ok(()));
            assert_eq!(check(&[], minimum), Err(NonStandardError::EntryCount { inputs: 1, entries: 0 }));
            assert_eq!(
                check(&[entry(ScriptPublicKey::new(0, vec![0x51]))], minimum),
                Err(NonStandardError::InputScriptClass { input: 0 })
            );
            assert_eq!(
                check(&[entry(ScriptPublicKey::new(1, p2pk().script))], minimum),
                Err(NonStandardError::InputScriptClass { input: 0 })
            );
            let less = Amount::from_leor(minimum.to_leor() - 1);
            assert_eq!(check(&[entry(p2pk())], less), Err(NonStandardError::InsufficientFee { fee: less, minimum }));
        }

        #[test]
        fn in_context_the_fee_is_checked_after_the_first_input() {
            let mut t = tx(vec![]);
            t.inputs.push(t.inputs[0].clone());
            let entries = [entry(p2pk()), entry(ScriptPublicKey::new(0, vec![0x51]))];
            let fee = Amount::ZERO;
            let minimum = RelayPolicy::DEFAULT.minimum_fee(mass::compute_mass(&t, &prices()));
            assert_eq!(
                RelayPolicy::DEFAULT.check_standard_in_context(&t, &entries, fee, &prices()),
                Err(NonStandardError::InsufficientFee { fee, minimum })
            );
            // Without inputs there is no fee to check.
            let no_inputs = Transaction { outputs: t.outputs.clone(), ..Transaction::default() };
            assert_eq!(RelayPolicy::DEFAULT.check_standard_in_context(&no_inputs, &[], fee, &prices()), Ok(()));
        }

        /// A P2SH spend of a redeem script of `checksigs` `OP_CHECKSIG`s.
        fn p2sh_spend(checksigs: usize) -> (Transaction, [UtxoEntry; 1]) {
            let redeem = vec![crate::opcodes::OP_CHECK_SIG; checksigs];
            let mut signature_script = ScriptBuilder::new();
            signature_script.add_data(&redeem).unwrap();
            (tx(signature_script.into_script()), [entry(pay_to_script_hash(&redeem))])
        }

        #[test]
        fn kaspads_p2sh_limit_is_15_signature_operations() {
            let (t, entries) = p2sh_spend(15);
            assert_eq!(check_p2sh_sig_ops(&t, &entries), Ok(()));
            let (t, entries) = p2sh_spend(16);
            assert_eq!(
                check_p2sh_sig_ops(&t, &entries),
                Err(NonStandardError::SignatureCount { input: 0, sig_ops: 16 })
            );
            assert_eq!(check_p2sh_sig_ops(&t, &[]), Err(NonStandardError::EntryCount { inputs: 1, entries: 0 }));
            // The reference node does not apply it.
            let fee = Amount::from_leor(100_000);
            assert_eq!(RelayPolicy::DEFAULT.check_standard_in_context(&t, &entries, fee, &prices()), Ok(()));
            // Other inputs are not counted.
            let mut many = tx(vec![]);
            many.inputs[0].sig_op_count = 20;
            assert_eq!(check_p2sh_sig_ops(&many, &[entry(ScriptPublicKey::new(0, vec![0xac; 20]))]), Ok(()));
        }
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
