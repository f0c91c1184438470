// The one-page wallet: plain JavaScript over the wasm-bindgen module (built with
// `wasm-bindgen --target web --out-dir pkg`). Every value shown comes from the binding;
// every error it throws is shown with its message.
//
// Query parameters fill the form and press the button, so a test (or a link) can drive
// the page exactly as a person would: ?network=&key=&utxos=&to=&amount=&sighash=&aux=&run=1.
// When a run ends, <body data-state> is "signed" or "error".
import init, { Key, parseAddress, buildTransaction, signTransaction, verifyTransaction, transactionBytes } from "./pkg/pyrin_wallet.js";

const $ = (id) => document.getElementById(id);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
let key = null;

function show(id, text, ok) {
  const el = $(id);
  el.textContent = text;
  el.className = "value" + (ok === undefined ? "" : ok ? " ok" : " bad");
}

function onKey() {
  if (key) { key.free(); key = null; }
  const text = $("key").value.trim();
  if (!text) { show("address", ""); return; }
  try {
    key = Key.fromHex(text);
    show("address", key.address($("network").value), true);
  } catch (e) {
    show("address", e.message, false);
  }
}

function onPayee() {
  const text = $("to").value.trim();
  if (!text) { show("to-check", ""); return; }
  try {
    const info = JSON.parse(parseAddress(text, $("network").value));
    show("to-check", `valid ${info.prefix} address, version ${info.version}`, true);
  } catch (e) {
    show("to-check", e.message, false);
  }
}

function onSign() {
  for (const id of ["txid", "fee"]) show(id, "");
  $("signed").textContent = "";
  $("bytes").textContent = "";
  try {
    if (!key) throw new Error("enter a valid secret key first");
    const network = $("network").value;
    const request = {
      network,
      utxos: JSON.parse($("utxos").value || "[]"),
      outputs: [{ address: $("to").value.trim(), amount: $("amount").value.trim() }],
      changeAddress: key.address(network),
    };
    const draft = buildTransaction(JSON.stringify(request));
    const aux = $("aux").value.trim();
    const signed = signTransaction(draft, key, Number($("sighash").value), aux || undefined);
    verifyTransaction(signed);
    const doc = JSON.parse(signed);
    const txJson = JSON.stringify(doc.transaction);
    show("txid", doc.transaction.id);
    show("fee", `${doc.fee} / ${doc.mass}`);
    $("signed").textContent = signed;
    $("bytes").textContent = hex(transactionBytes(txJson));
    show("status", "signed and verified", true);
    document.body.dataset.state = "signed";
  } catch (e) {
    show("status", e.message, false);
    document.body.dataset.state = "error";
  }
}

await init();
$("key").addEventListener("input", onKey);
$("network").addEventListener("change", () => { onKey(); onPayee(); });
$("to").addEventListener("input", onPayee);
$("sign").addEventListener("click", onSign);

const params = new URLSearchParams(location.search);
for (const id of ["network", "key", "utxos", "to", "amount", "sighash", "aux"]) {
  if (params.has(id)) {
    $(id).value = params.get(id);
    $(id).dispatchEvent(new Event(id === "network" || id === "sighash" ? "change" : "input"));
  }
}
if (params.get("run") === "1") $("sign").click();
