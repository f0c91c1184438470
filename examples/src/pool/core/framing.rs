//! Newline framing of a byte stream with a length limit and a time limit per line.
//!
//! Bytes arrive in whatever pieces the socket gives; a line is complete at `\n`. A line
//! longer than the limit, or one whose first byte came too long ago without its end, is a
//! protocol error: a client must not hold memory or a slot with a line that never ends.

use std::time::Duration;

/// Why the framing gave up on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    /// More than the limit without a newline.
    #[error("request line too long")]
    TooLong,
    /// A line started and did not end in time.
    #[error("request line timed out")]
    TimedOut,
}

/// Collects bytes into lines.
#[derive(Debug)]
pub struct LineBuffer {
    partial: Vec<u8>,
    max_line: usize,
    started: Option<Duration>,
}

impl LineBuffer {
    /// A buffer taking lines of at most `max_line` bytes (newline excluded).
    pub fn new(max_line: usize) -> Self {
        Self { partial: Vec::new(), max_line, started: None }
    }

    /// Adds `bytes` received at `now`; calls `line` with each complete line (without its
    /// newline, lossily decoded as UTF-8).
    ///
    /// # Errors
    /// [`FramingError::TooLong`] once the pending line passes the limit.
    pub fn push(&mut self, bytes: &[u8], now: Duration, mut line: impl FnMut(&str)) -> Result<(), FramingError> {
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            if self.partial.len() + end > self.max_line {
                return Err(FramingError::TooLong);
            }
            if self.partial.is_empty() {
                line(&String::from_utf8_lossy(&rest[..end]));
            } else {
                self.partial.extend_from_slice(&rest[..end]);
                line(&String::from_utf8_lossy(&self.partial));
                self.partial.clear();
            }
            self.started = None;
            rest = &rest[end + 1..];
        }
        if !rest.is_empty() {
            if self.partial.len() + rest.len() > self.max_line {
                return Err(FramingError::TooLong);
            }
            self.partial.extend_from_slice(rest);
            self.started.get_or_insert(now);
        }
        Ok(())
    }

    /// When the pending line must be complete (`None` without one).
    pub fn deadline(&self, line_timeout: Duration) -> Option<Duration> {
        self.started.map(|t| t + line_timeout)
    }

    /// Checks the time limit of the pending line at `now`.
    ///
    /// # Errors
    /// [`FramingError::TimedOut`] when a line started `line_timeout` ago or more.
    pub fn check(&self, now: Duration, line_timeout: Duration) -> Result<(), FramingError> {
        match self.deadline(line_timeout) {
            Some(deadline) if now >= deadline => Err(FramingError::TimedOut),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(buffer: &mut LineBuffer, bytes: &[u8], now: u64) -> Result<Vec<String>, FramingError> {
        let mut out = Vec::new();
        buffer.push(bytes, Duration::from_secs(now), |l| out.push(l.to_string()))?;
        Ok(out)
    }

    #[test]
    fn lines_split_across_pieces_are_joined() {
        let mut b = LineBuffer::new(16);
        assert_eq!(lines(&mut b, b"ab", 0).unwrap(), Vec::<String>::new());
        assert_eq!(b.deadline(Duration::from_secs(5)), Some(Duration::from_secs(5)));
        assert_eq!(lines(&mut b, b"c\nd\n\ne", 1).unwrap(), vec!["abc", "d", ""]);
        // The pending "e" started at 1 s.
        assert_eq!(b.check(Duration::from_secs(5), Duration::from_secs(5)), Ok(()));
        assert_eq!(b.check(Duration::from_secs(6), Duration::from_secs(5)), Err(FramingError::TimedOut));
    }

    #[test]
    fn over_long_lines_are_refused_whole_or_in_pieces() {
        let mut b = LineBuffer::new(4);
        assert_eq!(lines(&mut b, b"abcd\n", 0).unwrap(), vec!["abcd"]);
        assert_eq!(lines(&mut b, b"abcde\n", 0), Err(FramingError::TooLong));
        let mut b = LineBuffer::new(4);
        assert!(lines(&mut b, b"abc", 0).is_ok());
        assert_eq!(lines(&mut b, b"de", 0), Err(FramingError::TooLong));
    }
}
