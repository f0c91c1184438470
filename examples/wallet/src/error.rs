//! One error type for every wallet operation, so the JavaScript binding can turn any
//! failure into an exception carrying the library's own message.

use pyrin_core::hex::HexError;
use pyrin_core::params::UnknownNetwork;
use pyrin_core::DecodeError;
use pyrin_tx::address::AddressError;
use pyrin_tx::mass::MassError;
use pyrin_tx::sighash::SighashError;
use pyrin_tx::sign::SignError;

/// Why a wallet operation failed. Its `Display` text is what JavaScript sees as the
/// exception's message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// A hex string could not be read.
    #[error("{what}: {source}")]
    Hex {
        /// Which argument or field.
        what: &'static str,
        /// Why.
        source: HexError,
    },
    /// A byte string has the wrong length.
    #[error("{what} must be {expected} bytes, not {len}")]
    Length {
        /// Which argument or field.
        what: &'static str,
        /// The length it needs.
        expected: usize,
        /// The length given.
        len: usize,
    },
    /// The network name is not one of the networks.
    #[error(transparent)]
    Network(#[from] UnknownNetwork),
    /// The address does not parse or cannot be built.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The address belongs to another network than the one asked for.
    #[error("{address} is not an address of {network} (its prefix must be {expected})")]
    WrongNetwork {
        /// The address.
        address: String,
        /// The network asked for.
        network: &'static str,
        /// The prefix that network's addresses have.
        expected: &'static str,
    },
    /// A JSON document does not have the expected shape.
    #[error("invalid {what} JSON: {message}")]
    Json {
        /// Which document.
        what: &'static str,
        /// serde_json's description, with line and column.
        message: String,
    },
    /// Signing or verification failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A signature hash could not be computed.
    #[error(transparent)]
    Sighash(#[from] SighashError),
    /// The mass could not be estimated.
    #[error(transparent)]
    Mass(#[from] MassError),
    /// The transaction bytes do not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The sighash type byte is not one of the six.
    #[error("unknown sighash type {0:#04x} (expected 0x01, 0x02, 0x04, 0x81, 0x82 or 0x84)")]
    SighashType(u8),
    /// A build request with no UTXO to spend.
    #[error("no UTXO to spend")]
    NoInputs,
    /// A build request with no output to pay.
    #[error("no output to pay")]
    NoOutputs,
    /// A UTXO locked by a script the wallet cannot price or sign (only P2PK).
    #[error("UTXO {0} is not locked by a pay-to-public-key script; the wallet signs only those")]
    UnsupportedInput(usize),
    /// An output below the dust threshold: the network would not relay the transaction.
    #[error("output {index} pays {amount}, below the dust threshold for its script")]
    Dust {
        /// The output's index in the request.
        index: usize,
        /// Its amount.
        amount: pyrin_core::Amount,
    },
    /// The UTXOs do not cover the outputs and the fee.
    #[error("the UTXOs hold {available} leor; the outputs and the minimum fee need {needed}")]
    InsufficientFunds {
        /// The sum of the UTXOs, in leor.
        available: u64,
        /// The outputs plus the fee, in leor.
        needed: u64,
    },
    /// A sum of amounts exceeds `u64`.
    #[error("the amounts add up to more than a u64 holds")]
    AmountOverflow,
    /// The signed transaction would be heavier than a standard transaction may be.
    #[error("the signed transaction's mass {mass} is above the standard limit {limit}")]
    MassTooLarge {
        /// Its mass.
        mass: u64,
        /// The standard limit.
        limit: u64,
    },
}

impl WalletError {
    /// A hex error on the named argument.
    pub(crate) fn hex(what: &'static str) -> impl FnOnce(HexError) -> Self {
        move |source| WalletError::Hex { what, source }
    }

    /// A JSON error on the named document.
    pub(crate) fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> Self {
        move |e| WalletError::Json { what, message: e.to_string() }
    }
}

/// Hex text of exactly `N` bytes.
pub(crate) fn hex_array<const N: usize>(what: &'static str, text: &str) -> Result<[u8; N], WalletError> {
    let bytes = pyrin_core::hex::decode(text).map_err(WalletError::hex(what))?;
    array(what, &bytes)
}

/// Exactly `N` bytes.
pub(crate) fn array<const N: usize>(what: &'static str, bytes: &[u8]) -> Result<[u8; N], WalletError> {
    bytes.try_into().map_err(|_| WalletError::Length { what, expected: N, len: bytes.len() })
}
