// The one-page wallet in a real browser: headless Chromium loads `web/index.html` (with
// the `--target web` binding under /pkg/) from a loopback HTTP server, the query string
// drives the page as a person would (paste the key, the UTXOs, the payee and amount,
// press "Build and sign"), and the signed transaction the page shows must be the native
// build's, byte for byte. A screenshot of the result is kept.
//
//   node examples/wallet/js/browser.mjs WEB_DIR PKG_WEB_DIR CASES.json SCREENSHOT.png
import http from "node:http";
import { spawn } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const [webDir, pkgDir, casesPath, screenshot] = process.argv.slice(2);
if (!screenshot) throw new Error("usage: browser.mjs WEB_DIR PKG_WEB_DIR CASES.json SCREENSHOT.png");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian package chromium)`);
const TIMEOUT_MS = 90_000;
const doc = JSON.parse(readFileSync(casesPath, "utf8"));
const page = doc.page;
const nativeAddress = doc.cases.find((c) => c.call === "Key.address" && c.args[1] === page.network).expected;

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
function serve(req, res) {
  const url = new URL(req.url, "http://127.0.0.1");
  const [root, rel] = url.pathname.startsWith("/pkg/") ? [pkgDir, url.pathname.slice(5)] : [webDir, url.pathname.slice(1) || "index.html"];
  const file = path.resolve(root, rel);
  if (!file.startsWith(path.resolve(root) + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
  res.end(readFileSync(file));
}

// Runs Chromium headless with `args`, killed if it outlives the timeout; its stdout.
function chromium(args) {
  const profile = mkdtempSync(path.join(tmpdir(), "wallet-chromium-"));
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...flags, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      if (code === 0) resolve(out);
      else reject(new Error(`chromium exited with ${code ?? signal}: ${err.slice(-2000)}`));
    });
  });
}

const unescape = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
function textOf(dom, id) {
  const m = dom.match(new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(?:pre|div)>`));
  if (!m) throw new Error(`the page has no #${id}`);
  return unescape(m[1]);
}

const server = http.createServer(serve);
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
let passed = 0;
let failed = 0;
const check = (what, ok, detail) => {
  console.log(`${ok ? "ok" : "FAIL"} - ${what}${ok ? "" : `: ${detail}`}`);
  if (ok) passed++;
  else failed++;
};
try {
  const { port } = server.address();
  const query = new URLSearchParams({
    network: page.network,
    key: page.key,
    utxos: JSON.stringify(page.request.utxos),
    to: page.request.outputs[0].address,
    amount: String(page.request.outputs[0].amount),
    sighash: String(page.sighashType),
    aux: page.aux,
    run: "1",
  });
  const url = `http://127.0.0.1:${port}/index.html?${query}`;
  const budget = "--virtual-time-budget=20000";
  const dom = await chromium([budget, "--dump-dom", url]);
  const state = (dom.match(/<body[^>]*data-state="([a-z]+)"/) ?? [])[1];
  check("the page ran to the end", state === "signed", `body data-state=${state}; status: ${dom.includes('id="status"') ? textOf(dom, "status") : "?"}`);
  if (state === "signed") {
    check("the key's address is the native one", textOf(dom, "address") === nativeAddress, textOf(dom, "address"));
    check("the payee address validates", textOf(dom, "to-check").startsWith("valid pyrin address"), textOf(dom, "to-check"));
    const signed = textOf(dom, "signed");
    check("the signed transaction is the native one, byte for byte", signed === page.signed, `${signed.slice(0, 200)}…`);
    check("the transaction id is the native one", textOf(dom, "txid") === JSON.parse(page.signed).transaction.id, textOf(dom, "txid"));
    const bytesCase = doc.cases.find((c) => c.call === "transactionBytes" && c.name === `signed bytes on ${page.network} type 0x01`);
    check("the bytes are the native ones", textOf(dom, "bytes") === bytesCase.expected, textOf(dom, "bytes").slice(0, 80));
  }
  await chromium([budget, "--window-size=1000,1700", "--hide-scrollbars", `--screenshot=${path.resolve(screenshot)}`, url]);
  check(`screenshot written to ${screenshot}`, existsSync(screenshot) && statSync(screenshot).size > 10_000, "missing or empty");
} finally {
  server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
