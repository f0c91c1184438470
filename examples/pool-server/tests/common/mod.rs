//! What the pool tests share: a line-by-line stratum client, a real `redis-server` and a
//! pool process, each stopped by its PID when dropped (even when a test panics).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pyrin_core::CompactTarget;
use pyrin_examples::pool::stratum::{parse_extranonce, parse_notify};
use pyrin_pool::resp::{encode, parse, Reply};
use pyrin_pow::share::target_from_difficulty;
use pyrin_pow::{PowState, Variant};
use pyrin_tx::address::{Address, Prefix, Version};
use pyrin_tx::sign::PrivateKey;
use serde_json::{json, Value};

/// About 2^22 nonces per block.
pub const BITS: CompactTarget = CompactTarget::from_consensus(0x1e04_0000);
pub const START_DIFFICULTY: f64 = 1.0 / 65536.0;
/// The share difficulty pool processes are pinned to: one nonce in 256 is a share, and
/// every share weighs 256 (difficulty · 2^32).
pub const FIXED: f64 = 1.0 / 16_777_216.0;
pub const FIXED_WEIGHT: u64 = 256;

/// A devnet address from key `[i; 32]`.
pub fn address(i: u8) -> String {
    let key = PrivateKey::from_bytes([i; 32]).unwrap();
    Address::new(Prefix::Devnet, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap().to_string()
}

/// A stratum client reading line by line.
pub struct Raw {
    pub stream: TcpStream,
    reader: BufReader<TcpStream>,
    /// Notifications read while waiting for replies.
    notes: Vec<Value>,
}

/// A miner's view of its job.
pub struct Job {
    pub prefix: u64,
    pub difficulty: f64,
    pub id: String,
    pub state: PowState,
}

impl Job {
    /// The `skip`-th nonce of this miner's range that meets the share target but is no block.
    pub fn share(&self, skip: usize) -> u64 {
        let target = target_from_difficulty(self.difficulty).unwrap();
        (0u64..)
            .map(|n| self.prefix | n)
            .filter(|&n| {
                let c = self.state.check_share(n, target);
                c.meets_share && !c.meets_network
            })
            .nth(skip)
            .unwrap()
    }

    /// The next nonce from `cursor` on that meets the share target but is no block; the
    /// cursor moves past it.
    pub fn next_share(&self, cursor: &mut u64) -> u64 {
        let target = target_from_difficulty(self.difficulty).unwrap();
        loop {
            let n = self.prefix | *cursor;
            *cursor += 1;
            let c = self.state.check_share(n, target);
            if c.meets_share && !c.meets_network {
                return n;
            }
        }
    }

    /// A nonce of this miner's range that is a block.
    pub fn block(&self) -> u64 {
        let end = self.prefix | ((1u64 << 48) - 1);
        pyrin_pow::par_search(&self.state, self.prefix..end).solution.unwrap().nonce
    }
}

impl Raw {
    pub fn connect(pool: SocketAddr) -> Self {
        let stream = TcpStream::connect(pool).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Self { reader: BufReader::new(stream.try_clone().unwrap()), stream, notes: Vec::new() }
    }

    pub fn send(&mut self, line: &str) {
        writeln!(self.stream, "{line}").unwrap();
    }

    pub fn read(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or(Value::Null)
    }

    /// Every line until the pool closes the connection.
    pub fn read_to_end(&mut self) -> Vec<Value> {
        let mut lines = Vec::new();
        let mut line = String::new();
        while self.reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            lines.push(serde_json::from_str(&line).unwrap_or(Value::Null));
            line.clear();
        }
        lines
    }

    /// Sends a request and returns the reply with its id, keeping notifications.
    pub fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let value = self.read();
            if value.get("id") == Some(&json!(id)) {
                return value;
            }
            assert!(value.get("method").is_some(), "unexpected line {value}");
            self.notes.push(value);
        }
    }

    /// Reads up to the first notification of `method` (kept ones first).
    pub fn note(&mut self, method: &str) -> Value {
        if let Some(i) = self.notes.iter().position(|v| v["method"] == method) {
            return self.notes.remove(i);
        }
        loop {
            let value = self.read();
            assert!(!value.is_null(), "the pool closed the connection");
            if value["method"] == method {
                return value;
            }
            self.notes.push(value);
        }
    }

    /// Subscribes and authorizes `worker`; returns the job.
    pub fn join(&mut self, worker: &str) -> Job {
        assert_eq!(self.call(1, "mining.subscribe", json!([]))["result"][0], json!(true));
        let (prefix, _) = parse_extranonce(self.note("mining.set_extranonce")["params"].as_array().unwrap()).unwrap();
        assert_eq!(self.call(2, "mining.authorize", json!([worker]))["result"], json!(true));
        let difficulty = self.note("mining.set_difficulty")["params"][0].as_f64().unwrap();
        let (id, pre_pow, timestamp) = parse_notify(self.note("mining.notify")["params"].as_array().unwrap()).unwrap();
        Job { prefix, difficulty, id, state: PowState::from_parts(pre_pow, timestamp, BITS, Variant::Legacy).unwrap() }
    }

    /// Submits `nonce` for `worker` on `job`; the reply, or `None` when the connection
    /// broke (never panics: for the fault tests).
    pub fn try_submit(&mut self, id: u64, worker: &str, job: &str, nonce: u64) -> Option<Value> {
        let request = json!({"id": id, "method": "mining.submit", "params": [worker, job, format!("{nonce:#018x}")]});
        writeln!(self.stream, "{request}").ok()?;
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let value: Value = serde_json::from_str(&line).ok()?;
            if value.get("id") == Some(&json!(id)) {
                return Some(value);
            }
        }
    }

    /// Submits `nonce` for `worker` on `job`; the reply.
    pub fn submit(&mut self, id: u64, worker: &str, job: &str, nonce: u64) -> Value {
        self.call(id, "mining.submit", json!([worker, job, format!("{nonce:#018x}")]))
    }

    pub fn error_code(reply: &Value) -> Option<i64> {
        reply.get("error")?.get(0)?.as_i64()
    }

    pub fn error_message(reply: &Value) -> Option<&str> {
        reply.get("error")?.get(1)?.as_str()
    }
}

/// A free loopback port (bound and released; the caller binds it again at once).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("pyrin-pool-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A real `redis-server` on a loopback port with its own temporary directory, killed by
/// its PID when dropped.
pub struct Redis {
    pub port: u16,
    pub dir: PathBuf,
    persistent: bool,
    child: Option<Child>,
}

impl Redis {
    /// Starts one without persistence (`--save ''`, no append-only file).
    pub fn start() -> Self {
        Self::start_with(false)
    }

    /// Starts one with the append-only file, fsync on every write.
    pub fn start_persistent() -> Self {
        Self::start_with(true)
    }

    fn start_with(persistent: bool) -> Self {
        let mut redis = Self { port: free_port(), dir: temp_dir("redis"), persistent, child: None };
        redis.restart();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again, on the same port and directory) and waits for it.
    pub fn restart(&mut self) {
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if self.persistent {
            command.args(["--appendonly", "yes", "--appendfsync", "always"]);
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!("the pool tests need redis-server (the Debian package redis-server; .ci/run installs it): {e}")
        });
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if matches!(self.try_command(&["PING"]), Ok(Reply::Simple(ref s)) if s == "PONG") {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    /// Kills the server (SIGKILL) and waits for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// One command; the reply or the connection error.
    pub fn try_command(&self, args: &[&str]) -> std::io::Result<Reply> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut request = Vec::new();
        encode(&mut request, &args.iter().map(|a| a.as_bytes()).collect::<Vec<_>>());
        stream.write_all(&request)?;
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some((reply, _)) = parse(&buffer).map_err(std::io::Error::other)? {
                return Ok(reply);
            }
            let n = std::io::Read::read(&mut stream, &mut chunk)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
    }

    pub fn command(&self, args: &[&str]) -> Reply {
        self.try_command(args).unwrap()
    }

    /// A hash as field → integer.
    pub fn hash(&self, key: &str) -> std::collections::BTreeMap<String, u64> {
        let reply = self.command(&["HGETALL", key]);
        let items = reply.items().unwrap();
        items.chunks(2).map(|p| (p[0].as_text().unwrap(), p[1].as_text().unwrap().parse().unwrap())).collect()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `pyrin-pool` binary running as its own process, killed by its PID when dropped.
pub struct PoolProcess {
    pub address: SocketAddr,
    child: Child,
}

impl PoolProcess {
    /// Starts `pyrin-pool --demo --miners 0` (no miners of its own) with `args`.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pyrin-pool"))
            .args(["--demo", "--miners", "0", "--seconds", "600", "--port", "0", "--bits", "1e040000"])
            .args(["--difficulty", &FIXED.to_string(), "--min-difficulty", &FIXED.to_string()])
            .args(["--max-difficulty", &FIXED.to_string()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        // Keep reading, so the pool's statistics never meet a closed pipe.
        std::thread::spawn(move || stdout.lines().map_while(Result::ok).for_each(drop));
        let address = first.trim().rsplit(' ').next().and_then(|a| a.parse().ok());
        let Some(address) = address else {
            let _ = child.kill();
            panic!("the pool did not start: {first:?}");
        };
        Self { address, child }
    }

    /// SIGKILL.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for PoolProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `condition` every 20 ms for at most `limit`.
pub fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
