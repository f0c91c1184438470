//! A small Redis client: RESP2 encoding and decoding as plain functions, and one pipelined
//! connection over tokio.
//!
//! Why not the `redis` crate: the pool needs exactly one thing from Redis, a connection it
//! can write a batch of commands to and read the batch's replies from, with its own
//! timeouts and its own reconnection policy (a share is acknowledged only when its reply
//! came back; a connection that failed is dropped and the next batch dials again). That
//! is this file; the crate would bring a connection manager, a type-conversion layer and
//! a dozen dependencies to be configured around that policy. The decoder is sans-I/O
//! ([`parse`] over a byte slice), so the tests' synchronous helpers use it too.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `+OK` and the like.
    Simple(String),
    /// `-ERR ...`: the command failed.
    Error(String),
    /// `:n`.
    Integer(i64),
    /// `$n` bytes, or nil.
    Bulk(Option<Vec<u8>>),
    /// `*n` replies, or nil.
    Array(Option<Vec<Reply>>),
}

impl Reply {
    /// The integer of an integer reply.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Reply::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// The text of a bulk or simple reply.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Reply::Bulk(Some(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
            Reply::Simple(text) => Some(text.clone()),
            _ => None,
        }
    }

    /// The items of an array reply (nil as empty).
    pub fn items(&self) -> Option<&[Reply]> {
        match self {
            Reply::Array(Some(items)) => Some(items),
            Reply::Array(None) => Some(&[]),
            _ => None,
        }
    }
}

/// Why talking to Redis failed.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The connection could not be made or broke.
    #[error("redis connection: {0}")]
    Io(#[from] std::io::Error),
    /// No answer in time.
    #[error("redis did not answer in time")]
    Timeout,
    /// The bytes were not RESP, or too large.
    #[error("redis protocol: {0}")]
    Protocol(&'static str),
    /// A command was refused.
    #[error("redis refused a command: {0}")]
    Command(String),
    /// A reply of an unexpected shape.
    #[error("unexpected redis reply: {0}")]
    Unexpected(String),
}

/// Largest bulk string or array accepted in a reply.
const MAX_REPLY_LEN: usize = 64 << 20;

/// Appends `args` as one command (an array of bulk strings).
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// Decodes one reply from the front of `input`: the reply and the bytes it took, or
/// `None` when more bytes are needed.
///
/// # Errors
/// [`RedisError::Protocol`] for bytes that are not RESP.
pub fn parse(input: &[u8]) -> Result<Option<(Reply, usize)>, RedisError> {
    let Some(end) = input.windows(2).position(|w| w == b"\r\n") else {
        return Ok(None);
    };
    let line = &input[1..end];
    let text = || String::from_utf8_lossy(line).into_owned();
    let number = || -> Result<i64, RedisError> {
        std::str::from_utf8(line).ok().and_then(|s| s.parse().ok()).ok_or(RedisError::Protocol("bad number"))
    };
    let after = end + 2;
    match input.first() {
        Some(b'+') => Ok(Some((Reply::Simple(text()), after))),
        Some(b'-') => Ok(Some((Reply::Error(text()), after))),
        Some(b':') => Ok(Some((Reply::Integer(number()?), after))),
        Some(b'$') => {
            let len = number()?;
            if len < 0 {
                return Ok(Some((Reply::Bulk(None), after)));
            }
            let len = usize::try_from(len).map_err(|_| RedisError::Protocol("bad length"))?;
            if len > MAX_REPLY_LEN {
                return Err(RedisError::Protocol("bulk reply too large"));
            }
            if input.len() < after + len + 2 {
                return Ok(None);
            }
            Ok(Some((Reply::Bulk(Some(input[after..after + len].to_vec())), after + len + 2)))
        }
        Some(b'*') => {
            let len = number()?;
            if len < 0 {
                return Ok(Some((Reply::Array(None), after)));
            }
            let len = usize::try_from(len).map_err(|_| RedisError::Protocol("bad length"))?;
            if len > MAX_REPLY_LEN {
                return Err(RedisError::Protocol("array reply too large"));
            }
            let mut items = Vec::with_capacity(len.min(1024));
            let mut at = after;
            for _ in 0..len {
                let Some((item, used)) = parse(&input[at..])? else { return Ok(None) };
                items.push(item);
                at += used;
            }
            Ok(Some((Reply::Array(Some(items)), at)))
        }
        _ => Err(RedisError::Protocol("unknown reply type")),
    }
}

/// Host and port of a `redis://HOST:PORT` URL (port 6379 when absent).
///
/// # Errors
/// [`RedisError::Protocol`] for another scheme, or a URL with a path, user or password.
pub fn parse_url(url: &str) -> Result<String, RedisError> {
    let rest = url.strip_prefix("redis://").ok_or(RedisError::Protocol("the URL must start with redis://"))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() || rest.contains(['/', '@']) {
        return Err(RedisError::Protocol("expected redis://HOST:PORT"));
    }
    Ok(if rest.contains(':') { rest.to_string() } else { format!("{rest}:6379") })
}

/// One connection to Redis.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
    timeout: Duration,
}

impl Connection {
    /// Connects to `address` (`HOST:PORT`); every later exchange must finish within
    /// `timeout`.
    ///
    /// # Errors
    /// [`RedisError::Io`] or [`RedisError::Timeout`].
    pub async fn connect(address: &str, timeout: Duration) -> Result<Self, RedisError> {
        let stream =
            tokio::time::timeout(timeout, TcpStream::connect(address)).await.map_err(|_| RedisError::Timeout)??;
        stream.set_nodelay(true)?;
        Ok(Self { stream, buffer: Vec::new(), timeout })
    }

    /// Sends the encoded commands `request` (`count` of them) and reads their `count`
    /// replies, in order. Error replies are returned as [`Reply::Error`] in place.
    ///
    /// # Errors
    /// A broken connection, a timeout or bytes that are not RESP; the connection should
    /// then be dropped.
    pub async fn pipeline(&mut self, request: &[u8], count: usize) -> Result<Vec<Reply>, RedisError> {
        tokio::time::timeout(self.timeout, self.exchange(request, count)).await.map_err(|_| RedisError::Timeout)?
    }

    /// One command's reply; an error reply becomes [`RedisError::Command`].
    ///
    /// # Errors
    /// As [`Connection::pipeline`], and the command's own error.
    pub async fn command(&mut self, args: &[&[u8]]) -> Result<Reply, RedisError> {
        let mut request = Vec::new();
        encode(&mut request, args);
        match self.pipeline(&request, 1).await?.pop() {
            Some(Reply::Error(e)) => Err(RedisError::Command(e)),
            Some(reply) => Ok(reply),
            None => Err(RedisError::Protocol("no reply")),
        }
    }

    async fn exchange(&mut self, request: &[u8], count: usize) -> Result<Vec<Reply>, RedisError> {
        self.stream.write_all(request).await?;
        let mut replies = Vec::with_capacity(count);
        let mut chunk = [0u8; 16 * 1024];
        while replies.len() < count {
            match parse(&self.buffer)? {
                Some((reply, used)) => {
                    self.buffer.drain(..used);
                    replies.push(reply);
                }
                None => {
                    let n = self.stream.read(&mut chunk).await?;
                    if n == 0 {
                        return Err(RedisError::Io(std::io::ErrorKind::UnexpectedEof.into()));
                    }
                    self.buffer.extend_from_slice(&chunk[..n]);
                }
            }
        }
        Ok(replies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_encode_as_arrays_of_bulk_strings() {
        let mut out = Vec::new();
        encode(&mut out, &[b"HINCRBY", b"k", b"w", b"5"]);
        assert_eq!(out, b"*4\r\n$7\r\nHINCRBY\r\n$1\r\nk\r\n$1\r\nw\r\n$1\r\n5\r\n");
    }

    #[test]
    fn replies_decode_whole_or_ask_for_more() {
        let input = b"+OK\r\n-ERR no\r\n:42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n$1\r\nx\r\n*-1\r\n";
        let mut at = 0;
        let mut replies = Vec::new();
        while at < input.len() {
            let (reply, used) = parse(&input[at..]).unwrap().unwrap();
            replies.push(reply);
            at += used;
        }
        assert_eq!(
            replies,
            vec![
                Reply::Simple("OK".into()),
                Reply::Error("ERR no".into()),
                Reply::Integer(42),
                Reply::Bulk(Some(b"abc".to_vec())),
                Reply::Bulk(None),
                Reply::Array(Some(vec![Reply::Integer(1), Reply::Bulk(Some(b"x".to_vec()))])),
                Reply::Array(None),
            ]
        );
        for cut in [1, 5, 8, 10] {
            assert_eq!(parse(&b"*2\r\n:1\r\n$1\r\nx\r\n"[..cut]).unwrap(), None);
        }
        assert!(parse(b"?\r\n").is_err());
        assert!(parse(b"$99999999999\r\n").is_err());
    }

    #[test]
    fn urls_name_host_and_port() {
        assert_eq!(parse_url("redis://127.0.0.1:7000").unwrap(), "127.0.0.1:7000");
        assert_eq!(parse_url("redis://localhost/").unwrap(), "localhost:6379");
        assert!(parse_url("http://x").is_err());
        assert!(parse_url("redis://u:p@h:1").is_err());
    }
}
