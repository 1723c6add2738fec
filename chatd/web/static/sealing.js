// Private messages sealed and opened (docs/PROTOCOL.md, "Encrypted private
// messages"; docs/SECURITY.md), a part of encryption.js's Encryption. A
// message to a contact whose account has keys is sealed for each of them and
// each of the user's own (/emsg), the latter as the checked key log holds
// them at that send, so a device of the user's that came online since gets
// its box too; one to a contact with none goes in the clear, and the page
// says so. Received envelopes are opened with this browser's key; one that
// does not open is one clear line. A part of its own because it is the one
// place a message's text meets the keys.

import { scrub } from "./dom.js";
import { EnvelopeError, NotSealedForMeError, fingerprints, open, seal } from "./e2e.js";
import { LOG_WARNING } from "./keylog.js";
import { eventLine, noticeLine } from "./lines.js";

/** Messages sealed for a contact's keys and the user's, and envelopes opened: a part of encryption.js's Encryption. */
export const Sealing = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.unpinned = new Map(); // folded nick -> keys that sealed its messages, not pinned when its keys were asked
    }

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
          line = eventLine({ ...object, type: "whispered", text: safe(opened.text), sealed: true, warning: await this.stranger(nick, opened.sender) });
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

    /**
     * The warning shown with a message sealed by `key`, if `key` is not one of `nick`'s pinned keys; "" if it is.
     * The sender's keys are asked for once (keypins.js's lookup): a key pinned, or one found not pinned since they
     * were last asked for, is judged by what the page knows, for each /key get costs the page flood budget and a
     * burst of messages, each asking, had the server slow it. The warning stays until the user confirms the keys.
     */
    async stranger(nick, key) {
      if (key === this.keyPair.publicKey) return "";
      const folded = this.fold(nick);
      const known = [...this.contacts.values()].find((contact) => this.fold(contact.nick) === folded);
      const learnt = known !== undefined && (known.pinned.includes(key) || this.unpinned.get(folded)?.has(key));
      const contact = learnt ? known : await this.lookup(nick);
      if (contact !== null && !contact.pinned.includes(key)) this.unpinned.set(folded, new Set([...(this.unpinned.get(folded) ?? []), key]));
      if (contact !== null && contact.lying) return `WARNING: ${LOG_WARNING}. Compare fingerprints with ${nick} before trusting this.`;
      if (contact !== null && contact.pinned.includes(key) && !contact.changed) return "";
      // From the user's own nickname: another device of theirs, unless the account's keys, fetched again, lack it.
      if (this.host.mine(nick)) return `WARNING: that message was sealed by a key that is not one of your account's (fingerprint ${(await fingerprints(this.S, [key]))[0]}). Compare fingerprints before trusting it.`;
      return `${nick}'s keys changed: this was sealed with a key you have not accepted for ${nick}. Compare fingerprints before trusting it.`;
    }
  };

// A run of more than TEXT_MARKS_MAX marks drawn over or under one character (chatd/domain/names.py, joiners between
// them not parting them): the server refuses such a tower, which a browser draws over the lines above.
const TEXT_MARKS_MAX = 4;
const TOWER = new RegExp(`[\\p{Mn}\\p{Me}](?:[\\u200c\\u200d]*[\\p{Mn}\\p{Me}]){${TEXT_MARKS_MAX},}`, "gu");

/**
 * An opened envelope's `text` as it may be shown: the server never reads it, so it is held to the rules the server
 * holds a /msg to, as the terminal client does: each line scrubbed (U+202E made "invoice \u202efdp.exe" read "invoice
 * exe.pdf"), a paste keeping its lines, a tower of marks cut to four.
 */
function safe(text) {
  const marks = (run) => [...run.matchAll(/[\p{Mn}\p{Me}]/gu)].slice(0, TEXT_MARKS_MAX).join("");
  return text.split("\n").map(scrub).join("\n").replace(TOWER, marks);
}

/** Why nothing is sealed to `whose` keys: the server's key log does not hold them. */
function untrusted(whose) {
  return `${whose}'s keys cannot be trusted: ${LOG_WARNING}.`;
}
