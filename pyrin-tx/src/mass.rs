//! Transaction compute mass, as the reference node charges it
//! (`consensus/src/processes/mass.rs`, `consensus/core/src/mass`).
//!
//! ```text
//! mass = size · mass_per_tx_byte
//!      + Σ_outputs (2 + script length) · mass_per_script_pub_key_byte
//!      + Σ_inputs sig_op_count · mass_per_sig_op
//! ```
//!
//! where `size` is the estimated serialized size: version (2), input count (8), per input
//! 32 + 4 + 8 + signature script + 8, output count (8), per output 8 + 2 + 8 + script,
//! lock time (8), subnetwork (20), gas (8), payload hash (32), payload length (8) and the
//! payload. Coinbase transactions weigh 0.
//!
//! # Pricing a transaction before signing it
//! An unsigned transaction's signature scripts are empty, so its [`compute_mass`] is
//! short of what the network will charge by the signature scripts' bytes (66 per P2PK
//! input). [`signed_compute_mass`] prices the transaction as it will be once signed, given
//! what each input will carry ([`SignedInput`]); for P2PK inputs it is exact. The amounts do
//! not enter the mass, so the fee can be taken from the change output afterwards without
//! changing it. The fee that buys relay is [`crate::policy::RelayPolicy::minimum_fee`] of
//! that mass.
//!
//! # Storage mass (KIP-9)
//! [`storage_mass`] charges a transaction for the UTXO entries it leaves behind, from its
//! output values and the amounts it spends, in both of the reference's formulas
//! ([`Kip9Version`]); [`overall_mass`] combines it with the compute mass. It is a consensus
//! rule only from `Params::storage_mass_activation_daa_score` (never on mainnet, see
//! [`crate::policy`]).
//!
//! # Reference behaviour followed
//! `Pyrinpyi/pyrin`'s mass calculator (`consensus/src/processes/mass.rs`) and estimated
//! serialized size (`consensus/core/src/mass`), checked against `vectors/tx/mass.json`.
//! Where the reference would divide by zero (a zero output or input amount, no inputs),
//! [`storage_mass`] returns `None` instead of panicking.

use pyrin_core::{params::Params, ScriptPublicKey, Transaction, TransactionInput};

use crate::script::{self, ScriptClass};
use crate::UtxoEntry;

/// The per-unit prices of compute mass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MassPrices {
    /// Per byte of the estimated serialized size.
    pub per_tx_byte: u64,
    /// Per byte of output script public keys (with their 2-byte version).
    pub per_script_pub_key_byte: u64,
    /// Per signature operation.
    pub per_sig_op: u64,
}

impl MassPrices {
    /// The prices of a network's parameters.
    pub fn from_params(params: &Params) -> Self {
        Self {
            per_tx_byte: params.mass_per_tx_byte,
            per_script_pub_key_byte: params.mass_per_script_pub_key_byte,
            per_sig_op: params.mass_per_sig_op,
        }
    }
}

/// What an input's signature script will be once it is signed, for pricing a transaction
/// before it is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignedInput {
    /// A P2PK spend, Schnorr or ECDSA (both sign with 64-byte signatures):
    /// `OP_DATA_65`, the signature and the sighash type byte, 66 bytes. What
    /// [`crate::sign::sign_transaction`] writes.
    P2pk,
    /// A signature script of exactly this many bytes (a P2SH spend, say: its signature
    /// pushes and the redeem script).
    ScriptLen(u64),
}

impl SignedInput {
    /// The length of the signature script.
    pub const fn script_len(self) -> u64 {
        match self {
            SignedInput::P2pk => script::P2PK_SIGNATURE_SCRIPT_LEN as u64,
            SignedInput::ScriptLen(len) => len,
        }
    }

    /// How a spend of an output locked by `spent` is signed, when the script alone says:
    /// [`SignedInput::P2pk`] for a P2PK script (Schnorr or ECDSA), `None` for a P2SH or
    /// non-standard one (its signature script depends on the redeem script).
    ///
    /// ```
    /// use pyrin_core::ScriptPublicKey;
    /// use pyrin_tx::{address::{Address, Prefix}, mass::SignedInput, script::pay_to_address};
    ///
    /// let spent = pay_to_address(&Address::p2pk_ecdsa(Prefix::Mainnet, &[2; 33]));
    /// assert_eq!(SignedInput::for_spent(&spent), Some(SignedInput::P2pk));
    /// assert_eq!(SignedInput::for_spent(&ScriptPublicKey::new(0, vec![0x51])), None);
    /// ```
    pub fn for_spent(spent: &ScriptPublicKey) -> Option<Self> {
        match script::classify(spent) {
            ScriptClass::PubKey(_) | ScriptClass::PubKeyEcdsa(_) => Some(SignedInput::P2pk),
            ScriptClass::ScriptHash(_) | ScriptClass::NonStandard => None,
        }
    }
}

/// Why a mass could not be estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MassError {
    /// The signed inputs described are not one per input of the transaction.
    #[error("{given} signed inputs described for a transaction with {inputs} inputs")]
    InputCount {
        /// Inputs of the transaction.
        inputs: usize,
        /// Signed inputs described.
        given: usize,
    },
}

/// The estimated serialized size the mass is charged on.
pub fn estimated_serialized_size(tx: &Transaction) -> u64 {
    serialized_size_with(tx, |input| input.signature_script.len() as u64)
}

/// [`estimated_serialized_size`] with input `i`'s signature script `signature_script_len(i)`
/// bytes long (saturating rather than wrapping).
fn serialized_size_with(tx: &Transaction, mut signature_script_len: impl FnMut(&TransactionInput) -> u64) -> u64 {
    let inputs =
        tx.inputs.iter().fold(0u64, |sum, i| sum.saturating_add(52u64.saturating_add(signature_script_len(i))));
    let outputs: u64 = tx.outputs.iter().map(|o| 8 + 2 + 8 + o.script_public_key.script.len() as u64).sum();
    (2 + 8 + 8 + 8 + 20 + 8 + 32 + 8 + tx.payload.len() as u64).saturating_add(inputs).saturating_add(outputs)
}

/// The compute mass of `tx` (saturating at `u64::MAX` rather than wrapping).
///
/// ```
/// use pyrin_core::{params::Network, Transaction};
/// use pyrin_tx::mass::{compute_mass, MassPrices};
///
/// let prices = MassPrices::from_params(Network::Mainnet.params());
/// assert_eq!(compute_mass(&Transaction::default(), &prices), 94 * prices.per_tx_byte);
/// ```
pub fn compute_mass(tx: &Transaction, prices: &MassPrices) -> u64 {
    compute_mass_with(tx, prices, |input| input.signature_script.len() as u64)
}

fn compute_mass_with(
    tx: &Transaction,
    prices: &MassPrices,
    signature_script_len: impl FnMut(&TransactionInput) -> u64,
) -> u64 {
    if tx.subnetwork_id.is_coinbase() {
        return 0;
    }
    let spk_bytes: u64 = tx.outputs.iter().map(|o| 2 + o.script_public_key.script.len() as u64).sum();
    let sig_ops: u64 = tx.inputs.iter().map(|i| u64::from(i.sig_op_count)).sum();
    serialized_size_with(tx, signature_script_len)
        .saturating_mul(prices.per_tx_byte)
        .saturating_add(spk_bytes.saturating_mul(prices.per_script_pub_key_byte))
        .saturating_add(sig_ops.saturating_mul(prices.per_sig_op))
}

/// The compute mass `tx` will have once signed: [`compute_mass`] with input `i`'s
/// signature script replaced by one of `signed[i]`'s length (whatever the inputs carry now
/// is ignored). The signature-operation counts are the ones the inputs declare, so set
/// them first (`sig_op_count = 1` for a P2PK spend). For P2PK inputs the estimate is
/// exact: it equals `compute_mass` of the transaction [`crate::sign::sign_transaction`]
/// signs, whatever the keys, sighash type or randomness.
///
/// # Errors
/// [`MassError::InputCount`] unless `signed` has one entry per input.
///
/// ```
/// use pyrin_core::{params::Network, Amount, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput};
/// use pyrin_tx::{address::{Address, Prefix}, script::pay_to_address};
/// use pyrin_tx::mass::{compute_mass, signed_compute_mass, MassPrices, SignedInput};
///
/// let to = pay_to_address(&Address::p2pk_schnorr(Prefix::Mainnet, &[7; 32]));
/// let tx = Transaction {
///     inputs: vec![TransactionInput::spending(TransactionOutpoint::default())],
///     outputs: vec![TransactionOutput::new(Amount::from_leor(5_000), to.clone()); 2],
///     ..Transaction::default()
/// };
/// let prices = MassPrices::from_params(Network::Mainnet.params());
/// assert_eq!(compute_mass(&tx, &prices), 1970); // the empty signature script is not priced
/// assert_eq!(signed_compute_mass(&tx, &[SignedInput::P2pk], &prices)?, 2036);
/// # Ok::<(), pyrin_tx::mass::MassError>(())
/// ```
pub fn signed_compute_mass(tx: &Transaction, signed: &[SignedInput], prices: &MassPrices) -> Result<u64, MassError> {
    if signed.len() != tx.inputs.len() {
        return Err(MassError::InputCount { inputs: tx.inputs.len(), given: signed.len() });
    }
    let mut lens = signed.iter().map(|s| s.script_len());
    Ok(compute_mass_with(tx, prices, |_| lens.next().unwrap_or(0)))
}

/// Which KIP-9 storage-mass formula to apply.
///
/// The reference node carries both during KIP-9's transition: consensus (once storage mass
/// activates) charges [`Kip9Version::Alpha`] added to the compute mass, the mempool charges
/// [`Kip9Version::Beta`] and takes the larger of the two masses ([`overall_mass`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kip9Version {
    /// The first formula: `max(0, C·(|O|/H(O) − |I|/A(I)))` always.
    Alpha,
    /// The relaxed formula: `max(0, C·(|O|/H(O) − |I|/H(I)))` when the transaction has one
    /// output, one input, or two of each; the Alpha formula otherwise.
    Beta,
}

/// The KIP-9 storage mass of `tx` spending `entries` (one per input, in input order), with
/// the storage-mass parameter `c` (`Params::storage_mass_parameter`):
///
/// ```text
/// max(0, C·|O|/H(O) − C·|I|/A(I))      (Alpha; Beta in its general case)
/// max(0, C·|O|/H(O) − C·|I|/H(I))      (Beta with |O| = 1, |I| = 1 or |O| = |I| = 2)
/// ```
///
/// where `C·|S|/H(S)` is `Σ C / s` (integer divisions, term by term) and `C·|I|/A(I)` is
/// `|I| · (C / (Σ I / |I|))`. A coinbase has storage mass 0.
///
/// `None` where the reference gives none (the outputs' sum of `C / value` overflows a
/// `u64`), and also where the reference would divide by zero and panic: an output of value
/// 0, an input amount of 0 in the harmonic formula, no inputs or an input mean of 0, or
/// entries that are not one per input. The consensus rules refuse all of these before the
/// storage mass is needed (zero outputs in isolation, no inputs in isolation).
///
/// ```
/// use pyrin_core::{params::Network, Amount, ScriptPublicKey, Transaction, TransactionInput, TransactionOutput};
/// use pyrin_tx::mass::{storage_mass, Kip9Version};
/// use pyrin_tx::UtxoEntry;
///
/// let c = Network::Mainnet.params().storage_mass_parameter; // 10^12
/// let entry = UtxoEntry { amount: Amount::from_pyi(100).unwrap(), script_public_key: ScriptPublicKey::default(), block_daa_score: 0, is_coinbase: false };
/// let tx = Transaction {
///     inputs: vec![TransactionInput::default()],
///     outputs: vec![TransactionOutput::new(Amount::from_pyi(1).unwrap(), ScriptPublicKey::default())],
///     ..Transaction::default()
/// };
/// // C / 1 PYI − C / 100 PYI = 10 000 − 100
/// assert_eq!(storage_mass(&tx, &[entry], c, Kip9Version::Beta), Some(9_900));
/// ```
pub fn storage_mass(tx: &Transaction, entries: &[UtxoEntry], c: u64, version: Kip9Version) -> Option<u64> {
    if tx.is_coinbase() {
        return Some(0);
    }
    if entries.len() != tx.inputs.len() {
        return None;
    }
    let harmonic_outs =
        tx.outputs.iter().try_fold(0u64, |total, out| total.checked_add(c.checked_div(out.value.to_leor())?))?;
    let outs = tx.outputs.len() as u64;
    let ins = tx.inputs.len() as u64;
    let relaxed = outs == 1 || ins == 1 || (outs == 2 && ins == 2);
    if version == Kip9Version::Beta && relaxed {
        let harmonic_ins = entries
            .iter()
            .try_fold(0u64, |total, entry| Some(total.saturating_add(c.checked_div(entry.amount.to_leor())?)))?;
        return Some(harmonic_outs.saturating_sub(harmonic_ins));
    }
    // Entries within the supply cannot overflow a u64; hostile ones saturate (the
    // reference would wrap or panic).
    let sum_ins = entries.iter().fold(0u64, |total, entry| total.saturating_add(entry.amount.to_leor()));
    let mean_ins = sum_ins.checked_div(ins)?;
    let arithmetic_ins = ins.saturating_mul(c.checked_div(mean_ins)?);
    Some(harmonic_outs.saturating_sub(arithmetic_ins))
}

/// The overall mass of `tx` spending `entries`: under [`Kip9Version::Alpha`] the storage
/// mass plus the compute mass (`None` when the sum overflows), the consensus rule once
/// storage mass is active; under [`Kip9Version::Beta`] the larger of the two, the mainnet
/// mempool's rule. `None` whenever [`storage_mass`] is.
///
/// ```
/// use pyrin_core::{params::Network, Transaction};
/// use pyrin_tx::mass::{compute_mass, overall_mass, Kip9Version, MassPrices};
///
/// let params = Network::Mainnet.params();
/// let prices = MassPrices::from_params(params);
/// let coinbase = Transaction { subnetwork_id: pyrin_core::SubnetworkId::COINBASE, ..Transaction::default() };
/// assert_eq!(overall_mass(&coinbase, &[], &prices, params.storage_mass_parameter, Kip9Version::Alpha), Some(0));
/// ```
pub fn overall_mass(
    tx: &Transaction,
    entries: &[UtxoEntry],
    prices: &MassPrices,
    c: u64,
    version: Kip9Version,
) -> Option<u64> {
    let storage = storage_mass(tx, entries, c, version)?;
    let compute = compute_mass(tx, prices);
    match version {
        Kip9Version::Alpha => storage.checked_add(compute),
        Kip9Version::Beta => Some(storage.max(compute)),
    }
}
