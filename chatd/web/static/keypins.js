// A contact's keys, asked of the server and pinned on first sight (trust on
// first use; the user's own are never pinned, each being a device of
// theirs): when the server serves another set, the conversation says so
// inline and nothing is sealed to that account until the user presses
// Confirm. A part of encryption.js's Encryption, apart from the key log's
// check because a pin is this browser's own memory of a contact, kept in
// IndexedDB (keystore.js), where the log is the server's word.

import { el } from "./dom.js";
import { fingerprints } from "./e2e.js";
import { sameKeys } from "./keylog.js";
import { stamp } from "./lines.js";

/** Contacts' keys asked for, pinned, and changes to confirm: a part of encryption.js's Encryption. */
export const KeyPins = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.asked = []; // /key get lines sent and not answered yet: {nick, resolve}, in order
      this.warned = new Set(); // "account\nkeys" of key changes already said inline
    }

    /**
     * The keys the server serves for `nick`'s account, checked against the pins: the contact, or null. One `/key get`
     * a nickname while it is unanswered: those who ask meanwhile share its answer, for each line costs the page flood
     * budget, and a burst of messages from one sender, each asking, had the server slow the page.
     */
    lookup(nick) {
      const folded = this.fold(nick);
      return new Promise((resolve) => {
        if (!this.asked.some((asked) => asked.nick === folded) && !this.host.send(`/key get ${nick}`)) {
          resolve(null);
          return;
        }
        this.asked.push({ nick: folded, resolve });
      });
    }

    /** Whoever asked for `nick`'s keys gets `contact`; what was learnt of keys not pinned for `nick` is asked anew. */
    answer(nick, contact) {
      const folded = this.fold(nick);
      this.unpinned.delete(folded);
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

    /**
     * An error that answers a /key get of ours, and so everyone waiting for it: `no-such-account` names the nickname
     * it answers, so an error for anything else sent meanwhile is never taken for it (and never sends a message in
     * the clear).
     */
    error(object) {
      if (object.code !== "no-such-account" || typeof object.nick !== "string") return false;
      if (!this.asked.some((asked) => asked.nick === this.fold(object.nick))) return false;
      this.answer(object.nick, { nick: "", account: "", keys: [], pinned: [], verified: false, changed: false, lying: false });
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
  };
