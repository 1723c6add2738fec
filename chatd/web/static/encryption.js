// Encrypted private messages in the page (docs/PROTOCOL.md, "Encrypted
// private messages"; docs/SECURITY.md). Once the user identifies to an
// account, the page loads libsodium, takes this browser's key pair for the
// account from IndexedDB (made on first use) and publishes its public key.
// A private message to a contact whose account has keys is then sealed for
// each of them and each of the user's own (/emsg), the latter as the
// checked key log holds them at that send, so a device of the user's that
// came online since gets its box too; one to a contact with none goes in
// the clear, and the page says so. The first keys seen for an account
// (another's: the user's own are never pinned, each being a device of
// theirs) are pinned (trust on first use); when the server serves another
// set, the conversation says so inline and nothing is sealed to that
// account until the user presses Confirm. Received envelopes are opened
// with this browser's key; one that does not open is one clear line.
//
// Every `keys` answer is first held to the server's key log (keylog.js),
// as the terminal client holds it: the log must only have grown since this
// browser last verified it, and the keys served must be exactly the log's.
// When they are not, a loud warning goes inline and nothing is sealed to
// that account: a server that serves this page another key than its log
// holds is caught before anything is sealed to that key.

import { $, count, el } from "./dom.js";
import { EnvelopeError, NotSealedForMeError, fingerprints, newKeyPair, open, seal, sodium, toBase64, usable } from "./e2e.js";
import { KeyLog, LOG_WARNING } from "./keylog.js";
import { KeyStore } from "./keystore.js";
import { eventLine, noticeLine, stamp } from "./lines.js";

/** Error codes that answer `/key get`. */
function sameKeys(a, b) {
  return a.length === b.length && [...a].sort().every((key, at) => key === [...b].sort()[at]);
}

/**
 * `host` is the chat: `send(line)` (false when no socket is up), `privateWith(nick)`,
 * `mine(nick)`, `say(text, kind)` (in the conversation shown),
 * `current()` (the conversation shown), `shown(conversation, object, line)` (an event's line
 * put in a log). `fold` folds names as the server compares them.
 */
export class Encryption {
  constructor(host, fold) {
    this.host = host;
    this.fold = fold;
    this.S = null;
    this.store = null;
    this.keyPair = null; // {publicKey (base64), secretKey (bytes)} of this browser, once identified
    this.starting = null; // the Promise of the above
    this.contacts = new Map(); // folded account -> {account, keys (served), pinned, verified, changed}
    this.asked = []; // /key get lines sent and not answered yet: {nick, resolve}, in order
    this.warned = new Set(); // "account\nkeys" of key changes already said inline
    this.log = null; // the server's key log as verified (KeyLog), once identified
    this.server = location.host; // whose key log: the page's own server
    this.serial = Promise.resolve(); // keys and key_log answers, checked one after the other
    this.logWaiting = []; // keys answers held until the log catches up with their seq
    this.logFetching = false; // a /key log is asked and not answered yet, or waits (logNext) to be asked
    this.logNext = null; // the timer that asks for the log's next page once the last one's wait is over
    this.logTotal = 0; // the server's seq while a check of more than a page runs (said under way), else 0
    this.reasked = new Set(); // folded nicks asked again because the log moved on meanwhile
    this.ownKnown = null; // the user's account's keys told of (or had on identifying): a Set, once the log is checked
    this.bindPanel();
  }

  /** Whether this page seals: identified, with its key ready. */
  get active() {
    return this.keyPair !== null;
  }

  /** The user identified to `account`: take this browser's key for it and publish it. */
  identified(account) {
    if (typeof account !== "string" || !account) {
      // Unregistered: no account to publish a key to, so nothing is sealed any more.
      this.keyPair = null;
      this.panel();
      return;
    }
    if (!usable()) {
      this.host.say("Private messages from this page are not encrypted: the browser keeps keys only on a secure page (https, or http on 127.0.0.1 or localhost).");
      return;
    }
    this.starting = this.start(this.fold(account)).catch((error) => {
      this.host.say(`Encryption could not start: ${error.message}`, "error");
    });
  }

  async start(account) {
    this.S = await sodium();
    if (this.store === null || this.store.account !== account) {
      this.store = new KeyStore(account);
      this.contacts.clear();
      await this.store.dropOwnPins();
    }
    const S = this.S;
    this.log = new KeyLog(this.fold, await this.store.log(this.server));
    this.ownKnown = null;
    this.stopPaging();
    this.keyPair = await this.store.identity(() => {
      const pair = newKeyPair(S);
      return { publicKey: toBase64(S, pair.publicKey), secretKey: pair.secretKey };
    });
    this.host.send(`/key publish ${this.keyPair.publicKey}`);
    // The log as it is now, our own key's entry included: checked from where this browser last left it.
    this.logFetching = false;
    this.askLog();
    this.panel();
  }

  lost() {
    for (const waiting of this.asked.splice(0)) waiting.resolve(null);
    this.logWaiting = [];
    this.logFetching = false;
    this.stopPaging();
    this.reasked.clear();
  }

  // ---- keys ----

  /** The keys the server serves for `nick`'s account, checked against the pins: the contact, or null. */
  lookup(nick) {
    return new Promise((resolve) => {
      if (!this.host.send(`/key get ${nick}`)) {
        resolve(null);
        return;
      }
      this.asked.push({ nick: this.fold(nick), resolve });
    });
  }

  /** Run `work` once everything received before it is checked: answers are taken in the order they came. */
  serially(work) {
    this.serial = this.serial
      .then(async () => {
        if (this.starting !== null) await this.starting;
        if (this.log !== null) await work();
      })
      .catch((error) => this.host.say(`Encryption: ${error.message}`, "error"));
    return this.serial;
  }

  /** A `keys` answer: held to the key log, then compared with the pin (pinned if there is none); whoever asked is answered. */
  keys(object) {
    if (typeof object.nick !== "string" || typeof object.account !== "string" || !Array.isArray(object.keys)) return;
    this.serially(() => this.logged(object));
  }

  /** A `key_log` answer: the entries after this browser's seq, checked and taken. */
  keyLog(object) {
    this.serially(() => this.extendLog(object));
  }

  askLog() {
    if (this.logFetching) return;
    this.logFetching = this.host.send(`/key log ${this.log.seq + 1}`);
  }

  /**
   * Ask for the log's next page once `wait` seconds (the last page's) are over, fetching all along. A page costs
   * flood budget by its size, so a page asking for each at once was over budget from the second, told it floods,
   * and cut off past some 6,500 entries; the server says how long its budget takes to be full again.
   */
  askNextPage(wait) {
    this.logFetching = true;
    const seconds = typeof wait === "number" && Number.isFinite(wait) && wait > 0 ? wait : 0;
    // setTimeout takes at most 2^31 - 1 ms; past that it fires at once.
    this.logNext = setTimeout(() => {
      this.logNext = null;
      this.logFetching = this.host.send(`/key log ${this.log.seq + 1}`);
    }, Math.min(seconds * 1000, 2 ** 31 - 1));
  }

  /** No next page is asked for any more: the connection dropped, or the check starts again. */
  stopPaging() {
    if (this.logNext !== null) clearTimeout(this.logNext);
    this.logNext = null;
    this.logTotal = 0;
  }

  /** Check `object` (a `keys` answer) against the log; the log is fetched first if the server's has grown. */
  async logged(object) {
    const { seq, head } = object;
    const folded = this.fold(object.nick);
    const again = this.reasked.delete(folded);
    if (!Number.isInteger(seq) || typeof head !== "string" || (seq < this.log.seq && again) || (seq === this.log.seq && head !== this.log.head)) {
      await this.distrust(object, `it was at ${this.log.seq}, it says ${JSON.stringify(seq)} now`);
      return;
    }
    if (seq < this.log.seq) {
      // The log grew between the server's answer and the log this page fetched since: ask once more.
      this.reasked.add(folded);
      this.host.send(`/key get ${object.nick}`);
      return;
    }
    if (seq > this.log.seq) {
      this.logWaiting.push(object);
      this.askLog();
      return;
    }
    const served = object.keys.filter((key) => typeof key === "string");
    if (!sameKeys(served, this.log.logged(object.account))) {
      await this.distrust(object, `it serves keys for ${object.account} that its log does not hold`);
      return;
    }
    const account = this.fold(object.account);
    this.answer(object.nick, account === this.store.account ? this.own(object.nick, served) : await this.check(object.nick, account, served));
  }

  /**
   * The user's own account, as the log gives its keys: never pinned, for
   * its keys are the user's own devices, each published by someone who
   * identified to it; one that comes online later is no change to confirm.
   */
  own(nick, served) {
    const contact = { nick, account: this.store.account, keys: served, pinned: [...served].sort(), verified: false, changed: false, lying: false };
    this.contacts.set(this.store.account, contact);
    this.panel();
    return contact;
  }

  async extendLog(object) {
    this.logFetching = false;
    const problem = await this.log.extend(object.entries, object.seq, object.head, object.more === true);
    if (problem !== null) {
      this.logTotal = 0;
      this.host.say(`WARNING: ${LOG_WARNING}: ${problem}.`, "error");
      for (const waiting of this.logWaiting.splice(0)) await this.distrust(waiting, problem, false);
      this.panel();
      return;
    }
    if (object.more === true) {
      if (this.logTotal === 0) {
        // A long log takes a while (a page every 3 s at the server's defaults): say so, or the page looks stuck
        // while a message to encrypt waits for the check. The terminal client says the same (e2e.py).
        this.host.say(`Checking the server's key log: ${count(this.log.seq)} of ${count(object.seq)} entries so far. A long log is read a page every few seconds, as fast as the server's flood limit allows; messages to encrypt wait for it.`);
      }
      this.logTotal = object.seq;
      this.panel();
      this.askNextPage(object.wait);
      return;
    }
    if (this.logTotal !== 0) {
      this.logTotal = 0;
      this.host.say(`Key log checked: ${count(this.log.seq)} entries, head ${this.log.head || "(empty)"}.`);
    }
    await this.store.keepLog(this.server, this.log.kept());
    await this.newDevices();
    this.panel();
    for (const waiting of this.logWaiting.splice(0)) await this.logged(waiting);
  }

  /**
   * Say once each key the user's account gained since the page first checked the log after identifying:
   * another device of theirs. No warning on its messages (the account's keys are its own, never pinned),
   * but the user hears of it, as the terminal client says it.
   */
  async newDevices() {
    const keys = this.log.logged(this.store.account);
    if (this.ownKnown !== null) {
      for (const key of keys) {
        if (this.ownKnown.has(key) || key === this.keyPair.publicKey) continue;
        const [print] = await fingerprints(this.S, [key]);
        this.host.say(`Your account ${this.store.account} has a new device key: fingerprint ${print}. What you send is sealed for it too; if it is no device of yours, someone else has your password.`);
      }
    }
    this.ownKnown = new Set(keys);
  }

  /**
   * The server's `keys` answer `object` does not match its log: a loud
   * warning inline (unless `say` is false: said already), and the contact
   * marked so that nothing is sealed to it; whoever asked is answered so.
   */
  async distrust(object, why, say = true) {
    const account = this.fold(object.account);
    const pin = await this.store.pinned(account);
    const served = object.keys.filter((key) => typeof key === "string");
    const contact = { nick: object.nick, account, keys: served, pinned: pin?.keys ?? [], verified: false, changed: false, lying: true };
    this.contacts.set(account, contact);
    if (say) {
      const words = `WARNING: ${LOG_WARNING} (${why}). Nothing is sent encrypted to ${object.nick} while it does not.`;
      const line = el("li", { class: "line error key-log-mismatch" }, stamp(undefined), " ", el("span", { class: "body" }, el("span", { class: "text" }, words)));
      if (this.host.mine(object.nick)) this.host.say(words, "error");
      else this.host.privateWith(object.nick).addNotice(line);
    }
    this.answer(object.nick, contact);
    this.panel();
  }

  /** Whoever asked for `nick`'s keys gets `contact`. */
  answer(nick, contact) {
    const folded = this.fold(nick);
    const waiting = this.asked.filter((asked) => asked.nick === folded);
    this.asked = this.asked.filter((asked) => asked.nick !== folded);
    for (const asked of waiting) asked.resolve(contact);
  }

  async check(nick, account, served) {
    let pin = await this.store.pinned(account);
    if (pin === null && served.length > 0) {
      await this.store.pin(account, served, false);
      pin = { keys: [...served].sort(), verified: false };
    }
    const changed = pin !== null && !sameKeys(pin.keys, served);
    const contact = { nick, account, keys: served, pinned: pin?.keys ?? [], verified: pin?.verified === true && !changed, changed, lying: false };
    this.contacts.set(account, contact);
    if (changed) await this.warn(contact);
    this.panel();
    return contact;
  }

  /** An error that answers `/key get`: true if it was one (nobody then sees it as an error). */
  /**
   * An error that answers a /key get of ours: `no-such-account` names the nickname it answers, so an
   * error for anything else sent meanwhile is never taken for it (and never sends a message in the clear).
   */
  error(object) {
    if (object.code !== "no-such-account" || typeof object.nick !== "string") return false;
    const folded = this.fold(object.nick);
    const at = this.asked.findIndex((asked) => asked.nick === folded);
    if (at < 0) return false;
    const [asked] = this.asked.splice(at, 1);
    asked.resolve({ nick: "", account: "", keys: [], pinned: [], verified: false, changed: false, lying: false });
    return true;
  }

  /** Say inline, once per new set, that `contact`'s keys changed, with the button that accepts them. */
  async warn(contact) {
    const mark = `${contact.account}\n${[...contact.keys].sort().join(",")}`;
    if (this.warned.has(mark)) return;
    this.warned.add(mark);
    const now = (await fingerprints(this.S, contact.keys)).join(", ") || "none";
    const before = (await fingerprints(this.S, contact.pinned)).join(", ") || "none";
    const words = `${contact.nick}'s keys changed: ${before} before, ${now} now. Compare fingerprints with ${contact.nick} before trusting them; nothing is sent encrypted to ${contact.nick} until you press Confirm.`;
    const confirm = el("button", { type: "button", class: "key-confirm" }, "Confirm");
    confirm.setAttribute("aria-label", `Confirm ${contact.nick}'s new keys`);
    const line = el("li", { class: "line error key-changed" }, stamp(undefined), " ", el("span", { class: "body" }, el("span", { class: "text" }, words), " ", confirm));
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      await this.confirm(contact);
      line.classList.replace("error", "notice");
      line.querySelector(".text").textContent = `You confirmed ${contact.nick}'s new keys: ${now}.`;
      confirm.remove();
    });
    this.host.privateWith(contact.nick).addNotice(line);
  }

  /** Accept the keys the server serves for `contact` now: pinned, not verified. */
  async confirm(contact) {
    await this.store.pin(contact.account, contact.keys, false);
    Object.assign(contact, { pinned: [...contact.keys].sort(), changed: false, verified: false });
    this.panel();
  }

  // ---- sending ----

  /**
   * Send `text` to the private conversation `conversation`, sealed if the
   * contact has keys. False if it cannot be sent now (the contact's keys
   * changed and are not confirmed): the text stays in the message box.
   */
  send(conversation, text) {
    return this.sendTo(conversation.name, text, (words) => conversation.addNotice(noticeLine(words)));
  }

  /**
   * `/msg NICK text` typed in the message box, in whatever conversation:
   * sealed as the same text typed in NICK's private conversation is (`send`),
   * as the bundled client's /msg is. One to someone with no key goes in the
   * clear, said where it was typed. False as `send`.
   */
  sendTyped(nick, text) {
    return this.sendTo(nick, text, (words) => this.host.say(words));
  }

  /** Send `text` to `nick`, sealed if their account has keys; `tell(words)` says it went in the clear. False as `send`. */
  sendTo(nick, text, tell) {
    const known = [...this.contacts.values()].find((contact) => this.fold(contact.nick) === this.fold(nick));
    if (known !== undefined && known.changed) {
      this.host.say(`Not sent: ${known.nick}'s keys changed. Compare fingerprints, then press Confirm.`, "error");
      return false;
    }
    if (known !== undefined && known.lying) {
      this.host.say(`Not sent: ${untrusted(known.nick)}`, "error");
      return false;
    }
    this.sendSealed(nick, text, tell).catch((error) => this.host.say(`Not sent: ${error.message}`, "error"));
    return true;
  }

  async sendSealed(nick, text, tell) {
    const contact = await this.lookup(nick);
    if (contact === null) throw new Error("not connected.");
    if (contact.lying) throw new Error(untrusted(contact.nick));
    if (contact.keys.length === 0) {
      if (this.host.send(`/msg ${nick} ${text}`)) {
        tell(`Not encrypted: ${nick} has no key published (no account, or never on the page or the bundled client), so that went in the clear.`);
      }
      return;
    }
    if (contact.changed) throw new Error(`${contact.nick}'s keys changed. Compare fingerprints, then press Confirm.`);
    // The contact's answer brought the checked log up to the server's seq: it holds the account's keys as they
    // are now, a device that came online since included, with no request of its own.
    const recipients = [...contact.keys, ...this.log.logged(this.store.account), this.keyPair.publicKey];
    this.host.send(`/emsg ${nick} ${seal(this.S, text, this.keyPair.secretKey, recipients)}`);
  }

  // ---- receiving ----

  /** An `encrypted` event: opened with this browser's key and shown in its private conversation. */
  async received(object) {
    const nick = typeof object.nick === "string" ? object.nick : "";
    const to = typeof object.to === "string" ? object.to : "";
    const other = this.host.mine(nick) ? to : nick;
    if (!other) return;
    const conversation = this.host.privateWith(other);
    if (this.starting !== null) await this.starting;
    let line;
    if (!this.active) {
      line = eventLine({ ...object, type: "unreadable", reason: `an encrypted message from ${nick}: identify to your account on a secure page to read it` });
    } else {
      try {
        const opened = open(this.S, String(object.envelope), this.keyPair);
        line = eventLine({ ...object, type: "whispered", text: opened.text, sealed: true, warning: await this.stranger(nick, opened.sender) });
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        // No box for this browser's key is normal (the user's own lines, or a contact's, from before this browser
        // made its key), and "altered" alarmed people for nothing. The terminal client says the same (e2e.py).
        const why = error instanceof NotSealedForMeError ? "cannot be read on this device: it was sealed before this device had its key" : "could not be decrypted: it was altered on the way";
        line = eventLine({ ...object, type: "unreadable", reason: `a message from ${nick} ${why}` });
      }
    }
    this.host.shown(conversation, object, line);
  }

  /** The warning shown with a message sealed by `key`, if `key` is not one of `nick`'s pinned keys; "" if it is. */
  async stranger(nick, key) {
    if (key === this.keyPair.publicKey) return "";
    const folded = this.fold(nick);
    const known = [...this.contacts.values()].find((contact) => this.fold(contact.nick) === folded);
    const contact = known !== undefined && known.pinned.includes(key) ? known : await this.lookup(nick);
    if (contact !== null && contact.lying) return `WARNING: ${LOG_WARNING}. Compare fingerprints with ${nick} before trusting this.`;
    if (contact !== null && contact.pinned.includes(key) && !contact.changed) return "";
    // From the user's own nickname: another device of theirs, unless the account's keys, fetched again, lack it.
    if (this.host.mine(nick)) return `WARNING: that message was sealed by a key that is not one of your account's (fingerprint ${(await fingerprints(this.S, [key]))[0]}). Compare fingerprints before trusting it.`;
    return `${nick}'s keys changed: this was sealed with a key you have not accepted for ${nick}. Compare fingerprints before trusting it.`;
  }

  // ---- the panel ----

  bindPanel() {
    $("keys-verify").addEventListener("click", async () => {
      const contact = this.current();
      if (contact === null || contact.changed || contact.lying || contact.keys.length === 0 || this.ownDevices(contact)) return;
      await this.store.pin(contact.account, contact.keys, true);
      contact.verified = true;
      this.panel();
    });
  }

  /** Whether `contact` is the user's own account (a conversation with themselves): its keys are their devices, never pinned. */
  ownDevices(contact) {
    return this.store !== null && contact.account === this.store.account && !contact.lying;
  }

  /** The contact of the private conversation shown, if its keys are known. */
  current() {
    const conversation = this.host.current();
    if (conversation === null || conversation.kind !== "private") return null;
    return [...this.contacts.values()].find((contact) => this.fold(contact.nick) === this.fold(conversation.name)) ?? null;
  }

  /** A private conversation is shown: ask for the contact's keys, so the panel shows them. */
  showing(conversation) {
    this.panel();
    if (this.active && conversation !== null && conversation.kind === "private") this.lookup(conversation.name);
  }

  /** Bring the panel up to date: this browser's fingerprint, the contact's, and whether they are verified. */
  async panel() {
    const conversation = this.host.current();
    const box = $("keys");
    box.hidden = !this.active || conversation === null || conversation.kind !== "private";
    if (box.hidden) return;
    const contact = this.current();
    const name = conversation.name;
    $("keys-mine").textContent = (await fingerprints(this.S, [this.keyPair.publicKey]))[0];
    $("keys-whose").textContent = `${name}'s:`;
    const theirs = contact === null ? [] : await fingerprints(this.S, contact.keys);
    $("keys-theirs").replaceChildren(...(theirs.length ? theirs.map((each) => el("li", {}, el("code", {}, each))) : [el("li", {}, contact === null ? "asking the server…" : "none: messages go in the clear")]));
    if (this.log === null || this.log.seq === 0) $("keys-log").textContent = "empty";
    else if (this.logTotal !== 0) $("keys-log").textContent = `checking: ${count(this.log.seq)} of ${count(this.logTotal)} entries…`;
    else $("keys-log").textContent = `seq ${this.log.seq}, head ${this.log.head}`;
    let state = "";
    if (contact !== null && contact.lying) state = `The server's key log does not match the keys it serves for ${name}: it may be lying about keys. Nothing is sent encrypted to ${name}.`;
    else if (contact !== null && this.ownDevices(contact)) state = "These are your own devices, one for each page or client you identified on: nothing to verify.";
    else if (contact !== null && contact.changed) state = `${name}'s keys changed: compare fingerprints, then Confirm them in the conversation.`;
    else if (contact !== null && contact.verified) state = `Verified: you compared these with ${name}.`;
    else if (theirs.length) state = `Not verified: compare these with ${name} (in person, or over a call), then press Verify.`;
    $("keys-state").textContent = state;
    $("keys-verify").hidden = contact === null || contact.changed || contact.lying || contact.verified || theirs.length === 0 || this.ownDevices(contact);
    let summary = theirs.length ? "Encrypted · not verified" : "Not encrypted";
    if (contact !== null && contact.lying) summary = "Not encrypted · the key log does not match";
    else if (contact !== null && this.ownDevices(contact) && theirs.length) summary = "Encrypted · your own devices";
    else if (contact !== null && contact.verified) summary = "Encrypted · verified";
    $("keys-summary").textContent = summary;
  }
}

/** Why nothing is sealed to `whose` keys: the server's key log does not hold them. */
function untrusted(whose) {
  return `${whose}'s keys cannot be trusted: ${LOG_WARNING}.`;
}
