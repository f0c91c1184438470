// Calls one export of the wallet binding the way `examples/wallet_native.rs` calls its
// native twin: the same arguments (`{"$key": hex}` becomes a Key, `{"$bytes": hex}` a
// Uint8Array), the result normalised the same way (bytes as hex, BigInt as decimal text,
// nothing as null). Shared by the Node.js test and the benchmark.

export const toHex = (bytes) => Buffer.from(bytes).toString("hex");

export function callExport(wallet, call, args) {
  const made = [];
  const arg = (a) => {
    if (a !== null && typeof a === "object" && "$key" in a) {
      const key = wallet.Key.fromHex(a.$key);
      made.push(key);
      return key;
    }
    if (a !== null && typeof a === "object" && "$bytes" in a) return Uint8Array.from(Buffer.from(a.$bytes, "hex"));
    return a;
  };
  const xs = args.map(arg);
  try {
    let out;
    if (call === "Key.fromHex" || call === "Key.new") {
      const key = call === "Key.new" ? new wallet.Key(...xs) : wallet.Key.fromHex(...xs);
      made.push(key);
      out = key.publicKey();
    } else if (call === "Key.address") {
      out = xs[0].address(xs[1]);
    } else {
      out = wallet[call](...xs);
    }
    if (out instanceof Uint8Array) return toHex(out);
    if (typeof out === "bigint") return out.toString();
    return out === undefined ? null : out;
  } finally {
    for (const key of made) key.free();
  }
}
