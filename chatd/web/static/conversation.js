// One conversation the page shows: a room, or the private messages with one
// nickname. It owns its log (a role=log list kept in order of the events'
// ids, which sort as the events happened, with each line of the page's own
// where the moment it was said sorts among them: clock.js), its unread and
// mention counts, what the user typed there and did not send, and for a
// room its members with their standing, its topic, the last line seen there
// (what the page names when it resumes after a reconnection) and whether the
// user is in it, out of it, or cut off from it by a dropped connection.
// The log is bounded (LOG_LINES): its oldest lines go as new ones come, and
// come back as the reader scrolls up, as lines older than a room's join's
// replay, or than a private conversation's first page, do.

import { el, fold } from "./dom.js";

/**
 * Lines a log keeps while its reader is at its end: past it, the oldest go
 * from the page (they come back from /history as the reader scrolls up).
 * A room flooded for hours, or a tab left open all week, held every line in
 * the DOM and slowed the tab; 2,000 lines are hours of a busy room, more than
 * a reader scrolls back through before reaching for the search box.
 */
export const LOG_LINES = 2000;

let noticeCounter = 0;

export class Conversation {
  constructor(kind, name, clock) {
    this.kind = kind; // "room" or "private"
    this.name = name;
    this.clock = clock; // the server's, as the page tells it (clock.js): where the page's own lines go
    this.key = conversationKey(kind, name);
    this.log = el("ol", { class: "log", role: "log", "aria-label": logLabel(kind, name), tabindex: "0" });
    this.keys = []; // the sort key of each line of the log, in order
    this.lines = new Map(); // event id -> <li>
    this.unread = 0;
    this.mentions = 0;
    this.members = []; // nicknames, in join order
    this.standing = new Map(); // folded nickname -> Set of "operator", "voice": what /who marks @ and +
    this.memberPages = []; // pages of a /who answer being gathered
    this.crowd = 0; // a big room's number of members (its list grows a page at a time, as asked); 0 for a room told every join
    this.topic = "";
    this.lastSeen = ""; // id of the latest line said or acted seen here
    this.newest = ""; // the latest point in the log: the id of its latest event, or where a notice after it went
    this.oldestKept = ""; // id of the oldest line said or acted here (of any event, once lines are trimmed): /history before it goes back
    this.exhausted = false; // no earlier lines are kept
    this.older = 0; // /history answers awaited for older lines
    this.fetched = false; // a private conversation's kept messages were asked for (the user identified): older ones page back
    // A room's standing for the user: "joined" (in it now), "left" (out of it: left, kicked, never joined,
    // or not taken back after a reconnection), or "disconnected" (in it when the connection dropped, or
    // before the tab was reloaded, and asked back into it). A private conversation is always "joined".
    this.state = kind === "private" ? "joined" : "left";
    this.listItem = null;
    this.draft = ""; // what the user typed here and did not send, while another conversation is shown
    this.stickToBottom = true;
    this.unseenBelow = false; // lines came after the last one in view while the reader was scrolled up
    this.log.addEventListener("scroll", () => {
      this.stickToBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 24;
      if (this.stickToBottom) this.unseenBelow = false;
    });
  }

  /** Whether the user is in this room now (a private conversation: always); not while the connection is down. */
  get joined() {
    return this.state === "joined";
  }

  /**
   * Whether older lines may be asked for here (/history before the oldest
   * shown): in a room the user is in, or in a private conversation whose
   * kept messages the page asked for, the user being identified.
   */
  get pageable() {
    return this.kind === "room" ? this.joined : this.fetched;
  }

  /** The person of this private conversation is now `name`: it goes on under that name, as an IRC client's query does. */
  rename(name) {
    this.name = name;
    this.key = conversationKey(this.kind, name);
    this.log.setAttribute("aria-label", logLabel(this.kind, name));
  }

  /**
   * Take in the private conversation `other`: its lines where they sort
   * (an event in both shown once), its unread counts and its draft after
   * this one's. Its person took this conversation's nickname, and the page
   * keeps one conversation a nickname.
   */
  absorb(other) {
    const lines = [...other.log.children];
    other.keys.forEach((key, at) => {
      if (other.lines.has(key)) this.addEvent(key, lines[at]);
      else this.insert(key, lines[at]);
    });
    this.unread += other.unread;
    this.mentions += other.mentions;
    this.draft = [this.draft, other.draft].filter(Boolean).join("\n");
  }

  /** Whether the log already shows the event with `id`. */
  has(id) {
    return this.lines.has(id);
  }

  /** Put an event's line where its id sorts; a line already shown is not shown twice. False then. */
  addEvent(id, line) {
    if (typeof id === "string" && id) {
      if (this.lines.has(id)) return false;
      this.lines.set(id, line);
      if (id > this.newest) this.newest = id;
      this.insert(id, line);
    } else {
      this.addNotice(line);
    }
    return true;
  }

  /**
   * Put a notice (no id) where the moment it shows sorts among the events,
   * and after everything shown so far: what the page loads later and what
   * happened before it (older lines, those said while the page was away)
   * goes above it. It went after the newest event shown, so a log still
   * empty put "You are identified" above the history loaded just after it.
   */
  addNotice(line) {
    noticeCounter += 1;
    const said = this.clock.point(shownAt(line));
    if (said > this.newest) this.newest = said;
    this.insert(`${this.newest}~${String(noticeCounter).padStart(8, "0")}`, line);
  }

  /** Whether `line` is the last line of the log, the one a reader at its end sees last. */
  endsWith(line) {
    return this.log.lastElementChild === line;
  }

  /** Note a line said or acted here, from history or live: the latest is where a resume starts. */
  saw(id) {
    if (typeof id !== "string" || !/^[0-9A-Za-z]{1,64}$/.test(id)) return;
    if (id > this.lastSeen) this.lastSeen = id;
    if (!this.oldestKept || id < this.oldestKept) this.oldestKept = id;
  }

  insert(key, line) {
    // Most lines are the newest: look from the end.
    let at = this.keys.length;
    while (at > 0 && this.keys[at - 1] > key) at -= 1;
    const before = this.log.children[at] ?? null;
    const atBottom = this.stickToBottom;
    const fromBottom = this.log.scrollHeight - this.log.scrollTop;
    this.keys.splice(at, 0, key);
    this.log.insertBefore(line, before);
    // A reader scrolled up keeps every line, those read and those loaded above them; a log not shown has no reader.
    if (before === null && (atBottom || !this.log.isConnected)) this.trim();
    if (atBottom) {
      this.log.scrollTop = this.log.scrollHeight;
    } else if (before !== null) {
      // A line put above what the reader looks at must not move it.
      this.log.scrollTop = this.log.scrollHeight - fromBottom;
    } else {
      // Nor does a new line at the end pull a reader who scrolled up down to it: the view offers the way down.
      this.unseenBelow = true;
    }
  }

  /**
   * Drop the oldest lines past LOG_LINES, from the log and from `keys` and
   * `lines`: an event dropped is shown again when /history brings it back.
   * The oldest line left is then where /history goes back from, and earlier
   * lines are kept again. Not while a page of older lines or the lines around
   * a search hit are awaited: they would come above a gap where lines went.
   */
  trim() {
    const over = this.keys.length - LOG_LINES;
    if (over <= 0 || this.older > 0) return;
    for (const key of this.keys.splice(0, over)) {
      this.lines.delete(key);
      this.log.firstElementChild.remove();
    }
    this.exhausted = false;
    this.oldestKept = this.keys.find((key) => this.lines.has(key)) ?? "";
  }

  scrollToEnd() {
    this.stickToBottom = true;
    this.unseenBelow = false;
    this.log.scrollTop = this.log.scrollHeight;
  }

  /** Show the line of event `id` in the middle of the log, marked, and no other marked. */
  highlight(id) {
    for (const marked of this.log.querySelectorAll(".found")) marked.classList.remove("found");
    const line = this.lines.get(id);
    if (line === undefined) return false;
    line.classList.add("found");
    this.stickToBottom = false;
    line.scrollIntoView({ block: "center" });
    return true;
  }

  hasMember(nick) {
    const folded = fold(nick);
    return this.members.some((member) => fold(member) === folded);
  }

  /** The members now, as a whole list of the room (or its first page) says: the standing of anyone not in it goes. */
  setMembers(nicks) {
    this.members = nicks;
    const kept = new Set(nicks.map(fold));
    for (const folded of this.standing.keys()) {
      if (!kept.has(folded)) this.standing.delete(folded);
    }
  }

  /** A member who joins holds only the standing the join gives: a returning member's old one went as they left. */
  addMember(nick, operator = false) {
    if (!this.hasMember(nick)) this.members.push(nick);
    this.standing.delete(fold(nick));
    if (operator) this.setStanding(nick, "operator", true);
  }

  removeMember(nick) {
    const folded = fold(nick);
    this.members = this.members.filter((member) => fold(member) !== folded);
    this.standing.delete(folded);
  }

  renameMember(old, renamed) {
    const folded = fold(old);
    this.members = this.members.map((member) => (fold(member) === folded ? renamed : member));
    // The new nickname holds what the old one held, and nothing noted before under it.
    const held = this.standing.get(folded);
    this.standing.delete(folded);
    this.standing.delete(fold(renamed));
    if (held !== undefined) this.standing.set(fold(renamed), held);
  }

  /** Give (`on`) or take `nick`'s standing: `setting` is "operator" or "voice", as the server names them. */
  setStanding(nick, setting, on) {
    const folded = fold(nick);
    const held = this.standing.get(folded) ?? new Set();
    if (on) held.add(setting);
    else held.delete(setting);
    if (held.size) this.standing.set(folded, held);
    else this.standing.delete(folded);
  }

  /** The standing a page of /who gives its nicknames: the server's word on each, whatever the page thought. */
  listStanding(nicks, operators, voiced) {
    const ops = new Set(operators.map(fold));
    const voices = new Set(voiced.map(fold));
    for (const nick of nicks) {
      this.setStanding(nick, "operator", ops.has(fold(nick)));
      this.setStanding(nick, "voice", voices.has(fold(nick)));
    }
  }

  /** Whether `nick` holds operator standing here, as the page knows it: what lets them delete others' lines and take
   * down others' offers (the server decides, and refuses the rest). */
  holdsOperator(nick) {
    return this.standing.get(fold(nick))?.has("operator") === true;
  }

  /** `nick`'s marks, /who's symbols for each standing held, an operator's first: "@", "+", "@+" or "". */
  marks(nick) {
    const held = this.standing.get(fold(nick));
    if (held === undefined) return "";
    return (held.has("operator") ? "@" : "") + (held.has("voice") ? "+" : "");
  }
}

/** The moment `line` shows in its stamp (lines.js), when it was made: now for one with none. */
function shownAt(line) {
  const shown = line.querySelector("time")?.dateTime;
  const when = shown ? new Date(shown) : new Date();
  return Number.isNaN(when.getTime()) ? new Date() : when;
}

/** What a screen reader names the log of the conversation `name`. */
function logLabel(kind, name) {
  return kind === "room" ? `Messages in ${name}` : `Private messages with ${name}`;
}

export function conversationKey(kind, name) {
  return (kind === "room" ? "" : "@") + fold(name);
}
