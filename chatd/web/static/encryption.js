// Encrypted private messages in the page (docs/PROTOCOL.md, "Encrypted
// private messages"; docs/SECURITY.md). Once the user identifies to an
// account, the page loads libsodium, takes this browser's key pair for the
// account from IndexedDB (made on first use) and publishes its public key;
// from then on private messages to contacts with keys are sealed.
//
// This module holds that start, and the state its parts share; the rest is
// in its parts (PARTS), a module each: keychecks.js (every keys answer held
// to the server's key log), keypins.js (contacts' keys pinned on first
// sight, and a change to confirm), sealing.js (messages sealed and opened)
// and keypanel.js (the keys panel, and Verify).

import { newKeyPair, sodium, toBase64, usable } from "./e2e.js";
import { KeyChecks } from "./keychecks.js";
import { KeyLog } from "./keylog.js";
import { KeyPanel } from "./keypanel.js";
import { KeyPins } from "./keypins.js";
import { KeyStore } from "./keystore.js";
import { composed } from "./parts.js";
import { Sealing } from "./sealing.js";

/** The parts of Encryption, a module each (parts.js). */
const PARTS = [KeyChecks, KeyPins, Sealing, KeyPanel];

/**
 * `host` is the chat: `send(line)` (false when no socket is up), `privateWith(nick)`,
 * `mine(nick)`, `say(text, kind)` (in the conversation shown),
 * `current()` (the conversation shown), `shown(conversation, object, line)` (an event's line
 * put in a log). `fold` folds names as the server compares them.
 */
export class Encryption extends composed(PARTS) {
  constructor(host, fold) {
    super();
    this.host = host;
    this.fold = fold;
    this.S = null;
    this.store = null;
    this.keyPair = null; // {publicKey (base64), secretKey (bytes)} of this browser, once identified
    this.starting = null; // the Promise of the above
    this.contacts = new Map(); // folded account -> {account, keys (served), pinned, verified, changed}
    this.log = null; // the server's key log as verified (KeyLog), once identified
    this.server = location.host; // whose key log: the page's own server
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
}
