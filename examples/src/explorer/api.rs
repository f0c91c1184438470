//! The HTTP API and the page: JSON reads over a small pool of read-only database
//! connections (run on the blocking thread pool, so a slow query never stalls the
//! runtime), the address endpoint answered from an [`AddressCache`] when it can, a
//! server-sent-event stream of new chain blocks and of subscribed addresses' changes, and
//! the single-page explorer at `/`. Every input is checked before it reaches the database:
//! a malformed hash, address, page or limit is a 400 with the reason, never a 500.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use futures_util::Stream;
use pyrin_core::{BlockHash, TransactionId};
use pyrin_emission::EmissionSchedule;
use serde_json::{json, Value as JsonValue};
use tokio::sync::{broadcast, Semaphore};

use super::cache::AddressCache;
use super::db::{Db, DbConfig, DbError};
use super::processor::Event;
use super::store;

/// The explorer page (plain HTML and JavaScript).
pub const PAGE: &str = include_str!("../../explorer/page.html");

/// Largest page size of lists.
pub const MAX_PAGE_SIZE: u64 = 100;
/// Largest page number of an address's history.
pub const MAX_PAGE: u64 = 1_000_000;
/// Most addresses one stream subscribes to.
pub const MAX_SUBSCRIPTIONS: usize = 100;
/// Longest non-standard script key accepted (hex digits).
const MAX_SCRIPT_HEX: usize = 20_000;

/// Read-only database connections shared by the handlers: at most `limit` in use at once
/// (the others wait), idle ones kept for reuse.
pub struct Pool {
    config: DbConfig,
    idle: Mutex<Vec<Db>>,
    permits: Semaphore,
}

impl Pool {
    /// A pool over `config` with at most `limit` connections in use.
    pub fn new(config: DbConfig, limit: usize) -> Self {
        Self { config, idle: Mutex::new(Vec::new()), permits: Semaphore::new(limit.max(1)) }
    }

    /// Runs `f` on a connection on the blocking thread pool.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Db) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.permits.acquire().await.map_err(|_| ApiError::internal("pool closed"))?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let idle = pool.idle.lock().ok().and_then(|mut idle| idle.pop());
            let mut db = match idle {
                Some(db) => db,
                None => Db::open_reader(&pool.config)?,
            };
            let result = f(&mut db);
            if result.is_ok() {
                if let Ok(mut idle) = pool.idle.lock() {
                    idle.push(db);
                }
            }
            result
        })
        .await
        .map_err(|_| ApiError::internal("database task failed"))?
        .map_err(|e| ApiError::internal(&e.to_string()))
    }
}

impl Drop for Pool {
    /// Closes the idle connections on a plain thread: the PostgreSQL client blocks on its
    /// own runtime when closed, which a tokio worker thread must not do.
    fn drop(&mut self) {
        let idle = self.idle.get_mut().map(std::mem::take).unwrap_or_default();
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

/// What the handlers share.
pub struct AppState {
    /// The database connections.
    pub pool: Arc<Pool>,
    /// Where the processor publishes changes.
    pub events: broadcast::Sender<Event>,
    /// The emission schedule of the node's network.
    pub schedule: EmissionSchedule,
    /// The address answers; the processor writing the database must hold the same cache
    /// ([`crate::explorer::processor::Processor::with_cache`]), or none may write.
    pub cache: Arc<AddressCache>,
}

/// An error answer: a status and a reason, sent as `{"error": reason}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    reason: String,
}

impl ApiError {
    fn bad(reason: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, reason: reason.into() }
    }

    fn not_found(what: &str) -> Self {
        Self { status: StatusCode::NOT_FOUND, reason: format!("{what} not in the index") }
    }

    fn internal(reason: &str) -> Self {
        Self { status: StatusCode::INTERNAL_SERVER_ERROR, reason: reason.to_string() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": self.reason}))).into_response()
    }
}

type Answer = Result<Json<JsonValue>, ApiError>;

/// A block hash or transaction id: 64 hex digits, lower-cased.
fn parse_hash(kind: &str, text: &str) -> Result<String, ApiError> {
    text.parse::<BlockHash>()
        .map(|h| h.to_string())
        .map_err(|e| ApiError::bad(format!("bad {kind}: {e} (64 hex digits expected)")))
}

/// An address key: a `pyrin…:` address of any network, or a non-standard script's hex
/// (optionally `v<version>-` first).
pub fn parse_address(text: &str) -> Result<String, ApiError> {
    if text.contains(':') {
        return text
            .parse::<pyrin_tx::address::Address>()
            .map(|a| a.to_string())
            .map_err(|e| ApiError::bad(format!("bad address: {e}")));
    }
    let hex = match text.strip_prefix('v').and_then(|rest| rest.split_once('-')) {
        Some((version, hex)) if version.parse::<u16>().is_ok() => hex,
        Some(_) => return Err(ApiError::bad("bad script key: the version after 'v' must be a number below 65536")),
        None => text,
    };
    if hex.is_empty() || hex.len() > MAX_SCRIPT_HEX || hex.len() % 2 != 0 {
        return Err(ApiError::bad(
            "bad address: neither a pyrin address nor an even-length script hex (at most 20000 digits)",
        ));
    }
    if !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(ApiError::bad("bad address: a script key holds lower-case hex digits only"));
    }
    Ok(text.to_string())
}

/// A number query parameter within `1..=max` (or `0..=max` with `zero`), `default` when absent.
fn number(
    query: &std::collections::HashMap<String, String>,
    name: &str,
    default: u64,
    max: u64,
    zero: bool,
) -> Result<u64, ApiError> {
    let Some(text) = query.get(name) else { return Ok(default) };
    let min = u64::from(!zero);
    match text.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::bad(format!("bad {name}: {text:?} is not a whole number from {min} to {max}"))),
    }
}

type Params = Query<std::collections::HashMap<String, String>>;

async fn latest_blocks(State(s): State<Arc<AppState>>, Query(q): Params) -> Answer {
    let limit = number(&q, "limit", 20, MAX_PAGE_SIZE, false)?;
    let blocks = s.pool.run(move |db| store::latest_blocks(db, limit)).await?;
    Ok(Json(json!({"blocks": blocks})))
}

async fn block(State(s): State<Arc<AppState>>, Path(hash): Path<String>) -> Answer {
    let hash = parse_hash("block hash", &hash)?;
    s.pool.run(move |db| store::block(db, &hash)).await?.map(Json).ok_or_else(|| ApiError::not_found("block"))
}

async fn transaction(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Answer {
    let id = id
        .parse::<TransactionId>()
        .map(|t| t.to_string())
        .map_err(|e| ApiError::bad(format!("bad transaction id: {e} (64 hex digits expected)")))?;
    s.pool.run(move |db| store::transaction(db, &id)).await?.map(Json).ok_or_else(|| ApiError::not_found("transaction"))
}

/// The address endpoint: from the cache, else from the database (and then cached, unless
/// a write raced the read). The answer is stored serialised.
async fn address(State(s): State<Arc<AppState>>, Path(address): Path<String>) -> Result<Response, ApiError> {
    let key = parse_address(&address)?;
    let body = match s.cache.get(&key) {
        Ok(body) => body,
        Err(ticket) => {
            let k = key.clone();
            let found = s.pool.run(move |db| store::address(db, &k)).await?;
            // An address the chain never paid is a valid question with an empty answer.
            let answer = found.unwrap_or_else(|| {
                json!({"address": key, "balance": 0, "received": 0, "sent": 0, "tx_count": 0, "first_seen": null, "last_seen": null})
            });
            let body = Bytes::from(serde_json::to_vec(&answer).map_err(|e| ApiError::internal(&e.to_string()))?);
            s.cache.fill(&key, ticket, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn address_history(State(s): State<Arc<AppState>>, Path(address): Path<String>, Query(q): Params) -> Answer {
    let key = parse_address(&address)?;
    let page = number(&q, "page", 0, MAX_PAGE, true)?;
    let page_size = number(&q, "page_size", 25, MAX_PAGE_SIZE, false)?;
    let k = key.clone();
    let transactions = s.pool.run(move |db| store::address_history(db, &k, page, page_size)).await?;
    Ok(Json(json!({"address": key, "page": page, "page_size": page_size, "transactions": transactions})))
}

async fn supply(State(s): State<Arc<AppState>>) -> Answer {
    let ((circulating, addresses), daa_score, cursor) =
        s.pool.run(|db| Ok((store::totals(db)?, store::cursor_daa_score(db)?, store::cursor(db)?))).await?;
    let daa_score = daa_score.unwrap_or(0);
    Ok(Json(json!({
        "circulating": circulating,
        "addresses": addresses,
        "chain_head": cursor.map(|c| json!({"hash": c.hash, "chain_height": c.height})),
        "daa_score": daa_score,
        "schedule_supply": s.schedule.cumulative_subsidy_through(daa_score).to_leor(),
        "max_supply": s.schedule.cumulative_subsidy(u64::MAX).to_leor(),
    })))
}

async fn stream(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let mut subscribed = HashSet::new();
    if let Some(list) = q.get("addresses").filter(|l| !l.is_empty()) {
        for item in list.split(',') {
            subscribed.insert(parse_address(item)?);
        }
        if subscribed.len() > MAX_SUBSCRIPTIONS {
            return Err(ApiError::bad(format!("at most {MAX_SUBSCRIPTIONS} addresses per stream")));
        }
    }
    let receiver = s.events.subscribe();
    let events = futures_util::stream::unfold((receiver, subscribed), |(mut receiver, subscribed)| async move {
        loop {
            let event = match receiver.recv().await {
                Ok(event) => event,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // A slow reader: tell it to reload rather than silently skip.
                    let sse = SseEvent::default().event("lagged").data(json!({"missed": missed}).to_string());
                    return Some((Ok(sse), (receiver, subscribed)));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if event.address().is_some_and(|a| !subscribed.contains(a)) {
                continue;
            }
            let sse = SseEvent::default().event(event.name()).data(event.data().to_string());
            return Some((Ok(sse), (receiver, subscribed)));
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

async fn page() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], Html(PAGE))
}

async fn not_found() -> ApiError {
    ApiError { status: StatusCode::NOT_FOUND, reason: "no such endpoint".into() }
}

/// The API's routes over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/blocks", get(latest_blocks))
        .route("/api/blocks/{hash}", get(block))
        .route("/api/transactions/{id}", get(transaction))
        .route("/api/addresses/{address}", get(address))
        .route("/api/addresses/{address}/transactions", get(address_history))
        .route("/api/supply", get(supply))
        .route("/api/stream", get(stream))
        .fallback(not_found)
        .with_state(state)
}

/// A running API server on its own tokio runtime; stopped when dropped.
pub struct ApiServer {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ApiServer {
    /// Binds `address` (port 0 picks a free one) and serves `state` on `workers` threads.
    ///
    /// # Errors
    /// Binding or building the runtime failed.
    pub fn start(address: SocketAddr, state: Arc<AppState>, workers: usize) -> std::io::Result<Self> {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(workers.max(1)).enable_all().build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(address))?;
        let address = listener.local_addr()?;
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                use std::future::IntoFuture;
                // Not a graceful shutdown: open event streams never end by themselves.
                tokio::select! {
                    result = axum::serve(listener, router(state)).into_future() => {
                        if let Err(e) = result {
                            eprintln!("explorer api: {e}");
                        }
                    }
                    _ = stopped => {}
                }
            });
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
        });
        Ok(Self { address, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
