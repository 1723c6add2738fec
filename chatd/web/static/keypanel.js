// The Encryption panel above a private conversation (docs/SECURITY.md): this
// browser's fingerprint, the contact's, how far the key log's check has
// got, and whether the contact is verified, with the Verify button that
// says the user compared fingerprints with them. A part of encryption.js's
// Encryption, apart because it shows what the other parts know (each calls
// panel() when that changes), its one button aside.

import { $, count, el } from "./dom.js";
import { fingerprints } from "./e2e.js";

/** The Encryption panel and its Verify button: a part of encryption.js's Encryption. */
export const KeyPanel = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.bindPanel();
    }

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
  };
