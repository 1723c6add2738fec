// One conversation the page shows: a room, or the private messages with one
// nickname. It owns its log (a role=log list kept in order of the events'
// ids, which sort as the events happened), its unread and mention counts,
// and for a room its members, its topic and the last line seen there (what
// the page names when it resumes after a reconnection).

import { el, fold } from "./dom.js";

let noticeCounter = 0;

const NO_ID = "0000000000000000";

export class Conversation {
  constructor(kind, name) {
    this.kind = kind; // "room" or "private"
    this.name = name;
    this.key = conversationKey(kind, name);
    this.log = el("ol", { class: "log", role: "log", "aria-label": kind === "room" ? `Messages in ${name}` : `Private messages with ${name}`, tabindex: "0" });
    this.keys = []; // the sort key of each line of the log, in order
    this.lines = new Map(); // event id -> <li>
    this.unread = 0;
    this.mentions = 0;
    this.members = []; // nicknames, in join order
    this.memberPages = []; // pages of a /who answer being gathered
    this.crowd = 0; // a big room's number of members (its list grows a page at a time, as asked); 0 for a room told every join
    this.topic = "";
    this.lastSeen = ""; // id of the latest line said or acted seen here
    this.newest = ""; // id of the latest event of any kind in the log
    this.oldestKept = ""; // id of the oldest line said or acted here: /history around it goes back
    this.exhausted = false; // no earlier lines are kept
    this.older = 0; // /history answers awaited for older lines
    this.joined = kind === "private"; // a room's: the user is in it now
    this.listItem = null;
    this.stickToBottom = true;
    this.log.addEventListener("scroll", () => {
      this.stickToBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 24;
    });
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

  /** Put a notice (no id) after everything shown so far. */
  addNotice(line) {
    noticeCounter += 1;
    this.insert(`${this.newest || NO_ID}~${String(noticeCounter).padStart(8, "0")}`, line);
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
    if (atBottom) {
      this.log.scrollTop = this.log.scrollHeight;
    } else if (before !== null) {
      // A line put above what the reader looks at must not move it.
      this.log.scrollTop = this.log.scrollHeight - fromBottom;
    }
  }

  scrollToEnd() {
    this.stickToBottom = true;
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

  addMember(nick) {
    if (!this.hasMember(nick)) this.members.push(nick);
  }

  removeMember(nick) {
    const folded = fold(nick);
    this.members = this.members.filter((member) => fold(member) !== folded);
  }

  renameMember(old, renamed) {
    const folded = fold(old);
    this.members = this.members.map((member) => (fold(member) === folded ? renamed : member));
  }
}

export function conversationKey(kind, name) {
  return (kind === "room" ? "" : "@") + fold(name);
}
