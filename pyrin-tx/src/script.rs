//! Standard script public keys, their classes, P2PK and P2SH signature scripts.
//!
//! Opcodes (the reference `crypto/txscript`): `OP_DATA_32` 0x20, `OP_DATA_33` 0x21,
//! `OP_DATA_65` 0x41, `OP_EQUAL` 0x87, `OP_BLAKE3` 0xaa, `OP_CHECKSIGECDSA` 0xab,
//! `OP_CHECKSIG` 0xac. Pyrin's P2SH hashes the redeem script with plain BLAKE3 where
//! Kaspa uses BLAKE2b.

use alloc::vec::Vec;

use pyrin_core::ScriptPublicKey;

use crate::address::{Address, Prefix, Version};
use crate::opcodes::{Instructions, OP_BLAKE3, OP_CHECK_SIG as OP_CHECKSIG, OP_CHECK_SIG_ECDSA as OP_CHECKSIG_ECDSA};
use crate::opcodes::{OP_EQUAL, OP_RETURN};
use crate::script_builder::{ScriptBuilder, ScriptBuilderError};

// The pushes of exactly these sizes that standard scripts use (`OP_DATA_n` pushes n bytes).
const OP_DATA_32: u8 = 32;
const OP_DATA_33: u8 = 33;
const OP_DATA_65: u8 = 65;

/// The kind of a script public key: the reference's `ScriptClass`, carrying the key or
/// hash it names. [`classify`] is the reference's `ScriptClass::from_script`; the names
/// ([`ScriptClass::name`], `Display`) are the reference's.
///
/// ```
/// use pyrin_tx::{address::{Address, Prefix}, script::{classify, pay_to_address, ScriptClass}};
///
/// let spk = pay_to_address(&Address::p2pk_ecdsa(Prefix::Mainnet, &[2; 33]));
/// assert_eq!(classify(&spk), ScriptClass::PubKeyEcdsa([2; 33]));
/// assert_eq!(classify(&spk).to_string(), "pubkeyecdsa");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScriptClass {
    /// Pay to an x-only Schnorr public key: `OP_DATA_32 <key> OP_CHECKSIG`.
    PubKey([u8; 32]),
    /// Pay to a compressed ECDSA public key: `OP_DATA_33 <key> OP_CHECKSIGECDSA`.
    PubKeyEcdsa([u8; 33]),
    /// Pay to a script hash: `OP_BLAKE3 OP_DATA_32 <hash> OP_EQUAL`.
    ScriptHash([u8; 32]),
    /// Anything else (or a script version other than 0).
    NonStandard,
}

impl ScriptClass {
    /// The reference node's name of the class: `pubkey`, `pubkeyecdsa`, `scripthash` or
    /// `nonstandard` (as its RPC reports a script's type).
    pub const fn name(&self) -> &'static str {
        match self {
            ScriptClass::PubKey(_) => "pubkey",
            ScriptClass::PubKeyEcdsa(_) => "pubkeyecdsa",
            ScriptClass::ScriptHash(_) => "scripthash",
            ScriptClass::NonStandard => "nonstandard",
        }
    }
}

impl core::fmt::Display for ScriptClass {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Classifies a script public key: a standard form of version 0, else
/// [`ScriptClass::NonStandard`].
pub fn classify(spk: &ScriptPublicKey) -> ScriptClass {
    if spk.version != 0 {
        return ScriptClass::NonStandard;
    }
    let s = spk.script.as_slice();
    match s {
        [OP_DATA_32, key @ .., OP_CHECKSIG] if key.len() == 32 => {
            key.try_into().map_or(ScriptClass::NonStandard, ScriptClass::PubKey)
        }
        [OP_DATA_33, key @ .., OP_CHECKSIG_ECDSA] if key.len() == 33 => {
            key.try_into().map_or(ScriptClass::NonStandard, ScriptClass::PubKeyEcdsa)
        }
        [OP_BLAKE3, OP_DATA_32, hash @ .., OP_EQUAL] if hash.len() == 32 => {
            hash.try_into().map_or(ScriptClass::NonStandard, ScriptClass::ScriptHash)
        }
        _ => ScriptClass::NonStandard,
    }
}

/// The standard script public key paying to `address`.
///
/// ```
/// use pyrin_tx::{address::Address, script::{pay_to_address, address_of_script}};
///
/// let address: Address = "pyrin:qzrlq0da7ewa84zev9wu80n9chfq87eczfa9a4nfn5c2qlu8c2r4c3ze9jnnc".parse()?;
/// let spk = pay_to_address(&address);
/// assert_eq!(spk.script.len(), 34);
/// assert_eq!(address_of_script(&spk, address.prefix()), Some(address));
/// # Ok::<(), pyrin_tx::address::AddressError>(())
/// ```
pub fn pay_to_address(address: &Address) -> ScriptPublicKey {
    let payload = address.payload();
    let mut script = Vec::with_capacity(payload.len() + 3);
    match address.version() {
        Version::PubKey => {
            script.push(OP_DATA_32);
            script.extend_from_slice(payload);
            script.push(OP_CHECKSIG);
        }
        Version::PubKeyEcdsa => {
            script.push(OP_DATA_33);
            script.extend_from_slice(payload);
            script.push(OP_CHECKSIG_ECDSA);
        }
        Version::ScriptHash => {
            script.extend_from_slice(&[OP_BLAKE3, OP_DATA_32]);
            script.extend_from_slice(payload);
            script.push(OP_EQUAL);
        }
    }
    ScriptPublicKey::new(0, script)
}

/// The P2SH script public key of a redeem script (its BLAKE3 hash).
pub fn pay_to_script_hash(redeem_script: &[u8]) -> ScriptPublicKey {
    let hash = blake3_hash(redeem_script);
    let mut script = Vec::with_capacity(35);
    script.extend_from_slice(&[OP_BLAKE3, OP_DATA_32]);
    script.extend_from_slice(&hash);
    script.push(OP_EQUAL);
    ScriptPublicKey::new(0, script)
}

/// The signature script of a P2SH spend: `signature_pushes` (the pushes the redeem script
/// consumes, already encoded) followed by the smallest push of `redeem_script`, as the
/// reference's `pay_to_script_hash_signature_script` writes it.
///
/// ```
/// use pyrin_tx::script::pay_to_script_hash_signature_script;
///
/// // The anyone-can-spend redeem script OP_TRUE (0x51), with nothing to push before it.
/// assert_eq!(pay_to_script_hash_signature_script(&[0x51], &[])?, [0x01, 0x51]);
/// assert_eq!(pay_to_script_hash_signature_script(&[0x76, 0x87], &[0x01, 0x07])?, [0x01, 0x07, 0x02, 0x76, 0x87]);
/// # Ok::<(), pyrin_tx::script_builder::ScriptBuilderError>(())
/// ```
///
/// # Errors
/// [`ScriptBuilderError::ElementTooBig`] for a redeem script longer than
/// [`crate::script_asm::MAX_ELEMENT_SIZE`] bytes (the engine cannot push it), and
/// [`ScriptBuilderError::ScriptTooBig`] when the whole would pass the script size limit.
pub fn pay_to_script_hash_signature_script(
    redeem_script: &[u8],
    signature_pushes: &[u8],
) -> Result<Vec<u8>, ScriptBuilderError> {
    let mut builder = ScriptBuilder::new();
    builder.add_ops(signature_pushes)?.add_data(redeem_script)?;
    Ok(builder.into_script())
}

fn blake3_hash(data: &[u8]) -> [u8; 32] {
    *blake3::hash(data).as_bytes()
}

/// The address a standard script public key pays to, or `None` for a non-standard one.
pub fn address_of_script(spk: &ScriptPublicKey, prefix: Prefix) -> Option<Address> {
    let (version, payload): (Version, &[u8]) = match classify(spk) {
        ScriptClass::PubKey(_) => (Version::PubKey, &spk.script[1..33]),
        ScriptClass::PubKeyEcdsa(_) => (Version::PubKeyEcdsa, &spk.script[1..34]),
        ScriptClass::ScriptHash(_) => (Version::ScriptHash, &spk.script[2..34]),
        ScriptClass::NonStandard => return None,
    };
    Address::new(prefix, version, payload.to_vec()).ok()
}

/// The length of a P2PK signature script: `OP_DATA_65`, 64-byte signature, sighash type.
pub(crate) const P2PK_SIGNATURE_SCRIPT_LEN: usize = 66;

/// The signature script of a P2PK spend: one push of the 64-byte signature followed by
/// the sighash type byte.
pub fn p2pk_signature_script(signature: &[u8; 64], sighash_type: u8) -> Vec<u8> {
    let mut script = Vec::with_capacity(P2PK_SIGNATURE_SCRIPT_LEN);
    script.push(OP_DATA_65);
    script.extend_from_slice(signature);
    script.push(sighash_type);
    script
}

/// Whether a script public key can never be spent, as the node decides it (its mempool
/// counts such an output as dust): its first opcode is `OP_RETURN`, or it does not parse
/// as a sequence of opcodes because a push runs past its end (`OP_DATA_1`..`OP_DATA_75`,
/// `OP_PUSHDATA1/2/4` with their little-endian lengths). An empty script is spendable.
///
/// ```
/// use pyrin_tx::script::is_unspendable;
///
/// assert!(is_unspendable(&[0x6a, 0x01, 0x07])); // OP_RETURN <7>
/// assert!(is_unspendable(&[0x51, 0x02, 0x07])); // OP_1, then a 2-byte push of 1 byte
/// assert!(!is_unspendable(&[0x51, 0x6a])); // OP_RETURN not first: fails only when run
/// ```
pub fn is_unspendable(script: &[u8]) -> bool {
    script.first() == Some(&OP_RETURN) || Instructions::new(script).any(|instruction| instruction.is_err())
}

/// Why a signature script is not a P2PK spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureScriptError {
    /// Not exactly one 65-byte push.
    #[error("a P2PK signature script is one 65-byte push (66 bytes), got {0} bytes")]
    NotASinglePush(usize),
}

/// Splits a P2PK signature script into the 64-byte signature and the sighash type byte.
///
/// # Errors
/// [`SignatureScriptError::NotASinglePush`] unless the script is `OP_DATA_65` followed by
/// exactly 65 bytes.
pub fn parse_p2pk_signature_script(script: &[u8]) -> Result<([u8; 64], u8), SignatureScriptError> {
    match script {
        [OP_DATA_65, rest @ ..] if rest.len() == 65 => {
            let mut signature = [0u8; 64];
            signature.copy_from_slice(&rest[..64]);
            Ok((signature, rest[64]))
        }
        _ => Err(SignatureScriptError::NotASinglePush(script.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opcodes::{OP_PUSH_DATA1 as OP_PUSHDATA1, OP_PUSH_DATA2 as OP_PUSHDATA2, OP_PUSH_DATA4 as OP_PUSHDATA4};
    use alloc::vec;

    #[test]
    fn a_script_of_whole_pushes_is_spendable() {
        assert!(!is_unspendable(&[]));
        assert!(!is_unspendable(&[OP_DATA_32; 33]));
        let mut pushdata1 = vec![OP_PUSHDATA1, 2, 9, 9];
        assert!(!is_unspendable(&pushdata1));
        pushdata1.pop();
        assert!(is_unspendable(&pushdata1));
        // Lengths are little-endian: 0x0102 = 258 bytes follow.
        let mut pushdata2 = vec![OP_PUSHDATA2, 0x02, 0x01];
        pushdata2.extend([0; 258]);
        assert!(!is_unspendable(&pushdata2));
        pushdata2.pop();
        assert!(is_unspendable(&pushdata2));
        let mut pushdata4 = vec![OP_PUSHDATA4, 3, 0, 0, 0, 1, 2, 3, OP_CHECKSIG];
        assert!(!is_unspendable(&pushdata4));
        pushdata4.truncate(6);
        assert!(is_unspendable(&pushdata4));
        assert!(is_unspendable(&[OP_PUSHDATA4, 0, 0, 0]));
    }

    #[test]
    fn only_a_leading_op_return_makes_a_script_unspendable() {
        assert!(is_unspendable(&[OP_RETURN]));
        assert!(!is_unspendable(&[OP_DATA_33 - 32, OP_RETURN, OP_RETURN]));
        // OP_RETURN's byte inside a push is data, not an opcode.
        assert!(!is_unspendable(&[0x01, OP_RETURN]));
    }

    #[test]
    fn classes_carry_the_reference_names() {
        let names = [
            (ScriptClass::PubKey([1; 32]), "pubkey"),
            (ScriptClass::PubKeyEcdsa([2; 33]), "pubkeyecdsa"),
            (ScriptClass::ScriptHash([3; 32]), "scripthash"),
            (ScriptClass::NonStandard, "nonstandard"),
        ];
        for (class, name) in names {
            assert_eq!(class.name(), name);
            assert_eq!(alloc::format!("{class}"), name);
        }
    }

    #[test]
    fn a_p2sh_signature_script_ends_with_the_redeem_push() {
        let redeem = vec![OP_CHECKSIG; 300];
        let script = pay_to_script_hash_signature_script(&redeem, &[0x00]).unwrap();
        assert_eq!(&script[..4], &[0x00, crate::opcodes::OP_PUSH_DATA2, 0x2c, 0x01]);
        assert_eq!(&script[4..], redeem.as_slice());
        assert_eq!(
            pay_to_script_hash_signature_script(&[0; 521], &[]),
            Err(ScriptBuilderError::ElementTooBig { len: 521 })
        );
    }

    #[test]
    fn standard_scripts_are_spendable() {
        let address = Address::p2pk_schnorr(Prefix::Mainnet, &[0x6a; 32]);
        assert!(!is_unspendable(&pay_to_address(&address).script));
        assert!(!is_unspendable(&pay_to_script_hash(&[OP_RETURN]).script));
    }
}
