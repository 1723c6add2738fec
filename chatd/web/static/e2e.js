// End-to-end encryption of private messages in the page (docs/PROTOCOL.md,
// "Encrypted private messages"): fingerprints, sealing an envelope for a set
// of keys and opening one. Nothing here is home-made: every box is NaCl's
// crypto_box (X25519 and XSalsa20-Poly1305, authenticated by the sender's
// key) from libsodium, shipped unchanged in vendor/ (libsodium.js and its
// wrappers, from npm's libsodium-wrappers-sumo 0.8.4; vendor/LICENSE.txt). The
// terminal client does the same through PyNaCl: tests/vectors/e2e.json holds
// both to the same bytes.
//
// libsodium's files are loaded only when first needed (an identified user,
// or a file hashed on a page without WebCrypto: filecard.js), as classic
// scripts: they set window.libsodium and window.sodium. They run
// WebAssembly, which the page's Content-Security-Policy allows through
// 'wasm-unsafe-eval' and nothing else (docs/SECURITY.md).

const VENDOR = ["/vendor/libsodium.js", "/vendor/libsodium-wrappers.js"];

export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
/** A fingerprint is the first 16 bytes of SHA-256 of the public key. */
const FINGERPRINT_BYTES = 16;
const ENVELOPE_VERSION = 1;

let loading = null;

/** libsodium, ready: its files are loaded once, the first time it is asked for. */
export function sodium() {
  if (loading === null) {
    loading = VENDOR.reduce((previous, src) => previous.then(() => script(src)), Promise.resolve()).then(async () => {
      await window.sodium.ready;
      return window.sodium;
    });
  }
  return loading;
}

function script(src) {
  return new Promise((resolve, reject) => {
    const tag = document.createElement("script");
    tag.src = src;
    tag.addEventListener("load", resolve);
    tag.addEventListener("error", () => reject(new Error(`${src} did not load`)));
    document.head.append(tag);
  });
}

/** An envelope that cannot be read: not of the contract's shape, no box for this key, or altered. */
export class EnvelopeError extends Error {}

/** A well-formed envelope with no box for this browser's key: sealed before it had its key, not altered. */
export class NotSealedForMeError extends EnvelopeError {}

/** Standard base64 with padding: how keys, nonces and boxes travel. */
export function toBase64(S, bytes) {
  return S.to_base64(bytes, S.base64_variants.ORIGINAL);
}

/** The bytes of standard base64 `text` (of `size` bytes, if given); throws EnvelopeError. */
export function fromBase64(S, text, size = null) {
  let bytes;
  try {
    bytes = S.from_base64(String(text), S.base64_variants.ORIGINAL);
  } catch {
    throw new EnvelopeError("not base64");
  }
  if (size !== null && bytes.length !== size) throw new EnvelopeError(`${bytes.length} bytes, not ${size}`);
  return bytes;
}

/** True if `text` is a public key as it travels: base64 of 32 bytes. */
export function isPublicKey(S, text) {
  if (typeof text !== "string" || text.length !== 44) return false;
  try {
    fromBase64(S, text, KEY_BYTES);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether this page may hold keys: only on a secure page (https, or http on
 * 127.0.0.1 or localhost, where WebCrypto is there too), because a key in a
 * page that anyone on the network could rewrite in transit would protect
 * nothing.
 */
export function usable() {
  return window.isSecureContext && typeof crypto !== "undefined" && crypto.subtle !== undefined;
}

/** What people compare: SHA-256 of the 32 key bytes, its first 16 as 8 groups of 4 lowercase hex digits. */
export async function fingerprint(S, publicKey) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", fromBase64(S, publicKey, KEY_BYTES)));
  return S.to_hex(digest.subarray(0, FINGERPRINT_BYTES)).match(/.{4}/g).join(" ");
}

/** A contact's fingerprints: each of their keys', sorted. */
export async function fingerprints(S, publicKeys) {
  return (await Promise.all(publicKeys.map((key) => fingerprint(S, key)))).sort();
}

/** A new key pair: {publicKey, secretKey} as 32 raw bytes each. */
export function newKeyPair(S) {
  const pair = S.crypto_box_keypair();
  return { publicKey: pair.publicKey, secretKey: pair.privateKey };
}

/** The public key (base64) of a 32-byte secret key. */
export function publicOf(S, secretKey) {
  return toBase64(S, S.crypto_scalarmult_base(secretKey));
}

/**
 * The envelope of `text` for each key of `recipients`: one box each, each
 * with its own 24 random bytes of nonce (`nonce` is for the test vectors
 * only). The JSON has its keys sorted and no spaces, as the terminal
 * client writes it, so the same nonces give the same bytes.
 */
export function seal(S, text, secretKey, recipients, nonce = () => S.randombytes_buf(NONCE_BYTES)) {
  const plaintext = new TextEncoder().encode(text);
  const boxes = {};
  for (const key of [...new Set(recipients)].sort()) {
    const once = nonce(key);
    const sealed = S.crypto_box_easy(plaintext, once, fromBase64(S, key, KEY_BYTES), secretKey);
    boxes[key] = `${toBase64(S, once)}:${toBase64(S, sealed)}`;
  }
  const body = { from: publicOf(S, secretKey), to: boxes, v: ENVELOPE_VERSION };
  return toBase64(S, new TextEncoder().encode(JSON.stringify(body)));
}

function parse(S, envelope) {
  let body;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64(S, envelope)));
  } catch {
    throw new EnvelopeError("not base64 of JSON");
  }
  if (body === null || typeof body !== "object" || body.v !== ENVELOPE_VERSION) throw new EnvelopeError("not a version 1 envelope");
  return body;
}

/**
 * The text of the box `envelope` holds for the key pair `{publicKey,
 * secretKey}` (publicKey base64), checked against the envelope's `from`
 * key: {sender, text}. Throws EnvelopeError when it cannot be read
 * (NotSealedForMeError when it holds no box for this key): the page then
 * says so in one line and shows nothing of it.
 */
export function open(S, envelope, me) {
  const body = parse(S, envelope);
  const sender = body.from;
  const boxes = body.to;
  if (!isPublicKey(S, sender) || boxes === null || typeof boxes !== "object") throw new EnvelopeError("no sender key or no boxes");
  const sealed = Object.hasOwn(boxes, me.publicKey) ? boxes[me.publicKey] : undefined;
  if (typeof sealed !== "string") throw new NotSealedForMeError("no box for this device's key");
  const at = sealed.indexOf(":");
  if (at < 0) throw new EnvelopeError("a box is nonce:ciphertext");
  const once = fromBase64(S, sealed.slice(0, at), NONCE_BYTES);
  const ciphertext = fromBase64(S, sealed.slice(at + 1));
  let plaintext;
  try {
    plaintext = S.crypto_box_open_easy(ciphertext, once, fromBase64(S, sender, KEY_BYTES), me.secretKey);
  } catch {
    throw new EnvelopeError("the box does not open: altered, or sealed with another key");
  }
  try {
    return { sender, text: new TextDecoder("utf-8", { fatal: true }).decode(plaintext) };
  } catch {
    throw new EnvelopeError("the box opens to no text");
  }
}
