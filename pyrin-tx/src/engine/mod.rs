//! The script engine: runs one transaction input's signature script and the script public
//! key it spends (and, for P2SH, the redeem script) as the reference node does.
//!
//! Limits: scripts of at most [`MAX_SCRIPT_SIZE`] bytes, elements of at most
//! [`MAX_ELEMENT_SIZE`] bytes, [`MAX_OPS_PER_SCRIPT`] non-push opcodes per script,
//! [`MAX_STACK_SIZE`] items on the data and alt stacks together, [`MAX_PUB_KEYS_PER_MULTISIG`]
//! keys per multisig. Script numbers are at most 4 bytes as operands (8 for the lock-time
//! checks) and always minimally encoded.

mod num;
mod sig_cache;
mod stack;

use alloc::vec::Vec;
use core::cell::Cell;

use sha2::{Digest, Sha256};

use crate::opcodes::{self as op, Instructions};
use crate::sighash::{SigHashType, SighashCache};
use crate::sign::{ecdsa_verify_digest, schnorr_verify_parsed};

use crate::script_asm::MAX_ELEMENT_SIZE;
pub use num::decode_number;
#[cfg(feature = "std")]
pub use sig_cache::BoundedSignatureCache;
pub use sig_cache::{ParsedSchnorrKey, SigCacheKey, SigScheme, SignatureCache};
use stack::{Item, Items};

/// The largest script the engine runs, in bytes.
pub const MAX_SCRIPT_SIZE: usize = 10_000;
/// The most non-push opcodes one script may execute (multisig keys count too).
pub const MAX_OPS_PER_SCRIPT: usize = 201;
/// The most items the data and alt stacks may hold together.
pub const MAX_STACK_SIZE: usize = 244;
/// The most public keys a multisig may name.
pub const MAX_PUB_KEYS_PER_MULTISIG: usize = 20;
/// The highest script public key version the engine knows; a higher one is not executed.
pub const MAX_SCRIPT_PUBLIC_KEY_VERSION: u16 = 0;
/// Lock times below this are DAA scores, at or above it timestamps (milliseconds).
pub const LOCK_TIME_THRESHOLD: u64 = 500_000_000_000;
/// The sequence bit that disables relative lock times.
pub const SEQUENCE_LOCK_TIME_DISABLED: u64 = 1 << 63;
/// The part of a sequence that holds the relative lock time.
pub const SEQUENCE_LOCK_TIME_MASK: u64 = 0x0000_0000_ffff_ffff;

/// Why an input's scripts fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptError {
    /// The input index is not one of the transaction's inputs.
    #[error("input {index} out of range for {inputs} inputs")]
    InputIndex {
        /// The index asked for.
        index: usize,
        /// The transaction's input count.
        inputs: usize,
    },
    /// The script ended with a false item on top of the stack (or both scripts are empty).
    #[error("the script ended false")]
    EvalFalse,
    /// The stack was empty where an item was needed to end or branch.
    #[error("empty stack")]
    EmptyStack,
    /// A number operand longer than the operation allows.
    #[error("a number of {0} bytes is longer than the operand allows")]
    NumberTooBig(usize),
    /// A number or a push not minimally encoded.
    #[error("data not minimally encoded")]
    NotMinimalData,
    /// A reserved opcode was executed or an always-illegal one present.
    #[error("reserved opcode {}", op::name(*.0))]
    ReservedOpcode(u8),
    /// An undefined opcode was executed.
    #[error("invalid opcode {}", op::name(*.0))]
    InvalidOpcode(u8),
    /// A push opcode runs past the end of its script.
    #[error("malformed push at offset {0}")]
    MalformedPush(usize),
    /// A disabled opcode is present (even in an unexecuted branch).
    #[error("disabled opcode {}", op::name(*.0))]
    DisabledOpcode(u8),
    /// `OpIf`/`OpElse`/`OpEndIf` do not balance.
    #[error("unbalanced conditional")]
    UnbalancedConditional,
    /// The condition of `OpIf`/`OpNotIf` is neither empty nor `01`.
    #[error("the condition is not a minimal boolean")]
    MinimalIf,
    /// The stack holds fewer items than the operation needs, or `OpPick`/`OpRoll` reach
    /// past it.
    #[error("stack operation needs {needed} items, the stack has {had}")]
    InvalidStackOperation {
        /// Items needed.
        needed: usize,
        /// Items there.
        had: usize,
    },
    /// An `OpVerify`-family check failed.
    #[error("verify failed")]
    Verify,
    /// `OpReturn` was executed.
    #[error("OpReturn executed")]
    EarlyReturn,
    /// More than [`MAX_OPS_PER_SCRIPT`] non-push opcodes.
    #[error("more than {MAX_OPS_PER_SCRIPT} operations")]
    TooManyOperations,
    /// More than [`MAX_STACK_SIZE`] stack items.
    #[error("{0} stack items exceed {MAX_STACK_SIZE}")]
    StackSize(usize),
    /// A pushed element longer than [`MAX_ELEMENT_SIZE`].
    #[error("element of {0} bytes exceeds {MAX_ELEMENT_SIZE}")]
    ElementTooBig(usize),
    /// A script longer than [`MAX_SCRIPT_SIZE`].
    #[error("script of {0} bytes exceeds {MAX_SCRIPT_SIZE}")]
    ScriptSize(usize),
    /// A multisig key count below 0 or above [`MAX_PUB_KEYS_PER_MULTISIG`].
    #[error("invalid public key count {0}")]
    PubKeyCount(i64),
    /// A multisig signature count below 0 or above the key count.
    #[error("invalid signature count {0}")]
    SigCount(i64),
    /// A public key of the wrong length for its scheme.
    #[error("public key of the wrong format")]
    PubKeyFormat,
    /// A public key that is no curve point, or a signature that cannot be parsed.
    #[error("malformed public key or signature")]
    InvalidSignature,
    /// A signature (without its sighash byte) of another length than 64 bytes.
    #[error("signature of {0} bytes, expected 64")]
    SigLength(usize),
    /// A signature check failed while a signature was not empty.
    #[error("a non-empty signature failed")]
    NullFail,
    /// The signature script is not push-only.
    #[error("the signature script is not push-only")]
    SigPushOnly,
    /// A lock-time or sequence check failed.
    #[error("lock time unsatisfied")]
    UnsatisfiedLockTime,
    /// An invalid sighash type byte.
    #[error("invalid sighash type {0:#04x}")]
    SigHashType(u8),
    /// Items left under the result at the end.
    #[error("{0} items left under the result")]
    CleanStack(usize),
}

impl ScriptError {
    /// The names the upstream script test suite (Bitcoin Core's `script_tests.json` as
    /// kaspad adapted it) gives this failure, as the reference's own run of the suite
    /// accepts them; empty for failures the suite never expects.
    pub fn suite_names(&self) -> &'static [&'static str] {
        use ScriptError::*;
        match self {
            EvalFalse => &["EVAL_FALSE"],
            EmptyStack => &["EMPTY_STACK", "EVAL_FALSE", "UNBALANCED_CONDITIONAL", "INVALID_ALTSTACK_OPERATION"],
            NumberTooBig(_) => &["UNKNOWN_ERROR"],
            NotMinimalData => &["MINIMALDATA", "UNKNOWN_ERROR"],
            ReservedOpcode(_) | InvalidOpcode(_) | MalformedPush(_) => &["BAD_OPCODE"],
            DisabledOpcode(_) => &["DISABLED_OPCODE"],
            UnbalancedConditional => &["UNBALANCED_CONDITIONAL"],
            MinimalIf => &["MINIMALIF"],
            InvalidStackOperation { .. } => &["INVALID_STACK_OPERATION", "INVALID_ALTSTACK_OPERATION"],
            Verify => &["VERIFY", "EQUALVERIFY"],
            EarlyReturn => &["OP_RETURN"],
            TooManyOperations => &["OP_COUNT"],
            StackSize(_) => &["STACK_SIZE"],
            ElementTooBig(_) => &["PUSH_SIZE"],
            ScriptSize(_) => &["SCRIPT_SIZE"],
            PubKeyCount(_) => &["PUBKEY_COUNT"],
            SigCount(_) => &["SIG_COUNT"],
            PubKeyFormat => &["PUBKEYFORMAT"],
            // The reference's own run of the suite counts a signature of the wrong length as
            // a failed non-empty signature.
            SigLength(_) => &["NULLFAIL"],
            NullFail => &["NULLFAIL"],
            SigPushOnly => &["SIG_PUSHONLY"],
            UnsatisfiedLockTime => &["UNSATISFIED_LOCKTIME"],
            SigHashType(_) => &["SIG_HASHTYPE"],
            CleanStack(_) => &["CLEANSTACK"],
            _ => &[],
        }
    }
}

/// Whether `script` is a P2SH script public key (`OpBlake3 OpData32 <hash> OpEqual`).
pub fn is_pay_to_script_hash(script: &[u8]) -> bool {
    script.len() == 35 && script[0] == op::OP_BLAKE3 && script[1] == 32 && script[34] == op::OP_EQUAL
}

/// Whether `script` parses and holds only push opcodes.
pub fn is_push_only(script: &[u8]) -> bool {
    Instructions::new(script).all(|i| i.is_ok_and(|i| i.opcode <= op::OP_16))
}

/// The signature operations an input performs: `OpCheckSig` family one each, a multisig
/// its key count when `OpTrue`..`Op16` precedes it and [`MAX_PUB_KEYS_PER_MULTISIG`]
/// otherwise; for a P2SH script public key, those of the redeem script (0 when the
/// signature script is not push-only). Counting stops at a malformed push.
pub fn sig_op_count(signature_script: &[u8], script_public_key: &[u8]) -> u64 {
    if !is_pay_to_script_hash(script_public_key) {
        return count_sig_ops(script_public_key);
    }
    let mut last = None;
    for ins in Instructions::new(signature_script) {
        match ins {
            Ok(i) if i.opcode <= op::OP_16 => last = Some(i.data),
            _ => return 0,
        }
    }
    last.map_or(0, count_sig_ops)
}

fn count_sig_ops(script: &[u8]) -> u64 {
    let mut n = 0u64;
    let mut prev: Option<u8> = None;
    for ins in Instructions::new(script) {
        let Ok(ins) = ins else { break };
        match ins.opcode {
            op::OP_CHECK_SIG | op::OP_CHECK_SIG_VERIFY | op::OP_CHECK_SIG_ECDSA => n += 1,
            op::OP_CHECK_MULTI_SIG | op::OP_CHECK_MULTI_SIG_VERIFY | op::OP_CHECK_MULTI_SIG_ECDSA => {
                n += match prev {
                    Some(p) if (op::OP_TRUE..=op::OP_16).contains(&p) => u64::from(p - op::OP_TRUE + 1),
                    _ => MAX_PUB_KEYS_PER_MULTISIG as u64,
                }
            }
            _ => {}
        }
        prev = Some(ins.opcode);
    }
    n
}

/// Runs the scripts of one input of a transaction.
///
/// ```
/// use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint, TransactionId};
/// use pyrin_tx::{engine::{Engine, ScriptError}, sighash::SighashCache, UtxoEntry};
///
/// // An output locked by `OP_2 OP_EQUAL`, spent by a signature script pushing 2.
/// let entry = UtxoEntry {
///     amount: Amount::from_leor(1),
///     script_public_key: ScriptPublicKey::new(0, vec![0x52, 0x87]),
///     block_daa_score: 0,
///     is_coinbase: false,
/// };
/// let mut input = TransactionInput::new(TransactionOutpoint::new(TransactionId::ZERO, 0), 0, 0);
/// input.signature_script = vec![0x52];
/// let tx = Transaction { inputs: vec![input], ..Transaction::default() };
/// let cache = SighashCache::new(&tx, std::slice::from_ref(&entry))?;
/// Engine::new(&cache, 0)?.execute()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Engine<'c, 'a> {
    cache: &'c SighashCache<'a>,
    index: usize,
    sig_cache: Option<&'c dyn SignatureCache>,
    /// The last signature hash computed, by scheme and sighash type: a multisig checks
    /// several signatures of one input, usually of one type.
    last_digest: Cell<Option<(SigScheme, u8, [u8; 32])>>,
}

impl core::fmt::Debug for Engine<'_, '_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Engine").field("input", &self.index).field("sig_cache", &self.sig_cache.is_some()).finish()
    }
}

impl<'c, 'a> Engine<'c, 'a> {
    /// An engine for input `input_index` of `cache`'s transaction, spending the entry
    /// `cache` holds for it.
    ///
    /// # Errors
    /// [`ScriptError::InputIndex`] for an index past the inputs.
    pub fn new(cache: &'c SighashCache<'a>, input_index: usize) -> Result<Self, ScriptError> {
        let inputs = cache.transaction().inputs.len();
        if input_index >= inputs || input_index >= cache.entries().len() {
            return Err(ScriptError::InputIndex { index: input_index, inputs });
        }
        Ok(Self { cache, index: input_index, sig_cache: None, last_digest: Cell::new(None) })
    }

    /// Consults `sig_cache` before verifying each signature and records each result in it.
    pub fn with_signature_cache(mut self, sig_cache: &'c dyn SignatureCache) -> Self {
        self.sig_cache = Some(sig_cache);
        self
    }

    /// Runs the signature script, the script public key and, for P2SH, the redeem script.
    /// A script public key of an unknown version (above 0) is not executed and passes.
    ///
    /// # Errors
    /// The first failure, as a [`ScriptError`].
    pub fn execute(self) -> Result<(), ScriptError> {
        let tx = self.cache.transaction();
        let entry = &self.cache.entries()[self.index];
        if entry.script_public_key.version > MAX_SCRIPT_PUBLIC_KEY_VERSION {
            return Ok(());
        }
        let sig_script = tx.inputs[self.index].signature_script.as_slice();
        let spk = entry.script_public_key.script.as_slice();
        if sig_script.is_empty() && spk.is_empty() {
            return Err(ScriptError::EvalFalse);
        }
        for s in [sig_script, spk] {
            if s.len() > MAX_SCRIPT_SIZE {
                return Err(ScriptError::ScriptSize(s.len()));
            }
        }
        // A redeem script some push opcode computed (`OP_1`..`OP_16`, `OP_1NEGATE`) is
        // copied here, so the items its pushes borrow outlive the run.
        let mut computed_redeem = [0u8; 32];
        let mut vm = Vm {
            engine: &self,
            dstack: Items::new(),
            astack: Items::new(),
            cond: Vec::new(),
            executing: true,
            num_ops: 0,
        };
        if !sig_script.is_empty() {
            vm.execute_script(sig_script, true)?;
        }
        if !is_pay_to_script_hash(spk) {
            if !spk.is_empty() {
                vm.execute_script(spk, false)?;
            }
            return vm.check_final();
        }
        let saved = vm.dstack.clone();
        vm.execute_script(spk, false)?;
        vm.check_top()?;
        vm.dstack = saved;
        let redeem = match vm.dstack.pop().ok_or(ScriptError::EmptyStack)? {
            Item::Pushed(script) => script,
            computed => {
                let bytes = computed.bytes();
                let bytes = &*bytes;
                computed_redeem[..bytes.len()].copy_from_slice(bytes);
                &computed_redeem[..bytes.len()]
            }
        };
        vm.execute_script(redeem, false)?;
        vm.check_final()
    }

    /// Checks a 64-byte signature (its sighash type byte already split off) of this input
    /// under `key`; `Ok(false)` when it does not verify, an error when the key or the
    /// signature has the wrong shape.
    fn check_signature(&self, scheme: SigScheme, ty: SigHashType, key: &[u8], sig: &[u8]) -> Result<bool, ScriptError> {
        let signature: [u8; 64] = sig.try_into().map_err(|_| ScriptError::SigLength(sig.len()))?;
        let bad_type = |_| ScriptError::SigHashType(ty.to_u8());
        // A Schnorr key is 32 bytes, kept in the first 32 of the cache key's 33.
        let (public_key, x_only) = match scheme {
            SigScheme::Ecdsa => {
                let public_key: [u8; 33] = key.try_into().map_err(|_| ScriptError::PubKeyFormat)?;
                // An r or s not below the group order fails the script, as in the
                // reference, rather than counting as a signature that does not verify.
                secp256k1::ecdsa::Signature::from_compact(&signature).map_err(|_| ScriptError::InvalidSignature)?;
                (public_key, None)
            }
            SigScheme::Schnorr => {
                let x_only: [u8; 32] = key.try_into().map_err(|_| ScriptError::PubKeyFormat)?;
                let mut public_key = [0u8; 33];
                public_key[..32].copy_from_slice(&x_only);
                (public_key, Some(x_only))
            }
        };
        let digest = match self.last_digest.get() {
            Some((s, t, digest)) if s == scheme && t == ty.to_u8() => digest,
            _ => {
                let digest = match scheme {
                    SigScheme::Ecdsa => self.cache.ecdsa_hash(self.index, ty),
                    SigScheme::Schnorr => self.cache.schnorr_hash(self.index, ty),
                }
                .map_err(bad_type)?
                .to_bytes();
                self.last_digest.set(Some((scheme, ty.to_u8(), digest)));
                digest
            }
        };
        let cache_key = SigCacheKey { scheme, public_key, digest, signature };
        if let Some(valid) = self.sig_cache.and_then(|c| c.get(&cache_key)) {
            return Ok(valid);
        }
        let valid = match x_only {
            None => ecdsa_verify_digest(&public_key, &digest, &signature),
            Some(x_only) => self.verify_schnorr(&x_only, &digest, &signature),
        }
        .map_err(|_| ScriptError::InvalidSignature)?;
        if let Some(c) = self.sig_cache {
            c.insert(cache_key, valid);
        }
        Ok(valid)
    }

    /// BIP-340 verification of `digest`, with the key parsed once per cache: a parse costs
    /// a square root, and the same keys sign again and again.
    fn verify_schnorr(
        &self,
        x_only: &[u8; 32],
        digest: &[u8; 32],
        signature: &[u8; 64],
    ) -> Result<bool, crate::sign::SignError> {
        let parsed = match self.sig_cache.and_then(|c| c.parsed_schnorr_key(x_only)) {
            Some(parsed) => parsed.0,
            None => {
                let parsed = secp256k1::XOnlyPublicKey::from_slice(x_only)
                    .map_err(|_| crate::sign::SignError::MalformedPublicKey)?;
                if let Some(c) = self.sig_cache {
                    c.insert_parsed_schnorr_key(*x_only, ParsedSchnorrKey(parsed));
                }
                parsed
            }
        };
        Ok(schnorr_verify_parsed(&parsed, digest, signature))
    }
}

/// A branch of `OpIf`/`OpNotIf`: taken, not taken, or inside a branch not taken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cond {
    True,
    False,
    Skip,
}

/// What the interpreter loop needs to know about an opcode before it runs it.
mod class {
    pub(super) const DISABLED: u8 = 1;
    /// `OpVerIf`/`OpVerNotIf`: illegal even in a branch not taken.
    pub(super) const ALWAYS_ILLEGAL: u8 = 2;
    pub(super) const PUSH: u8 = 4;
    pub(super) const CONDITIONAL: u8 = 8;
    /// None of the above.
    pub(super) const ORDINARY: u8 = 0;
    /// `OP_0`, `OP_1NEGATE` and `OP_1`..`OP_16` (a push, so also [`PUSH`]).
    pub(super) const SMALL_NUMBER: u8 = PUSH | 16;
}

/// The number `OP_0`, `OP_1NEGATE` or `OP_1`..`OP_16` pushes.
fn small_number(code: u8) -> i64 {
    match code {
        op::OP_1_NEGATE => -1,
        op::OP_FALSE => 0,
        _ => i64::from(code) - i64::from(op::OP_TRUE) + 1,
    }
}

const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        let c = code as u8;
        table[code] = if op::is_disabled(c) {
            class::DISABLED
        } else if c == op::OP_VER_IF || c == op::OP_VER_NOT_IF {
            class::ALWAYS_ILLEGAL
        } else if c == op::OP_FALSE || c == op::OP_1_NEGATE || (c >= op::OP_TRUE && c <= op::OP_16) {
            class::SMALL_NUMBER
        } else if c <= op::OP_16 {
            class::PUSH
        } else if c >= op::OP_IF && c <= op::OP_END_IF {
            class::CONDITIONAL
        } else {
            0
        };
        code += 1;
    }
    table
};

/// The interpreter's state while one input's scripts run; `'s` is how long the scripts
/// (and so the pushed items borrowed from them) live.
struct Vm<'e, 'c, 'a, 's> {
    engine: &'e Engine<'c, 'a>,
    dstack: Items<'s>,
    astack: Items<'s>,
    cond: Vec<Cond>,
    /// Whether the current branch runs (no conditional, or every enclosing one taken).
    executing: bool,
    num_ops: usize,
}

impl<'s> Vm<'_, '_, '_, 's> {
    /// After the last script: exactly one item, and it is true.
    fn check_final(&mut self) -> Result<(), ScriptError> {
        match self.dstack.len() {
            0 => Err(ScriptError::EmptyStack),
            1 => self.check_top(),
            n => Err(ScriptError::CleanStack(n - 1)),
        }
    }

    fn check_top(&mut self) -> Result<(), ScriptError> {
        if self.pop()?.truth() {
            Ok(())
        } else {
            Err(ScriptError::EvalFalse)
        }
    }

    fn execute_script(&mut self, script: &'s [u8], push_only: bool) -> Result<(), ScriptError> {
        let result = self.run(script, push_only);
        if result.is_ok() && !self.cond.is_empty() {
            return Err(ScriptError::UnbalancedConditional);
        }
        self.astack.clear();
        self.num_ops = 0;
        result
    }

    fn run(&mut self, script: &'s [u8], push_only: bool) -> Result<(), ScriptError> {
        let mut pc = 0;
        while let Some(&code) = script.get(pc) {
            let class = CLASS[usize::from(code)];
            if class == class::SMALL_NUMBER {
                // `OP_0`, `OP_1NEGATE`, `OP_1`..`OP_16`: a push of a number, no data to read
                // or check.
                pc += 1;
                if self.executing {
                    self.push(Item::Number(small_number(code)))?;
                    self.check_stack_size()?;
                }
                continue;
            }
            if class == class::ORDINARY {
                // The common case, kept short: a non-push opcode that is neither a
                // conditional nor disabled or illegal.
                pc += 1;
                self.count_operation(push_only)?;
                if self.executing {
                    self.step(code, &[])?;
                    self.check_stack_size()?;
                }
                continue;
            }
            let (data, next) = push_data_at(script, pc).ok_or(ScriptError::MalformedPush(pc))?;
            pc = next;
            if class & (class::DISABLED | class::ALWAYS_ILLEGAL) != 0 {
                return Err(if class & class::DISABLED != 0 {
                    ScriptError::DisabledOpcode(code)
                } else {
                    ScriptError::ReservedOpcode(code)
                });
            }
            if class & class::PUSH != 0 {
                if data.len() > MAX_ELEMENT_SIZE {
                    return Err(ScriptError::ElementTooBig(data.len()));
                }
            } else {
                self.count_operation(push_only)?;
            }
            if self.executing || class & class::CONDITIONAL != 0 {
                if code > 0 && code <= op::OP_PUSH_DATA4 {
                    check_minimal_push(code, data)?;
                }
                self.step(code, data)?;
                self.check_stack_size()?;
            }
        }
        Ok(())
    }

    /// Counts a non-push opcode against [`MAX_OPS_PER_SCRIPT`]; none may appear in a
    /// push-only script.
    #[inline(always)]
    fn count_operation(&mut self, push_only: bool) -> Result<(), ScriptError> {
        if push_only {
            return Err(ScriptError::SigPushOnly);
        }
        self.num_ops += 1;
        if self.num_ops > MAX_OPS_PER_SCRIPT {
            return Err(ScriptError::TooManyOperations);
        }
        Ok(())
    }

    #[inline(always)]
    fn check_stack_size(&self) -> Result<(), ScriptError> {
        let total = self.dstack.len() + self.astack.len();
        if total > MAX_STACK_SIZE {
            return Err(ScriptError::StackSize(total));
        }
        Ok(())
    }

    /// Whether the innermost branch (if any) is taken: recomputed whenever a conditional
    /// changes the branch stack.
    fn update_executing(&mut self) {
        self.executing = self.cond.last().is_none_or(|c| *c == Cond::True);
    }

    #[inline(always)]
    fn need(&self, n: usize) -> Result<(), ScriptError> {
        if self.dstack.len() < n {
            Err(ScriptError::InvalidStackOperation { needed: n, had: self.dstack.len() })
        } else {
            Ok(())
        }
    }

    #[inline(always)]
    fn pop(&mut self) -> Result<Item<'s>, ScriptError> {
        self.dstack.pop().ok_or(ScriptError::InvalidStackOperation { needed: 1, had: 0 })
    }

    #[inline(always)]
    fn pop_num(&mut self) -> Result<i64, ScriptError> {
        self.pop()?.number(4)
    }

    /// Pops `N` numbers; the result is in stack order (deepest first).
    #[inline(always)]
    fn pop_nums<const N: usize>(&mut self) -> Result<[i64; N], ScriptError> {
        self.need(N)?;
        let at = self.dstack.len() - N;
        let mut out = [0i64; N];
        for (o, item) in out.iter_mut().zip(&self.dstack[at..]) {
            *o = item.number(4)?;
        }
        self.dstack.truncate(at);
        Ok(out)
    }

    fn pop_i32(&mut self) -> Result<i64, ScriptError> {
        Ok(self.pop_num()?.clamp(i64::from(i32::MIN), i64::from(i32::MAX)))
    }

    #[inline(always)]
    fn push_num(&mut self, n: i64) -> Result<(), ScriptError> {
        self.push(Item::Number(n))
    }

    /// Pushes onto the data stack. The stacks hold a few items more than
    /// [`MAX_STACK_SIZE`] (no operation adds more than three before the size is checked), so
    /// this only fails on a stack that is already too large.
    #[inline(always)]
    fn push(&mut self, item: Item<'s>) -> Result<(), ScriptError> {
        self.dstack.try_push(item).map_err(|_| ScriptError::StackSize(self.dstack.len() + self.astack.len() + 1))
    }

    #[inline(always)]
    fn step(&mut self, code: u8, data: &'s [u8]) -> Result<(), ScriptError> {
        let len = self.dstack.len();
        match code {
            op::OP_FALSE..=op::OP_PUSH_DATA4 => self.dstack.push(Item::Pushed(data)),
            op::OP_1_NEGATE => self.push_num(-1)?,
            op::OP_TRUE..=op::OP_16 => self.push_num(i64::from(code - op::OP_TRUE + 1))?,
            op::OP_RESERVED | op::OP_VER | op::OP_RESERVED1 | op::OP_RESERVED2 => {
                return Err(ScriptError::ReservedOpcode(code))
            }
            op::OP_NOP => {}
            op::OP_IF | op::OP_NOT_IF => {
                let mut c = Cond::Skip;
                if self.executing {
                    let v = self.dstack.pop().ok_or(ScriptError::EmptyStack)?;
                    let truth = match *v.bytes() {
                        [] => false,
                        [1] => true,
                        _ => return Err(ScriptError::MinimalIf),
                    };
                    c = if truth == (code == op::OP_IF) { Cond::True } else { Cond::False };
                }
                self.cond.push(c);
                self.update_executing();
            }
            op::OP_ELSE => {
                let c = self.cond.last_mut().ok_or(ScriptError::UnbalancedConditional)?;
                *c = match *c {
                    Cond::True => Cond::False,
                    Cond::False => Cond::True,
                    Cond::Skip => Cond::Skip,
                };
                self.update_executing();
            }
            op::OP_END_IF => {
                self.cond.pop().ok_or(ScriptError::UnbalancedConditional)?;
                self.update_executing();
            }
            op::OP_VERIFY => {
                if !self.pop()?.truth() {
                    return Err(ScriptError::Verify);
                }
            }
            op::OP_RETURN => return Err(ScriptError::EarlyReturn),
            op::OP_TO_ALT_STACK => {
                let v = self.pop()?;
                self.astack
                    .try_push(v)
                    .map_err(|_| ScriptError::StackSize(self.dstack.len() + self.astack.len() + 1))?;
            }
            op::OP_FROM_ALT_STACK => {
                let v = self.astack.pop().ok_or(ScriptError::EmptyStack)?;
                self.push(v)?;
            }
            op::OP_2_DROP => {
                self.need(2)?;
                self.dstack.truncate(len - 2);
            }
            op::OP_DUP => {
                let top = *self.dstack.last().ok_or(ScriptError::InvalidStackOperation { needed: 1, had: 0 })?;
                self.push(top)?;
            }
            op::OP_2_DUP | op::OP_3_DUP => {
                let n = if code == op::OP_2_DUP { 2 } else { 3 };
                self.need(n)?;
                for i in len - n..len {
                    self.push(self.dstack[i])?;
                }
            }
            op::OP_2_OVER | op::OP_OVER => {
                let n = if code == op::OP_OVER { 1 } else { 2 };
                self.need(2 * n)?;
                for i in len - 2 * n..len - n {
                    self.push(self.dstack[i])?;
                }
            }
            op::OP_2_ROT | op::OP_ROT => {
                let n = if code == op::OP_ROT { 1 } else { 2 };
                self.need(3 * n)?;
                self.dstack[len - 3 * n..].rotate_left(n);
            }
            op::OP_2_SWAP | op::OP_SWAP => {
                let n = if code == op::OP_SWAP { 1 } else { 2 };
                self.need(2 * n)?;
                self.dstack[len - 2 * n..].rotate_left(n);
            }
            op::OP_IF_DUP => {
                self.need(1)?;
                if self.dstack[len - 1].truth() {
                    self.push(self.dstack[len - 1])?;
                }
            }
            op::OP_DEPTH => self.push_num(len as i64)?,
            op::OP_DROP => {
                self.pop()?;
            }
            op::OP_NIP => {
                self.need(2)?;
                self.dstack.remove(len - 2);
            }
            op::OP_PICK | op::OP_ROLL => {
                let n = self.pop_i32()?;
                let len = self.dstack.len();
                if n < 0 || n as usize >= len {
                    return Err(ScriptError::InvalidStackOperation { needed: (n.max(0) as usize) + 1, had: len });
                }
                let at = len - n as usize - 1;
                let item = if code == op::OP_PICK { self.dstack[at] } else { self.dstack.remove(at) };
                self.push(item)?;
            }
            op::OP_TUCK => {
                self.need(2)?;
                let top = self.dstack[len - 1];
                self.dstack
                    .try_insert(len - 2, top)
                    .map_err(|_| ScriptError::StackSize(self.dstack.len() + self.astack.len() + 1))?;
            }
            op::OP_SIZE => {
                self.need(1)?;
                self.push_num(self.dstack[len - 1].bytes().len() as i64)?;
            }
            op::OP_EQUAL | op::OP_EQUAL_VERIFY => {
                self.need(2)?;
                let equal = *self.dstack[len - 2].bytes() == *self.dstack[len - 1].bytes();
                self.dstack.truncate(len - 2);
                if code == op::OP_EQUAL {
                    self.push(Item::from_bool(equal))?;
                } else if !equal {
                    return Err(ScriptError::Verify);
                }
            }
            op::OP_1_ADD | op::OP_1_SUB | op::OP_NEGATE | op::OP_ABS | op::OP_NOT | op::OP_0_NOT_EQUAL => {
                let m = self.pop_num()?;
                let r = match code {
                    op::OP_1_ADD => m + 1,
                    op::OP_1_SUB => m - 1,
                    op::OP_NEGATE => -m,
                    op::OP_ABS => m.abs(),
                    op::OP_NOT => i64::from(m == 0),
                    _ => i64::from(m != 0),
                };
                self.push_num(r)?;
            }
            op::OP_ADD..=op::OP_SUB | op::OP_BOOL_AND..=op::OP_MAX => {
                let [a, b] = self.pop_nums::<2>()?;
                let r = match code {
                    op::OP_ADD => a + b,
                    op::OP_SUB => a - b,
                    op::OP_BOOL_AND => i64::from(a != 0 && b != 0),
                    op::OP_BOOL_OR => i64::from(a != 0 || b != 0),
                    op::OP_NUM_EQUAL | op::OP_NUM_EQUAL_VERIFY => i64::from(a == b),
                    op::OP_NUM_NOT_EQUAL => i64::from(a != b),
                    op::OP_LESS_THAN => i64::from(a < b),
                    op::OP_GREATER_THAN => i64::from(a > b),
                    op::OP_LESS_THAN_OR_EQUAL => i64::from(a <= b),
                    op::OP_GREATER_THAN_OR_EQUAL => i64::from(a >= b),
                    op::OP_MIN => a.min(b),
                    _ => a.max(b),
                };
                if code == op::OP_NUM_EQUAL_VERIFY {
                    if r == 0 {
                        return Err(ScriptError::Verify);
                    }
                } else {
                    self.push_num(r)?;
                }
            }
            op::OP_WITHIN => {
                let [x, lo, hi] = self.pop_nums::<3>()?;
                self.push_num(i64::from(x >= lo && x < hi))?;
            }
            op::OP_SHA256 => {
                let v = self.pop()?;
                self.push(Item::Digest(Sha256::digest(&*v.bytes()).into()))?;
            }
            op::OP_BLAKE3 => {
                let v = self.pop()?;
                self.push(Item::Digest(*blake3::hash(&v.bytes()).as_bytes()))?;
            }
            op::OP_CHECK_SIG | op::OP_CHECK_SIG_ECDSA | op::OP_CHECK_SIG_VERIFY => {
                self.need(2)?;
                let (sig, key) = (self.dstack[len - 2], self.dstack[len - 1]);
                self.dstack.truncate(len - 2);
                let (sig, key) = (sig.bytes(), key.bytes());
                let valid = match sig.split_last() {
                    None => false,
                    Some((&ty, body)) => {
                        let ty = SigHashType::from_u8(ty).map_err(|_| ScriptError::SigHashType(ty))?;
                        let scheme = if code == op::OP_CHECK_SIG_ECDSA { SigScheme::Ecdsa } else { SigScheme::Schnorr };
                        self.engine.check_signature(scheme, ty, &key, body)?
                    }
                };
                if code == op::OP_CHECK_SIG_VERIFY {
                    if !valid {
                        return Err(ScriptError::Verify);
                    }
                } else {
                    self.push(Item::from_bool(valid))?;
                }
            }
            op::OP_CHECK_MULTI_SIG | op::OP_CHECK_MULTI_SIG_ECDSA | op::OP_CHECK_MULTI_SIG_VERIFY => {
                let scheme = if code == op::OP_CHECK_MULTI_SIG_ECDSA { SigScheme::Ecdsa } else { SigScheme::Schnorr };
                let valid = self.check_multisig(scheme)?;
                if code == op::OP_CHECK_MULTI_SIG_VERIFY {
                    if !valid {
                        return Err(ScriptError::Verify);
                    }
                } else {
                    self.push(Item::from_bool(valid))?;
                }
            }
            op::OP_CHECK_LOCK_TIME_VERIFY => {
                let v = self.pop_u64()?;
                let tx = self.engine.cache.transaction();
                let lock_time = tx.lock_time;
                if (lock_time < LOCK_TIME_THRESHOLD) != (v < LOCK_TIME_THRESHOLD)
                    || v > lock_time
                    || tx.inputs[self.engine.index].sequence == u64::MAX
                {
                    return Err(ScriptError::UnsatisfiedLockTime);
                }
            }
            op::OP_CHECK_SEQUENCE_VERIFY => {
                let v = self.pop_u64()?;
                if v & SEQUENCE_LOCK_TIME_DISABLED == 0 {
                    let seq = self.engine.cache.transaction().inputs[self.engine.index].sequence;
                    if seq & SEQUENCE_LOCK_TIME_DISABLED != 0
                        || (v & SEQUENCE_LOCK_TIME_MASK) > (seq & SEQUENCE_LOCK_TIME_MASK)
                    {
                        return Err(ScriptError::UnsatisfiedLockTime);
                    }
                }
            }
            _ => return Err(ScriptError::InvalidOpcode(code)),
        }
        Ok(())
    }

    fn pop_u64(&mut self) -> Result<u64, ScriptError> {
        let v = self.pop()?;
        let v = &*v.bytes();
        if v.len() > 8 {
            return Err(ScriptError::NumberTooBig(v.len()));
        }
        let mut b = [0u8; 8];
        b[..v.len()].copy_from_slice(v);
        Ok(u64::from_le_bytes(b))
    }

    /// `OpCheckMultiSig`: pops the key count, the keys, the signature count and the
    /// signatures, and matches each signature (in order) against the keys left after the
    /// one the previous signature matched.
    fn check_multisig(&mut self, scheme: SigScheme) -> Result<bool, ScriptError> {
        let num_keys = self.pop_i32()?;
        if !(0..=MAX_PUB_KEYS_PER_MULTISIG as i64).contains(&num_keys) {
            return Err(ScriptError::PubKeyCount(num_keys));
        }
        let nk = num_keys as usize;
        self.num_ops += nk;
        if self.num_ops > MAX_OPS_PER_SCRIPT {
            return Err(ScriptError::TooManyOperations);
        }
        self.need(nk)?;
        let keys_at = self.dstack.len() - nk;
        // The counts in the errors are those of the stack left after the keys, as when
        // they are popped one by one.
        if keys_at == 0 {
            return Err(ScriptError::InvalidStackOperation { needed: 1, had: 0 });
        }
        let num_sigs = self.dstack[keys_at - 1].number(4)?.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
        if num_sigs < 0 || num_sigs > num_keys {
            return Err(ScriptError::SigCount(num_sigs));
        }
        let ns = num_sigs as usize;
        if keys_at - 1 < ns {
            return Err(ScriptError::InvalidStackOperation { needed: ns, had: keys_at - 1 });
        }
        let sigs_at = keys_at - 1 - ns;
        let mut failed = false;
        let mut next_key = keys_at;
        'signatures: for i in 0..ns {
            let sig = self.dstack[sigs_at + i];
            let sig = sig.bytes();
            let Some((&ty, body)) = sig.split_last() else {
                failed = true;
                break;
            };
            let ty = SigHashType::from_u8(ty).map_err(|_| ScriptError::SigHashType(ty))?;
            loop {
                // Fewer keys left than signatures to match: this one cannot succeed.
                if keys_at + nk - next_key < ns - i {
                    failed = true;
                    break 'signatures;
                }
                let key = self.dstack[next_key];
                next_key += 1;
                if self.engine.check_signature(scheme, ty, &key.bytes(), body)? {
                    break;
                }
            }
        }
        if failed && self.dstack[sigs_at..keys_at - 1].iter().any(|s| !s.bytes().is_empty()) {
            return Err(ScriptError::NullFail);
        }
        self.dstack.truncate(sigs_at);
        Ok(!failed)
    }
}

/// The data of the instruction at `pc` (empty unless it is a data push) and the offset of
/// the next one; `None` when a push runs past the end of the script.
fn push_data_at(script: &[u8], pc: usize) -> Option<(&[u8], usize)> {
    let code = *script.get(pc)?;
    let rest = &script[pc + 1..];
    let (prefix, len) = match code {
        0x01..=op::OP_DATA_75 => (0, usize::from(code)),
        op::OP_PUSH_DATA1 => (1, usize::from(*rest.first()?)),
        op::OP_PUSH_DATA2 => (2, usize::from(u16::from_le_bytes(rest.get(..2)?.try_into().ok()?))),
        op::OP_PUSH_DATA4 => (4, usize::try_from(u32::from_le_bytes(rest.get(..4)?.try_into().ok()?)).ok()?),
        _ => return Some((&[], pc + 1)),
    };
    let data = rest.get(prefix..)?.get(..len)?;
    Some((data, pc + 1 + prefix + len))
}

fn check_minimal_push(code: u8, data: &[u8]) -> Result<(), ScriptError> {
    let len = data.len();
    let ok = match (len, data.first()) {
        (0, _) => code == op::OP_FALSE,
        (1, Some(&b)) if (1..=16).contains(&b) => false,
        (1, Some(0x81)) => false,
        _ if len <= op::OP_DATA_75 as usize => code as usize == len,
        _ if len <= 0xff => code == op::OP_PUSH_DATA1,
        _ if len < 0xffff => code == op::OP_PUSH_DATA2,
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ScriptError::NotMinimalData)
    }
}
