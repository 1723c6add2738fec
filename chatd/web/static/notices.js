// The server's notices and errors (docs/PROTOCOL.md, JSON lines): each
// `notice` by its kind (the greeting, the prompt, the room plain lines go
// to, the account, ...) and each `error` to what it answers: a file, an
// encrypted message, a join of a link, a room noted to come back to, the
// nickname asked for (with the login's own words for it), or the oldest
// command typed that awaits an answer.

import { $, el, fold } from "./dom.js";

/** What the page says when the server slows its connection (a `flood` notice): older messages loaded quickly do it. */
const SLOWED = "The server is slowing this page down: too much was asked at once (loading older messages counts), so what comes next waits its turn.";

/**
 * Attempts to take the nickname back, with no takeover token, while the server still holds it: after a reload the
 * tab's old socket is closing as the new one asks (a tab keeps no token across a reload: kept.js keeps no secret).
 */
const NICK_RETRIES = 5;

/** The server's refusals of the takeover token the page came back with: the socket it was for is gone (a restart, say). */
const TAKEOVER_REFUSALS = new Set(["takeover-failed", "takeover-throttled"]);

/**
 * What the login says when the password the page kept (login.js) is refused as it comes back by itself: the
 * server's "wrong password, or alice is not registered" answered a password the user typed nowhere in sight.
 */
const STALE_PASSWORD = "Your password was not accepted; it may have been changed. Type it again.";

/** Errors that refuse a message the user sent: its text comes back to the message box. */
const REFUSING = new Set(["bad-text", "line-too-long", "message-too-big", "muted", "moderated", "registered-speech", "banned-from-room", "no-room", "not-in-room", "no-such-nick", "mailbox-full"]);

/** The server's notice and error objects, each to what it answers: a part of app.js's Chat. */
export const Notices = (Base) =>
  class extends Base {
    notice(object) {
      const text = typeof object.text === "string" ? object.text : "";
      switch (object.kind) {
        case "welcome":
          $("welcome").textContent = text;
          this.files.welcome(object);
          $("motd").replaceChildren();
          return;
        case "motd":
          $("motd").append(el("li", {}, text));
          return;
        case "prompt":
          if (this.wanted !== null) {
            // A nickname the user typed while no socket was up is theirs, not the page's coming back.
            this.automatic = this.plan !== null && !this.typedLogin;
            this.greet();
          } else {
            this.view.say("Connected. Choose a nickname.");
            // The login keeps the refusal that came with this prompt, if any.
            this.enableLogin(true);
          }
          return;
        case "nick":
          // Each "You are NICK." hands a new takeover token: the one to come back with (returning.js).
          if (typeof object.token === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(object.token)) this.token = object.token;
          this.named(object.nick);
          // A new user is no operator; one taken over, or an account's joined online elsewhere, may be. Said once
          // named: what the standing lets the user do is theirs to do, by the nickname now.
          this.operatorStanding(object.operator === true);
          return;
        case "oper":
          this.operatorStanding(true);
          this.say(text);
          return;
        case "room": {
          this.serverRoom = typeof object.room === "string" ? fold(object.room) : null;
          this.nowhere = this.serverRoom === null;
          // "Now talking in #dev" follows what the page did; "You are in no room" is news (kicked from the last
          // one, back in none): said in the log shown, and where the log would be while none is.
          if (this.nowhere) {
            this.view.nothingShown(text);
            if (this.current !== null) this.say(text);
          }
          this.enableComposer();
          // The answer to a join of a room the user is in already: a room of the link's too.
          const room = this.serverRoom === null ? undefined : this.conversations.get(this.serverRoom);
          const linked = room !== undefined && this.tookLinked(room);
          if (this.switchTo !== null && this.serverRoom === this.switchTo) {
            this.switchTo = null;
            if (room !== undefined) this.show(room, true);
          } else if (linked) {
            this.show(room, true);
          }
          this.linkAnswered();
          return;
        }
        case "history_end":
          this.historyEnd(object);
          return;
        case "search_end":
          this.searchEnd(object);
          return;
        case "in_room": {
          // A room of the account's with no join of this tab's own (identified to it online elsewhere, or another
          // connection joined it): in it, its members to follow; plain lines go where they went ("room" says).
          const room = this.room(object.room);
          if (room !== null) this.entered(room, false);
          this.roomNotice(object.room, text);
          return;
        }
        case "big_room": {
          const room = this.room(object.room, false);
          if (room !== null && Number.isInteger(object.members)) room.crowd = object.members;
          this.roomNotice(object.room, text);
          return;
        }
        case "flood":
          // The server's words blame what the user sends; on the page it is mostly what the page asked for them
          // (a page of older messages costs 6 lines: docs/PROTOCOL.md, History), with nothing typed.
          this.say(SLOWED);
          return;
        case "bye":
          // The user's own /quit: the server closes, and the page does not come back by itself.
          this.link.stop();
          this.say(text);
          return;
        case "account": {
          const was = this.account;
          this.account = typeof object.account === "string" ? object.account : null;
          // Registering or identifying names the user by the account: their nickname then is its spelling.
          const named = (object.change === "registered" || object.change === "identified") && typeof object.nick === "string";
          if (this.account === null || this.account !== was) this.accountName = named ? object.nick : this.account;
          this.proven(object, was);
          this.say(text);
          this.encryption.identified(this.account);
          return;
        }
        case "private_end":
          if (this.typedFor(object)) this.say(text);
          else this.privateEnd(object);
          return;
        case "resume":
          // A room noted for the nickname to put the user back in (or, for /resume alone, none).
          this.resuming.shift();
          return;
        case "files_declined":
          // The count of a /file decline * typed here: each offer it declined was told, and ended, before it.
          this.files.declinedEvery();
          this.say(text);
          return;
        case "format":
          return;
        default:
          this.say(text);
      }
    }

    /** Whether the user is a server operator now (`operator`): every room's offers and others' lines get Take down
     * and delete, or lose them, as they now fit. */
    operatorStanding(operator) {
      if (operator === this.serverOperator) return;
      this.serverOperator = operator;
      for (const room of this.rooms()) this.standingChanged(room);
    }

    error(object) {
      const text = typeof object.text === "string" ? object.text : "Error";
      if (object.code === "register-timeout") {
        // A tab left at the login past the server's deadline: coming back by
        // itself would only meet the deadline again, so the page waits for a nickname.
        this.link.hold();
        return;
      }
      // It answers the oldest line waiting, or one sent before it: no password waiting is trusted.
      this.proving = [];
      if (this.me !== null && this.files.error(object)) return;
      if (this.me !== null && this.encryption.error(object)) return;
      if (this.me !== null && this.deleteRefused(object)) return;
      if (this.me !== null && this.refusedLinked(text)) return;
      if (this.me === null && this.resuming.length) {
        // Each /resume is answered before the nickname: this refusal is a room's, not the nickname's.
        const room = this.resuming.shift();
        if (room !== null) this.notRejoined(room, text);
        return;
      }
      if (this.me === null && this.asked) {
        this.asked = false;
        if (TAKEOVER_REFUSALS.has(object.code) && this.wanted !== null) {
          // The socket the token was for is gone: the nickname, asked for as ever (no prompt follows this refusal).
          this.asked = true;
          this.link.send(`/nick ${this.wanted}`);
          return;
        }
        if (this.automatic && object.code === "nick-in-use" && this.nickRetries < NICK_RETRIES) {
          // The server has not yet seen the old socket go: ask again after the next pause.
          this.nickRetries += 1;
          this.view.say(`${this.wanted} is still taken on the server; trying again…`);
          this.link.restart();
          return;
        }
        // The password the page kept, refused on coming back: an operator or the host may have reset it.
        const stale = this.automatic && object.code === "identify-failed";
        this.automatic = false;
        // A registered nickname the user may hold, or a password that did not take it: what is missing is its password.
        const password = (object.code === "nick-registered" && object.look_alike === false) || object.code === "identify-failed";
        this.loginField = password ? "login-password" : "login-nick";
        // A refused /identify is followed by no prompt, which would say this: "coming back in" stayed for good.
        this.view.say("Connected. Choose a nickname.");
        this.enableLogin(true, stale ? STALE_PASSWORD : loginRefusal(object, text));
        // One attempt: the server asks again (prompt) after a refusal, and
        // answering that with the same nickname repeated it until the server
        // cut the page off for flooding. The user chooses what comes next.
        this.wanted = null;
        this.password = null;
        return;
      }
      // Answers come in the order of the lines they answer: an error now is the
      // answer to the oldest command typed that still awaits one (or to a line before it).
      this.awaited.shift();
      if (REFUSING.has(object.code)) this.giveBack();
      // Refused words (more than 8, or none that show) end the search waiting in the results panel, which said "Searching…" for good.
      if (this.searching && object.code === "bad-search") this.unsearched(text);
      this.say(text, "error");
    }
  };

/**
 * What the login says of the refusal `object` of a nickname (whose sentence
 * is `text`): for a registered nickname a password takes, the page's own
 * words for its password box; the server's sentence tells nc users to type
 * /identify, a command the login has no place for.
 */
function loginRefusal(object, text) {
  if (object.code !== "nick-registered" || object.look_alike !== false || typeof object.nick !== "string") return text;
  return `${object.nick} is registered: enter its password, or choose another nickname.`;
}
