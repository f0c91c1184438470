//! Building scripts with the smallest push for every element, as the engine requires.
//!
//! [`ScriptBuilder`] appends opcodes, data and numbers and refuses what the engine would
//! refuse to run: an element longer than [`MAX_ELEMENT_SIZE`] bytes
//! ([`ScriptBuilderError::ElementTooBig`]) and a script longer than [`MAX_SCRIPT_SIZE`]
//! bytes ([`ScriptBuilderError::ScriptTooBig`]). A refused addition leaves the script as it
//! was.
//!
//! The smallest push of `data` ([`ScriptBuilder::add_data`]):
//!
//! | data | encoding |
//! | --- | --- |
//! | empty, or the one byte `00` | `OP_0` (which pushes the empty element: zero as a number, but not the byte `00`) |
//! | one byte `01`..`10` | `OP_1`..`OP_16` |
//! | one byte `81` | `OP_1NEGATE` |
//! | 1..=75 bytes otherwise | `OP_DATA_n` and the bytes |
//! | 76..=255 bytes | `OP_PUSHDATA1`, a 1-byte length, the bytes |
//! | 256..=65 535 bytes | `OP_PUSHDATA2`, a 2-byte little-endian length, the bytes |
//! | longer | `OP_PUSHDATA4`, a 4-byte little-endian length, the bytes |
//!
//! (the last two rows never pass the element limit above 520 bytes; they are what
//! [`ScriptBuilder::push_len`] counts). Every push the builder writes passes the engine's
//! minimal-push rule.
//!
//! ```
//! use pyrin_tx::opcodes::OP_CHECK_MULTI_SIG;
//! use pyrin_tx::script_builder::ScriptBuilder;
//!
//! let mut builder = ScriptBuilder::new();
//! builder.add_i64(2)?.add_data(&[0x11; 32])?.add_data(&[0x22; 32])?.add_i64(2)?.add_op(OP_CHECK_MULTI_SIG)?;
//! let script = builder.into_script();
//! assert_eq!((script.len(), script[0], script[1], script[67]), (69, 0x52, 32, 0x52));
//!
//! // Numbers are minimal script numbers: 17 is a one-byte push, -1 is OP_1NEGATE.
//! assert_eq!(ScriptBuilder::new().add_i64(17)?.add_i64(-1)?.script(), &[0x01, 0x11, 0x4f]);
//! // An element the engine would refuse is refused here.
//! assert!(ScriptBuilder::new().add_data(&[0; 521]).is_err());
//! # Ok::<(), pyrin_tx::script_builder::ScriptBuilderError>(())
//! ```
//!
//! # Reference behaviour followed
//! The reference node's script builder (`Pyrinpyi/pyrin`, `crypto/txscript`): the same
//! encodings, limits and order of checks (the script size is checked before the element
//! size, so a long element that would also overflow the script is reported as
//! [`ScriptBuilderError::ScriptTooBig`]); lock times and sequences are pushed as their
//! little-endian bytes with the high zero bytes trimmed, not as script numbers. Where the
//! reference's number encoding overflows (`i64::MIN`), this builder encodes it (nine bytes).

use alloc::vec::Vec;

use crate::engine::MAX_SCRIPT_SIZE;
use crate::opcodes::{OP_1_NEGATE, OP_DATA_75, OP_FALSE, OP_PUSH_DATA1, OP_PUSH_DATA2, OP_PUSH_DATA4, OP_TRUE};
use crate::script_asm::{encode_number, MAX_ELEMENT_SIZE};

/// Why the builder refused an addition (the script is left as it was).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptBuilderError {
    /// A push of an element longer than [`MAX_ELEMENT_SIZE`] bytes, which the engine refuses.
    #[error("a push of {len} bytes exceeds the {MAX_ELEMENT_SIZE}-byte element limit")]
    ElementTooBig {
        /// The element's length.
        len: usize,
    },
    /// The addition would make the script longer than [`MAX_SCRIPT_SIZE`] bytes, which
    /// the engine refuses to run.
    #[error("adding {added} bytes to a script of {len} bytes exceeds the {MAX_SCRIPT_SIZE}-byte script limit")]
    ScriptTooBig {
        /// The script's length before the addition.
        len: usize,
        /// The bytes the addition would append.
        added: usize,
    },
}

/// A script under construction, pushing every element with its smallest push (see the
/// [module documentation](self)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScriptBuilder {
    script: Vec<u8>,
}

impl ScriptBuilder {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    /// The script built so far.
    pub fn script(&self) -> &[u8] {
        &self.script
    }

    /// The script, consuming the builder.
    pub fn into_script(self) -> Vec<u8> {
        self.script
    }

    /// Takes the script built so far, leaving the builder empty for the next one.
    pub fn drain(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.script)
    }

    /// The script's length in bytes.
    pub fn len(&self) -> usize {
        self.script.len()
    }

    /// Whether nothing has been added.
    pub fn is_empty(&self) -> bool {
        self.script.is_empty()
    }

    /// Checks that `added` more bytes keep the script within [`MAX_SCRIPT_SIZE`].
    fn room_for(&self, added: usize) -> Result<(), ScriptBuilderError> {
        let len = self.script.len();
        if len.saturating_add(added) > MAX_SCRIPT_SIZE {
            return Err(ScriptBuilderError::ScriptTooBig { len, added });
        }
        Ok(())
    }

    /// Appends one opcode byte as it is (a push opcode's data is not added).
    ///
    /// # Errors
    /// [`ScriptBuilderError::ScriptTooBig`] when the script already holds
    /// [`MAX_SCRIPT_SIZE`] bytes.
    pub fn add_op(&mut self, opcode: u8) -> Result<&mut Self, ScriptBuilderError> {
        self.room_for(1)?;
        self.script.push(opcode);
        Ok(self)
    }

    /// Appends opcode bytes as they are.
    ///
    /// # Errors
    /// [`ScriptBuilderError::ScriptTooBig`] when they would not fit in [`MAX_SCRIPT_SIZE`]
    /// bytes (none is added).
    pub fn add_ops(&mut self, opcodes: &[u8]) -> Result<&mut Self, ScriptBuilderError> {
        self.room_for(opcodes.len())?;
        self.script.extend_from_slice(opcodes);
        Ok(self)
    }

    /// Appends a push of `data` with the smallest push (see the
    /// [module documentation](self)).
    ///
    /// # Errors
    /// [`ScriptBuilderError::ScriptTooBig`] when the push would not fit in
    /// [`MAX_SCRIPT_SIZE`] bytes, else [`ScriptBuilderError::ElementTooBig`] for data
    /// longer than [`MAX_ELEMENT_SIZE`] bytes.
    pub fn add_data(&mut self, data: &[u8]) -> Result<&mut Self, ScriptBuilderError> {
        self.room_for(Self::push_len(data))?;
        if data.len() > MAX_ELEMENT_SIZE {
            return Err(ScriptBuilderError::ElementTooBig { len: data.len() });
        }
        append_push(&mut self.script, data);
        Ok(self)
    }

    /// Appends `n` as a minimal script number: `OP_0`, `OP_1NEGATE`, `OP_1`..`OP_16`, or
    /// one push of its script-number bytes (at most nine).
    ///
    /// # Errors
    /// [`ScriptBuilderError::ScriptTooBig`] when the push would not fit in
    /// [`MAX_SCRIPT_SIZE`] bytes.
    pub fn add_i64(&mut self, n: i64) -> Result<&mut Self, ScriptBuilderError> {
        let added = match n {
            -1..=16 => 1,
            _ => 1 + encode_number(n).len(),
        };
        self.room_for(added)?;
        append_number(&mut self.script, n);
        Ok(self)
    }

    /// Appends a lock time for `OP_CHECKLOCKTIMEVERIFY`: a push of its little-endian bytes
    /// without the high zero bytes (0 is `OP_0`, 1..=16 are `OP_1`..`OP_16`).
    ///
    /// # Errors
    /// [`ScriptBuilderError::ScriptTooBig`] when the push would not fit in
    /// [`MAX_SCRIPT_SIZE`] bytes.
    pub fn add_lock_time(&mut self, lock_time: u64) -> Result<&mut Self, ScriptBuilderError> {
        self.add_u64(lock_time)
    }

    /// Appends a sequence for `OP_CHECKSEQUENCEVERIFY`, encoded as
    /// [`add_lock_time`](Self::add_lock_time) encodes a lock time.
    ///
    /// # Errors
    /// [`ScriptBuilderError::ScriptTooBig`] when the push would not fit in
    /// [`MAX_SCRIPT_SIZE`] bytes.
    pub fn add_sequence(&mut self, sequence: u64) -> Result<&mut Self, ScriptBuilderError> {
        self.add_u64(sequence)
    }

    fn add_u64(&mut self, value: u64) -> Result<&mut Self, ScriptBuilderError> {
        let bytes = value.to_le_bytes();
        let len = bytes.iter().rposition(|&b| b != 0).map_or(0, |last| last + 1);
        self.add_data(&bytes[..len])
    }

    /// The bytes the smallest push of `data` takes: 1 for the one-opcode pushes, else the
    /// length prefix and the data.
    pub fn push_len(data: &[u8]) -> usize {
        let len = data.len();
        match data {
            [] => 1,
            [b] if *b <= 16 || *b == 0x81 => 1,
            _ if len <= OP_DATA_75 as usize => 1 + len,
            _ if len <= 0xff => 2 + len,
            _ if len <= 0xffff => 3 + len,
            _ => 5 + len,
        }
    }
}

/// Appends the smallest push of `data`, whatever its length (no limit is checked).
pub(crate) fn append_push(script: &mut Vec<u8>, data: &[u8]) {
    let len = data.len();
    match data {
        [] | [0] => return script.push(OP_FALSE),
        [b @ 1..=16] => return script.push(OP_TRUE + b - 1),
        [0x81] => return script.push(OP_1_NEGATE),
        _ => {}
    }
    if len <= OP_DATA_75 as usize {
        script.push(len as u8);
    } else if let Ok(len) = u8::try_from(len) {
        script.extend_from_slice(&[OP_PUSH_DATA1, len]);
    } else if let Ok(len) = u16::try_from(len) {
        script.push(OP_PUSH_DATA2);
        script.extend_from_slice(&len.to_le_bytes());
    } else {
        script.push(OP_PUSH_DATA4);
        script.extend_from_slice(&(len as u32).to_le_bytes());
    }
    script.extend_from_slice(data);
}

/// Appends `n` as a minimal script number (see [`ScriptBuilder::add_i64`]).
pub(crate) fn append_number(script: &mut Vec<u8>, n: i64) {
    match n {
        0 => script.push(OP_FALSE),
        -1 => script.push(OP_1_NEGATE),
        1..=16 => script.push(OP_TRUE + n as u8 - 1),
        // Never a one-byte 1..=16 or 0x81 (those are the numbers above): a direct push.
        _ => append_push(script, &encode_number(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opcodes::{OP_16, OP_BLAKE3, OP_CHECK_SIG, OP_EQUAL};
    use alloc::vec;

    fn data(data: &[u8]) -> Result<Vec<u8>, ScriptBuilderError> {
        ScriptBuilder::new().add_data(data).map(|b| b.drain())
    }

    fn with_prefix(prefix: &[u8], data: &[u8]) -> Vec<u8> {
        let mut v = prefix.to_vec();
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn opcodes_are_appended_as_they_are() {
        let mut b = ScriptBuilder::new();
        b.add_op(OP_FALSE).unwrap().add_op(OP_TRUE).unwrap().add_ops(&[OP_BLAKE3, OP_EQUAL]).unwrap();
        assert_eq!(b.script(), &[OP_FALSE, OP_TRUE, OP_BLAKE3, OP_EQUAL]);
        assert_eq!(b.len(), 4);
        assert_eq!(b.drain(), vec![OP_FALSE, OP_TRUE, OP_BLAKE3, OP_EQUAL]);
        assert!(b.is_empty());
    }

    #[test]
    fn small_data_pushes_are_one_opcode() {
        assert_eq!(data(&[]).unwrap(), [OP_FALSE]);
        assert_eq!(data(&[0]).unwrap(), [OP_FALSE]);
        for b in 1..=16u8 {
            assert_eq!(data(&[b]).unwrap(), [OP_TRUE + b - 1]);
        }
        assert_eq!(data(&[0x81]).unwrap(), [OP_1_NEGATE]);
        for b in [0x11u8, 0x80, 0x82, 0xff] {
            assert_eq!(data(&[b]).unwrap(), [0x01, b]);
        }
    }

    #[test]
    fn data_pushes_take_the_smallest_length_prefix() {
        for (len, prefix) in [
            (17, vec![17]),
            (75, vec![75]),
            (76, vec![OP_PUSH_DATA1, 76]),
            (255, vec![OP_PUSH_DATA1, 255]),
            (256, vec![OP_PUSH_DATA2, 0, 1]),
            (520, vec![OP_PUSH_DATA2, 8, 2]),
        ] {
            let bytes = vec![0x49; len];
            assert_eq!(data(&bytes).unwrap(), with_prefix(&prefix, &bytes), "{len}");
            assert_eq!(ScriptBuilder::push_len(&bytes), prefix.len() + len);
        }
    }

    #[test]
    fn an_element_above_520_bytes_is_refused() {
        assert_eq!(data(&[0x49; 521]), Err(ScriptBuilderError::ElementTooBig { len: 521 }));
        // Longer than a script may be: the script size is checked first.
        assert_eq!(data(&[0x49; 32767]), Err(ScriptBuilderError::ScriptTooBig { len: 0, added: 32770 }));
        assert_eq!(data(&[0x49; 65536]), Err(ScriptBuilderError::ScriptTooBig { len: 0, added: 65541 }));
    }

    #[test]
    fn unchecked_pushes_use_pushdata2_and_pushdata4() {
        let mut script = Vec::new();
        append_push(&mut script, &[0x49; 32767]);
        assert_eq!(&script[..3], &[OP_PUSH_DATA2, 0xff, 0x7f]);
        script.clear();
        append_push(&mut script, &[0x49; 65536]);
        assert_eq!(&script[..5], &[OP_PUSH_DATA4, 0, 0, 1, 0]);
        assert_eq!(ScriptBuilder::push_len(&[0; 65536]), 65541);
    }

    #[test]
    fn numbers_are_minimal_script_numbers() {
        let cases: [(i64, &[u8]); 16] = [
            (-1, &[OP_1_NEGATE]),
            (0, &[OP_FALSE]),
            (1, &[OP_TRUE]),
            (16, &[OP_16]),
            (17, &[1, 0x11]),
            (127, &[1, 0x7f]),
            (128, &[2, 0x80, 0]),
            (255, &[2, 0xff, 0]),
            (256, &[2, 0, 1]),
            (32767, &[2, 0xff, 0x7f]),
            (32768, &[3, 0, 0x80, 0]),
            (-2, &[1, 0x82]),
            (-127, &[1, 0xff]),
            (-128, &[2, 0x80, 0x80]),
            (-32768, &[3, 0, 0x80, 0x80]),
            (i64::MIN, &[9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80]),
        ];
        for (n, want) in cases {
            assert_eq!(ScriptBuilder::new().add_i64(n).unwrap().script(), want, "{n}");
        }
    }

    #[test]
    fn lock_times_and_sequences_are_trimmed_little_endian_bytes() {
        for (value, want) in [
            (0u64, vec![OP_FALSE]),
            (1, vec![OP_TRUE]),
            (0xff, vec![1, 0xff]),
            (0xffee, vec![2, 0xee, 0xff]),
            (0xffee_ddcc_bbaa_9988, vec![8, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
            (u64::MAX, with_prefix(&[8], &[0xff; 8])),
        ] {
            assert_eq!(ScriptBuilder::new().add_lock_time(value).unwrap().script(), want.as_slice());
            assert_eq!(ScriptBuilder::new().add_sequence(value).unwrap().script(), want.as_slice());
        }
    }

    #[test]
    fn nothing_is_added_past_the_script_size_limit() {
        let full = || {
            let mut b = ScriptBuilder::new();
            b.add_ops(&[OP_CHECK_SIG; MAX_SCRIPT_SIZE - 1]).unwrap();
            b
        };
        let mut b = full();
        let before = b.clone();
        let too_big = |added| Err(ScriptBuilderError::ScriptTooBig { len: MAX_SCRIPT_SIZE - 1, added });
        assert_eq!(b.add_data(&[0x49]).map(|_| ()), too_big(2));
        assert_eq!(b.add_i64(17).map(|_| ()), too_big(2));
        assert_eq!(b.add_lock_time(0x100).map(|_| ()), too_big(3));
        assert_eq!(b.add_ops(&[OP_TRUE, OP_TRUE]).map(|_| ()), too_big(2));
        assert_eq!(b, before);
        // One byte still fits, then none.
        b.add_i64(16).unwrap();
        assert_eq!(b.len(), MAX_SCRIPT_SIZE);
        let full_len = Err(ScriptBuilderError::ScriptTooBig { len: MAX_SCRIPT_SIZE, added: 1 });
        assert_eq!(b.add_op(OP_FALSE).map(|_| ()), full_len);
        assert_eq!(b.add_i64(0).map(|_| ()), full_len);
        assert_eq!(b.add_sequence(0).map(|_| ()), full_len);
        assert_eq!(b.add_data(&[]).map(|_| ()), full_len);
        assert_eq!(full().add_data(&[0; 521]), Err(ScriptBuilderError::ScriptTooBig { len: 9999, added: 524 }));
    }

    mod properties {
        use super::*;
        use crate::engine::{Engine, ScriptError};
        use crate::opcodes::{Instructions, OP_DROP, OP_EQUAL, OP_NUM_EQUAL};
        use crate::script_asm;
        use crate::sighash::SighashCache;
        use crate::UtxoEntry;
        use proptest::prelude::*;
        use pyrin_core::{Amount, ScriptPublicKey, Transaction, TransactionInput, TransactionOutpoint};

        /// Runs `script` as the script public key of an input with an empty signature script.
        fn run(script: Vec<u8>) -> Result<(), ScriptError> {
            let tx = Transaction {
                inputs: alloc::vec![TransactionInput::new(TransactionOutpoint::default(), 0, 0)],
                ..Transaction::default()
            };
            let entries = [UtxoEntry {
                amount: Amount::from_leor(1),
                script_public_key: ScriptPublicKey::new(0, script),
                block_daa_score: 0,
                is_coinbase: false,
            }];
            let cache = SighashCache::new(&tx, &entries).map_err(|_| ScriptError::EvalFalse)?;
            Engine::new(&cache, 0)?.execute()
        }

        #[derive(Clone, Debug)]
        enum Step {
            Op(u8),
            Data(Vec<u8>),
            Number(i64),
            LockTime(u64),
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                any::<u8>().prop_map(Step::Op),
                prop::collection::vec(any::<u8>(), 0..80).prop_map(Step::Data),
                prop::collection::vec(any::<u8>(), 0..=MAX_ELEMENT_SIZE + 1).prop_map(Step::Data),
                prop_oneof![-20i64..=20, any::<i64>()].prop_map(Step::Number),
                any::<u64>().prop_map(Step::LockTime),
            ]
        }

        /// Data biased towards the one-opcode pushes and the length-prefix boundaries.
        fn element() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                any::<u8>().prop_map(|b| alloc::vec![b]),
                (0usize..=MAX_ELEMENT_SIZE).prop_map(|len| alloc::vec![0x5a; len]),
                prop::collection::vec(any::<u8>(), 70..=260),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// A built script formats in the short form and parses back to the same bytes.
            #[test]
            fn built_scripts_round_trip_through_the_short_form(steps in prop::collection::vec(step(), 0..12)) {
                let mut b = ScriptBuilder::new();
                for s in steps {
                    let _ = match s {
                        Step::Op(op) => b.add_op(op),
                        Step::Data(d) => b.add_data(&d),
                        Step::Number(n) => b.add_i64(n),
                        Step::LockTime(t) => b.add_lock_time(t),
                    };
                }
                prop_assert_eq!(script_asm::parse(&script_asm::format(b.script())), Ok(b.script().to_vec()));
            }

            /// Every data push the builder writes is one instruction that passes the engine's
            /// minimal-push rule, and pushes the data itself (for `00`: the empty element).
            #[test]
            fn data_pushes_are_minimal(d in element()) {
                let mut b = ScriptBuilder::new();
                b.add_data(&d).unwrap();
                prop_assert_eq!(b.len(), ScriptBuilder::push_len(&d));
                let pushes: Vec<_> = Instructions::new(b.script()).collect();
                prop_assert_eq!(pushes.len(), 1);
                let push = pushes[0].as_ref().unwrap();
                let value = match push.opcode {
                    OP_1_NEGATE => alloc::vec![0x81],
                    op @ OP_TRUE..=OP_16 => alloc::vec![op - OP_TRUE + 1],
                    _ => push.data.to_vec(),
                };
                prop_assert_eq!(value, if d == [0] { Vec::new() } else { d.clone() });
                b.add_op(OP_DROP).unwrap().add_op(OP_TRUE).unwrap();
                prop_assert_eq!(run(b.into_script()), Ok(()));
            }

            /// A number is pushed as its minimal script-number bytes, which the engine reads
            /// back as the same number.
            #[test]
            fn numbers_are_minimal(n in prop_oneof![-40i64..=40, -0x7fff_ffffi64..=0x7fff_ffff, any::<i64>()]) {
                let mut b = ScriptBuilder::new();
                b.add_i64(n).unwrap().add_data(&encode_number(n)).unwrap().add_op(OP_EQUAL).unwrap();
                prop_assert_eq!(run(b.drain()), Ok(()));
                if n.unsigned_abs() <= 0x7fff_ffff {
                    b.add_i64(n).unwrap().add_i64(n).unwrap().add_op(OP_NUM_EQUAL).unwrap();
                    prop_assert_eq!(run(b.drain()), Ok(()));
                }
            }
        }
    }
}
