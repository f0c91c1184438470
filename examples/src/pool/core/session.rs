//! One miner's connection as a state machine: bytes and the current time in, lines to send
//! and events for the pool out.
//!
//! The session owns everything that is this connection's alone: framing, subscription and
//! dialect, the workers it authorized, its extranonce, difficulty and jobs, its vardiff
//! window, rate limit and deadlines. What is the pool's (the current template, the share
//! store, statistics) stays outside: the template comes in as an argument, and an accepted
//! share goes out as [`Event::Share`], to be recorded by the caller, who then reports the
//! outcome with [`Session::share_recorded`] and only then does the miner get its answer.
//!
//! Time is a [`Duration`] since any fixed origin the caller picks; the session never reads
//! a clock.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use pyrin_core::params::Network;
use pyrin_core::Block;
use pyrin_pow::share::target_from_difficulty;
use pyrin_tx::address::{Address, Prefix};
use serde_json::{json, Value};

use super::framing::LineBuffer;
use super::template::Template;
use super::vardiff::{retarget, share_weight, window_full};
use crate::pool::stratum::{self, parse_request, response, submitted_nonce, Dialect, Request, StratumError};

/// The rules every session follows.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Network whose addresses may be authorized (and paid).
    pub network: Network,
    /// Share difficulty a new miner starts at (bridge units: 1 = target `0xffff · 2^208`).
    pub start_difficulty: f64,
    /// Lowest share difficulty vardiff goes to.
    pub min_difficulty: f64,
    /// Highest share difficulty vardiff goes to (never above the network's difficulty).
    pub max_difficulty: f64,
    /// Seconds between shares that vardiff aims for.
    pub share_seconds: f64,
    /// Longest accepted request line in bytes.
    pub max_line: usize,
    /// A request line must arrive whole within this time of its first byte.
    pub line_timeout: Duration,
    /// A client that sends no request (empty lines do not count) for this long is dropped.
    pub idle_timeout: Duration,
    /// A client that has not authorized a worker this long after connecting is dropped.
    pub authorize_deadline: Duration,
    /// Requests per second a client may send before being refused, and dropped at 4×.
    pub max_requests_per_second: u32,
    /// Distinct workers one connection may authorize.
    pub max_workers: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            network: Network::Devnet,
            start_difficulty: 1.0 / 1024.0,
            min_difficulty: 1.0 / 16_777_216.0,
            max_difficulty: 1e15,
            share_seconds: 1.0,
            max_line: 4096,
            line_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(300),
            authorize_deadline: Duration::from_secs(20),
            max_requests_per_second: 500,
            max_workers: 8,
        }
    }
}

/// A share that passed every check and now needs recording before it is acknowledged.
#[derive(Clone, Debug)]
pub struct ShareEvent {
    /// The request id to answer.
    pub id: Value,
    /// The worker it counts for.
    pub worker: String,
    /// The difficulty of the job it answers.
    pub difficulty: f64,
    /// Its weight in the accounting ([`share_weight`] of the difficulty).
    pub weight: u64,
    /// The block it completes, when it also meets the network target.
    pub block: Option<Box<Block>>,
}

/// What the pool should know.
#[derive(Clone, Debug)]
pub enum Event {
    /// A worker was authorized (first time on this connection) at this difficulty.
    Authorized {
        /// `address.name`.
        worker: String,
        /// The connection's share difficulty.
        difficulty: f64,
    },
    /// A share to record; answer it through [`Session::share_recorded`].
    Share(ShareEvent),
    /// A submission was refused (the answer is already among the lines).
    Rejected {
        /// The worker it named, when that worker is authorized here.
        worker: Option<String>,
        /// Why.
        error: StratumError,
    },
    /// The connection's difficulty changed (the new job is among the lines).
    Difficulty(f64),
}

/// What the session asks of its caller, in order.
#[derive(Clone, Debug)]
pub enum Output {
    /// Send this line (a newline is to be added).
    Line(String),
    /// Tell the pool.
    Event(Event),
    /// Close the connection after the lines before this one; the reason was sent.
    Close(&'static str),
}

/// A job as this connection was sent it: a template at the difficulty in force then.
#[derive(Clone, Copy, Debug)]
struct Job {
    id: u64,
    template: u64,
    difficulty: f64,
}

/// Jobs a client may still submit to (older ones are stale).
const JOBS_KEPT: usize = 8;

/// One connection's state.
#[derive(Debug)]
pub struct Session {
    config: Arc<SessionConfig>,
    extranonce: u16,
    framing: LineBuffer,
    subscribed: bool,
    dialect: Dialect,
    workers: Vec<String>,
    difficulty: f64,
    jobs: VecDeque<Job>,
    last_job: u64,
    connected: Duration,
    last_request: Duration,
    /// Start of the vardiff window and the shares accepted in it.
    vardiff: (Duration, u32),
    /// Start of the rate-limit second and the requests in it.
    rate: (Duration, u32),
    closed: bool,
}

impl Session {
    /// A session for a connection made at `now` holding `extranonce`.
    pub fn new(config: Arc<SessionConfig>, extranonce: u16, now: Duration) -> Self {
        Self {
            framing: LineBuffer::new(config.max_line),
            difficulty: config.start_difficulty,
            config,
            extranonce,
            subscribed: false,
            dialect: Dialect::Words,
            workers: Vec::new(),
            jobs: VecDeque::new(),
            last_job: 0,
            connected: now,
            last_request: now,
            vardiff: (now, 0),
            rate: (now, 0),
            closed: false,
        }
    }

    /// The extranonce this connection holds.
    pub fn extranonce(&self) -> u16 {
        self.extranonce
    }

    /// The workers this connection authorized.
    pub fn workers(&self) -> &[String] {
        &self.workers
    }

    /// Its current share difficulty.
    pub fn difficulty(&self) -> f64 {
        self.difficulty
    }

    /// Whether the session asked for the connection to be closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// When [`Session::on_tick`] next has something to check.
    pub fn next_deadline(&self) -> Duration {
        let mut deadline = self.last_request + self.config.idle_timeout;
        if self.workers.is_empty() {
            deadline = deadline.min(self.connected + self.config.authorize_deadline);
        } else {
            // Vardiff looks again once the window may be judged.
            let window = Duration::from_secs_f64(10.0 * self.config.share_seconds);
            deadline = deadline.min(self.vardiff.0 + window);
        }
        if let Some(line) = self.framing.deadline(self.config.line_timeout) {
            deadline = deadline.min(line);
        }
        deadline
    }

    /// Bytes received at `now`, with `template` the pool's current one.
    pub fn on_bytes(&mut self, bytes: &[u8], now: Duration, template: &Template, out: &mut Vec<Output>) {
        if self.closed {
            return;
        }
        let mut lines = Vec::new();
        let framed = self.framing.push(bytes, now, |line| lines.push(line.to_string()));
        for line in lines {
            self.on_line(&line, now, template, out);
            if self.closed {
                return;
            }
        }
        if let Err(e) = framed {
            self.close(out, e.to_string_static());
        }
    }

    /// The time passed `now`: deadlines and vardiff for a miner that finds nothing.
    pub fn on_tick(&mut self, now: Duration, template: &Template, out: &mut Vec<Output>) {
        if self.closed {
            return;
        }
        if let Err(e) = self.framing.check(now, self.config.line_timeout) {
            return self.close(out, e.to_string_static());
        }
        if self.workers.is_empty() && now >= self.connected + self.config.authorize_deadline {
            return self.close(out, "not authorized in time");
        }
        if now >= self.last_request + self.config.idle_timeout {
            return self.close(out, "idle for too long");
        }
        self.vardiff(now, template, out);
    }

    /// The pool has a new current template: authorized miners get it as a job.
    pub fn on_template(&mut self, template: &Template, out: &mut Vec<Output>) {
        if !self.closed && !self.workers.is_empty() {
            self.notify(template, out);
        }
    }

    /// The caller recorded (`recorded`) or failed to record `share` at `now`: the miner
    /// gets `true`, or an error saying the share was not counted.
    pub fn share_recorded(
        &mut self,
        share: &ShareEvent,
        recorded: bool,
        now: Duration,
        template: &Template,
        out: &mut Vec<Output>,
    ) {
        if !recorded {
            let error = (StratumError::Other, "share not recorded, the pool's accounting is unavailable");
            out.push(Output::Line(response(&share.id, Err(error))));
            out.push(Output::Event(Event::Rejected { worker: Some(share.worker.clone()), error: StratumError::Other }));
            return;
        }
        out.push(Output::Line(response(&share.id, Ok(json!(true)))));
        self.vardiff.1 += 1;
        self.vardiff(now, template, out);
    }

    fn close(&mut self, out: &mut Vec<Output>, reason: &'static str) {
        out.push(Output::Line(response(&Value::Null, Err((StratumError::Other, reason)))));
        out.push(Output::Close(reason));
        self.closed = true;
    }

    fn on_line(&mut self, line: &str, now: Duration, template: &Template, out: &mut Vec<Output>) {
        let text = line.trim();
        // Empty lines are no activity: they neither count as requests nor keep a client.
        if text.is_empty() {
            return;
        }
        self.last_request = now;
        if now >= self.rate.0 + Duration::from_secs(1) {
            self.rate = (now, 0);
        }
        self.rate.1 += 1;
        if self.rate.1 > 4 * self.config.max_requests_per_second {
            return self.close(out, "too many requests");
        }
        match parse_request(text) {
            Ok(request) if self.rate.1 > self.config.max_requests_per_second => {
                out.push(Output::Line(response(&request.id, Err((StratumError::Other, "rate limited")))));
            }
            Ok(request) => self.on_request(request, now, template, out),
            Err(message) => out.push(Output::Line(response(&Value::Null, Err((StratumError::Other, &message))))),
        }
    }

    fn on_request(&mut self, request: Request, now: Duration, template: &Template, out: &mut Vec<Output>) {
        let reply = |out: &mut Vec<Output>, result: Result<Value, (StratumError, &str)>| {
            out.push(Output::Line(response(&request.id, result)));
        };
        match request.method.as_str() {
            "mining.subscribe" => {
                self.subscribed = true;
                let agent = request.params.first().and_then(Value::as_str).unwrap_or_default();
                self.dialect = Dialect::for_user_agent(agent);
                reply(out, Ok(json!([true, "EthereumStratum/1.0.0"])));
                out.push(Output::Line(stratum::set_extranonce(self.extranonce)));
            }
            "mining.extranonce.subscribe" => reply(out, Ok(json!(true))),
            "mining.authorize" => match self.authorize(&request.params) {
                Ok(new) => {
                    reply(out, Ok(json!(true)));
                    if let Some(worker) = new {
                        out.push(Output::Event(Event::Authorized { worker, difficulty: self.difficulty }));
                        if self.workers.len() == 1 {
                            self.vardiff = (now, 0);
                            self.notify(template, out);
                        }
                    }
                }
                Err(error) => reply(out, Err(error)),
            },
            "mining.submit" => self.submit(&request, template, out),
            _ => reply(out, Err((StratumError::Other, "unknown method"))),
        }
    }

    /// Authorizes a worker; `Some(name)` when it is new on this connection.
    fn authorize(&mut self, params: &[Value]) -> Result<Option<String>, (StratumError, &'static str)> {
        if !self.subscribed {
            return Err((StratumError::NotSubscribed, "subscribe first"));
        }
        let worker = params.first().and_then(Value::as_str).ok_or((StratumError::Other, "worker name expected"))?;
        if worker.is_empty() || worker.len() > 200 {
            return Err((StratumError::Other, "worker name must be 1 to 200 bytes"));
        }
        let address = worker.split('.').next().unwrap_or_default();
        let address =
            address.parse::<Address>().map_err(|_| (StratumError::Other, "worker must start with a pyrin address"))?;
        if address.prefix() != Prefix::from(self.config.network) {
            return Err((StratumError::Other, "the address is not of this pool's network"));
        }
        if self.workers.iter().any(|w| w == worker) {
            return Ok(None);
        }
        if self.workers.len() >= self.config.max_workers {
            return Err((StratumError::Other, "too many workers on this connection"));
        }
        self.workers.push(worker.to_string());
        Ok(Some(worker.to_string()))
    }

    fn submit(&mut self, request: &Request, template: &Template, out: &mut Vec<Output>) {
        let named = request.params.first().and_then(Value::as_str);
        let worker = named.and_then(|n| self.workers.iter().find(|w| *w == n)).cloned();
        let outcome = match &worker {
            None if self.workers.is_empty() => Err((StratumError::Unauthorized, "authorize first")),
            None => Err((StratumError::Unauthorized, "worker not authorized on this connection")),
            Some(_) => self.check(&request.params, template),
        };
        match (outcome, worker) {
            (Ok((difficulty, block)), Some(worker)) => out.push(Output::Event(Event::Share(ShareEvent {
                id: request.id.clone(),
                worker,
                difficulty,
                weight: share_weight(difficulty),
                block: block.map(Box::new),
            }))),
            (Err(error), worker) => {
                out.push(Output::Line(response(&request.id, Err(error))));
                out.push(Output::Event(Event::Rejected { worker, error: error.0 }));
            }
            (Ok(_), None) => {}
        }
    }

    /// Checks a submission against `template`: the difficulty of the job it answers and,
    /// when it also meets the network target, the block it completes.
    fn check(
        &self,
        params: &[Value],
        template: &Template,
    ) -> Result<(f64, Option<Block>), (StratumError, &'static str)> {
        let job_id = match params.get(1) {
            Some(Value::String(s)) => s.parse::<u64>().ok(),
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        }
        .ok_or((StratumError::Other, "job id expected"))?;
        let text = params.get(2).and_then(Value::as_str).ok_or((StratumError::Other, "nonce must be hex"))?;
        let nonce = submitted_nonce(text, self.extranonce)
            .ok_or((StratumError::Other, "nonce must be hex within the extranonce"))?;
        let job = self.jobs.iter().find(|j| j.id == job_id).ok_or((StratumError::StaleJob, "stale job"))?;
        if job.template != template.id() {
            return Err((StratumError::StaleJob, "stale job"));
        }
        let target = target_from_difficulty(job.difficulty).map_err(|_| (StratumError::Other, "bad difficulty"))?;
        let check = template.state().check_share(nonce, target);
        // A block is always worth taking, whatever the share target.
        if !check.meets_share && !check.meets_network {
            return Err((StratumError::LowDifficulty, "low difficulty share"));
        }
        if !template.first_submission(nonce) {
            return Err((StratumError::Duplicate, "duplicate share"));
        }
        Ok((job.difficulty, check.meets_network.then(|| template.block_with_nonce(nonce))))
    }

    /// Sends the difficulty and `template` as a new job at that difficulty.
    fn notify(&mut self, template: &Template, out: &mut Vec<Output>) {
        self.last_job += 1;
        let job = Job { id: self.last_job, template: template.id(), difficulty: self.difficulty };
        self.jobs.push_back(job);
        while self.jobs.len() > JOBS_KEPT {
            self.jobs.pop_front();
        }
        let state = template.state();
        out.push(Output::Line(stratum::notification("mining.set_difficulty", json!([job.difficulty]))));
        out.push(Output::Line(self.dialect.notify(&job.id.to_string(), &state.pre_pow_hash(), state.timestamp())));
    }

    /// Moves the difficulty toward one share per `share_seconds` once the window allows a
    /// judgement; a change takes effect at once with a fresh job.
    fn vardiff(&mut self, now: Duration, template: &Template, out: &mut Vec<Output>) {
        if self.workers.is_empty() {
            return;
        }
        let (since, shares) = self.vardiff;
        let seconds = now.saturating_sub(since).as_secs_f64();
        // A share above the network difficulty would be a block the pool cannot see.
        let ceiling = self.config.max_difficulty.min(template.network_difficulty());
        let next =
            retarget(self.difficulty, shares, seconds, self.config.share_seconds, self.config.min_difficulty, ceiling);
        if window_full(shares, seconds, self.config.share_seconds) {
            self.vardiff = (now, 0);
        }
        if let Some(difficulty) = next {
            self.set_difficulty(difficulty, template, out);
        }
    }

    /// Gives the connection a new share difficulty, effective with the fresh job sent with it.
    pub fn set_difficulty(&mut self, difficulty: f64, template: &Template, out: &mut Vec<Output>) {
        self.difficulty = difficulty;
        out.push(Output::Event(Event::Difficulty(difficulty)));
        self.notify(template, out);
    }
}

impl super::framing::FramingError {
    fn to_string_static(self) -> &'static str {
        match self {
            super::framing::FramingError::TooLong => "request line too long",
            super::framing::FramingError::TimedOut => "request line timed out",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devnet::node::Node;
    use crate::pool::stratum::{parse_extranonce, parse_notify};
    use pyrin_consensus::Config;
    use pyrin_core::CompactTarget;
    use pyrin_pow::{PowState, Variant};
    use pyrin_tx::address::Version;
    use pyrin_tx::script::pay_to_address;
    use pyrin_tx::sign::PrivateKey;

    /// About 2^22 nonces per block.
    const BITS: CompactTarget = CompactTarget::from_consensus(0x1e04_0000);
    const EASY: f64 = 1.0 / 65536.0;

    fn address(prefix: Prefix, i: u8) -> String {
        let key = PrivateKey::from_bytes([i; 32]).unwrap();
        Address::new(prefix, Version::PubKey, key.schnorr_public_key().to_vec()).unwrap().to_string()
    }

    fn template(id: u64) -> Template {
        let params = Network::Devnet.params();
        let node = Node::new(params, Some(BITS), &Config::new());
        let script = pay_to_address(&address(Prefix::Devnet, 1).parse().unwrap());
        let block = node.template(&script, b"test", &[], params.genesis.timestamp + 1000 * id).unwrap();
        Template::new(id, block).unwrap()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    struct Harness {
        session: Session,
        template: Template,
    }

    impl Harness {
        fn new(config: SessionConfig) -> Self {
            Self { session: Session::new(Arc::new(config), 0xab01, ms(0)), template: template(1) }
        }

        fn send(&mut self, line: Value, now: u64) -> Vec<Output> {
            let mut out = Vec::new();
            self.session.on_bytes(format!("{line}\n").as_bytes(), ms(now), &self.template, &mut out);
            out
        }

        fn tick(&mut self, now: u64) -> Vec<Output> {
            let mut out = Vec::new();
            self.session.on_tick(ms(now), &self.template, &mut out);
            out
        }

        fn join(&mut self, worker: &str) -> (u64, String) {
            let out = self.send(json!({"id": 1, "method": "mining.subscribe", "params": ["test"]}), 0);
            let prefix = parse_extranonce(lines(&out)[1]["params"].as_array().unwrap()).unwrap().0;
            let out = self.send(json!({"id": 2, "method": "mining.authorize", "params": [worker]}), 0);
            let job = notify_of(&out).unwrap();
            (prefix, job)
        }

        fn submit(&mut self, id: u64, worker: &str, job: &str, nonce: u64) -> Vec<Output> {
            let params = json!([worker, job, format!("{nonce:#018x}")]);
            self.send(json!({"id": id, "method": "mining.submit", "params": params}), 10)
        }
    }

    fn lines(out: &[Output]) -> Vec<Value> {
        out.iter()
            .filter_map(|o| match o {
                Output::Line(l) => Some(serde_json::from_str(l).unwrap()),
                _ => None,
            })
            .collect()
    }

    fn notify_of(out: &[Output]) -> Option<String> {
        lines(out).iter().find(|v| v["method"] == "mining.notify").map(|v| v["params"][0].as_str().unwrap().to_string())
    }

    fn closed(out: &[Output]) -> Option<&'static str> {
        out.iter().find_map(|o| if let Output::Close(r) = o { Some(*r) } else { None })
    }

    fn share(out: &[Output]) -> Option<ShareEvent> {
        out.iter().find_map(|o| if let Output::Event(Event::Share(s)) = o { Some(s.clone()) } else { None })
    }

    fn config() -> SessionConfig {
        SessionConfig { start_difficulty: EASY, ..SessionConfig::default() }
    }

    /// Nonces of this miner's range meeting (or not) `difficulty` but never a block.
    fn nonce(state: &PowState, prefix: u64, difficulty: f64, meets: bool, skip: usize) -> u64 {
        let target = target_from_difficulty(difficulty).unwrap();
        (0u64..)
            .map(|n| prefix | n)
            .filter(|&n| {
                let c = state.check_share(n, target);
                c.meets_share == meets && !c.meets_network
            })
            .nth(skip)
            .unwrap()
    }

    #[test]
    fn subscribe_then_authorize_gives_extranonce_difficulty_and_job() {
        let mut h = Harness::new(config());
        let worker = format!("{}.rig", address(Prefix::Devnet, 2));
        let out = h.send(json!({"id": 1, "method": "mining.authorize", "params": [worker]}), 0);
        assert_eq!(lines(&out)[0]["error"][0], json!(25));
        let (prefix, job) = h.join(&worker);
        assert_eq!(prefix, 0xab01 << 48);
        assert_eq!(job, "1");
        assert_eq!(h.session.workers(), [worker]);
    }

    #[test]
    fn addresses_of_other_networks_are_refused() {
        let mut h = Harness::new(config());
        h.send(json!({"id": 1, "method": "mining.subscribe", "params": []}), 0);
        let worker = format!("{}.rig", address(Prefix::Mainnet, 2));
        let out = h.send(json!({"id": 2, "method": "mining.authorize", "params": [worker]}), 0);
        assert_eq!(lines(&out)[0]["error"][1], json!("the address is not of this pool's network"));
        assert!(h.session.workers().is_empty());
    }

    #[test]
    fn empty_lines_are_no_activity() {
        let mut h = Harness::new(SessionConfig { authorize_deadline: ms(1000), ..config() });
        let mut out = Vec::new();
        for t in (0..1000).step_by(50) {
            h.session.on_bytes(b"\n\r\n", ms(t), &h.template, &mut out);
        }
        assert!(out.is_empty(), "empty lines get no answer");
        assert_eq!(h.session.next_deadline(), ms(1000));
        assert_eq!(closed(&h.tick(1000)), Some("not authorized in time"));

        // An authorized miner sending only empty lines goes idle too.
        let mut h = Harness::new(SessionConfig { idle_timeout: ms(500), ..config() });
        h.join(&format!("{}.rig", address(Prefix::Devnet, 2)));
        for t in (0..500).step_by(50) {
            h.session.on_bytes(b"\n", ms(t), &h.template, &mut out);
        }
        assert_eq!(closed(&h.tick(500)), Some("idle for too long"));
    }

    #[test]
    fn half_lines_and_long_lines_close_the_session() {
        let mut h = Harness::new(SessionConfig { line_timeout: ms(300), ..config() });
        let mut out = Vec::new();
        h.session.on_bytes(br#"{"id": 1, "#, ms(100), &h.template, &mut out);
        assert_eq!(h.session.next_deadline(), ms(400));
        assert_eq!(closed(&h.tick(399)), None);
        assert_eq!(closed(&h.tick(400)), Some("request line timed out"));

        let mut h = Harness::new(config());
        h.session.on_bytes(&[b'x'; 5000], ms(0), &h.template, &mut out);
        assert_eq!(closed(&out), Some("request line too long"));
        assert!(h.session.is_closed());
    }

    #[test]
    fn a_share_is_answered_only_once_recorded_and_counts_for_the_worker_it_names() {
        let mut h = Harness::new(config());
        let (a, b) = (format!("{}.a", address(Prefix::Devnet, 2)), format!("{}.b", address(Prefix::Devnet, 3)));
        let (prefix, job) = h.join(&a);
        let out = h.send(json!({"id": 3, "method": "mining.authorize", "params": [b]}), 0);
        assert!(notify_of(&out).is_none(), "a second worker gets no new job");
        let state = h.template.state().clone();

        let out = h.submit(4, &b, &job, nonce(&state, prefix, EASY, true, 0));
        assert!(lines(&out).is_empty(), "no answer before the share is recorded");
        let event = share(&out).unwrap();
        assert_eq!((event.worker.as_str(), event.weight, event.block.is_none()), (b.as_str(), 65536, true));
        let mut out = Vec::new();
        h.session.share_recorded(&event, true, ms(10), &h.template, &mut out);
        assert_eq!(lines(&out)[0], json!({"id": 4, "result": true, "error": null}));

        // Not recorded: an error, never a false accept.
        let out = h.submit(5, &a, &job, nonce(&state, prefix, EASY, true, 1));
        let event = share(&out).unwrap();
        assert_eq!(event.worker, a);
        let mut out = Vec::new();
        h.session.share_recorded(&event, false, ms(10), &h.template, &mut out);
        assert_eq!(lines(&out)[0]["error"][0], json!(20));

        // A worker this connection did not authorize is refused.
        let c = format!("{}.c", address(Prefix::Devnet, 4));
        let out = h.submit(6, &c, &job, nonce(&state, prefix, EASY, true, 2));
        assert_eq!(lines(&out)[0]["error"][0], json!(24));
    }

    #[test]
    fn stale_duplicate_and_low_difficulty_shares_are_refused() {
        let mut h = Harness::new(config());
        let worker = format!("{}.rig", address(Prefix::Devnet, 2));
        let (prefix, job) = h.join(&worker);
        let state = h.template.state().clone();
        let good = nonce(&state, prefix, EASY, true, 0);
        assert!(share(&h.submit(3, &worker, &job, good)).is_some());
        assert_eq!(lines(&h.submit(4, &worker, &job, good))[0]["error"][0], json!(22));
        assert_eq!(lines(&h.submit(5, &worker, &job, nonce(&state, prefix, EASY, false, 0)))[0]["error"][0], json!(23));
        assert_eq!(lines(&h.submit(6, &worker, "99", good))[0]["error"][0], json!(21));
        // A new template makes the old job stale.
        h.template = template(2);
        let mut out = Vec::new();
        h.session.on_template(&h.template, &mut out);
        let new_job = notify_of(&out).unwrap();
        let other = nonce(&state, prefix, EASY, true, 1);
        assert_eq!(lines(&h.submit(7, &worker, &job, other))[0]["error"][0], json!(21));
        assert_ne!(new_job, job);
    }

    #[test]
    fn a_new_difficulty_takes_effect_with_a_fresh_job() {
        let (easy, hard) = (2f64.powi(-22), 2f64.powi(-16));
        let mut h = Harness::new(SessionConfig { start_difficulty: easy, ..config() });
        let worker = format!("{}.rig", address(Prefix::Devnet, 2));
        let (prefix, old_job) = h.join(&worker);
        let mut out = Vec::new();
        let template = template(1);
        h.session.set_difficulty(hard, &template, &mut out);
        let new_job = notify_of(&out).unwrap();
        assert_eq!(lines(&out)[0]["params"][0].as_f64(), Some(hard));
        let state = h.template.state().clone();
        let only_easy = (0u64..)
            .map(|n| prefix | n)
            .find(|&n| {
                let meets = |d| state.check_share(n, target_from_difficulty(d).unwrap()).meets_share;
                meets(easy) && !meets(hard)
            })
            .unwrap();
        assert_eq!(lines(&h.submit(3, &worker, &new_job, only_easy))[0]["error"][0], json!(23));
        assert_eq!(share(&h.submit(4, &worker, &old_job, only_easy)).unwrap().difficulty, easy);

        // Vardiff: one share in 20 s at one per second aimed for lowers it 4×, at once.
        let out = h.tick(20_000);
        assert_eq!(lines(&out)[0]["params"][0].as_f64(), Some(hard / 4.0));
        assert!(notify_of(&out).is_some());
    }

    #[test]
    fn bzminer_gets_the_big_job_dialect() {
        let mut h = Harness::new(config());
        h.send(json!({"id": 1, "method": "mining.subscribe", "params": ["BzMiner-v21.5.3"]}), 0);
        let worker = format!("{}.rig", address(Prefix::Devnet, 2));
        let out = h.send(json!({"id": 2, "method": "mining.authorize", "params": [worker]}), 0);
        let notify = lines(&out).into_iter().find(|v| v["method"] == "mining.notify").unwrap();
        let state = h.template.state();
        assert_eq!(notify["params"][1], json!(stratum::big_job(&state.pre_pow_hash(), state.timestamp())));
        assert!(parse_notify(notify["params"].as_array().unwrap()).is_none());
        let _ = Variant::Legacy;
    }

    #[test]
    fn floods_are_rate_limited_then_closed() {
        let mut h = Harness::new(SessionConfig { max_requests_per_second: 10, ..config() });
        let burst: String =
            (0..100).map(|i| format!("{}\n", json!({"id": i, "method": "mining.extranonce.subscribe"}))).collect();
        let mut out = Vec::new();
        h.session.on_bytes(burst.as_bytes(), ms(0), &h.template, &mut out);
        let replies = lines(&out);
        assert_eq!(replies.iter().filter(|v| v["error"][1] == "rate limited").count(), 30);
        assert_eq!(closed(&out), Some("too many requests"));
    }
}
