//! pyrin-ghostdag: work in progress; see the workspace README.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;
