// The wallet binding under Node.js against the native build: every case of the file
// `wallet_native cases` wrote (public tx vectors, fixed keys and aux bytes) must give the
// same bytes, or the same error message as an exception (never a trap: a Rust panic
// would surface as a WebAssembly RuntimeError).
//
//   WALLET_PKG=target/wallet/pkg-node WALLET_CASES=target/wallet/cases.json node --test examples/wallet/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { callExport } from "./cases.mjs";

const pkg = process.env.WALLET_PKG;
const casesPath = process.env.WALLET_CASES;
if (!pkg || !casesPath) throw new Error("set WALLET_PKG (wasm-bindgen --target nodejs output) and WALLET_CASES");
const wallet = createRequire(import.meta.url)(path.resolve(pkg, "pyrin_wallet.js"));
const doc = JSON.parse(readFileSync(casesPath, "utf8"));

const byCall = new Map();
for (const c of doc.cases) {
  if (!byCall.has(c.call)) byCall.set(c.call, []);
  byCall.get(c.call).push(c);
}

for (const [call, cases] of byCall) {
  test(`${call}: ${cases.length} cases, byte for byte with the native build`, () => {
    for (const c of cases) {
      if ("error" in c) {
        assert.throws(
          () => callExport(wallet, call, c.args),
          (e) => e instanceof Error && !(e instanceof WebAssembly.RuntimeError) && e.message === c.error,
          `${c.name}: expected the exception "${c.error}"`,
        );
      } else {
        assert.equal(callExport(wallet, call, c.args), c.expected, c.name);
      }
    }
  });
}

test("every export is covered by the cases", () => {
  const exported = Object.keys(wallet).filter((name) => typeof wallet[name] === "function" && name !== "Key" && !name.startsWith("__"));
  for (const name of exported) assert.ok(byCall.has(name), `no case calls ${name}`);
  for (const name of ["Key.new", "Key.fromHex", "Key.address"]) assert.ok(byCall.has(name), `no case calls ${name}`);
});

test("signing without aux bytes takes fresh randomness from crypto.getRandomValues", () => {
  const { draft, key } = doc.bench;
  const k = wallet.Key.fromHex(key);
  try {
    const a = wallet.signTransaction(draft, k, 1);
    const b = wallet.signTransaction(draft, k, 1);
    wallet.verifyTransaction(a);
    wallet.verifyTransaction(b);
    assert.notEqual(JSON.parse(a).transaction.inputs[0].signatureScript, JSON.parse(b).transaction.inputs[0].signatureScript);
  } finally {
    k.free();
  }
});

test("hostile input is an exception, not a trap", () => {
  const junk = ["", "{}", "[]", "null", '{"transaction": 5}', "\u0000", "9".repeat(400)];
  for (const text of junk) {
    for (const f of [wallet.buildTransaction, wallet.verifyTransaction, wallet.transactionBytes, wallet.transactionId]) {
      assert.throws(() => f(text), (e) => e instanceof Error && !(e instanceof WebAssembly.RuntimeError), `${f.name}(${JSON.stringify(text)})`);
    }
  }
  assert.throws(() => wallet.transactionFromBytes(new Uint8Array(3)), (e) => !(e instanceof WebAssembly.RuntimeError));
  assert.throws(() => wallet.parseAddress("pyrin:" + "q".repeat(5000)), (e) => !(e instanceof WebAssembly.RuntimeError));
});
