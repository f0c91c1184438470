//! Building a transaction: the given UTXOs spent to the given outputs, the change back to
//! the wallet, and the fee the relay policy asks for the mass the transaction will have
//! once signed, so what the wallet signs is what the network relays.

use pyrin_core::{Amount, Transaction, TransactionInput, TransactionOutpoint, TransactionOutput};
use pyrin_tx::mass::{signed_compute_mass, MassPrices, SignedInput};
use pyrin_tx::policy::{RelayPolicy, MAXIMUM_STANDARD_TRANSACTION_MASS};
use pyrin_tx::script::pay_to_address;
use pyrin_tx::UtxoEntry;
use serde::{Deserialize, Serialize};

use crate::address::{address_on, network};
use crate::error::WalletError;

/// An output the wallet may spend, in the shape of the node's `getUtxosByAddresses`
/// entries (`{"outpoint": {"transactionId", "index"}, "utxoEntry": {...}}`; an `address`
/// field beside them is ignored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Utxo {
    /// Where the output was created.
    pub outpoint: TransactionOutpoint,
    /// The output itself.
    pub utxo_entry: UtxoEntry,
}

/// An amount to pay to an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// A `pyrin:` address of the request's network.
    pub address: String,
    /// In leor, as a JSON number or a decimal string.
    pub amount: Amount,
}

/// What to build: every UTXO listed is spent, every payment made, and the rest, less the
/// fee, goes to `changeAddress` (unless it would be dust: then it adds to the fee).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRequest {
    /// The network's name (`mainnet`, `testnet-10`, `testnet-11`, `simnet`, `devnet`).
    pub network: String,
    /// The outputs to spend, in input order. Each must be locked by a P2PK script.
    pub utxos: Vec<Utxo>,
    /// The payments, in output order; the change output comes last.
    pub outputs: Vec<Payment>,
    /// Where the change goes.
    pub change_address: String,
    /// The relay fee rate in leor per 1000 grams of mass; the node's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_per_kilogram: Option<u64>,
}

/// A transaction with what it spends: the unit the wallet signs, verifies and shows.
/// Its JSON: `{"transaction": <the node's transaction JSON>, "utxoEntries": [...],
/// "fee": leor, "mass": grams}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    /// The transaction (unsigned, or signed).
    pub transaction: Transaction,
    /// The output each input spends, in input order.
    pub utxo_entries: Vec<UtxoEntry>,
    /// The fee it pays: inputs less outputs.
    pub fee: Amount,
    /// Its compute mass once signed (the mass the fee pays for).
    pub mass: u64,
}

/// Builds the transaction `request` describes, priced for the signatures it will carry.
///
/// # Errors
/// [`WalletError::NoInputs`], [`WalletError::NoOutputs`], [`WalletError::Network`],
/// [`WalletError::Address`] or [`WalletError::WrongNetwork`] for a payee or the change
/// address, [`WalletError::UnsupportedInput`] for a UTXO not locked by P2PK,
/// [`WalletError::Dust`] for a payment below the dust threshold,
/// [`WalletError::InsufficientFunds`], [`WalletError::AmountOverflow`],
/// [`WalletError::MassTooLarge`].
pub fn build_transaction(request: &BuildRequest) -> Result<Draft, WalletError> {
    let network = network(&request.network)?;
    if request.utxos.is_empty() {
        return Err(WalletError::NoInputs);
    }
    if request.outputs.is_empty() {
        return Err(WalletError::NoOutputs);
    }
    let policy = RelayPolicy {
        minimum_fee_per_kilogram: request.fee_per_kilogram.unwrap_or(RelayPolicy::DEFAULT.minimum_fee_per_kilogram),
    };
    let signed = request
        .utxos
        .iter()
        .enumerate()
        .map(|(i, utxo)| {
            SignedInput::for_spent(&utxo.utxo_entry.script_public_key).ok_or(WalletError::UnsupportedInput(i))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut outputs = Vec::with_capacity(request.outputs.len() + 1);
    for (index, payment) in request.outputs.iter().enumerate() {
        let output =
            TransactionOutput::new(payment.amount, pay_to_address(&address_on(&payment.address, Some(network))?));
        if policy.is_dust(&output) {
            return Err(WalletError::Dust { index, amount: payment.amount });
        }
        outputs.push(output);
    }
    let change_script = pay_to_address(&address_on(&request.change_address, Some(network))?);
    let available =
        Amount::checked_sum(request.utxos.iter().map(|u| u.utxo_entry.amount)).ok_or(WalletError::AmountOverflow)?;
    let paid = Amount::checked_sum(outputs.iter().map(|o| o.value)).ok_or(WalletError::AmountOverflow)?;
    let mut tx = Transaction {
        inputs: request.utxos.iter().map(|u| TransactionInput::spending(u.outpoint)).collect(),
        outputs,
        ..Transaction::default()
    };
    let prices = MassPrices::from_params(network.params());

    // With a change output first; amounts do not enter the mass, so its value can wait.
    tx.outputs.push(TransactionOutput::new(Amount::ZERO, change_script));
    let mass = signed_compute_mass(&tx, &signed, &prices)?;
    let needed = paid.checked_add(policy.minimum_fee(mass)).ok_or(WalletError::AmountOverflow)?;
    let last = tx.outputs.len() - 1;
    let keep_change = match available.checked_sub(needed) {
        Some(change) => {
            tx.outputs[last].value = change;
            !policy.is_dust(&tx.outputs[last])
        }
        None => false,
    };
    let mass = if keep_change {
        mass
    } else {
        // No change worth an output: without it the transaction is lighter, and all that
        // is left over is the fee.
        tx.outputs.pop();
        let mass = signed_compute_mass(&tx, &signed, &prices)?;
        let needed = paid.checked_add(policy.minimum_fee(mass)).ok_or(WalletError::AmountOverflow)?;
        if available < needed {
            return Err(WalletError::InsufficientFunds { available: available.to_leor(), needed: needed.to_leor() });
        }
        mass
    };
    if mass > MAXIMUM_STANDARD_TRANSACTION_MASS {
        return Err(WalletError::MassTooLarge { mass, limit: MAXIMUM_STANDARD_TRANSACTION_MASS });
    }
    let spent = Amount::checked_sum(tx.outputs.iter().map(|o| o.value)).ok_or(WalletError::AmountOverflow)?;
    let fee = available.checked_sub(spent).ok_or(WalletError::AmountOverflow)?;
    Ok(Draft { transaction: tx, utxo_entries: request.utxos.iter().map(|u| u.utxo_entry.clone()).collect(), fee, mass })
}
