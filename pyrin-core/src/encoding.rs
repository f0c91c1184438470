use alloc::vec::Vec;

use crate::hash::Hash;

/// A destination for encoded bytes: a `Vec<u8>`, a hasher, a counter.
pub trait Sink {
    /// Appends bytes.
    fn put(&mut self, bytes: &[u8]);

    /// Appends a u8.
    #[inline]
    fn put_u8(&mut self, v: u8) {
        self.put(&[v]);
    }
    /// Appends a little-endian u16.
    #[inline]
    fn put_u16(&mut self, v: u16) {
        self.put(&v.to_le_bytes());
    }
    /// Appends a little-endian u32.
    #[inline]
    fn put_u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
    /// Appends a little-endian u64.
    #[inline]
    fn put_u64(&mut self, v: u64) {
        self.put(&v.to_le_bytes());
    }
    /// Appends a length (a u64).
    #[inline]
    fn put_len(&mut self, len: usize) {
        self.put_u64(len as u64);
    }
    /// Appends length-prefixed bytes.
    #[inline]
    fn put_var_bytes(&mut self, bytes: &[u8]) {
        self.put_len(bytes.len());
        self.put(bytes);
    }
    /// Appends a hash's 32 bytes.
    #[inline]
    fn put_hash(&mut self, hash: &Hash) {
        self.put(hash.as_bytes());
    }
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A sink that only counts bytes, for sizing buffers.
#[derive(Debug, Default, Clone, Copy)]
pub struct LenCounter(pub usize);

impl Sink for LenCounter {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended inside a field.
    #[error("unexpected end of input reading {field}: needed {needed} bytes, {remaining} remain")]
    UnexpectedEnd {
        /// The field being read.
        field: &'static str,
        /// Bytes the field needs.
        needed: u64,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// A length prefix promises more elements than the remaining input could hold.
    #[error("length {len} of {field} exceeds what the remaining {remaining} bytes can hold")]
    LengthTooLarge {
        /// The field whose length is wrong.
        field: &'static str,
        /// The declared length.
        len: u64,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// Bytes were left after a complete value.
    #[error("{0} trailing bytes after the encoded value")]
    TrailingBytes(usize),
    /// A blue work value longer than 24 bytes (192 bits).
    #[error("blue work of {0} bytes exceeds 24 bytes")]
    BlueWorkTooLong(u64),
    /// Blue work written with a leading zero byte; consensus writes it minimally, so
    /// accepting it would let two encodings stand for one header.
    #[error("blue work has a leading zero byte (non-canonical encoding)")]
    NonCanonicalBlueWork,
}

/// A cursor over bytes being decoded.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// Takes `n` bytes.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when fewer than `n` bytes remain; nothing is taken.
    pub fn take(&mut self, n: u64, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if n > self.bytes.len() as u64 {
            return Err(DecodeError::UnexpectedEnd { field, needed: n, remaining: self.bytes.len() });
        }
        let (head, tail) = self.bytes.split_at(n as usize);
        self.bytes = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        Ok(self.take(N as u64, field)?.try_into().expect("took N bytes"))
    }

    /// Reads a u8.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when no byte remains.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(field)?[0])
    }
    /// Reads a little-endian u16.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when fewer than 2 bytes remain.
    pub fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }
    /// Reads a little-endian u32.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when fewer than 4 bytes remain.
    pub fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }
    /// Reads a little-endian u64.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when fewer than 8 bytes remain.
    pub fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }
    /// Reads a hash.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when fewer than 32 bytes remain.
    pub fn hash(&mut self, field: &'static str) -> Result<Hash, DecodeError> {
        Ok(Hash::from_bytes(self.array(field)?))
    }

    /// Reads a length prefix and checks that `len × min_element_size` bytes remain, so a
    /// hostile prefix cannot trigger a large allocation.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when fewer than 8 bytes remain for the prefix;
    /// [`DecodeError::LengthTooLarge`] when `len × min_element_size` (a `min_element_size`
    /// of 0 counts as 1) is more than the bytes left after it.
    pub fn len(&mut self, field: &'static str, min_element_size: usize) -> Result<usize, DecodeError> {
        let len = self.u64(field)?;
        let remaining = self.bytes.len();
        let fits = len.checked_mul(min_element_size.max(1) as u64).is_some_and(|need| need <= remaining as u64);
        if !fits {
            return Err(DecodeError::LengthTooLarge { field, len, remaining });
        }
        Ok(len as usize)
    }

    /// Reads length-prefixed bytes.
    ///
    /// # Errors
    /// As [`Reader::len`] with one-byte elements: [`DecodeError::UnexpectedEnd`] for a
    /// cut-short prefix, [`DecodeError::LengthTooLarge`] when fewer bytes than it promises
    /// remain.
    pub fn var_bytes(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let len = self.len(field, 1)?;
        self.take(len as u64, field)
    }

    /// Checks that every byte was read.
    ///
    /// # Errors
    /// [`DecodeError::TrailingBytes`] with the number of bytes left.
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.bytes.len() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }
}

/// A type with a consensus encoding.
///
/// # The encoding
/// Integers are little-endian at their width, a length is a u64, "var bytes" is a length
/// followed by the bytes. Header and transaction encodings are complete, so they also
/// serve as a compact binary format: [`Decode`] reads them back.
///
/// Decoding untrusted bytes never panics and never allocates more than the input can
/// justify: a length prefix is checked against the bytes that remain (times the smallest
/// possible element size) before any allocation.
///
/// ```
/// use pyrin_core::{Decode, DecodeError, Encode, Transaction};
///
/// let tx = Transaction { payload: vec![1, 2, 3], ..Transaction::default() };
/// let bytes = tx.to_bytes();
/// assert_eq!(Transaction::from_bytes(&bytes)?, tx);
///
/// // Truncated or hostile input is an error that names the field, never a panic.
/// let err = Transaction::from_bytes(&bytes[..bytes.len() - 1]).unwrap_err();
/// assert!(matches!(err, DecodeError::LengthTooLarge { field: "payload", len: 3, remaining: 2 }));
/// # Ok::<(), DecodeError>(())
/// ```
pub trait Encode {
    /// Writes the encoding into a sink.
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S);

    /// The encoding's length in bytes.
    fn encoded_len(&self) -> usize {
        let mut counter = LenCounter::default();
        self.encode_to(&mut counter);
        counter.0
    }

    /// The encoding as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_to(&mut out);
        out
    }
}

/// A type that can be read back from its consensus encoding.
pub trait Decode: Sized {
    /// Reads one value from the reader, leaving the rest.
    ///
    /// # Errors
    /// [`DecodeError::UnexpectedEnd`] when the input ends inside a field,
    /// [`DecodeError::LengthTooLarge`] when a length prefix promises more than the rest of
    /// the input can hold; for a [`Header`](crate::Header), [`DecodeError::BlueWorkTooLong`]
    /// and [`DecodeError::NonCanonicalBlueWork`] for blue work that is not a minimal
    /// encoding of at most 24 bytes. Each error names the field it was reading.
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Reads one value that must span all of `bytes`.
    ///
    /// # Errors
    /// Those of [`Decode::decode_from`], and [`DecodeError::TrailingBytes`] when bytes are
    /// left after the value.
    fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let value = Self::decode_from(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_length_is_rejected_before_allocating() {
        let mut bytes = Vec::new();
        bytes.put_u64(u64::MAX);
        let mut r = Reader::new(&bytes);
        assert!(matches!(r.len("inputs", 53), Err(DecodeError::LengthTooLarge { len: u64::MAX, .. })));
    }

    #[test]
    fn short_input_names_the_field() {
        let mut r = Reader::new(&[1, 2]);
        assert_eq!(r.u32("bits"), Err(DecodeError::UnexpectedEnd { field: "bits", needed: 4, remaining: 2 }));
    }
}
