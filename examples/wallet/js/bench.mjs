// Sign and verify of the 2-input transaction of `wallet_native bench`, under Node.js,
// through the same exports a page calls. Prints microseconds per transaction and, given
// the native figure, the ratio.
//
//   node examples/wallet/js/bench.mjs PKG_DIR CASES.json [RUNS] [NATIVE_US]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [pkg, casesPath, runsArg, nativeArg] = process.argv.slice(2);
if (!pkg || !casesPath) throw new Error("usage: bench.mjs PKG_DIR CASES.json [RUNS] [NATIVE_US]");
const wallet = createRequire(import.meta.url)(path.resolve(pkg, "pyrin_wallet.js"));
const { draft, key, aux } = JSON.parse(readFileSync(casesPath, "utf8")).bench;
const BATCHES = 10;
const runs = Math.max(BATCHES, Number(runsArg ?? 200));
const k = wallet.Key.fromHex(key);
const once = () => wallet.verifyTransaction(wallet.signTransaction(draft, k, 1, aux));
for (let i = 0; i < Math.ceil(runs / 10); i++) once();
// The fastest of several batches, as the native benchmark measures: other processes on
// the machine slow some batches down, never speed one up.
const perBatch = Math.floor(runs / BATCHES);
let us = Infinity;
for (let b = 0; b < BATCHES; b++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < perBatch; i++) once();
  us = Math.min(us, Number(process.hrtime.bigint() - start) / 1000 / perBatch);
}
k.free();
console.log(`node.js sign+verify of a 2-input transaction: ${us.toFixed(1)} us (best of ${BATCHES} batches of ${perBatch})`);
if (nativeArg) console.log(`node.js / native: ${(us / Number(nativeArg)).toFixed(2)}x`);
