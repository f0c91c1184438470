//! Hex text for byte strings: lowercase out, either case in, with typed errors.

use alloc::string::String;
use alloc::vec::Vec;

/// Why a hex string could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// The string has an odd number of characters.
    #[error("hex string has odd length {0}")]
    OddLength(usize),
    /// The string decodes to a different number of bytes than the type holds.
    #[error("hex string encodes {found} bytes, expected {expected}")]
    WrongLength {
        /// Bytes the type needs.
        expected: usize,
        /// Bytes the string encodes.
        found: usize,
    },
    /// A character that is not a hex digit.
    #[error("invalid hex character {character:?} at position {index}")]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its byte position in the string.
        index: usize,
    },
}

fn nibble(c: u8, index: usize) -> Result<u8, HexError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(HexError::InvalidCharacter { character: c as char, index }),
    }
}

/// Decodes hex text (either case) into `out`, which must be exactly half the text's
/// length.
///
/// # Errors
/// [`HexError::OddLength`] for an odd number of characters, [`HexError::WrongLength`]
/// when the text encodes other than `out.len()` bytes (`out` is then untouched), and
/// [`HexError::InvalidCharacter`] for the first byte that is not a hex digit (the bytes
/// before it are already written to `out`).
pub fn decode_to_slice(text: &str, out: &mut [u8]) -> Result<(), HexError> {
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return Err(HexError::OddLength(bytes.len()));
    }
    if bytes.len() / 2 != out.len() {
        return Err(HexError::WrongLength { expected: out.len(), found: bytes.len() / 2 });
    }
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0], 2 * i)? << 4) | nibble(pair[1], 2 * i + 1)?;
    }
    Ok(())
}

/// Decodes hex text (either case) of any even length.
///
/// # Errors
/// [`HexError::OddLength`] for an odd number of characters, [`HexError::InvalidCharacter`]
/// for the first byte that is not a hex digit.
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    if text.len() % 2 != 0 {
        return Err(HexError::OddLength(text.len()));
    }
    let mut out = alloc::vec![0u8; text.len() / 2];
    decode_to_slice(text, &mut out)?;
    Ok(out)
}

/// Encodes bytes as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_mixed_case() {
        assert_eq!(decode("00aBfF").unwrap(), [0x00, 0xab, 0xff]);
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(decode("abc"), Err(HexError::OddLength(3)));
        assert_eq!(decode("zz"), Err(HexError::InvalidCharacter { character: 'z', index: 0 }));
        let mut out = [0u8; 2];
        assert_eq!(decode_to_slice("00", &mut out), Err(HexError::WrongLength { expected: 2, found: 1 }));
    }
}
