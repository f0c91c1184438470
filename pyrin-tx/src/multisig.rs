//! m-of-n multisig: the redeem script, the P2SH script public key and `pyrin:` address
//! that lock funds to it, and the signing of a spend by cosigners who each hold one key.
//!
//! The redeem script is `OP_m <key 1> … <key n> OP_n OP_CHECKMULTISIG` for x-only Schnorr
//! keys (32 bytes) or `… OP_CHECKMULTISIGECDSA` for compressed ECDSA keys (33 bytes), the
//! keys in the order given (the order is part of the address). A spend's signature script
//! pushes m signatures (64 bytes and the sighash type byte each) in the order of their
//! keys, with no dummy element, then the redeem script. The input declares the signature
//! operations the engine counts for it ([`MultisigScript::sig_op_count`], n) and every
//! signature commits to that count, so the input is built with it before anyone signs
//! ([`MultisigScript::input_spending`]).
//!
//! A cosigner needs only the transaction, the UTXO entries it spends (a [`SighashCache`])
//! and its own key: [`PartiallySignedInput::sign`]. Signatures made elsewhere are added as
//! bytes with [`PartiallySignedInput::add_signature`], verified before they are accepted;
//! they may arrive in any order. [`PartiallySignedInput::finalize`] assembles the signature
//! script once m signatures are there, runs the engine on it and writes it into the input.
//!
//! ```
//! use pyrin_core::{Amount, Transaction, TransactionId, TransactionOutpoint, TransactionOutput};
//! use pyrin_tx::address::Prefix;
//! use pyrin_tx::multisig::{MultisigScript, PartiallySignedInput};
//! use pyrin_tx::script::pay_to_address;
//! use pyrin_tx::sighash::{SigHashType, SighashCache};
//! use pyrin_tx::sign::{verify_transaction, PrivateKey, Randomness};
//! use pyrin_tx::UtxoEntry;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Three cosigners, each holding one key; only the public keys are shared.
//!     let alice = PrivateKey::from_bytes([0x0a; 32])?;
//!     let bob = PrivateKey::from_bytes([0x0b; 32])?;
//!     let carol = PrivateKey::from_bytes([0x0c; 32])?;
//!     let keys = [alice.schnorr_public_key(), bob.schnorr_public_key(), carol.schnorr_public_key()];
//!
//!     // Any two of the three may spend: the redeem script and the P2SH address to fund.
//!     let multisig = MultisigScript::schnorr(2, &keys)?;
//!     let address = multisig.address(Prefix::Mainnet);
//!     assert!(address.to_string().starts_with("pyrin:p"));
//!
//!     // An output paying that address, as the node's UTXO index reports it.
//!     let funding = TransactionOutpoint::new(TransactionId::from_bytes([0xf0; 32]), 0);
//!     let entries = [UtxoEntry {
//!         amount: Amount::from_leor(100_000),
//!         script_public_key: pay_to_address(&address),
//!         block_daa_score: 1_000,
//!         is_coinbase: false,
//!     }];
//!
//!     // The spend. Its input declares the multisig's 3 signature operations before anyone
//!     // signs, since every signature commits to the count.
//!     let payee = PrivateKey::from_bytes([0x0d; 32])?.schnorr_address(Prefix::Mainnet);
//!     let mut tx = Transaction {
//!         inputs: vec![multisig.input_spending(funding)],
//!         outputs: vec![TransactionOutput::new(Amount::from_leor(90_000), pay_to_address(&payee))],
//!         ..Transaction::default()
//!     };
//!     assert_eq!(tx.inputs[0].sig_op_count, 3);
//!
//!     // Carol signs on her own machine and sends back her signature: 65 bytes.
//!     let from_carol = {
//!         let cache = SighashCache::new(&tx, &entries)?;
//!         let mut carols = PartiallySignedInput::new(multisig.clone(), 0);
//!         carols.sign(&cache, &carol, SigHashType::ALL, Randomness::Fixed([1; 32]))?
//!     };
//!
//!     // Alice's wallet takes Carol's signature (verified before it is accepted) and adds
//!     // her own; the order they arrive in does not matter.
//!     let mut input = PartiallySignedInput::new(multisig, 0);
//!     {
//!         let cache = SighashCache::new(&tx, &entries)?;
//!         input.add_signature(&cache, &carol.schnorr_public_key(), &from_carol)?;
//!         input.sign(&cache, &alice, SigHashType::ALL, Randomness::Fixed([2; 32]))?;
//!     }
//!     assert!(input.is_complete());
//!
//!     // Assemble (Alice's signature, Carol's, the redeem script), check with the engine and
//!     // write the signature script into the input. The transaction now verifies as the
//!     // network verifies it.
//!     input.finalize(&mut tx, &entries)?;
//!     verify_transaction(&tx, &entries)?;
//!     Ok(())
//! }
//! ```
//!
//! # Reference behaviour followed
//! The reference node's `multisig_redeem_script` and `multisig_redeem_script_ecdsa`
//! (`Pyrinpyi/pyrin`, `crypto/txscript/src/standard/multisig.rs`) for the script, its
//! engine's `OpCheckMultiSig` (no dummy element; signatures matched to keys in order) for
//! the spend. This module refuses what the reference builds but no one could spend or
//! sign safely: no required signature (an output anyone can spend), an invalid or repeated
//! key, and more than 15 keys (the redeem script is then longer than the 520 bytes a
//! signature script may push, so a P2SH output locked to it can never be spent).

use alloc::vec::Vec;

use pyrin_core::{ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint};
use secp256k1::{PublicKey, XOnlyPublicKey};

use crate::address::{Address, Prefix};
use crate::engine::{self, decode_number, Engine, ScriptError, MAX_PUB_KEYS_PER_MULTISIG};
use crate::opcodes::{self as op, Instructions};
use crate::script;
use crate::script_asm::MAX_ELEMENT_SIZE;
use crate::script_builder::{append_number, append_push, ScriptBuilder};
use crate::sighash::{SigHashType, SighashCache, SighashError};
use crate::sign::{self, PrivateKey, Randomness, SignError};
use crate::UtxoEntry;

/// A signature as a signature script pushes it: 64 bytes and the sighash type byte.
pub const SIGNATURE_LEN: usize = 65;

/// The signature scheme of a multisig's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// BIP-340 Schnorr, 32-byte x-only keys, `OP_CHECKMULTISIG`.
    Schnorr,
    /// ECDSA, 33-byte compressed keys, `OP_CHECKMULTISIGECDSA`.
    Ecdsa,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Keys {
    Schnorr(Vec<[u8; 32]>),
    Ecdsa(Vec<[u8; 33]>),
}

impl Keys {
    fn len(&self) -> usize {
        match self {
            Keys::Schnorr(keys) => keys.len(),
            Keys::Ecdsa(keys) => keys.len(),
        }
    }

    fn get(&self, position: usize) -> Option<&[u8]> {
        match self {
            Keys::Schnorr(keys) => keys.get(position).map(|k| k.as_slice()),
            Keys::Ecdsa(keys) => keys.get(position).map(|k| k.as_slice()),
        }
    }

    fn is_valid(&self, position: usize) -> bool {
        match self {
            Keys::Schnorr(keys) => keys.get(position).is_some_and(|k| XOnlyPublicKey::from_slice(k).is_ok()),
            Keys::Ecdsa(keys) => keys.get(position).is_some_and(|k| PublicKey::from_slice(k).is_ok()),
        }
    }
}

/// Why keys and a signature count do not make a multisig, or a script is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultisigError {
    /// No keys.
    #[error("a multisig needs at least one key")]
    NoKeys,
    /// More keys than a multisig may name ([`MAX_PUB_KEYS_PER_MULTISIG`]).
    #[error("{keys} keys exceed the {MAX_PUB_KEYS_PER_MULTISIG} a multisig may name")]
    TooManyKeys {
        /// The keys given.
        keys: usize,
    },
    /// The required signatures are not between 1 and the number of keys.
    #[error("{required} required signatures of {keys} keys: must be 1 to {keys}")]
    RequiredOutOfRange {
        /// The required signatures given.
        required: usize,
        /// The keys given.
        keys: usize,
    },
    /// A key that is no public key of its scheme (no x coordinate of the curve, or no
    /// compressed point).
    #[error("key {position} is not a valid public key")]
    InvalidKey {
        /// Its position among the keys.
        position: usize,
    },
    /// A key given twice.
    #[error("key {position} repeats key {first}")]
    DuplicateKey {
        /// The position of the repetition.
        position: usize,
        /// The position of its first occurrence.
        first: usize,
    },
    /// A redeem script longer than the element a signature script may push
    /// ([`MAX_ELEMENT_SIZE`]): more than 15 keys.
    #[error("a redeem script of {len} bytes is longer than the {MAX_ELEMENT_SIZE} bytes a signature script can push")]
    RedeemScriptTooBig {
        /// The redeem script's length.
        len: usize,
    },
    /// Not a multisig redeem script as [`MultisigScript`] writes it.
    #[error("not an m-of-n multisig redeem script")]
    NotMultisig,
}

/// An m-of-n multisig redeem script, with its P2SH script public key.
///
/// ```
/// use pyrin_tx::multisig::{MultisigError, MultisigScript};
/// use pyrin_tx::sign::PrivateKey;
///
/// let keys: Vec<[u8; 33]> = (1..=3u8).map(|b| PrivateKey::from_bytes([b; 32]).unwrap().ecdsa_public_key()).collect();
/// let multisig = MultisigScript::ecdsa(2, &keys)?;
/// assert_eq!(multisig.redeem_script().len(), 1 + 3 * 34 + 2);
/// assert_eq!(MultisigScript::from_redeem_script(multisig.redeem_script())?, multisig);
/// assert_eq!(MultisigScript::ecdsa(4, &keys), Err(MultisigError::RequiredOutOfRange { required: 4, keys: 3 }));
/// # Ok::<(), MultisigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MultisigScript {
    required: usize,
    keys: Keys,
    redeem_script: Vec<u8>,
    script_public_key: ScriptPublicKey,
    sig_op_count: u8,
}

impl MultisigScript {
    /// The `required`-of-`keys.len()` multisig of x-only Schnorr keys.
    ///
    /// # Errors
    /// [`MultisigError::NoKeys`], [`MultisigError::TooManyKeys`] (above 20),
    /// [`MultisigError::RequiredOutOfRange`] (`required` not in `1..=keys.len()`),
    /// [`MultisigError::InvalidKey`], [`MultisigError::DuplicateKey`], and
    /// [`MultisigError::RedeemScriptTooBig`] (above 15 keys), checked in that order.
    pub fn schnorr(required: usize, keys: &[[u8; 32]]) -> Result<Self, MultisigError> {
        Self::build(required, Keys::Schnorr(keys.to_vec()))
    }

    /// The `required`-of-`keys.len()` multisig of compressed ECDSA keys.
    ///
    /// # Errors
    /// As [`MultisigScript::schnorr`].
    pub fn ecdsa(required: usize, keys: &[[u8; 33]]) -> Result<Self, MultisigError> {
        Self::build(required, Keys::Ecdsa(keys.to_vec()))
    }

    fn build(required: usize, keys: Keys) -> Result<Self, MultisigError> {
        let n = keys.len();
        if n == 0 {
            return Err(MultisigError::NoKeys);
        }
        if n > MAX_PUB_KEYS_PER_MULTISIG {
            return Err(MultisigError::TooManyKeys { keys: n });
        }
        if required == 0 || required > n {
            return Err(MultisigError::RequiredOutOfRange { required, keys: n });
        }
        if let Some(position) = (0..n).find(|&i| !keys.is_valid(i)) {
            return Err(MultisigError::InvalidKey { position });
        }
        for position in 1..n {
            if let Some(first) = (0..position).find(|&j| keys.get(j) == keys.get(position)) {
                return Err(MultisigError::DuplicateKey { position, first });
            }
        }
        let mut redeem_script = Vec::new();
        // At most 20 each: the casts are exact.
        append_number(&mut redeem_script, required as i64);
        for position in 0..n {
            append_push(&mut redeem_script, keys.get(position).unwrap_or_default());
        }
        append_number(&mut redeem_script, n as i64);
        redeem_script.push(match keys {
            Keys::Schnorr(_) => op::OP_CHECK_MULTI_SIG,
            Keys::Ecdsa(_) => op::OP_CHECK_MULTI_SIG_ECDSA,
        });
        if redeem_script.len() > MAX_ELEMENT_SIZE {
            return Err(MultisigError::RedeemScriptTooBig { len: redeem_script.len() });
        }
        let script_public_key = script::pay_to_script_hash(&redeem_script);
        let mut redeem_push = Vec::new();
        append_push(&mut redeem_push, &redeem_script);
        let counted = engine::sig_op_count(&redeem_push, &script_public_key.script);
        let sig_op_count = u8::try_from(counted).unwrap_or(u8::MAX);
        Ok(Self { required, keys, redeem_script, script_public_key, sig_op_count })
    }

    /// The multisig a redeem script describes, when it is one exactly as
    /// [`MultisigScript::schnorr`] or [`MultisigScript::ecdsa`] writes it (minimal
    /// pushes, the key count matching the keys).
    ///
    /// # Errors
    /// [`MultisigError::NotMultisig`] for any other script, else the constructors' errors
    /// for its keys and counts.
    pub fn from_redeem_script(redeem_script: &[u8]) -> Result<Self, MultisigError> {
        let instructions =
            Instructions::new(redeem_script).collect::<Result<Vec<_>, _>>().map_err(|_| MultisigError::NotMultisig)?;
        let [first, pushed_keys @ .., count, last] = instructions.as_slice() else {
            return Err(MultisigError::NotMultisig);
        };
        let number = |ins: &op::Instruction<'_>| -> Option<usize> {
            let n = match ins.opcode {
                op::OP_TRUE..=op::OP_16 => i64::from(ins.opcode - op::OP_TRUE + 1),
                op::OP_FALSE..=op::OP_PUSH_DATA4 => decode_number(ins.data, 4).ok()?,
                _ => return None,
            };
            usize::try_from(n).ok()
        };
        let (Some(required), Some(n)) = (number(first), number(count)) else {
            return Err(MultisigError::NotMultisig);
        };
        if n != pushed_keys.len() {
            return Err(MultisigError::NotMultisig);
        }
        let keys = match last.opcode {
            op::OP_CHECK_MULTI_SIG => Keys::Schnorr(collect_keys(pushed_keys)?),
            op::OP_CHECK_MULTI_SIG_ECDSA => Keys::Ecdsa(collect_keys(pushed_keys)?),
            _ => return Err(MultisigError::NotMultisig),
        };
        let multisig = Self::build(required, keys)?;
        if multisig.redeem_script != redeem_script {
            return Err(MultisigError::NotMultisig);
        }
        Ok(multisig)
    }

    /// The signature scheme.
    pub fn scheme(&self) -> Scheme {
        match self.keys {
            Keys::Schnorr(_) => Scheme::Schnorr,
            Keys::Ecdsa(_) => Scheme::Ecdsa,
        }
    }

    /// The signatures a spend needs (m).
    pub fn required(&self) -> usize {
        self.required
    }

    /// The number of keys (n).
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The x-only keys, in script order, of a Schnorr multisig.
    pub fn schnorr_keys(&self) -> Option<&[[u8; 32]]> {
        match &self.keys {
            Keys::Schnorr(keys) => Some(keys),
            Keys::Ecdsa(_) => None,
        }
    }

    /// The compressed keys, in script order, of an ECDSA multisig.
    pub fn ecdsa_keys(&self) -> Option<&[[u8; 33]]> {
        match &self.keys {
            Keys::Schnorr(_) => None,
            Keys::Ecdsa(keys) => Some(keys),
        }
    }

    /// The position of `public_key` among the keys (its signature's place in the
    /// signature script), if it is one of them.
    pub fn key_position(&self, public_key: &[u8]) -> Option<usize> {
        (0..self.keys.len()).find(|&i| self.keys.get(i) == Some(public_key))
    }

    /// The redeem script: `OP_m <keys> OP_n OP_CHECKMULTISIG[ECDSA]`.
    pub fn redeem_script(&self) -> &[u8] {
        &self.redeem_script
    }

    /// The P2SH script public key locking funds to this multisig.
    pub fn script_public_key(&self) -> &ScriptPublicKey {
        &self.script_public_key
    }

    /// The P2SH address of this multisig on the network of `prefix` (a [`Prefix`] or,
    /// through `From`, a [`Network`](pyrin_core::params::Network)).
    pub fn address(&self, prefix: impl Into<Prefix>) -> Address {
        let hash = blake3::hash(&self.redeem_script);
        Address::p2sh(prefix.into(), hash.as_bytes())
    }

    /// The signature operations a spend performs, as [`engine::sig_op_count`] counts them
    /// and the input must declare: the number of keys.
    pub fn sig_op_count(&self) -> u8 {
        self.sig_op_count
    }

    /// The length of a spend's signature script: m signature pushes of 66 bytes and the
    /// push of the redeem script. For [`crate::mass::SignedInput::ScriptLen`], to price a
    /// spend before it is signed.
    pub fn signature_script_len(&self) -> usize {
        self.required * (1 + SIGNATURE_LEN) + ScriptBuilder::push_len(&self.redeem_script)
    }

    /// An unsigned input spending `outpoint`, an output locked to this multisig: sequence
    /// 0 and the multisig's [`sig_op_count`](Self::sig_op_count). For another sequence,
    /// `TransactionInput::new(outpoint, sequence, multisig.sig_op_count())`.
    pub fn input_spending(&self, outpoint: TransactionOutpoint) -> TransactionInput {
        TransactionInput::new(outpoint, 0, self.sig_op_count)
    }
}

/// The keys of a redeem script: pushes of exactly `N` bytes.
fn collect_keys<const N: usize>(pushes: &[op::Instruction<'_>]) -> Result<Vec<[u8; N]>, MultisigError> {
    pushes.iter().map(|ins| <[u8; N]>::try_from(ins.data).map_err(|_| MultisigError::NotMultisig)).collect()
}

/// Why a cosigner's signature was not taken, or a spend could not be assembled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CosignError {
    /// The transaction has no input at this index, or the UTXO entries do not match its
    /// inputs one for one.
    #[error(transparent)]
    Sighash(#[from] SighashError),
    /// The input does not spend an output locked to this multisig.
    #[error("input {input} does not spend an output locked to this multisig")]
    WrongScript {
        /// The input.
        input: usize,
    },
    /// The input declares another signature-operation count than the multisig performs
    /// ([`MultisigScript::sig_op_count`]); signatures commit to the count, so it is set
    /// before signing.
    #[error("input {input}: declares {declared} signature operations, the multisig performs {expected}")]
    WrongSigOpCount {
        /// The input.
        input: usize,
        /// The count the input declares.
        declared: u8,
        /// The count the multisig performs.
        expected: u8,
    },
    /// The key is not one of the multisig's keys (or not of its scheme).
    #[error("the key is not one of the multisig's keys")]
    KeyNotInScript,
    /// The key at this position has signed already.
    #[error("key {position} has signed already")]
    Duplicate {
        /// The key's position.
        position: usize,
    },
    /// A signature that is not [`SIGNATURE_LEN`] bytes (64 and the sighash type).
    #[error("a signature is {SIGNATURE_LEN} bytes, got {0}")]
    SignatureLength(usize),
    /// A signature whose last byte is none of the six sighash types.
    #[error("invalid sighash type {0:#04x}")]
    InvalidSigHashType(u8),
    /// The signature does not verify under the key for this input of this transaction
    /// (made for another input, another transaction, or another key).
    #[error("the signature does not verify under key {position} for this input")]
    BadSignature {
        /// The key's position.
        position: usize,
    },
    /// Fewer signatures than the multisig requires.
    #[error("{have} of the {required} signatures needed")]
    NotEnoughSignatures {
        /// Signatures collected.
        have: usize,
        /// Signatures required.
        required: usize,
    },
    /// The assembled signature script fails in the engine (a signature no longer valid
    /// because the transaction changed since it was made, say); the input is left as it was.
    #[error("the assembled signature script fails: {0}")]
    Script(ScriptError),
    /// Signing failed (the operating system's random generator).
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// The signatures collected for one input that spends a multisig output, by key position.
///
/// See the [module documentation](self) for the whole flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartiallySignedInput {
    script: MultisigScript,
    input_index: usize,
    signatures: Vec<Option<[u8; SIGNATURE_LEN]>>,
}

impl PartiallySignedInput {
    /// No signatures yet for input `input_index`, which spends an output locked to `script`.
    pub fn new(script: MultisigScript, input_index: usize) -> Self {
        let signatures = alloc::vec![None; script.key_count()];
        Self { script, input_index, signatures }
    }

    /// The multisig.
    pub fn script(&self) -> &MultisigScript {
        &self.script
    }

    /// The input's index in its transaction.
    pub fn input_index(&self) -> usize {
        self.input_index
    }

    /// The signature of the key at `position`, if it has signed.
    pub fn signature(&self, position: usize) -> Option<&[u8; SIGNATURE_LEN]> {
        self.signatures.get(position)?.as_ref()
    }

    /// The number of keys that have signed.
    pub fn signature_count(&self) -> usize {
        self.signatures.iter().flatten().count()
    }

    /// Whether enough keys have signed to spend.
    pub fn is_complete(&self) -> bool {
        self.signature_count() >= self.script.required
    }

    /// Checks that the input exists, spends this multisig and declares its sig-op count.
    fn check_input(&self, cache: &SighashCache<'_>) -> Result<(), CosignError> {
        let index = self.input_index;
        let inputs = &cache.transaction().inputs;
        let (Some(input), Some(entry)) = (inputs.get(index), cache.entries().get(index)) else {
            return Err(SighashError::InputIndexOutOfRange { index, inputs: inputs.len() }.into());
        };
        if entry.script_public_key != self.script.script_public_key {
            return Err(CosignError::WrongScript { input: index });
        }
        if input.sig_op_count != self.script.sig_op_count {
            return Err(CosignError::WrongSigOpCount {
                input: index,
                declared: input.sig_op_count,
                expected: self.script.sig_op_count,
            });
        }
        Ok(())
    }

    fn unsigned_position(&self, position: usize) -> Result<(), CosignError> {
        match self.signatures.get(position) {
            Some(None) => Ok(()),
            _ => Err(CosignError::Duplicate { position }),
        }
    }

    /// Signs the input with `key` under `ty` and keeps the signature; returns it as the
    /// signature script pushes it, to send to whoever assembles the spend.
    ///
    /// # Errors
    /// [`CosignError::Sighash`] for an input index past the transaction's inputs,
    /// [`CosignError::WrongScript`], [`CosignError::WrongSigOpCount`],
    /// [`CosignError::KeyNotInScript`], [`CosignError::Duplicate`] when this key has
    /// signed already, [`CosignError::Sign`] if the operating system's generator fails.
    pub fn sign(
        &mut self,
        cache: &SighashCache<'_>,
        key: &PrivateKey,
        ty: SigHashType,
        randomness: Randomness<'_>,
    ) -> Result<[u8; SIGNATURE_LEN], CosignError> {
        self.check_input(cache)?;
        let index = self.input_index;
        let (position, signature) = match self.script.scheme() {
            Scheme::Schnorr => {
                let position =
                    self.script.key_position(&key.schnorr_public_key()).ok_or(CosignError::KeyNotInScript)?;
                self.unsigned_position(position)?;
                let hash = cache.schnorr_hash(index, ty)?;
                (position, sign::schnorr_sign_digest(key, hash.as_bytes(), randomness)?)
            }
            Scheme::Ecdsa => {
                let position = self.script.key_position(&key.ecdsa_public_key()).ok_or(CosignError::KeyNotInScript)?;
                self.unsigned_position(position)?;
                let hash = cache.ecdsa_hash(index, ty)?;
                (position, sign::ecdsa_sign_digest(key, hash.as_bytes(), randomness)?)
            }
        };
        let mut pushed = [0u8; SIGNATURE_LEN];
        pushed[..64].copy_from_slice(&signature);
        pushed[64] = ty.to_u8();
        self.signatures[position] = Some(pushed);
        Ok(pushed)
    }

    /// Adds the signature of the key `public_key` made elsewhere (64 bytes and the
    /// sighash type byte), once it verifies for this input of `cache`'s transaction.
    /// Returns the key's position.
    ///
    /// # Errors
    /// [`CosignError::Sighash`] for an input index past the transaction's inputs,
    /// [`CosignError::WrongScript`], [`CosignError::WrongSigOpCount`],
    /// [`CosignError::KeyNotInScript`], [`CosignError::SignatureLength`],
    /// [`CosignError::InvalidSigHashType`], [`CosignError::Duplicate`] when this key has
    /// signed already, [`CosignError::BadSignature`]; nothing is added on error.
    pub fn add_signature(
        &mut self,
        cache: &SighashCache<'_>,
        public_key: &[u8],
        signature: &[u8],
    ) -> Result<usize, CosignError> {
        self.check_input(cache)?;
        let position = self.script.key_position(public_key).ok_or(CosignError::KeyNotInScript)?;
        let pushed: [u8; SIGNATURE_LEN] =
            signature.try_into().map_err(|_| CosignError::SignatureLength(signature.len()))?;
        let (body, ty) = pushed.split_at(64);
        let ty = SigHashType::from_u8(ty[0]).map_err(|_| CosignError::InvalidSigHashType(ty[0]))?;
        self.unsigned_position(position)?;
        let mut body_bytes = [0u8; 64];
        body_bytes.copy_from_slice(body);
        let index = self.input_index;
        let verified = match &self.script.keys {
            Keys::Schnorr(keys) => {
                let key = keys.get(position).ok_or(CosignError::KeyNotInScript)?;
                let hash = cache.schnorr_hash(index, ty)?;
                sign::schnorr_verify_digest(key, hash.as_bytes(), &body_bytes)
            }
            Keys::Ecdsa(keys) => {
                let key = keys.get(position).ok_or(CosignError::KeyNotInScript)?;
                let hash = cache.ecdsa_hash(index, ty)?;
                sign::ecdsa_verify_digest(key, hash.as_bytes(), &body_bytes)
            }
        };
        if verified != Ok(true) {
            return Err(CosignError::BadSignature { position });
        }
        self.signatures[position] = Some(pushed);
        Ok(position)
    }

    /// The signature script of the spend: the signatures of the first m keys that signed,
    /// in key order, then the redeem script. Not checked by the engine
    /// ([`finalize`](Self::finalize) does that).
    ///
    /// # Errors
    /// [`CosignError::NotEnoughSignatures`] with fewer than m signatures.
    pub fn signature_script(&self) -> Result<Vec<u8>, CosignError> {
        let have = self.signature_count();
        let required = self.script.required;
        if have < required {
            return Err(CosignError::NotEnoughSignatures { have, required });
        }
        let mut script = Vec::with_capacity(self.script.signature_script_len());
        for signature in self.signatures.iter().flatten().take(required) {
            append_push(&mut script, signature);
        }
        append_push(&mut script, &self.script.redeem_script);
        Ok(script)
    }

    /// Assembles the signature script ([`signature_script`](Self::signature_script)),
    /// runs the engine on the input with it, and writes it into the input when the engine
    /// accepts it.
    ///
    /// # Errors
    /// [`CosignError::NotEnoughSignatures`], [`CosignError::Sighash`] (an input index past
    /// the inputs, or entries that do not match the inputs one for one),
    /// [`CosignError::WrongScript`], [`CosignError::WrongSigOpCount`], and
    /// [`CosignError::Script`] with the engine's verdict; the transaction is left as it
    /// was on error.
    pub fn finalize(&self, tx: &mut Transaction, entries: &[UtxoEntry]) -> Result<(), CosignError> {
        let script = self.signature_script()?;
        self.check_input(&SighashCache::new(tx, entries)?)?;
        let index = self.input_index;
        let inputs = tx.inputs.len();
        let input = tx.inputs.get_mut(index).ok_or(SighashError::InputIndexOutOfRange { index, inputs })?;
        let previous = core::mem::replace(&mut input.signature_script, script);
        let verdict = SighashCache::new(tx, entries)
            .map_err(CosignError::from)
            .and_then(|cache| Engine::new(&cache, index).and_then(Engine::execute).map_err(CosignError::Script));
        if verdict.is_err() {
            if let Some(input) = tx.inputs.get_mut(index) {
                input.signature_script = previous;
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::Version;
    use alloc::vec;
    use pyrin_core::{Amount, TransactionId, TransactionOutput};

    fn key(b: u8) -> PrivateKey {
        PrivateKey::from_bytes([b; 32]).unwrap()
    }

    fn schnorr_keys(n: u8) -> Vec<[u8; 32]> {
        (1..=n).map(|b| key(b).schnorr_public_key()).collect()
    }

    fn ecdsa_keys(n: u8) -> Vec<[u8; 33]> {
        (1..=n).map(|b| key(b).ecdsa_public_key()).collect()
    }

    /// A two-input spend whose input 0 spends `multisig`'s output and input 1 a P2PK one.
    fn spend(multisig: &MultisigScript) -> (Transaction, Vec<UtxoEntry>) {
        let entry = |script_public_key| UtxoEntry {
            amount: Amount::from_leor(50_000),
            script_public_key,
            block_daa_score: 3,
            is_coinbase: false,
        };
        let p2pk = script::pay_to_address(&key(0x40).schnorr_address(Prefix::Mainnet));
        let tx = Transaction {
            inputs: vec![
                multisig.input_spending(TransactionOutpoint::new(TransactionId::from_bytes([1; 32]), 0)),
                TransactionInput::spending(TransactionOutpoint::new(TransactionId::from_bytes([2; 32]), 1)),
            ],
            outputs: vec![TransactionOutput::new(Amount::from_leor(90_000), p2pk.clone())],
            ..Transaction::default()
        };
        (tx, vec![entry(multisig.script_public_key().clone()), entry(p2pk)])
    }

    fn sign_with(
        input: &mut PartiallySignedInput,
        tx: &Transaction,
        entries: &[UtxoEntry],
        signer: u8,
    ) -> Result<[u8; SIGNATURE_LEN], CosignError> {
        let cache = SighashCache::new(tx, entries).unwrap();
        input.sign(&cache, &key(signer), SigHashType::ALL, Randomness::Fixed([signer; 32]))
    }

    #[test]
    fn the_redeem_script_is_m_keys_n_checkmultisig() {
        let keys = schnorr_keys(3);
        let multisig = MultisigScript::schnorr(2, &keys).unwrap();
        let mut want = vec![op::OP_2];
        for k in &keys {
            want.push(32);
            want.extend_from_slice(k);
        }
        want.extend([op::OP_3, op::OP_CHECK_MULTI_SIG]);
        assert_eq!(multisig.redeem_script(), want.as_slice());
        assert_eq!((multisig.required(), multisig.key_count(), multisig.scheme()), (2, 3, Scheme::Schnorr));
        assert_eq!(multisig.schnorr_keys(), Some(keys.as_slice()));
        assert_eq!(multisig.ecdsa_keys(), None);
        assert_eq!(multisig.key_position(&keys[2]), Some(2));
        assert_eq!(multisig.key_position(&[0; 32]), None);

        let keys = ecdsa_keys(2);
        let multisig = MultisigScript::ecdsa(1, &keys).unwrap();
        assert_eq!(multisig.redeem_script()[0], op::OP_TRUE);
        assert_eq!(multisig.redeem_script()[1], 33);
        assert_eq!(multisig.redeem_script()[multisig.redeem_script().len() - 1], op::OP_CHECK_MULTI_SIG_ECDSA);
        assert_eq!(multisig.ecdsa_keys(), Some(keys.as_slice()));
        assert_eq!(multisig.scheme(), Scheme::Ecdsa);
    }

    #[test]
    fn the_address_is_the_p2sh_of_the_redeem_script() {
        let multisig = MultisigScript::schnorr(2, &schnorr_keys(3)).unwrap();
        let address = multisig.address(Prefix::Testnet);
        assert_eq!(address.version(), Version::ScriptHash);
        assert_eq!(address.payload(), blake3::hash(multisig.redeem_script()).as_bytes());
        assert_eq!(&script::pay_to_address(&address), multisig.script_public_key());
        assert_eq!(multisig.script_public_key(), &script::pay_to_script_hash(multisig.redeem_script()));
    }

    #[test]
    fn counts_are_checked_in_order() {
        let keys = schnorr_keys(16);
        assert_eq!(MultisigScript::schnorr(1, &[]), Err(MultisigError::NoKeys));
        assert_eq!(MultisigScript::schnorr(0, &[]), Err(MultisigError::NoKeys));
        let mut many = keys.clone();
        many.extend(schnorr_keys(21).into_iter().skip(16));
        assert_eq!(MultisigScript::schnorr(1, &many), Err(MultisigError::TooManyKeys { keys: 21 }));
        assert_eq!(
            MultisigScript::schnorr(0, &keys[..3]),
            Err(MultisigError::RequiredOutOfRange { required: 0, keys: 3 })
        );
        assert_eq!(
            MultisigScript::schnorr(4, &keys[..3]),
            Err(MultisigError::RequiredOutOfRange { required: 4, keys: 3 })
        );
    }

    #[test]
    fn fifteen_keys_fit_a_push_sixteen_do_not() {
        for n in 1..=15u8 {
            let s = MultisigScript::schnorr(usize::from(n), &schnorr_keys(n)).unwrap();
            let e = MultisigScript::ecdsa(1, &ecdsa_keys(n)).unwrap();
            assert_eq!((s.sig_op_count(), e.sig_op_count()), (n, n));
        }
        assert_eq!(
            MultisigScript::schnorr(1, &schnorr_keys(16)),
            Err(MultisigError::RedeemScriptTooBig { len: 1 + 16 * 33 + 2 })
        );
        assert_eq!(
            MultisigScript::ecdsa(1, &ecdsa_keys(20)),
            Err(MultisigError::RedeemScriptTooBig { len: 1 + 20 * 34 + 3 })
        );
    }

    #[test]
    fn invalid_and_repeated_keys_are_refused() {
        let mut keys = schnorr_keys(3);
        keys[1] = [0xff; 32]; // above the field size: no x coordinate
        assert_eq!(MultisigScript::schnorr(2, &keys), Err(MultisigError::InvalidKey { position: 1 }));
        let mut keys = ecdsa_keys(3);
        keys[2][0] = 0x04; // not a compressed point
        assert_eq!(MultisigScript::ecdsa(2, &keys), Err(MultisigError::InvalidKey { position: 2 }));
        let mut keys = schnorr_keys(4);
        keys[3] = keys[1];
        assert_eq!(MultisigScript::schnorr(2, &keys), Err(MultisigError::DuplicateKey { position: 3, first: 1 }));
    }

    #[test]
    fn a_redeem_script_parses_back() {
        for n in 1..=15u8 {
            for m in [1, n] {
                let s = MultisigScript::schnorr(usize::from(m), &schnorr_keys(n)).unwrap();
                assert_eq!(MultisigScript::from_redeem_script(s.redeem_script()).as_ref(), Ok(&s));
                let e = MultisigScript::ecdsa(usize::from(m), &ecdsa_keys(n)).unwrap();
                assert_eq!(MultisigScript::from_redeem_script(e.redeem_script()).as_ref(), Ok(&e));
            }
        }
    }

    #[test]
    fn other_scripts_are_not_multisigs() {
        let good = MultisigScript::schnorr(2, &schnorr_keys(3)).unwrap().redeem_script().to_vec();
        let with = |at: usize, byte: u8| {
            let mut s = good.clone();
            s[at] = byte;
            s
        };
        let last = good.len() - 1;
        let not = Err(MultisigError::NotMultisig);
        assert_eq!(MultisigScript::from_redeem_script(&[]), not);
        assert_eq!(MultisigScript::from_redeem_script(&[op::OP_TRUE, op::OP_CHECK_MULTI_SIG]), not);
        assert_eq!(MultisigScript::from_redeem_script(&with(last, op::OP_CHECK_MULTI_SIG_VERIFY)), not);
        assert_eq!(MultisigScript::from_redeem_script(&with(last - 1, op::OP_2)), not); // n ≠ keys
        assert_eq!(MultisigScript::from_redeem_script(&with(0, op::OP_1_NEGATE)), not);
        assert_eq!(MultisigScript::from_redeem_script(&with(last, op::OP_CHECK_MULTI_SIG_ECDSA)), not); // 32-byte keys
        assert_eq!(MultisigScript::from_redeem_script(&good[..last - 5]), not); // truncated push
                                                                                // m as a non-minimal push: the engine would refuse it.
        let mut long_m = vec![0x01, 0x02];
        long_m.extend_from_slice(&good[1..]);
        assert_eq!(MultisigScript::from_redeem_script(&long_m), not);
        // Well formed, but 0-of-3.
        assert_eq!(
            MultisigScript::from_redeem_script(&with(0, op::OP_FALSE)),
            Err(MultisigError::RequiredOutOfRange { required: 0, keys: 3 })
        );
    }

    #[test]
    fn the_signature_script_length_is_exact() {
        for (m, n) in [(1u8, 1u8), (2, 3), (15, 15)] {
            let multisig = MultisigScript::ecdsa(usize::from(m), &ecdsa_keys(n)).unwrap();
            let (tx, entries) = spend(&multisig);
            let mut input = PartiallySignedInput::new(multisig.clone(), 0);
            for signer in 1..=m {
                sign_with(&mut input, &tx, &entries, signer).unwrap();
            }
            assert_eq!(input.signature_script().unwrap().len(), multisig.signature_script_len());
        }
    }

    #[test]
    fn cosigners_sign_in_any_order_and_finalize_in_key_order() {
        let multisig = MultisigScript::schnorr(2, &schnorr_keys(3)).unwrap();
        let (mut tx, entries) = spend(&multisig);
        let mut input = PartiallySignedInput::new(multisig, 0);
        assert_eq!(input.finalize(&mut tx, &entries), Err(CosignError::NotEnoughSignatures { have: 0, required: 2 }));
        let third = sign_with(&mut input, &tx, &entries, 3).unwrap();
        assert_eq!(input.signature_count(), 1);
        assert!(!input.is_complete());
        let first = sign_with(&mut input, &tx, &entries, 1).unwrap();
        assert!(input.is_complete());
        assert_eq!((input.signature(0), input.signature(1), input.signature(2)), (Some(&first), None, Some(&third)));
        input.finalize(&mut tx, &entries).unwrap();
        let script = &tx.inputs[0].signature_script;
        assert_eq!((script[0], &script[1..66], script[66], &script[67..132]), (65, &first[..], 65, &third[..]));
        assert_eq!(script, &input.signature_script().unwrap());
    }

    #[test]
    fn a_signature_from_elsewhere_is_verified_before_it_is_taken() {
        let multisig = MultisigScript::ecdsa(2, &ecdsa_keys(3)).unwrap();
        let (tx, entries) = spend(&multisig);
        let cache = SighashCache::new(&tx, &entries).unwrap();
        let mut remote = PartiallySignedInput::new(multisig.clone(), 0);
        let signature = sign_with(&mut remote, &tx, &entries, 2).unwrap();
        let mut input = PartiallySignedInput::new(multisig, 0);
        let pk2 = key(2).ecdsa_public_key();

        assert_eq!(
            input.add_signature(&cache, &key(9).ecdsa_public_key(), &signature),
            Err(CosignError::KeyNotInScript)
        );
        assert_eq!(
            input.add_signature(&cache, &key(2).schnorr_public_key(), &signature),
            Err(CosignError::KeyNotInScript)
        );
        assert_eq!(input.add_signature(&cache, &pk2, &signature[..64]), Err(CosignError::SignatureLength(64)));
        let mut bad_type = signature;
        bad_type[64] = 0x03;
        assert_eq!(input.add_signature(&cache, &pk2, &bad_type), Err(CosignError::InvalidSigHashType(0x03)));
        let mut other_type = signature;
        other_type[64] = SigHashType::NONE.to_u8();
        assert_eq!(input.add_signature(&cache, &pk2, &other_type), Err(CosignError::BadSignature { position: 1 }));
        let mut corrupted = signature;
        corrupted[10] ^= 1;
        assert_eq!(input.add_signature(&cache, &pk2, &corrupted), Err(CosignError::BadSignature { position: 1 }));
        // Key 1's signature presented as key 2's.
        let signature_1 = sign_with(&mut remote, &tx, &entries, 1).unwrap();
        assert_eq!(input.add_signature(&cache, &pk2, &signature_1), Err(CosignError::BadSignature { position: 1 }));
        assert_eq!(input.signature_count(), 0);

        assert_eq!(input.add_signature(&cache, &pk2, &signature), Ok(1));
        assert_eq!(input.add_signature(&cache, &pk2, &signature), Err(CosignError::Duplicate { position: 1 }));
        assert_eq!(
            input.sign(&cache, &key(2), SigHashType::ALL, Randomness::Fixed([0; 32])),
            Err(CosignError::Duplicate { position: 1 })
        );
        assert_eq!(
            input.sign(&cache, &key(7), SigHashType::ALL, Randomness::Fixed([0; 32])),
            Err(CosignError::KeyNotInScript)
        );
    }

    #[test]
    fn a_signature_for_another_input_does_not_verify() {
        let multisig = MultisigScript::schnorr(1, &schnorr_keys(2)).unwrap();
        let (mut tx, mut entries) = spend(&multisig);
        // Input 1 spends the same multisig: a signature for it is no signature for input 0.
        tx.inputs[1].sig_op_count = multisig.sig_op_count();
        entries[1].script_public_key = multisig.script_public_key().clone();
        let mut for_1 = PartiallySignedInput::new(multisig.clone(), 1);
        let signature = sign_with(&mut for_1, &tx, &entries, 1).unwrap();
        let cache = SighashCache::new(&tx, &entries).unwrap();
        let mut for_0 = PartiallySignedInput::new(multisig, 0);
        assert_eq!(
            for_0.add_signature(&cache, &key(1).schnorr_public_key(), &signature),
            Err(CosignError::BadSignature { position: 0 })
        );
    }

    #[test]
    fn the_input_must_spend_this_multisig_with_its_sig_op_count() {
        let multisig = MultisigScript::schnorr(1, &schnorr_keys(2)).unwrap();
        let (mut tx, entries) = spend(&multisig);
        // Input 1 spends a P2PK output.
        let mut wrong_input = PartiallySignedInput::new(multisig.clone(), 1);
        assert_eq!(sign_with(&mut wrong_input, &tx, &entries, 1), Err(CosignError::WrongScript { input: 1 }));
        let mut past_end = PartiallySignedInput::new(multisig.clone(), 2);
        assert_eq!(
            sign_with(&mut past_end, &tx, &entries, 1),
            Err(CosignError::Sighash(SighashError::InputIndexOutOfRange { index: 2, inputs: 2 }))
        );
        tx.inputs[0].sig_op_count = 1;
        let mut input = PartiallySignedInput::new(multisig.clone(), 0);
        let wrong_count = Err(CosignError::WrongSigOpCount { input: 0, declared: 1, expected: 2 });
        assert_eq!(sign_with(&mut input, &tx, &entries, 1).map(|_| ()), wrong_count);
        tx.inputs[0].sig_op_count = 2;
        sign_with(&mut input, &tx, &entries, 1).unwrap();
        tx.inputs[0].sig_op_count = 1;
        assert_eq!(input.finalize(&mut tx, &entries), wrong_count);
        assert!(tx.inputs[0].signature_script.is_empty());
    }

    #[test]
    fn finalize_leaves_the_input_alone_when_the_engine_refuses() {
        let multisig = MultisigScript::schnorr(2, &schnorr_keys(2)).unwrap();
        let (mut tx, entries) = spend(&multisig);
        let mut input = PartiallySignedInput::new(multisig, 0);
        sign_with(&mut input, &tx, &entries, 1).unwrap();
        sign_with(&mut input, &tx, &entries, 2).unwrap();
        // The outputs change after the signatures (SIGHASH_ALL) were made.
        tx.outputs[0].value = Amount::from_leor(80_000);
        tx.inputs[0].signature_script = vec![0x51];
        assert_eq!(input.finalize(&mut tx, &entries), Err(CosignError::Script(ScriptError::NullFail)));
        assert_eq!(tx.inputs[0].signature_script, [0x51]);
        assert_eq!(
            input.finalize(&mut tx, &entries[..1]),
            Err(CosignError::Sighash(SighashError::EntryCountMismatch { entries: 1, inputs: 2 }))
        );
    }
}
