// Every `keys` answer held to the server's key log before it is believed
// (docs/PROTOCOL.md, "Encrypted private messages", the key log), as the
// terminal client holds it: the log must only have grown since this browser
// last verified it (fetched a page at a time, as fast as the server's flood
// limit allows), and the keys served must be exactly the log's. When they
// are not, a loud warning goes inline and nothing is sealed to that account.
// A part of encryption.js's Encryption, apart from the pins because it is
// what catches a server that serves this page another key than its log holds.

import { count, el } from "./dom.js";
import { fingerprints } from "./e2e.js";
import { LOG_WARNING, sameKeys } from "./keylog.js";
import { stamp } from "./lines.js";

/** The key log fetched and checked, and each keys answer held to it: a part of encryption.js's Encryption. */
export const KeyChecks = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.serial = Promise.resolve(); // keys and key_log answers, checked one after the other
      this.logWaiting = []; // keys answers held until the log catches up with their seq
      this.logFetching = false; // a /key log is asked and not answered yet, or waits (logNext) to be asked
      this.logNext = null; // the timer that asks for the log's next page once the last one's wait is over
      this.logTotal = 0; // the server's seq while a check of more than a page runs (said under way), else 0
      this.reasked = new Set(); // folded nicks asked again because the log moved on meanwhile
      this.ownKnown = null; // the user's account's keys told of (or had on identifying): a Set, once the log is checked
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
  };
