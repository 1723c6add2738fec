// chatd's page: one more front end of the same rooms, over a WebSocket that
// carries the line protocol's JSON form (docs/PROTOCOL.md, "JSON lines").
// The page sends each line as a user of nc would type it (in a private
// conversation, a command that would act on the server's current room must
// name its room: typed.js), and keeps what it shows from the objects the
// server sends: who the user is, which rooms they are in, the last line seen
// in each (so that coming back after a dropped connection shows exactly what
// was missed: /resume), and what is unread. The answers to commands the user
// typed are shown where they were typed (answers.js).
//
// This module holds the state the chat's parts share, its connection and the
// table of what each server object does; the rest of the chat is in its
// parts (PARTS), a module each, with the state only it uses:
// conversations.js, returning.js, login.js, notices.js, membership.js,
// linkjoins.js, logs.js, deletions.js, search.js, composer.js and forms.js.

import { ServerClock } from "./clock.js";
import { Composer } from "./composer.js";
import { Conversations } from "./conversations.js";
import { Deletions } from "./deletions.js";
import { fold } from "./dom.js";
import { Encryption } from "./encryption.js";
import { Transfers } from "./files.js";
import { Forms } from "./forms.js";
import { Link } from "./link.js";
import { LinkJoins } from "./linkjoins.js";
import { Login } from "./login.js";
import { Logs } from "./logs.js";
import { Membership } from "./membership.js";
import { Notices } from "./notices.js";
import { composed } from "./parts.js";
import { Returning } from "./returning.js";
import { Search } from "./search.js";
import { View } from "./view.js";

/** The chat's parts, a module each (parts.js), in the order a session meets them. */
const PARTS = [Conversations, Returning, Login, Notices, Membership, LinkJoins, Logs, Deletions, Search, Composer, Forms];

class Chat extends composed(PARTS) {
  constructor() {
    super();
    this.view = new View({
      show: (conversation) => this.show(conversation, true),
      leave: (conversation) => this.leave(conversation),
      whisper: (nick) => this.show(this.privateWith(nick), true),
      more: (room) => this.more(room),
    });
    this.link = new Link({
      opened: () => this.opened(),
      received: (object) => this.receive(object),
      lost: (seconds, failures, broken, stalled) => this.lost(seconds, failures, broken, stalled),
      ended: () => this.ended(),
      held: () => this.held(),
    });
    this.files = new Transfers({
      // In the chat only: a file line before the nickname is answered need-nick, which answers nothing it awaits.
      send: (line) => this.online && this.link.send(line),
      ask: (line) => this.send(line),
      notSent: () => this.notSent(),
      conversationFor: (object) => this.fileConversation(object),
      mine: (nick) => this.mine(nick),
      mayTakeDownIn: (conversation) => this.moderates(conversation),
      say: (text, kind) => this.say(text, kind),
    });
    this.encryption = new Encryption(
      {
        send: (line) => this.link.send(line),
        privateWith: (nick) => this.privateWith(nick),
        mine: (nick) => this.mine(nick),
        say: (text, kind) => this.say(text, kind),
        current: () => this.current,
        shown: (conversation, object, line) => this.event(conversation, object, !this.mine(object.nick), line),
      },
      fold,
    );
    this.clock = new ServerClock(); // where the page's own lines go among the server's events
    this.conversations = new Map(); // key -> Conversation, rooms in join order
    this.current = null; // the Conversation shown
    this.me = null; // the nickname the server gave, while connected
    this.serverOperator = false; // the user is an operator, as /oper's answer or "You are NICK." said (notices.js)
    this.wanted = null; // the nickname to ask for (the user's, then the server's)
    this.password = null; // kept in memory only, to identify again after a reconnection: given at the login, or confirmed by the server
    this.proving = []; // lines sent that prove a password once the server confirms them: {change, password}, oldest first
    this.givenUp = null; // {account, password} an /unregister here dropped, in case the server takes it back
    this.asked = false; // a nickname was sent and not answered yet
    this.resuming = []; // the rooms of the /resume lines sent before it and not answered yet, in order (null: /resume alone)
    this.automatic = false; // ... by the page itself, coming back
    this.typedLogin = false; // the nickname to ask for is one the user gave at the login, since the page was last named
    this.token = null; // the takeover token of the socket last named, sent once coming back by itself (returning.js); memory only
    this.nickRetries = 0; // nickname asked again while the server still held it, with no token (notices.js)
    this.serverRoom = null; // folded name of the room plain lines go to, as the server keeps it
    this.nowhere = false; // the server said the user is in no room, and nothing joined since
    this.plan = null; // where the user was when the connection dropped, or before the tab was reloaded: [rooms], in join order
    this.switchTo = null; // folded name of a room the user asked to join: shown once joined
    this.linking = null; // {waiting, shown, refusals} while the server answers the link's joins (followLink)
    this.searched = null; // the room whose search results the panel shows, or null while it is closed
    this.searching = false; // ... and its search was sent, and not yet answered
    this.searchedWords = ""; // ... the words it looks for, as typed
    this.searchEarlier = null; // ... the id its "Older results" asks before (the server's `earlier`), or null
    this.hitsFound = 0; // ... and how many its pages found
    this.pageFrom = 0; // ... the place in its list of the first hit of the page last asked for
    this.mention = null; // RegExp finding the user's nickname as a word
    this.wasConnected = false;
    this.early = []; // notices said before any conversation was shown
    this.account = null; // the account identified to, whose private messages the server keeps
    this.accountName = null; // ... as its owner spells it ("MrSmith"; the account is the server's key, "mrsmith")
    this.loginField = "login-nick"; // the login box's field for the user to fill next: the password's, for a registered nickname
    this.unsent = null; // {text, conversation}: a message sent and not yet seen back, which a refusal puts back in the message box
    this.left = false; // the user left the chat (/quit): the page stays as it was, and sends nothing more
    this.awaited = []; // answers to commands the user typed that are to be shown: {type, room or nick}, in order
  }

  start() {
    this.bindForms();
    this.recall();
    this.view.say("Connecting…");
    this.link.start();
  }

  // ---- the connection ----

  /**
   * Whether the user is in the chat now: connected and named. The one
   * place the page asks: until then nothing but the greeting goes out (the
   * server would read a line as the nickname), and a room the user was in
   * reads "disconnected", never left.
   */
  get online() {
    return this.me !== null;
  }

  opened() {
    this.clock.connected();
    this.view.say(this.wasConnected ? "Connected again; coming back in…" : "Connected.");
    this.wasConnected = true;
  }

  send(line) {
    if (this.online && this.link.send(line)) return true;
    this.notSent();
    return false;
  }

  /** Say in the status line why what the user asked for did not reach the server. */
  notSent() {
    // After /quit nothing comes back by itself (the join box stays usable to say so; the search box says it in its results).
    this.view.say(this.left ? "You left the chat: that was not sent. Reload the page to come back." : "Not connected: that was not sent. Reconnecting…");
  }

  // ---- what the server sends ----

  receive(object) {
    const type = object.type;
    if (typeof type !== "string") return;
    this.clock.heard(object);
    if (object.search === true) {
      this.found(object);
      return;
    }
    const handler = HANDLERS[type];
    if (handler !== undefined) handler.call(this, object);
    // Unknown types are left alone: a newer server may send more.
  }
}

const HANDLERS = {
  notice: Chat.prototype.notice,
  error: Chat.prototype.error,
  said: Chat.prototype.said,
  acted: Chat.prototype.said,
  whispered: Chat.prototype.whispered,
  joined: Chat.prototype.joined,
  parted: Chat.prototype.parted,
  kicked: Chat.prototype.parted,
  quit: Chat.prototype.quit,
  nick_changed: Chat.prototype.renamed,
  members: Chat.prototype.members,
  crowd_tallied: Chat.prototype.tallied,
  topic: Chat.prototype.topic,
  topic_changed: Chat.prototype.topic,
  topic_locked: Chat.prototype.inRoom,
  room_modes_changed: Chat.prototype.standing,
  room_registered: Chat.prototype.inRoom,
  room_unregistered: Chat.prototype.inRoom,
  room_operator_added: Chat.prototype.standing,
  room_operator_removed: Chat.prototype.standing,
  room_registration_not_kept: Chat.prototype.standing,
  invited: Chat.prototype.invited,
  deleted: Chat.prototype.deleted,
  nickname_claimed: Chat.prototype.general,
  password_set: Chat.prototype.general,
  walled: Chat.prototype.general,
  shutting_down: Chat.prototype.general,
  banned: Chat.prototype.takenOff,
  killed: Chat.prototype.takenOff,
  muted: Chat.prototype.general,
  unmuted: Chat.prototype.general,
  kept: Chat.prototype.kept,
  // Answers only a command the user typed asks for: shown as they come.
  room_list: Chat.prototype.answer,
  user_list: Chat.prototype.answer,
  whois: Chat.prototype.answer,
  server_time: Chat.prototype.answer,
  room_modes: Chat.prototype.answer,
  room_ban_list: Chat.prototype.answer,
  ban_list: Chat.prototype.answer,
  ban: Chat.prototype.answer,
  away: Chat.prototype.away,
  keys(object) {
    this.encryption.keys(object);
  },
  key_log(object) {
    this.encryption.keyLog(object);
  },
  encrypted(object) {
    this.encryption.received(object);
  },
  file_upload(object) {
    this.files.uploadStarts(object);
  },
  file_progress(object) {
    this.files.uploadProgress(object);
  },
  file_uploaded(object) {
    this.files.uploaded(object);
  },
  file_offered(object) {
    this.files.offered(object);
  },
  file_chunk(object) {
    this.files.chunk(object);
  },
  file_sent(object) {
    this.files.sent(object);
  },
  file_fetched(object) {
    this.files.fetched(object);
  },
  file_declined(object) {
    this.files.declined(object);
  },
  file_cancelled(object) {
    this.files.cancelled(object);
  },
  file_expired(object) {
    this.files.expired(object);
  },
  file_list(object) {
    this.files.listed(object);
  },
};

export const chat = new Chat();
chat.start();
// For tests and the curious: the state the page keeps, read-only by convention.
window.chatd = chat;
