// One line of a conversation's log, built from a server object. Each field
// the server sent is put in as text (dom.js's el), whatever it holds.

import { el, linked } from "./dom.js";

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DATED = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A <time> for `at` (seconds since the epoch) in the reader's own zone; with the date unless today. */
export function stamp(at, now = new Date()) {
  const when = typeof at === "number" && Number.isFinite(at) ? new Date(at * 1000) : now;
  const words = sameDay(when, now) ? CLOCK.format(when) : DATED.format(when);
  return el("time", { datetime: when.toISOString(), title: when.toLocaleString() }, words);
}

function text(value) {
  return typeof value === "string" ? value : "";
}

function reason(value) {
  const said = text(value);
  return said ? ` (${said})` : "";
}

/**
 * What someone wrote (a message, a topic): its web addresses as links, unless `links` is false (in a search hit,
 * itself a button). A paste (lines joined by "\n") is marked so that its lines stand together after its writer's name
 * (style.css), none of them at the log's left edge where a line of its own starts.
 */
function written(value, links) {
  const said = text(value);
  return el("span", { class: said.includes("\n") ? "text paste" : "text" }, ...(links ? linked(said) : [said]));
}

function who(nick, extra = "") {
  return el("span", { class: `nick${extra}` }, text(nick));
}

/** A big room's tally: "12 joined, 3 left, 1 changed nickname; 5000 here now" (the server's own wording). */
function tally(object) {
  const counts = [
    [object.joined, "joined"],
    [object.left, "left"],
    [object.renamed, "changed nickname"],
  ].filter(([count]) => Number.isInteger(count) && count > 0);
  const said = counts.map(([count, what]) => `${count} ${what}`).join(", ") || "nobody came or went";
  return `${said}; ${Number.isInteger(object.members) ? object.members : "?"} here now`;
}

/** How a line says each change of a room's settings or standing (chatd/line/render.py's wording); {} is its argument. */
const CHANGES = {
  "invite_only true": "made the room invite-only",
  "invite_only false": "let anyone join the room",
  "key true": "set the room's key to {}",
  "key false": "removed the room's key",
  "limit true": "set the room's member limit to {}",
  "limit false": "removed the room's member limit",
  "moderated true": "made the room moderated",
  "moderated false": "let every member speak",
  "secret true": "made the room secret",
  "secret false": "made the room no longer secret",
  "registered_only true": "let only registered users in",
  "registered_only false": "let unregistered users in again",
  "registered_speech true": "let only registered members speak",
  "registered_speech false": "let unregistered members speak again",
  "operator true": "gave {} operator",
  "operator false": "took operator from {}",
  "voice true": "gave {} voice",
  "voice false": "took voice from {}",
  "ban true": "banned {}",
  "ban false": "lifted the ban on {}",
};

/** A room's changes in words: "made the room invite-only, gave bob operator". */
function changes(list) {
  const said = (Array.isArray(list) ? list : [])
    .map((change) => CHANGES[`${change?.setting} ${change?.on === true}`]?.replace("{}", text(change.argument)))
    .filter((words) => words !== undefined);
  return said.join(", ") || "changed nothing";
}

/** A registration put back after a change to it could not be saved: how it stands again. */
function undone(object) {
  if (typeof object.owner !== "string") return "not registered";
  const operators = Array.isArray(object.operators) ? object.operators.map(text).filter(Boolean) : [];
  return `registered to ${object.owner}` + (operators.length ? `, operators ${operators.join(", ")}` : "");
}

/** The body of an event line, or null for a type this page does not show in a log. */
function body(object, links) {
  const nick = object.nick;
  switch (object.type) {
    case "said":
      return [who(nick), el("span", { class: "sep" }, ": "), written(object.text, links)];
    case "acted":
      return [el("span", { class: "star", "aria-hidden": "true" }, "* "), who(nick), " ", written(object.text, links)];
    case "whispered": {
      const parts = [who(nick), el("span", { class: "arrow" }, " → "), who(object.to), el("span", { class: "sep" }, ": "), written(object.text, links)];
      // An encrypted message opened by the page (sealing.js): marked, and with its warning if its key is not pinned.
      if (object.sealed === true) parts.unshift(el("span", { class: "sealed", title: "End-to-end encrypted: the server could not read it" }, "[encrypted]"), " ");
      if (text(object.warning)) parts.push(el("span", { class: "key-warning" }, text(object.warning)));
      return parts;
    }
    case "unreadable":
      return [el("span", { class: "text" }, text(object.reason))];
    case "joined":
      return [who(nick), " joined"];
    case "parted":
      return [who(nick), ` left${reason(object.reason)}`];
    case "crowd_tallied":
      return [tally(object)];
    case "quit":
      return [who(nick), ` quit${reason(object.reason)}`];
    case "nick_changed":
      return [who(nick), " is now known as ", who(object.new)];
    case "topic_changed":
      return text(object.topic)
        ? [who(nick), " set the topic: ", written(object.topic, links)]
        : [who(nick), " cleared the topic"];
    case "topic_locked":
      return [who(nick), object.locked ? " locked the topic" : " unlocked the topic"];
    case "kicked":
      return [who(nick), " was kicked by ", who(object.by), reason(object.reason)];
    case "walled":
      return ["Announcement from ", who(nick), ": ", written(object.text, links)];
    case "shutting_down":
      return [`The server is shutting down${reason(object.reason)}`];
    case "banned":
      return [who(nick), " was banned by ", who(object.by)];
    case "killed":
      return [who(nick), " was killed by ", who(object.by), reason(object.reason)];
    case "muted":
      return [who(nick), " was muted by ", who(object.by)];
    case "unmuted":
      return [who(nick), " was unmuted by ", who(object.by)];
    case "room_registered":
      return [who(nick), ` registered the room to the account ${text(object.account)}`];
    case "room_unregistered":
      return [who(nick), " unregistered the room"];
    case "room_operator_added":
      return [who(object.by), " made ", who(nick), " a room operator"];
    case "room_operator_removed":
      return [who(object.by), " took room operator from ", who(nick)];
    case "room_registration_not_kept":
      return [who(nick), `'s change to the room's registration could not be saved: ${undone(object)}`];
    case "room_modes_changed":
      // No nickname: the server made it (identifying gives a registered room's owner and operators their standing).
      return [nick ? who(nick) : "the server", ` ${changes(object.changes)}`];
    case "deleted":
      // A line the page never showed (deletions.js): who took it away, never what it said.
      return [who(nick), ` deleted a line${reason(object.reason)}`];
    case "invited":
      return [who(object.by), " invited ", who(nick), ` to ${text(object.room)}`];
    case "nickname_claimed": {
      const tries = Number.isInteger(object.tries) && object.tries > 1 ? ` (${object.tries} tries since the last notice)` : "";
      return [`Someone at ${text(object.address)} tried to take your nickname as `, who(nick), tries];
    }
    case "password_set":
      // An operator's, for the user who forgot theirs: it holds no password.
      return ["The operator ", who(nick), ` set a new password for your account ${text(object.account)}; /password OLD NEW chooses your own`];
    default:
      return null;
  }
}

const KINDS = {
  said: "said",
  acted: "acted",
  whispered: "said",
  unreadable: "error",
};

/** The <li> for an event, or null if the page does not show that type; `links`: web addresses in its text are links. */
export function eventLine(object, mention = false, links = true) {
  const parts = body(object, links);
  if (parts === null) return null;
  const kind = KINDS[object.type] ?? "event";
  const classes = ["line", kind, object.type];
  if (object.sealed === true) classes.push("encrypted");
  if (mention) classes.push("mention");
  if (object.history === true) classes.push("history");
  return el("li", { class: classes.join(" "), "data-id": typeof object.id === "string" ? object.id : null }, stamp(object.at), " ", el("span", { class: "body" }, ...parts));
}

/** The <li> for a notice or an error: the server's own sentence. */
export function noticeLine(words, kind = "notice") {
  return el("li", { class: `line ${kind}` }, stamp(undefined), " ", el("span", { class: "body" }, el("span", { class: "text" }, words)));
}
