// The conversations' logs: where each event, notice and answer the server
// sends is shown, once, in order; what is unread and what mentions the user
// (a browser notification while the tab is hidden, if allowed); the page's
// own notices; the pages of older lines (/history) asked for as the user
// scrolls up, a room's or a private conversation's, and the replays that
// end them.

import { answerLine } from "./answers.js";
import { conversationKey } from "./conversation.js";
import { $ } from "./dom.js";
import { eventLine, noticeLine } from "./lines.js";

/** Lines a page of /history asks for: older lines of a room or of a private conversation. */
export const OLDER_PAGE = 50;

/**
 * Private messages a conversation shows as it is opened, the latest: a
 * page of /history costs flood budget by its size (3 lines for 20, 6 for
 * 50), and two conversations opened in a second at 50 had the server slow
 * the page. Older ones come back as for a room (`older`).
 */
export const FIRST_PRIVATE_PAGE = 20;

/** What goes in which log, unread counts and mentions: a part of app.js's Chat. */
export const Logs = (Base) =>
  class extends Base {
    /** The answer to a command the user typed (/rooms, /whois, /time ...): a block in the conversation shown. */
    answer(object) {
      const line = answerLine(object);
      if (line === null) return;
      if (this.current === null) this.early.push(line);
      else this.current.addNotice(line);
    }

    /** The answer to a private message to someone away (their /away text): in the conversation with them, after the message. */
    away(object) {
      const line = answerLine(object);
      if (line !== null && typeof object.nick === "string" && object.nick) this.privateWith(object.nick).addNotice(line);
    }

    said(object) {
      const room = this.room(object.room);
      if (room === null) return;
      room.saw(object.id);
      this.event(room, object, this.mentions(object));
    }

    whispered(object) {
      const nick = typeof object.nick === "string" ? object.nick : "";
      const to = typeof object.to === "string" ? object.to : "";
      const other = this.mine(nick) ? to : nick;
      if (!other) return;
      const conversation = this.privateWith(other);
      this.event(conversation, object, !this.mine(nick));
    }

    /** A line of the room it happened in, if the page is in that room. */
    inRoom(object) {
      const room = this.room(object.room, false);
      if (room !== null) this.event(room, object);
    }

    /** An invitation: news for the one invited, wherever they are; a line of the room for its members. */
    invited(object) {
      if (this.mine(object.nick)) this.general(object);
      else this.inRoom(object);
    }

    /** An event that names no room but the user's own (a wall, a ban, a kill, a shutdown): in the log shown. */
    general(object) {
      const target = this.current ?? this.rooms()[0];
      if (target !== undefined && target !== null) this.event(target, object);
    }

    kept(object) {
      this.unsent = null;
      const nick = typeof object.nick === "string" ? object.nick : "";
      if (!nick) return;
      const conversation = this.privateWith(nick);
      conversation.addNotice(noticeLine(`${nick} is offline: your message is kept until they identify (${object.waiting} waiting).`));
      // Typed in no room, nothing shown: the conversation is, as for a message delivered (`event`).
      if (this.current === null) this.show(conversation, true);
    }

    /** Show `object` in `conversation`'s log (as `line`, if given), once; count it unread unless the reader sees it now. */
    event(conversation, object, mention = false, line = eventLine(object, mention)) {
      const talk = object.type === "said" || object.type === "acted" || object.type === "whispered" || object.type === "encrypted";
      // The user's own message, back from the server: taken, so a refusal after it is not this one's.
      if (talk && object.history !== true && this.mine(object.nick)) this.unsent = null;
      if (line === null) return;
      // A room's lines are noted as said (`said`); every message of a private conversation is one.
      if (talk && conversation.kind === "private") conversation.saw(object.id);
      const exhausted = conversation.exhausted;
      if (!conversation.addEvent(object.id, line)) return;
      if (conversation === this.current) {
        this.view.offerNewer();
        // Its oldest lines dropped (conversation.js, LOG_LINES): "Load older messages" brings them back.
        if (conversation.exhausted !== exhausted) this.view.header();
      }
      if (object.history === true) return;
      // The user's own private message with nothing shown (/msg NICK typed in no room): its conversation is
      // shown, there being nothing else to show. In a room the room stays shown, the conversation listed.
      if (talk && this.mine(object.nick) && this.current === null && conversation.kind === "private") this.show(conversation, true);
      if (!talk || this.mine(object.nick)) return;
      const seen = conversation === this.current && !document.hidden;
      if (!seen) {
        conversation.unread += 1;
        if (mention) conversation.mentions += 1;
        this.view.list(this.all());
      }
      if (mention && document.hidden) notify(conversation, object);
    }

    mentions(object) {
      if (this.mention === null || this.mine(object.nick) || object.type === "joined") return false;
      return typeof object.text === "string" && this.mention.test(object.text);
    }

    say(text, kind = "notice") {
      const target = this.current;
      if (target === null) {
        // Said before any conversation is shown (an account's notice on identifying): shown with the first.
        this.early.push(noticeLine(text, kind));
        if (kind === "error") $("login-error").textContent = text;
        // In no room, the answer to a command typed in the message box (a /join refused) is read where it was typed.
        if (this.nowhere && this.me !== null) this.view.sayHere(text);
        return;
      }
      target.addNotice(noticeLine(text, kind));
      this.view.offerNewer();
    }

    roomNotice(name, text) {
      const room = typeof name === "string" ? this.conversations.get(conversationKey("room", name)) : undefined;
      if (room !== undefined) room.addNotice(noticeLine(text));
      else this.say(text);
    }

    historyEnd(object) {
      const room = this.room(object.room, false);
      if (room === null) return;
      if ("missed" in object && typeof object.text === "string") room.addNotice(noticeLine(object.text));
      const expected = room.expect.shift();
      if (expected === undefined || expected.kind === "older") {
        // A join's replay or a page of older lines: "Load older messages" goes once nothing earlier is kept.
        if (object.earlier === false) room.exhausted = true;
        if (expected !== undefined) room.older = Math.max(0, room.older - 1);
        if (room === this.current) this.view.header();
      } else if (expected.kind === "around") {
        room.older = Math.max(0, room.older - 1);
        if (room === this.current) this.view.header();
        if (expected.id && room === this.current) {
          room.highlight(expected.id);
          room.lines.get(expected.id)?.setAttribute("tabindex", "-1");
          room.lines.get(expected.id)?.focus({ preventScroll: true });
        }
      }
    }

    /** The end of a page of private messages: one the page asked for (`pageBefore`) says whether older ones are kept. */
    privateEnd(object) {
      const key = typeof object.nick === "string" ? conversationKey("private", object.nick) : "";
      const conversation = this.conversations.get(key);
      if (conversation === undefined || conversation.expect.shift() === undefined) return;
      conversation.older = Math.max(0, conversation.older - 1);
      if (object.earlier === false) conversation.exhausted = true;
      if (conversation === this.current) this.view.header();
    }

    /**
     * Ask for a page of the lines before the oldest shown, in one request:
     * /history before its id, whatever else was sent meanwhile. With no line
     * shown yet, the latest lines.
     */
    older(conversation) {
      if (!conversation.pageable || conversation.exhausted || conversation.older > 0) return;
      this.pageBefore(conversation, conversation.oldestKept, OLDER_PAGE);
    }

    /** Ask for the `count` lines of `conversation` before the id `before` ("": its latest); its end is awaited. */
    pageBefore(conversation, before, count) {
      conversation.expect.push({ kind: "older" });
      conversation.older += 1;
      const name = conversation.kind === "room" ? conversation.name : `@${conversation.name}`;
      this.send(`/history ${name}${before ? ` before ${before}` : ""} ${count}`);
      this.view.header();
    }
  };

/** Offer notifications where the browser has them and the user has not been asked yet. */
export function offerNotifications() {
  $("notify").hidden = !("Notification" in window) || Notification.permission !== "default";
}

/** A browser notification for a mention while the tab is hidden: only if the user allowed them. */
function notify(conversation, object) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const title = conversation.kind === "room" ? `${object.nick} in ${conversation.name}` : `${object.nick} (private)`;
  const shown = new Notification(title, { body: typeof object.text === "string" ? object.text : "", tag: conversation.key });
  shown.addEventListener("click", () => window.focus());
}
