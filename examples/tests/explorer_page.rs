//! The explorer page in a real browser: headless Chromium (driven over the DevTools
//! protocol) opens an address's page, which must show the balance the node's UTXO set
//! holds for it; then the devnet mines on and, without a reload, the page must list the
//! new chain block and the address's new balance (the server-sent event stream). A
//! screenshot is saved to `target/explorer-page.png`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use pyrin_core::CompactTarget;
use pyrin_emission::EmissionSchedule;
use pyrin_examples::devnet::sim::{Devnet, DevnetConfig};
use pyrin_examples::explorer::api::{ApiServer, AppState, Pool};
use pyrin_examples::explorer::cache::AddressCache;
use pyrin_examples::explorer::db::{Db, DbConfig};
use pyrin_examples::explorer::processor::Processor;
use serde_json::{json, Value};
use tungstenite::Message;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium and its profile directory, both gone on drop.
struct Browser {
    child: Child,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("pyrin-explorer-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts headless Chromium with the DevTools protocol on a port it picks; returns it and
/// the port.
fn chromium() -> (Browser, u16) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "the explorer page test needs Chromium at {CHROMIUM} (install the chromium package; .ci/run does)"
    );
    let profile = temp_dir("chromium");
    let child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1400,900",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let browser = Browser { child, profile };
    let port_file = browser.profile.join("DevToolsActivePort");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(port) = std::fs::read_to_string(&port_file).ok().and_then(|t| t.lines().next()?.parse().ok()) {
            return (browser, port);
        }
        assert!(Instant::now() < deadline, "chromium did not open its DevTools port");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A GET answered with a Content-Length (the DevTools server keeps connections open).
fn http_get(address: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer).unwrap();
        answer.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&answer).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return body.to_string();
            }
        }
        assert!(n > 0, "the DevTools server closed the connection early");
    }
}

/// A DevTools protocol session with one page.
struct Page {
    ws: tungstenite::WebSocket<TcpStream>,
    next: u64,
}

impl Page {
    fn open(port: u16) -> Self {
        let devtools = SocketAddr::from(([127, 0, 0, 1], port));
        let targets: Value = serde_json::from_str(&http_get(devtools, "/json/list")).unwrap();
        let url = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_string();
        let stream = TcpStream::connect(devtools).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let (ws, _) = tungstenite::client(url.as_str(), stream).expect("DevTools WebSocket");
        Self { ws, next: 1 }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.ws.send(Message::Text(json!({"id": id, "method": method, "params": params}).to_string())).unwrap();
        loop {
            let message = self.ws.read().expect("a DevTools message");
            let Message::Text(text) = message else { continue };
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["id"] == id {
                assert!(value.get("error").is_none(), "{method}: {value}");
                return value["result"].clone();
            }
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        self.call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true}))["result"]["value"]
            .clone()
    }

    /// Polls `expression` until it is `expected` (bounded).
    fn wait_for(&mut self, expression: &str, expected: &Value, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.eval(expression);
            if &got == expected {
                return;
            }
            assert!(Instant::now() < deadline, "{what}: the page shows {got}, expected {expected}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The node's balance of an address: its UTXO set at the sink summed for the script.
fn node_balance(devnet: &Devnet, miner: usize) -> u64 {
    let script = &devnet.miners[miner].script;
    devnet
        .node
        .validator()
        .sink_utxo_set()
        .iter()
        .filter(|(_, e)| &e.script_public_key == script)
        .map(|(_, e)| e.amount.to_leor())
        .sum()
}

#[test]
fn the_page_shows_new_blocks_and_the_node_balance_live() {
    let dir = temp_dir("page-db");
    let db = DbConfig::Sqlite(dir.join("index.sqlite"));
    let config = DevnetConfig {
        blocks: 10_000,
        bits: Some(CompactTarget::from_consensus(0x1f10_0000)),
        seed: 9,
        ..DevnetConfig::default()
    };
    let mut devnet = Devnet::new(config).unwrap();
    while devnet.blocks_mined() < 60 {
        devnet.step().unwrap();
    }
    let (events, _) = tokio::sync::broadcast::channel(1024);
    let cache = Arc::new(AddressCache::default());
    let mut processor =
        Processor::new(Db::open(&db).unwrap()).unwrap().with_events(events.clone()).with_cache(Arc::clone(&cache));
    processor.sync(devnet.node.validator()).unwrap();
    let schedule = EmissionSchedule::from_params(devnet.node.params());
    let state = Arc::new(AppState { pool: Arc::new(Pool::new(db, 4)), events, schedule, cache });
    let server = ApiServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), state, 2).unwrap();

    let (_browser, port) = chromium();
    let mut page = Page::open(port);
    page.call("Page.enable", json!({}));
    let miner = 1;
    let address = devnet.miners[miner].address.to_string();
    page.call("Page.navigate", json!({"url": format!("http://{}/#/address/{address}", server.address())}));

    let balance = |page: &mut Page, expected: u64, what: &str| {
        page.wait_for(
            "(document.getElementById('balance') || {dataset: {}}).dataset.leor || null",
            &json!(expected.to_string()),
            what,
        );
    };
    let listed = |page: &mut Page, hash: &str, what: &str| {
        page.wait_for(&format!("!!document.querySelector('#latest tr[data-hash=\"{hash}\"]')"), &json!(true), what);
    };
    balance(&mut page, node_balance(&devnet, miner), "the address balance on load");
    assert!(node_balance(&devnet, miner) > 0);
    listed(&mut page, &devnet.node.validator().sink().to_string(), "the sink on load");
    // The page is live: wait for its event stream before mining on.
    page.wait_for("document.getElementById('status').textContent", &json!("live"), "the event stream");

    // The devnet mines on until the address's balance moves; the page follows without a reload.
    let before = node_balance(&devnet, miner);
    let deadline = Instant::now() + Duration::from_secs(60);
    while node_balance(&devnet, miner) == before {
        assert!(Instant::now() < deadline, "the miner's balance never moved");
        devnet.step().unwrap();
    }
    let mined = devnet.node.validator().sink();
    processor.sync(devnet.node.validator()).unwrap();
    listed(&mut page, &mined.to_string(), "the block the devnet just mined");
    balance(&mut page, node_balance(&devnet, miner), "the address balance after new blocks");
    let navigations = page.eval("performance.getEntriesByType('navigation').length");
    assert_eq!(navigations, json!(1), "updated live, not reloaded");

    // A block's page shows the new block.
    page.call("Page.navigate", json!({"url": format!("http://{}/#/block/{mined}", server.address())}));
    page.wait_for(
        "(document.getElementById('block-hash') || {}).textContent || null",
        &json!(mined.to_string()),
        "the block page",
    );

    let shot = page.call("Page.captureScreenshot", json!({"format": "png"}));
    let png = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap()).unwrap();
    let target = std::env::current_exe().unwrap().ancestors().nth(3).unwrap().to_path_buf();
    std::fs::write(target.join("explorer-page.png"), png).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
