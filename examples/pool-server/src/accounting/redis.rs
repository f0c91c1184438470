//! Share accounting in Redis, as the Pyrin white paper describes it: each accepted share
//! adds its weight to the open round's hash with `HINCRBY`, and a found block pays
//! `R_i = R · S_i / S_total` over that hash (or PPLNS over a window kept beside it).
//!
//! # Keys
//! Every key starts with the configured prefix `P` (default `pyrin-pool`); pools sharing
//! a prefix share rounds.
//!
//! | key | type | meaning |
//! | --- | --- | --- |
//! | `P:round:open` | hash | the open round: worker (`address.name`) → summed share weight (a share of difficulty `d` weighs `d · 2^32`) |
//! | `P:rounds` | integer | rounds closed so far; round `n` is the `n`-th |
//! | `P:round:<n>` | hash | closed round `n`: `P:round:open` as it was when its block was found |
//! | `P:round:<n>:pplns` | list | the PPLNS window when round `n` closed (newest first) |
//! | `P:pplns` | list | the PPLNS window: `"<weight> <worker>"` per share, newest first, trimmed to N (PPLNS only) |
//! | `P:blocks` | hash | block hash → `"<round> <reward>"`: which round the block closed and the leor it pays |
//! | `P:unpaid` | set | block hashes whose round is closed but whose payout is not recorded yet |
//! | `P:payouts` | hash | block hash → the payout record (JSON: block, round, reward, `[[worker, leor], ...]`) |
//! | `P:balances` | hash | worker → leor credited by every recorded payout |
//!
//! # How each step stays exact
//! - **Recording a share**: one task owns a connection and sends the shares waiting at
//!   that moment as one pipeline (`HINCRBY P:round:open`, and with PPLNS `LPUSH P:pplns`
//!   plus one `LTRIM`). Each share's miner is answered when the pipeline's replies came
//!   back; any failure (Redis down, timeout, an error reply) fails every share of the batch,
//!   and the pool answers those with a stratum error. A share is thus never acknowledged
//!   without being in Redis; one whose reply was lost may be counted without being
//!   acknowledged, never the reverse.
//! - **Closing a round** is one Lua script, so no share lands half in one round and half in
//!   the next: unless the block is already in `P:blocks`, it increments `P:rounds` to `n`,
//!   renames `P:round:open` to `P:round:<n>`, copies the PPLNS window to
//!   `P:round:<n>:pplns`, and records the block in `P:blocks` and `P:unpaid`. A share
//!   recorded after it goes to the next round, whichever pool process records it.
//! - **Paying** reads the closed round, splits the reward with `pyrin-emission` (in the
//!   pool, so the rule is the library's), and runs a second script: `HSETNX P:payouts`,
//!   and only if that set the record, `HINCRBY P:balances` per worker; then the block leaves
//!   `P:unpaid`. The closed round never changes, so a retry computes the same split, and
//!   `HSETNX` makes the credit happen once. A pool that died between closing and paying
//!   pays on its next start ([`ShareStore::settle`]).

use std::time::Duration;

use pyrin_examples::pool::core::payout::{split, PayoutRule};
use tokio::sync::{mpsc, oneshot, Mutex};

use super::{BlockPayout, ShareStore, StoreError, StoreFuture};
use crate::resp::{encode, parse_url, Connection, RedisError, Reply};

/// Closes the open round for a block, once (see the module docs).
const CLOSE_ROUND: &str = r"
local known = redis.call('HGET', KEYS[3], ARGV[1])
if known then return known end
local n = redis.call('INCR', KEYS[2])
local round = ARGV[3] .. ':round:' .. n
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], round) end
local window = redis.call('LRANGE', KEYS[4], 0, -1)
for i = 1, #window, 1000 do
  redis.call('RPUSH', round .. ':pplns', unpack(window, i, math.min(i + 999, #window)))
end
local record = n .. ' ' .. ARGV[2]
redis.call('HSET', KEYS[3], ARGV[1], record)
redis.call('SADD', KEYS[5], ARGV[1])
return record
";

/// Records a block's payout and credits it, once (see the module docs).
const PAY: &str = r"
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  for i = 3, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
redis.call('SREM', KEYS[3], ARGV[1])
return redis.call('HGET', KEYS[1], ARGV[1])
";

/// Shares sent in one pipeline at most.
const BATCH: usize = 2048;

/// Shares waiting for the recorder at most; more wait in their connections.
const QUEUE: usize = 16 * 1024;

/// The key names under a prefix.
#[derive(Clone, Debug)]
struct Keys {
    prefix: String,
    open: String,
    rounds: String,
    pplns: String,
    blocks: String,
    unpaid: String,
    payouts: String,
    balances: String,
}

impl Keys {
    fn new(prefix: &str) -> Self {
        let key = |name: &str| format!("{prefix}:{name}");
        Self {
            prefix: prefix.to_string(),
            open: key("round:open"),
            rounds: key("rounds"),
            pplns: key("pplns"),
            blocks: key("blocks"),
            unpaid: key("unpaid"),
            payouts: key("payouts"),
            balances: key("balances"),
        }
    }

    fn round(&self, n: u64) -> String {
        format!("{}:round:{n}", self.prefix)
    }
}

struct Pending {
    worker: String,
    weight: u64,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// Share accounting in Redis.
pub struct RedisStore {
    address: String,
    keys: Keys,
    rule: PayoutRule,
    timeout: Duration,
    recorder: mpsc::Sender<Pending>,
    control: Mutex<Option<Connection>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").field("address", &self.address).field("prefix", &self.keys.prefix).finish()
    }
}

fn unavailable(e: RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://HOST:PORT`) under key prefix `prefix`,
    /// paying by `rule`; every Redis exchange must finish within `timeout`. Must be called
    /// inside a tokio runtime (it starts the recording task). Connections are made when
    /// first needed and made again after a failure, so Redis may be down at start.
    ///
    /// # Errors
    /// [`StoreError::Data`] for a URL that is not `redis://HOST:PORT`.
    pub fn start(url: &str, prefix: &str, rule: PayoutRule, timeout: Duration) -> Result<Self, StoreError> {
        let address = parse_url(url).map_err(|e| StoreError::Data(e.to_string()))?;
        let keys = Keys::new(prefix);
        let (recorder, queue) = mpsc::channel(QUEUE);
        tokio::spawn(record_loop(address.clone(), keys.clone(), rule, timeout, queue));
        Ok(Self { address, keys, rule, timeout, recorder, control: Mutex::new(None) })
    }

    /// One command on the control connection (made again after a failure).
    async fn call(&self, args: &[&[u8]]) -> Result<Reply, StoreError> {
        let mut control = self.control.lock().await;
        if control.is_none() {
            *control = Some(Connection::connect(&self.address, self.timeout).await.map_err(unavailable)?);
        }
        let Some(connection) = control.as_mut() else { return Err(StoreError::Unavailable("no connection".into())) };
        match connection.command(args).await {
            Ok(reply) => Ok(reply),
            Err(RedisError::Command(e)) => Err(StoreError::Unavailable(e)),
            Err(e) => {
                *control = None;
                Err(unavailable(e))
            }
        }
    }

    /// Pays a block whose round is closed (idempotent).
    async fn pay(&self, block: &str) -> Result<BlockPayout, StoreError> {
        let known = self.call(&[b"HGET", self.keys.blocks.as_bytes(), block.as_bytes()]).await?;
        let record = known.as_text().ok_or_else(|| StoreError::Data(format!("block {block} closed no round")))?;
        let (round, reward) = record
            .split_once(' ')
            .and_then(|(n, r)| Some((n.parse::<u64>().ok()?, r.parse::<u64>().ok()?)))
            .ok_or_else(|| StoreError::Data(format!("bad block record {record:?}")))?;
        let round_key = self.keys.round(round);
        let weights = self.call(&[b"HGETALL", round_key.as_bytes()]).await?;
        let weights = pairs(&weights)?;
        let window_key = format!("{round_key}:pplns");
        let window = self.call(&[b"LRANGE", window_key.as_bytes(), b"0", b"-1"]).await?;
        let mut window = window_entries(&window)?;
        // Newest first in Redis; the payout rule takes the oldest first.
        window.reverse();
        let payout = BlockPayout {
            block: block.to_string(),
            round,
            reward,
            payouts: split(self.rule, reward, &weights, &window),
        };
        let json = payout.to_json();
        let mut args: Vec<Vec<u8>> = vec![
            b"EVAL".to_vec(),
            PAY.as_bytes().to_vec(),
            b"3".to_vec(),
            self.keys.payouts.clone().into_bytes(),
            self.keys.balances.clone().into_bytes(),
            self.keys.unpaid.clone().into_bytes(),
            block.as_bytes().to_vec(),
            json.into_bytes(),
        ];
        for (worker, amount) in &payout.payouts {
            args.push(worker.clone().into_bytes());
            args.push(amount.to_string().into_bytes());
        }
        let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        let recorded = self.call(&refs).await?;
        // The record that won (this one, or an earlier identical one).
        BlockPayout::from_json(&recorded.as_text().ok_or_else(|| StoreError::Data("no payout record".into()))?)
    }
}

/// A hash reply (`HGETALL`) as field and integer pairs.
fn pairs(reply: &Reply) -> Result<Vec<(String, u64)>, StoreError> {
    let items = reply.items().ok_or_else(|| StoreError::Data("expected a hash".into()))?;
    items
        .chunks(2)
        .map(|pair| {
            let field = pair.first().and_then(Reply::as_text);
            let value = pair.get(1).and_then(Reply::as_text).and_then(|v| v.parse().ok());
            field.zip(value).ok_or_else(|| StoreError::Data("bad hash entry".into()))
        })
        .collect()
}

/// A PPLNS window list as worker and weight pairs.
fn window_entries(reply: &Reply) -> Result<Vec<(String, u64)>, StoreError> {
    let items = reply.items().ok_or_else(|| StoreError::Data("expected a list".into()))?;
    items
        .iter()
        .map(|item| {
            let text = item.as_text().unwrap_or_default();
            let (weight, worker) = text.split_once(' ').unwrap_or_default();
            let weight = weight.parse().map_err(|_| StoreError::Data(format!("bad window entry {text:?}")))?;
            Ok((worker.to_string(), weight))
        })
        .collect()
}

/// The recording task: batches waiting shares into one pipeline per round trip.
async fn record_loop(
    address: String,
    keys: Keys,
    rule: PayoutRule,
    timeout: Duration,
    mut queue: mpsc::Receiver<Pending>,
) {
    let mut connection: Option<Connection> = None;
    let mut batch = Vec::with_capacity(BATCH);
    let mut request = Vec::new();
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        request.clear();
        let mut count = 0;
        for share in &batch {
            let weight = share.weight.to_string();
            encode(&mut request, &[b"HINCRBY", keys.open.as_bytes(), share.worker.as_bytes(), weight.as_bytes()]);
            count += 1;
            if let PayoutRule::Pplns(_) = rule {
                let entry = format!("{weight} {}", share.worker);
                encode(&mut request, &[b"LPUSH", keys.pplns.as_bytes(), entry.as_bytes()]);
                count += 1;
            }
        }
        if let PayoutRule::Pplns(n) = rule {
            let last = n.saturating_sub(1).to_string();
            encode(&mut request, &[b"LTRIM", keys.pplns.as_bytes(), b"0", last.as_bytes()]);
            count += 1;
        }
        let outcome = send_batch(&mut connection, &address, timeout, &request, count).await;
        for share in batch.drain(..) {
            let _ = share.done.send(outcome.clone());
        }
    }
}

async fn send_batch(
    connection: &mut Option<Connection>,
    address: &str,
    timeout: Duration,
    request: &[u8],
    count: usize,
) -> Result<(), StoreError> {
    if connection.is_none() {
        *connection = Some(Connection::connect(address, timeout).await.map_err(unavailable)?);
    }
    let Some(open) = connection.as_mut() else { return Err(StoreError::Unavailable("no connection".into())) };
    match open.pipeline(request, count).await {
        Ok(replies) => match replies.iter().find_map(|r| if let Reply::Error(e) = r { Some(e) } else { None }) {
            // An error reply (say, Redis still loading its data after a restart): the
            // connection is fine but this batch is not recorded.
            Some(e) => Err(StoreError::Unavailable(e.clone())),
            None => Ok(()),
        },
        Err(e) => {
            *connection = None;
            Err(unavailable(e))
        }
    }
}

impl ShareStore for RedisStore {
    fn record_share<'a>(&'a self, worker: &'a str, weight: u64) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let (done, answer) = oneshot::channel();
            let pending = Pending { worker: worker.to_string(), weight, done };
            self.recorder.send(pending).await.map_err(|_| StoreError::Unavailable("recorder stopped".into()))?;
            answer.await.map_err(|_| StoreError::Unavailable("recorder stopped".into()))?
        })
    }

    fn close_round<'a>(&'a self, block: &'a str, reward: u64) -> StoreFuture<'a, BlockPayout> {
        Box::pin(async move {
            let k = &self.keys;
            let reward = reward.to_string();
            let args: [&[u8]; 11] = [
                b"EVAL",
                CLOSE_ROUND.as_bytes(),
                b"5",
                k.open.as_bytes(),
                k.rounds.as_bytes(),
                k.blocks.as_bytes(),
                k.pplns.as_bytes(),
                k.unpaid.as_bytes(),
                block.as_bytes(),
                reward.as_bytes(),
                k.prefix.as_bytes(),
            ];
            self.call(&args).await?;
            self.pay(block).await
        })
    }

    fn settle(&self) -> StoreFuture<'_, Vec<BlockPayout>> {
        Box::pin(async move {
            let unpaid = self.call(&[b"SMEMBERS", self.keys.unpaid.as_bytes()]).await?;
            let blocks: Vec<String> = unpaid.items().unwrap_or_default().iter().filter_map(Reply::as_text).collect();
            let mut paid = Vec::new();
            for block in blocks {
                paid.push(self.pay(&block).await?);
            }
            Ok(paid)
        })
    }

    fn open_round(&self) -> StoreFuture<'_, Vec<(String, u64)>> {
        Box::pin(async move { pairs(&self.call(&[b"HGETALL", self.keys.open.as_bytes()]).await?) })
    }

    fn payout<'a>(&'a self, block: &'a str) -> StoreFuture<'a, Option<BlockPayout>> {
        Box::pin(async move {
            match self.call(&[b"HGET", self.keys.payouts.as_bytes(), block.as_bytes()]).await?.as_text() {
                Some(text) => BlockPayout::from_json(&text).map(Some),
                None => Ok(None),
            }
        })
    }
}
