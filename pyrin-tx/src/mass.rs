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

use pyrin_core::{params::Params, Transaction};

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
    /// The prices of `params`.
    pub fn of(params: &Params) -> Self {
        Self {
            per_tx_byte: params.mass_per_tx_byte,
            per_script_pub_key_byte: params.mass_per_script_pub_key_byte,
            per_sig_op: params.mass_per_sig_op,
        }
    }
}

/// The estimated serialized size the mass is charged on.
pub fn estimated_serialized_size(tx: &Transaction) -> u64 {
    let inputs: u64 = tx.inputs.iter().map(|i| 32 + 4 + 8 + i.signature_script.len() as u64 + 8).sum();
    let outputs: u64 = tx.outputs.iter().map(|o| 8 + 2 + 8 + o.script_public_key.script.len() as u64).sum();
    2 + 8 + inputs + 8 + outputs + 8 + 20 + 8 + 32 + 8 + tx.payload.len() as u64
}

/// The compute mass of `tx` (saturating at `u64::MAX` rather than wrapping).
///
/// ```
/// use pyrin_core::{params::Network, Transaction};
/// use pyrin_tx::mass::{compute_mass, MassPrices};
///
/// let prices = MassPrices::of(Network::Mainnet.params());
/// assert_eq!(compute_mass(&Transaction::default(), &prices), 94 * prices.per_tx_byte);
/// ```
pub fn compute_mass(tx: &Transaction, prices: &MassPrices) -> u64 {
    if tx.subnetwork_id.is_coinbase() {
        return 0;
    }
    let spk_bytes: u64 = tx.outputs.iter().map(|o| 2 + o.script_public_key.script.len() as u64).sum();
    let sig_ops: u64 = tx.inputs.iter().map(|i| u64::from(i.sig_op_count)).sum();
    estimated_serialized_size(tx)
        .saturating_mul(prices.per_tx_byte)
        .saturating_add(spk_bytes.saturating_mul(prices.per_script_pub_key_byte))
        .saturating_add(sig_ops.saturating_mul(prices.per_sig_op))
}
