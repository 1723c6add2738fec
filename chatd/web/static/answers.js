// The answers to commands the user typed (/rooms, /who, /whois, /topic,
// /users, /time, /mode #room and its +b, /ban), shown as a block in the
// conversation shown, and to a private message to someone away (their away
// text), in the conversation with them: a heading and a list, in the words
// of the text rendering (chatd/line/render.py), built from the JSON fields the
// answer carries (docs/PROTOCOL.md, "JSON lines"). Each field goes in as
// text (dom.js's el), whatever it holds.

import { el } from "./dom.js";
import { stamp } from "./lines.js";

function text(value) {
  return typeof value === "string" ? value : "";
}

function count(value) {
  return Number.isInteger(value) ? value : 0;
}

function strings(value) {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}

function objects(value) {
  return Array.isArray(value) ? value.filter((item) => item !== null && typeof item === "object") : [];
}

/** ", page 2 of 6" for a listing of several pages; nothing for one of one. */
function page(object) {
  return count(object.pages) > 1 ? `, page ${count(object.page)} of ${count(object.pages)}` : "";
}

/** The line that ends a page of a listing that is not its last: what to type for the next. */
function next(object, ask) {
  return count(object.page) < count(object.pages) ? [`More: ${ask} ${count(object.page) + 1} for the next page.`] : [];
}

/** A moment the server names (seconds since the epoch), in UTC as the text rendering says it. */
function utc(at, seconds = false) {
  if (typeof at !== "number" || !Number.isFinite(at)) return "";
  const iso = new Date(at * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)} UTC`;
}

/** A room's settings in words: "invite-only, key hunter2, limit 10" ("none" for none). */
function settings(object) {
  const key = text(object.key) ? `key ${text(object.key)}` : "key";
  const shown = [
    object.invite_only === true && "invite-only",
    object.keyed === true && key,
    count(object.limit) > 0 && `limit ${count(object.limit)}`,
    object.moderated === true && "moderated",
    object.secret === true && "secret",
    object.registered_only === true && "registered only",
    object.registered_speech === true && "registered speech",
    object.topic_locked === true && "topic locked",
  ].filter(Boolean);
  return shown.join(", ") || "none";
}

/** A member's nickname with /who's marks: "@" a room operator, "+" a voiced member. */
function marked(object) {
  const operators = new Set(strings(object.operators));
  const voiced = new Set(strings(object.voiced));
  return strings(object.nicks).map((nick) => (operators.has(nick) ? "@" : voiced.has(nick) ? "+" : "") + nick);
}

function until(value) {
  return typeof value === "number" ? `until ${utc(value)}` : "until lifted";
}

/** Each answer's heading and lines, by its type. */
const ANSWERS = {
  room_list: (o) => [`Rooms (${count(o.total)}${page(o)}):`, ...objects(o.rooms).map((room) => `${text(room.room)} (${count(room.members)}) ${text(room.topic)}`.trimEnd()), ...next(o, "/rooms")],
  user_list: (o) => [`Online (${count(o.total)}${page(o)}):`, strings(o.nicks).join(" "), ...next(o, "/users")],
  members: (o) => [`In ${text(o.room)} (${count(o.total)}${page(o)}):`, marked(o).join(" "), ...next(o, `/who ${text(o.room)}`)],
  whois: (o) => {
    const nick = text(o.nick);
    const rooms = strings(o.rooms);
    return [
      `${nick} is ${rooms.length ? `in ${rooms.join(" ")}` : "in no room"}`,
      ...(o.operator === true ? [`${nick} is an operator`] : []),
      ...(text(o.address) ? [`${nick} is connected from ${text(o.address)}`] : []),
      ...(text(o.away) ? [`${nick} is away: ${text(o.away)}`] : []),
    ];
  },
  topic: (o) => {
    if (!text(o.topic)) return [`${text(o.room)} has no topic`];
    const by = text(o.by) ? [`Set by ${text(o.by)}${utc(o.at) ? ` on ${utc(o.at)}` : ""}`] : [];
    return [`Topic of ${text(o.room)}: ${text(o.topic)}`, ...by];
  },
  server_time: (o) => [`Server time: ${utc(o.at, true)}`],
  room_modes: (o) => [`Settings of ${text(o.room)}: ${settings(o)}`],
  room_ban_list: (o) => [`Bans of ${text(o.room)} (${objects(o.bans).length}):`, ...objects(o.bans).map((ban) => `${text(ban.mask)} set ${utc(ban.at)} (by ${text(ban.by)})`)],
  ban_list: (o) => [`Bans (${objects(o.bans).length}):`, ...objects(o.bans).map((ban) => `${text(ban.target)} ${until(ban.until)} (by ${text(ban.by)})`)],
  ban: (o) => [`${text(o.target)} is banned ${until(o.until)} (by ${text(o.by)})`],
  away: (o) => [`${text(o.nick)} is away: ${text(o.text)}`],
};

/** Whether `type` is an answer this module shows. */
export function isAnswer(type) {
  return Object.hasOwn(ANSWERS, type);
}

/** The <li> showing the answer `object`: its heading, then its lines as a list; null for no answer type. */
export function answerLine(object) {
  if (!isAnswer(object.type)) return null;
  const [heading, ...lines] = ANSWERS[object.type](object);
  const body = el("div", { class: "body" }, el("span", { class: "text" }, heading));
  const shown = lines.filter((line) => line !== "");
  if (shown.length) body.append(el("ul", { class: "answer-list" }, ...shown.map((line) => el("li", {}, line))));
  return el("li", { class: `line notice answer ${object.type}` }, stamp(undefined), " ", body);
}
