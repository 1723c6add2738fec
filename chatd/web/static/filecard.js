// What the page shows of a file transfer: one line in a conversation's log
// (a "card") with what the file is, its progress bar, its buttons and its
// state; and the small rules shared by sending and fetching (sizes for
// people, as the server says them, safe names, hashes as hex, base64).
// Every text from the network (names, nicknames, types, hashes) goes in as
// text through dom.js's el.

import { el } from "./dom.js";
import { sodium } from "./e2e.js";
import { stamp } from "./lines.js";

/** The server's chunk size (docs/PROTOCOL.md, Files): offsets of resumed downloads are multiples of it. */
export const CHUNK = 16384;

const NAME_BYTES = 200;

/**
 * How much of a file libsodium hashes at a time. Each slice is copied into its WebAssembly memory, which grows to
 * the largest copy and never shrinks: hashed whole, a 100 MiB file would have kept the tab 100 MiB bigger for good.
 */
const SODIUM_SLICE = 1 << 20;

/**
 * A size for people as the server and the bundled client say it (chatd.text.size_words, step for step, so with the
 * same doubles): `512 B`, `150.0 kB`, `2.1 MB`, one decimal from a kilobyte on, GB the largest unit. The page needs
 * its own copy for sizes no server line carries (a file too big to send, where an upload goes on from, a rate);
 * tests/e2e/test_web_file_sizes.py holds the two to the same words over a table of sizes.
 */
export function size(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  let shown = bytes / 1000;
  for (const unit of ["kB", "MB"]) {
    if (shown < 1000) return `${tenths(shown)} ${unit}`;
    shown /= 1000;
  }
  return `${tenths(shown)} GB`;
}

/**
 * `value` with one decimal as Python's `f"{value:.1f}"` writes it. Both round the exact value of the double; they
 * part only on a tie, a value exactly halfway between two tenths (x.25 or x.75, the only such doubles), which
 * `toFixed` rounds up and Python to the even tenth: 1250 bytes were `1.3 kB` here and `1.2 kB` on the server.
 */
function tenths(value) {
  const tie = Number.isInteger(value * 4) && !Number.isInteger(value * 2);
  if (!tie) return value.toFixed(1);
  const below = Math.floor(value * 10);
  return ((below % 2 === 0 ? below : below + 1) / 10).toFixed(1);
}

/** Seconds for people: `4 s`, `3 min 20 s`, `1 h 5 min`. */
export function duration(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/**
 * A file name safe to save under and to put on a command line: its last
 * path component (`/` and `\` both separate), without control or format
 * characters (a newline would end the `/file offer` line and start
 * another command), without leading dots, trimmed, at most 200 bytes of
 * UTF-8 keeping the extension, `file` if nothing is left.
 */
export function safeName(name) {
  const last = String(name).split(/[/\\]/).pop() ?? "";
  let cleaned = last
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, "")
    .trim()
    .replace(/^\.+/, "")
    .trim();
  const encoder = new TextEncoder();
  if (encoder.encode(cleaned).length > NAME_BYTES) {
    const dot = cleaned.lastIndexOf(".");
    const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : "";
    const room = NAME_BYTES - encoder.encode(extension).length;
    let stem = "";
    for (const character of cleaned.slice(0, cleaned.length - extension.length)) {
      if (encoder.encode(stem + character).length > room) break;
      stem += character;
    }
    cleaned = stem + extension;
  }
  return cleaned || "file";
}

/** A MIME type as `/file offer` takes it (token characters around one slash), else `application/octet-stream`. */
export function mimeType(type) {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(type) ? type : "application/octet-stream";
}

export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Whether the browser's own SHA-256 (WebCrypto) is there: on a secure page only (https, or http on localhost). */
function webCrypto() {
  return typeof crypto !== "undefined" && crypto.subtle !== undefined;
}

/** Why a file can be neither sent nor fetched, in the one browser where nothing on the page can compute SHA-256 (`hashing`). */
export const UNHASHABLE = "this browser cannot check files on this page (it did not load what computes their SHA-256). Reload the page, or open it in another browser.";

/**
 * Whether this page can hash files: with WebCrypto, or else (a page on plain http, a school's LAN) with libsodium,
 * loaded for it. False only where even libsodium cannot load.
 */
export async function hashing() {
  if (webCrypto()) return true;
  try {
    await sodium();
    return true;
  } catch {
    return false;
  }
}

/**
 * The SHA-256 of `bytes` (an ArrayBuffer or a view of one), as 64 lowercase hex digits: WebCrypto's where the page
 * has it, else libsodium's (the same vendored files end-to-end encryption loads), fed a slice at a time.
 */
export async function sha256(bytes) {
  if (webCrypto()) return hex(await crypto.subtle.digest("SHA-256", bytes));
  const S = await sodium();
  const view = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  const state = S.crypto_hash_sha256_init();
  for (let at = 0; at < view.length; at += SODIUM_SLICE) S.crypto_hash_sha256_update(state, view.subarray(at, at + SODIUM_SLICE));
  return S.crypto_hash_sha256_final(state, "hex");
}

/** Standard base64 with padding, built a slice at a time (one String.fromCharCode call per 32 KiB at most). */
export function toBase64(bytes) {
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(at, at + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of standard base64; throws on anything that is not base64. */
export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let at = 0; at < binary.length; at += 1) bytes[at] = binary.charCodeAt(at);
  return bytes;
}

let cards = 0;

/**
 * One transfer's line in a log. `what` is the list of nodes that say what
 * the file is; `buttons` the labelled buttons it offers now. The card's
 * methods change what it shows as the transfer goes on.
 */
export class Card {
  constructor(fileId, what) {
    cards += 1;
    const barId = `file-progress-${cards}`;
    this.bar = el("progress", { id: barId, max: "100", value: "0" });
    this.label = el("label", { for: barId, class: "file-rate" });
    this.meter = el("span", { class: "file-meter", hidden: true }, this.bar, " ", this.label);
    this.actions = el("span", { class: "file-actions" });
    this.state = el("span", { class: "file-state" });
    this.saved = el("span", { class: "file-saved" });
    this.line = el(
      "li",
      { class: "line file", "data-file": fileId },
      stamp(undefined),
      " ",
      el("span", { class: "body" }, el("span", { class: "file-what" }, ...what), this.meter, this.actions, this.state, this.saved),
    );
    this.mark = null; // {at, bytes}: where the rate is measured from
  }

  setFile(fileId) {
    this.line.setAttribute("data-file", fileId);
  }

  /** Offer these buttons, each `[text, label, action]` (`action` is handed the click); none for an empty list. */
  buttons(...buttons) {
    this.actions.replaceChildren();
    for (const [text, label, action] of buttons) {
      const kind = `file-${text.toLowerCase().replace(/\s+/g, "-")}`; // "Take down" is file-take-down, one class
      const button = el("button", { type: "button", class: `quiet ${kind}`, "aria-label": label }, text);
      button.addEventListener("click", action);
      this.actions.append(button);
    }
  }

  /** Say where the transfer is, in words, beside the file. */
  say(words, kind = "") {
    this.state.textContent = words;
    this.state.className = kind ? `file-state ${kind}` : "file-state";
  }

  /** Start measuring the rate afresh from `done` bytes (on starting, and on going on after a drop). */
  restart(done) {
    this.mark = { at: performance.now(), bytes: done };
  }

  /** Show `done` of `total` bytes: the bar, and its label with the percentage, the rate and the time left. */
  progress(done, total) {
    this.meter.hidden = false;
    const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
    this.bar.value = percent;
    if (this.mark === null) this.restart(done);
    const seconds = (performance.now() - this.mark.at) / 1000;
    const moved = done - this.mark.bytes;
    const rate = seconds > 0.2 && moved > 0 ? moved / seconds : 0;
    const parts = [`${percent}%`];
    if (rate > 0) parts.push(`${size(Math.round(rate))}/s`, `${duration((total - done) / rate)} left`);
    this.label.textContent = parts.join(" · ");
  }

  /** The transfer is over: no bar, no buttons. */
  end(words, kind = "") {
    this.meter.hidden = true;
    this.buttons();
    this.say(words, kind);
  }

  /** Keep a link to the saved file in the card: `name` saved under the download attribute. */
  link(url, name) {
    const link = el("a", { href: url, download: name, class: "file-link" }, `Save ${name} again`);
    this.saved.replaceChildren(link);
    return link;
  }
}

/** The nodes saying what an offered file is: who offers it, its name, size, type and a short hash. */
export function describe(nick, verb, name, bytes, mime, hash) {
  const short = typeof hash === "string" ? `${hash.slice(0, 12)}…` : "";
  return [
    el("span", { class: "nick" }, nick),
    ` ${verb} `,
    el("span", { class: "file-name" }, name),
    ` (${size(bytes)}, `,
    el("span", { class: "file-type" }, mime),
    ", sha256 ",
    el("abbr", { class: "file-hash", title: hash }, short),
    ")",
  ];
}
