//! Stack items that never allocate: bytes a push took from its script are borrowed from
//! that script, a number an opcode computed is kept as the number (encoded only when its
//! bytes are asked for), and a digest is kept inline.

use core::ops::Deref;

use arrayvec::ArrayVec;

use super::{ScriptError, MAX_STACK_SIZE};

/// A data or alt stack, inline: no allocation. Room for a few items more than
/// [`MAX_STACK_SIZE`], since an operation adds up to three items before the size is checked.
pub(super) type Items<'s> = ArrayVec<Item<'s>, { MAX_STACK_SIZE + 4 }>;

/// One item of the data or alt stack.
#[derive(Clone, Copy)]
pub(super) enum Item<'s> {
    /// The data of a push, borrowed from the script that pushed it.
    Pushed(&'s [u8]),
    /// A number an opcode computed (booleans are the numbers 0 and 1); its bytes are its
    /// minimal encoding.
    Number(i64),
    /// A SHA-256 or BLAKE3 digest an opcode computed.
    Digest([u8; 32]),
}

/// The bytes of an item: borrowed, or a number's encoding made on the spot.
pub(super) enum Bytes<'b> {
    Borrowed(&'b [u8]),
    Encoded { len: u8, buf: [u8; 9] },
}

impl Deref for Bytes<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Borrowed(bytes) => bytes,
            Bytes::Encoded { len, buf } => buf.get(..usize::from(*len)).unwrap_or(buf),
        }
    }
}

/// The minimal script-number encoding of `n` into `buf`: little-endian magnitude, the sign
/// in the top bit of the last byte, 0 as no bytes. Returns the length (at most 9).
fn encode(n: i64, buf: &mut [u8; 9]) -> u8 {
    let magnitude = n.unsigned_abs();
    if magnitude == 0 {
        return 0;
    }
    let len = encoded_len(n);
    let mut value = u128::from(magnitude);
    if n < 0 {
        value |= 0x80 << (8 * (len - 1));
    }
    buf.copy_from_slice(&value.to_le_bytes()[..9]);
    len as u8
}

/// How many bytes `n`'s minimal encoding takes: one more than the whole bytes of its
/// magnitude, as the sign needs the top bit of the last byte.
fn encoded_len(n: i64) -> usize {
    match n {
        0 => 0,
        _ => (64 - n.unsigned_abs().leading_zeros() as usize) / 8 + 1,
    }
}

impl<'s> Item<'s> {
    /// A boolean item: `01` or empty.
    pub(super) fn from_bool(b: bool) -> Self {
        Item::Number(i64::from(b))
    }

    /// The bytes of the item.
    pub(super) fn bytes(&self) -> Bytes<'_> {
        match self {
            Item::Pushed(data) => Bytes::Borrowed(data),
            Item::Digest(digest) => Bytes::Borrowed(digest),
            Item::Number(n) => {
                let mut buf = [0u8; 9];
                let len = encode(*n, &mut buf);
                Bytes::Encoded { len, buf }
            }
        }
    }

    /// The item as a boolean: false when every byte is zero, or when only the last is
    /// non-zero and it is `0x80` (negative zero).
    pub(super) fn truth(&self) -> bool {
        match self {
            Item::Number(n) => *n != 0,
            _ => match self.bytes().split_last() {
                None => false,
                Some((last, rest)) => last & 0x7f != 0 || rest.iter().any(|&b| b != 0),
            },
        }
    }

    /// The item as a script number of at most `max_len` bytes.
    pub(super) fn number(&self, max_len: usize) -> Result<i64, ScriptError> {
        match self {
            Item::Number(n) => {
                let len = encoded_len(*n);
                if len > max_len {
                    Err(ScriptError::NumberTooBig(len))
                } else {
                    Ok(*n)
                }
            }
            Item::Pushed(data) => super::decode_number(data, max_len),
            Item::Digest(digest) => super::decode_number(digest, max_len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script_asm::encode_number;

    #[test]
    fn numbers_encode_as_the_builder_writes_them() {
        let edges = [0i64, 1, -1, 16, 127, 128, -128, 255, 256, -255, 0x7fff, 0x8000, -0x8000];
        let wide = [0x7fff_ffff, -0x7fff_ffff, 0xffff_ffff, -0xffff_ffff, i64::MAX, i64::MIN + 1, i64::MIN];
        for n in edges.into_iter().chain(wide) {
            let item = Item::Number(n);
            assert_eq!(&*item.bytes(), encode_number(n).as_slice(), "{n}");
            assert_eq!(encoded_len(n), encode_number(n).len(), "{n}");
            assert_eq!(item.number(9), Ok(n));
            assert_eq!(item.truth(), n != 0);
            let pushed = encode_number(n);
            assert_eq!(Item::Pushed(&pushed).number(9).ok(), if pushed.len() <= 8 { Some(n) } else { None });
        }
        assert_eq!(Item::Number(0x8000_0000).number(4), Err(ScriptError::NumberTooBig(5)));
        assert_eq!(Item::Number(-0x7fff_ffff).number(4), Ok(-0x7fff_ffff));
    }

    #[test]
    fn truth_ignores_negative_zero() {
        assert!(!Item::Number(0).truth());
        assert!(Item::from_bool(true).truth());
        assert!(!Item::Pushed(&[0, 0, 0x80]).truth());
        assert!(Item::Pushed(&[0, 1, 0x80]).truth());
        assert!(!Item::Pushed(&[0, 0]).truth());
        assert!(!Item::Digest([0; 32]).truth());
        assert_eq!(Item::Digest([0; 32]).bytes().len(), 32);
    }
}
