// The server's key log, checked as the terminal client checks it
// (docs/PROTOCOL.md, "Encrypted private messages", the key log; the client's
// chatd/client/keyring.py). The page keeps the seq and head it last
// verified, and what the log's add and drop entries made of each account's
// keys by then. New entries must chain on from that head, each `prev` the
// SHA-256 of the entry before, and reach the head the server names; the keys
// the server serves for an account must be exactly the log's. A server that
// rewrites its past, or serves one user a key its log never held, is caught.
//
// An entry's hash is the lowercase hex SHA-256 (WebCrypto) of its canonical
// JSON, byte for byte what Python's json.dumps(entry, sort_keys=True,
// separators=(",", ":")) writes: keys sorted, no spaces, and every character
// past ASCII escaped as \uXXXX in lowercase hex (UTF-16 units, so a
// character past U+FFFF is its two surrogates), DEL (U+007F) included.
// JSON.stringify already escapes quotes, backslashes and control characters
// as Python does; what it leaves unescaped above U+007E is escaped here.

/** The loud warning of docs/PROTOCOL.md, said whenever the check fails. */
export const LOG_WARNING = "the server's key log does not match what it showed before: it may be lying about keys";

const PAST_ASCII = /[\u007f-\uffff]/g;

/** Whether the lists of keys `a` and `b` hold the same keys, in whatever order (served, logged or pinned). */
export function sameKeys(a, b) {
  return a.length === b.length && [...a].sort().every((key, at) => key === [...b].sort()[at]);
}

/** `value` as Python's json.dumps(value, sort_keys=True, separators=(",", ":")) writes it. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    // Python sorts keys by code point; the log's keys are ASCII, where UTF-16 order is the same.
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${canonical(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value).replace(PAST_ASCII, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The lowercase hex SHA-256 of an entry's canonical JSON, `prev` included. */
export async function entryHash(entry) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical(entry))));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A public key as it travels: standard base64 of 32 bytes, 44 characters. */
const PUBLIC_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** Why `entry` cannot be entry `seq` after `prev`; null if it can. */
function entryProblem(entry, seq, prev) {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return `entry ${seq} is no object`;
  if (entry.seq !== seq) return `entry ${JSON.stringify(entry.seq)} comes where ${seq} should`;
  if (entry.prev !== prev) return `entry ${seq} does not follow the head this page saw (${prev || "empty"})`;
  if ((entry.action !== "add" && entry.action !== "drop") || typeof entry.account !== "string") return `entry ${seq} is neither an add nor a drop of an account's key`;
  if (typeof entry.key !== "string" || !PUBLIC_KEY.test(entry.key)) return `entry ${seq} holds no key`;
  return null;
}

/**
 * The key log as this page last verified it: `seq`, `head`, and `keys`
 * (folded account -> its keys, sorted) by then. `fold` folds account names
 * as the server compares them. Plain data, so IndexedDB keeps it as it is.
 */
export class KeyLog {
  constructor(fold, kept = null) {
    this.fold = fold;
    this.seq = kept?.seq ?? 0;
    this.head = kept?.head ?? "";
    this.keys = kept?.keys ?? {};
  }

  /** What IndexedDB keeps of it. */
  kept() {
    return { seq: this.seq, head: this.head, keys: this.keys };
  }

  /**
   * Check a page of `/key log` entries against what was verified and take
   * them: the problem (a sentence), or null. They must go on from this
   * seq and head; on the last page (not `more`) they must end at the
   * server's `seq` and `head`. Nothing is taken unless the whole page checks.
   */
  async extend(entries, seq, head, more) {
    if (!Array.isArray(entries) || !Number.isInteger(seq) || typeof head !== "string") return "the answer is malformed";
    let at = this.seq;
    let prev = this.head;
    const keys = Object.fromEntries(Object.entries(this.keys).map(([account, held]) => [account, [...held]]));
    for (const entry of entries) {
      const problem = entryProblem(entry, at + 1, prev);
      if (problem !== null) return problem;
      const account = this.fold(entry.account);
      const held = keys[account] ?? (keys[account] = []);
      if (entry.action === "add" && !held.includes(entry.key)) held.push(entry.key);
      else if (entry.action === "drop" && held.includes(entry.key)) held.splice(held.indexOf(entry.key), 1);
      at += 1;
      prev = await entryHash(entry);
    }
    if (!more && (at !== seq || prev !== head)) {
      return `the log's entries end at ${at} (${prev || "empty"}), but the server says ${seq} (${head || "empty"})`;
    }
    this.seq = at;
    this.head = prev;
    this.keys = Object.fromEntries(Object.entries(keys).filter(([, held]) => held.length > 0).map(([account, held]) => [account, held.sort()]));
    return null;
  }

  /** The keys the verified log gives `account`, sorted. */
  logged(account) {
    return [...(this.keys[this.fold(account)] ?? [])];
  }
}
