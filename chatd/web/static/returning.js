// Coming back after a dropped connection or a reload (kept.js keeps the
// tab's state): what the page holds when the connection goes, the greeting
// that names each room to return to with the last line seen there
// (docs/PROTOCOL.md, Resuming) before the nickname, the conversation shown
// before shown again, and the end of it all after the user's own /quit.

import { conversationKey } from "./conversation.js";
import { $ } from "./dom.js";
import * as tab from "./kept.js";
import { noticeLine } from "./lines.js";

/** What the log says when the connection stopped answering (docs/PROTOCOL.md, "Liveness"). */
const STALLED = "The connection is not answering; reconnecting…";

/** What the log says when the server went away without a word: killed, or the network dropped. */
const GONE = "The server went away without warning: it may have stopped suddenly, or the network dropped. The page keeps trying to reconnect.";

/** Losing the connection and coming back, after a drop or a reload: a part of app.js's Chat. */
export const Returning = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.noted = false; // the /resume lines were sent on this connection: a nickname sent again needs none
      this.reshow = null; // {kind, name}: the conversation shown before the tab was reloaded, to show once back in
    }

    /**
     * After a reload, go back to where the tab was (kept.js) as after a
     * dropped connection: its nickname is asked for by itself, with its rooms
     * to come back to, and its rooms and private conversations are listed
     * again, in their order, the rooms as disconnected until they are joined.
     * A tab kept in no room comes back in none (`/resume` alone), as after a
     * dropped connection.
     */
    recall() {
      const state = tab.kept();
      if (state === null) return;
      this.wanted = state.nick;
      $("login-nick").value = state.nick;
      // No line was seen yet in this page: each room comes back with its last lines, not what was missed.
      this.plan = state.rooms.map((name) => this.room(name));
      for (const room of this.plan) room.state = "disconnected";
      for (const nick of state.privates) this.privateWith(nick);
      this.reshow = state.shown;
    }

    /** Keep where the user is for a reload of this tab: their nickname, rooms, private conversations and the one shown. */
    keepTab() {
      const nick = this.me ?? this.wanted;
      let rooms = this.plan;
      if (this.me !== null) {
        const joined = this.rooms().filter((room) => room.joined);
        // In no room only once the server says so: just named, the first join may still be coming.
        rooms = joined.length || this.nowhere ? joined : null;
      }
      // Not yet in (a nickname refused, or the first join still to come): what was kept stays.
      if (this.left || nick === null || rooms === null) return;
      const shown = this.current === null ? null : { kind: this.current.kind, name: this.current.name };
      const privates = this.all().filter((conversation) => conversation.kind === "private");
      tab.keep({ nick, rooms: rooms.map((room) => room.name), privates: privates.map((conversation) => conversation.name), shown });
    }

    /**
     * The connection is down, the next attempt `seconds` away. `broken`: it
     * was up, and the server closed it without a word (a shutdown says
     * "Server shutting down. Goodbye." before it closes): the log says so
     * where the user reads, as the status line's "Disconnected" alone did not.
     * `stalled`: the page gave up a socket that answered nothing; the message
     * sent last and not seen back is put back in the message box, as it may
     * not have reached the server.
     */
    lost(seconds, failures, broken, stalled = false) {
      if (stalled && this.me !== null) this.say(STALLED);
      else if (broken && this.me !== null) this.say(GONE);
      if (stalled) this.giveBackStalled();
      if (this.me !== null) {
        // Where the user was, to go back to: each room with the last line seen there.
        this.plan = this.rooms().filter((room) => room.joined);
        this.wanted = this.me;
      }
      this.me = null;
      this.asked = false;
      this.resuming = [];
      this.noted = false;
      this.awaited = [];
      this.unsent = null;
      this.proving = [];
      this.givenUp = null;
      this.serverRoom = null;
      this.nowhere = false;
      this.files.lost();
      this.encryption.lost();
      // The link's joins still waiting went with the connection: what it could not do so far is said.
      if (this.linking !== null) this.linking.waiting = [];
      this.linkAnswered();
      // The server forgot the search with the connection: its answer will not come.
      if (this.searching) this.unsearched("the connection dropped. Search again once reconnected.");
      for (const conversation of this.all()) {
        // Not left: the page asks to be put back in a room (greet). No page asked for comes.
        if (conversation.kind === "room" && conversation.joined) conversation.state = "disconnected";
        conversation.older = 0;
        conversation.expect = [];
      }
      this.enableComposer();
      this.view.list(this.all());
      this.view.header();
      const again = failures > 1 ? ` (attempt ${failures})` : "";
      this.view.say(`Disconnected. Reconnecting in ${Math.max(1, Math.round(seconds))} s${again}…`);
    }

    /**
     * The message sent last, not seen back before the socket stalled, in the message box again if the user has
     * not moved on: it may have reached the server or not, and what was missed, shown once back, says which.
     */
    giveBackStalled() {
      const unsent = this.unsent;
      const box = $("composer-text");
      if (unsent === null || unsent.conversation !== this.current || box.value !== "" || box.disabled) return;
      box.value = unsent.text;
      this.say("Your last message was not seen back from the server before the connection stalled: it is back in the message box. Send it again if it is not among what you missed.", "error");
    }

    /** The connection closed after the user's own /quit: the page does not come back, so nothing typed could be sent. */
    ended() {
      this.me = null;
      this.token = null;
      this.plan = null;
      this.left = true;
      tab.forget();
      this.awaited = [];
      this.unsent = null;
      this.encryption.lost();
      for (const room of this.rooms()) room.state = "left";
      this.enableComposer();
      this.view.list(this.all());
      this.view.header();
      this.view.members();
      this.view.say("You left the chat. Reload the page to come back.");
    }

    /** The server closed a connection that chose no nickname in time: the page connects again for the user's. */
    held() {
      if (this.asked) {
        // The nickname went out as the socket closed: send it on a new one.
        this.link.now();
        return;
      }
      this.view.say("Choose a nickname to connect.");
    }

    /**
     * The lines that name the user: for one coming back, first each room to
     * come back to, with the last line seen there where the page has one
     * (docs/PROTOCOL.md, Resuming), the room shown last so that the server
     * makes it current; `/resume` alone for none. The nickname then puts the
     * user in exactly those rooms: entering the default room and leaving it
     * again was a join and a part everyone there saw.
     */
    greet() {
      const rooms = this.plan === null || this.noted ? [] : returning(this.plan, this.reshow ?? this.current);
      const lines = rooms.map((room) => (room.lastSeen ? `/resume ${room.name} ${room.lastSeen}` : `/resume ${room.name}`));
      // `/resume` alone for no room, else the server would put the user in the default room.
      if (this.plan !== null && !this.noted && rooms.length === 0) lines.push("/resume");
      this.resuming = lines.length === rooms.length ? rooms : [null];
      // Noted once a connection: a nickname refused (its password asked for) leaves the notes with the server, and
      // noting them again cost as many lines of flood budget more: 20 rooms were 40 /resume lines, told "You are
      // sending faster than the server allows" (docs/PROTOCOL.md, Resuming: the first 20 are free).
      this.noted = this.plan !== null;
      // /nick, not the bare name: a nickname such as "exit" must not read as a command.
      // The account proves itself by its own name, whatever the user was called when the connection dropped.
      // Spelt as its owner spells it, since the server's answers name it as typed: "wrong password, or aisha is not
      // registered" was shown to Aisha.
      // A socket that died without a word may hold the nickname still, up to a minute: its token takes its place at
      // once (docs/PROTOCOL.md, Taking over a dropped connection). Sent once: a refusal asks for the nickname (notices.js).
      const token = this.token;
      this.token = null;
      const naming = token !== null && this.automatic ? `/takeover ${this.wanted} ${token}` : `/nick ${this.wanted}`;
      lines.push(this.password ? `/identify ${this.accountName ?? this.wanted} ${this.password}` : naming);
      if (this.password) this.proving.push({ change: "identified", password: this.password });
      this.asked = true;
      for (const line of lines) this.link.send(line);
    }

    /**
     * Named again, coming back: the server now puts the user in the rooms
     * the greeting named, and reads what the page sends next once they are
     * joined, so the plan is done with.
     */
    restore() {
      this.plan = null;
      this.showAgain();
      // Back in the rooms the offers went to: uploads and downloads go on.
      this.files.back();
    }

    /**
     * The server refused to note `room` for the nickname to put the user
     * back in (`text`: a name a restarted daemon no longer takes, say): it
     * reads as left, and is not asked for again; the login goes on.
     */
    notRejoined(room, text) {
      room.state = "left";
      this.plan = this.plan?.filter((planned) => planned !== room) ?? null;
      this.view.list(this.all());
      if (room === this.current) this.view.members();
      const words = `${room.name} could not be rejoined: ${text}`;
      if (this.current === null) {
        // A reloaded tab shows nothing yet: said in the first conversation shown, as an account's notice is.
        this.early.push(noticeLine(words, "error"));
        return;
      }
      // In the room's own log, and in the conversation shown, which may be another.
      if (room !== this.current) room.addNotice(noticeLine(words, "error"));
      this.say(words, "error");
    }

    /** After a reload, show the conversation shown before it (a room is listed already, and joined as the server answers). */
    showAgain() {
      const shown = this.reshow;
      this.reshow = null;
      const room = shown?.kind === "room" ? this.room(shown.name, false) : null;
      if (shown?.kind === "private") this.show(this.privateWith(shown.name), true);
      else if (room !== null) this.show(room, true);
    }
  };

/**
 * The order in which to name `rooms` (Conversations, in join order) with `/resume` for a user coming back:
 * `shown` ({kind, name}), if one of them, last, as the server makes the last room it joins current.
 */
function returning(rooms, shown) {
  const last = shown?.kind === "room" ? conversationKey("room", shown.name) : null;
  return [...rooms.filter((room) => room.key !== last), ...rooms.filter((room) => room.key === last)];
}
