//! Addresses as a wallet meets them: the address of a key on a chosen network, and an
//! address typed or pasted by a person, parsed, checked against the network and turned
//! into the script that pays it.

use pyrin_core::params::Network;
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::script::pay_to_address;
use pyrin_tx::sign::PrivateKey;
use serde::Serialize;

use crate::error::{array, WalletError};

/// A network by its name: `mainnet`, `testnet-10`, `testnet-11`, `simnet` or `devnet`.
///
/// # Errors
/// [`WalletError::Network`] for any other name.
pub fn network(name: &str) -> Result<Network, WalletError> {
    Ok(name.parse()?)
}

/// A key from its 32 secret bytes.
///
/// # Errors
/// [`WalletError::Length`] unless there are 32 bytes, [`WalletError::Sign`] when they are
/// not a valid secret key (zero, or not below the curve order).
pub fn key_from_bytes(bytes: &[u8]) -> Result<PrivateKey, WalletError> {
    Ok(PrivateKey::from_bytes(array("secret key", bytes)?)?)
}

/// The `pyrin:` address (Schnorr pay-to-public-key) of `key` on `network`.
pub fn key_address(key: &PrivateKey, network: Network) -> String {
    key.schnorr_address(network).to_string()
}

/// What an address says, in the form the binding hands to JavaScript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressInfo {
    /// The address, as given (it is canonical, or it would not have parsed).
    pub address: String,
    /// `pyrin`, `pyrintest`, `pyrinsim` or `pyrindev`.
    pub prefix: &'static str,
    /// The version byte: 0 Schnorr public key, 1 ECDSA public key, 8 script hash.
    pub version: u8,
    /// The payload in hex (the public key or the script hash).
    pub payload: String,
    /// The script public key that pays it, in the node's form (2-byte version, script).
    pub script_public_key: String,
}

/// Parses an address and, when `network` is given, checks that it belongs to it.
///
/// # Errors
/// [`WalletError::Address`] with the parser's reason, or [`WalletError::WrongNetwork`].
pub fn parse_address(text: &str, network: Option<Network>) -> Result<AddressInfo, WalletError> {
    let address = address_on(text, network)?;
    let spk = pay_to_address(&address);
    let mut spk_bytes = spk.version.to_be_bytes().to_vec();
    spk_bytes.extend_from_slice(&spk.script);
    Ok(AddressInfo {
        address: address.to_string(),
        prefix: address.prefix().as_str(),
        version: address.version().to_u8(),
        payload: pyrin_core::hex::encode(address.payload()),
        script_public_key: pyrin_core::hex::encode(&spk_bytes),
    })
}

/// The address `text`, which must belong to `network` when one is given.
pub(crate) fn address_on(text: &str, network: Option<Network>) -> Result<Address, WalletError> {
    let address: Address = text.parse()?;
    if let Some(network) = network {
        let expected = Prefix::from(network);
        if address.prefix() != expected {
            return Err(WalletError::WrongNetwork {
                address: text.to_owned(),
                network: network.name(),
                expected: expected.as_str(),
            });
        }
    }
    Ok(address)
}

/// The address with this prefix text, version byte and payload.
///
/// # Errors
/// [`WalletError::Address`] for an unknown prefix or version, or a payload of the wrong
/// length for the version.
pub fn encode_address(prefix: &str, version: u8, payload: &[u8]) -> Result<String, WalletError> {
    let address = Address::new(prefix.parse()?, Version::from_u8(version)?, payload.to_vec())?;
    Ok(address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_address_parses_back_on_its_network_only() {
        let key = key_from_bytes(&[0x17; 32]).unwrap();
        let address = key_address(&key, Network::Testnet11);
        let info = parse_address(&address, Some(Network::Testnet10)).unwrap();
        assert_eq!(info.prefix, "pyrintest");
        assert_eq!(info.payload, pyrin_core::hex::encode(&key.schnorr_public_key()));
        assert_eq!(info.script_public_key, format!("000020{}ac", info.payload));
        let err = parse_address(&address, Some(Network::Mainnet)).unwrap_err();
        assert!(err.to_string().contains("not an address of mainnet"), "{err}");
    }

    #[test]
    fn bad_keys_and_addresses_are_errors_with_the_library_message() {
        assert_eq!(key_from_bytes(&[0; 31]).unwrap_err().to_string(), "secret key must be 32 bytes, not 31");
        assert_eq!(key_from_bytes(&[0; 32]).unwrap_err().to_string(), "invalid secret key");
        assert_eq!(parse_address("pyrin:qq", None).unwrap_err().to_string(), "the address is too short");
        assert!(network("mainet").unwrap_err().to_string().starts_with("unknown network"));
    }
}
