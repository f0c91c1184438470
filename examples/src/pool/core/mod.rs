//! The pool's protocol logic without I/O: a [`session::Session`] per connection (stratum
//! requests in, lines and events out), the shared [`template::Template`] every share is
//! checked against, [`vardiff`], who may connect ([`admission`]), bounded per-worker
//! statistics ([`workers`]) and the reward split ([`payout`]).
//!
//! Nothing here opens a socket, reads a clock or starts a thread: the caller passes the
//! current time and bytes in and sends the lines that come out, as quinn-proto leaves the
//! network to quinn. That is what lets the tests drive a session through every case
//! (deadlines included) in microseconds, and lets any runtime carry it; the `pyrin-pool`
//! package's tokio server is one such caller.

pub mod admission;
pub mod framing;
pub mod payout;
pub mod session;
pub mod template;
pub mod vardiff;
pub mod workers;
