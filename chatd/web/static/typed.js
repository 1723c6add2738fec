// What the user types in the message box, read only as far as the page
// must know it. The server reads every line as nc would (docs/PROTOCOL.md,
// "What the client sends"): commands that name no room act on its current
// room. In a room's conversation the page makes that room current first; in
// a private conversation, or a room the user is out of, the current room is
// whichever the server holds, never the conversation shown, so such a
// command is sent there only once it names its room (or, for /history, the
// person).

import { fold, roomName } from "./dom.js";

/** A typed command as {name (lower case), words}, or null for a plain line (or one escaped as "//"). */
export function command(text) {
  if (!text.startsWith("/") || text.startsWith("//")) return null;
  // As the server splits it: "/ME waves" and "/me  waves" are /me.
  const [name = "", ...words] = text.slice(1).trim().split(/\s+/);
  return { name: name.toLowerCase(), words };
}

/**
 * `/msg NICK text` typed alone, as {nick, text, plain}: the nickname and the
 * rest of the line as the server takes them; null for any other line, one to
 * a room (`/msg #dev`), or one with no text. The page seals it for NICK's
 * keys as text typed in their conversation, not as typed; `/msg --plain
 * NICK text` (`plain`) goes in the clear, as the bundled client's does.
 */
export function privateMessage(line) {
  const found = /^\/msg +(--plain +)?([^\s#-]\S*) +(\S.*)$/i.exec(line);
  return found === null ? null : { nick: found[2], text: found[3], plain: found[1] !== undefined };
}

const named = (word) => typeof word === "string" && word.startsWith("#");

/** Whether `word`, first after /history, asks for lines by a line's id (`around ID`, `before ID`): of the current room, none named. */
const byId = (word) => typeof word === "string" && /^(around|before)$/i.test(word);

/**
 * Commands that act on the current room unless they name one: whether
 * `words` name it, and how to name it. A room is told by its `#`, as the
 * server tells it (`/part bye` is the current room, with a reason); /who
 * and /invite take a room without it.
 */
const ROOM_COMMANDS = new Map([
  ["part", { names: (words) => named(words[0]), usage: "/part #room" }],
  ["who", { names: (words) => words.length > 0, usage: "/who #room" }],
  ["topic", { names: (words) => named(words[0]), usage: "/topic #room" }],
  ["search", { names: (words) => named(words[0]), usage: "/search #room words" }],
  ["delete", { names: (words) => named(words[0]), usage: "/delete #room ID" }],
  ["kick", { names: (words) => named(words[1]), usage: "/kick NICK #room" }],
  ["invite", { names: (words) => words.length > 1, usage: "/invite NICK #room" }],
  ["op", { names: (words) => named(words[0]), usage: "/op #room NICK" }],
  ["deop", { names: (words) => named(words[0]), usage: "/deop #room NICK" }],
  ["lock", { names: () => false, usage: null }],
  ["unlock", { names: () => false, usage: null }],
]);

/**
 * How `text`, typed in the private conversation with `nick`, is sent:
 * `{line}`, or `{refusal}`, one sentence to show instead, nothing sent.
 * An action is refused: the protocol has no private one, and /me would act
 * in the current room. `/history` alone (or with a count, or `before ID
 * [N]`) is the messages with `nick` (`/history @nick`); `/history around
 * ID` only works in a room (the server shows no private messages around
 * one): sent as typed, it would read the server's current room. `/search words` naming no room is
 * the messages with `nick` (`/search @nick words`), whose refusal, when not
 * identified, the server gives.
 */
export function inPrivate(text, nick) {
  const typed = command(text);
  if (typed === null) return { line: text };
  const { name, words } = typed;
  if (name === "me") {
    return { refusal: `/me acts in a room, and a private message carries no action: write it as a message to ${nick}. Nothing was sent.` };
  }
  if (name === "history") {
    // @NICK: `/history dev` would be the room #dev for its members.
    const paged = words.length === 0 || (words.length === 1 && /^\d+$/.test(words[0])) || /^before$/i.test(words[0]);
    if (paged) return { line: ["/history", `@${nick}`, ...words].join(" ") };
    if (byId(words[0])) {
      return { refusal: `/history around ID works in a room: type it in that room, or /history N here for the last N messages with ${nick}. Nothing was sent.` };
    }
    return { line: text };
  }
  const asked = name === "search" ? searching(text) : null;
  if (asked !== null && asked.room === null) {
    // The messages with this person (or the @NICK named), as the search box here searches them: the server says if
    // that needs an account.
    return { line: asked.nick === null ? `/search @${nick} ${asked.words}` : text };
  }
  const rule = unnamedRoom(name, words);
  if (rule === null) return { line: text };
  const how = rule.usage === null ? "type it in that room" : `name the room (${rule.usage}) or type it in that room`;
  return { refusal: `/${name} acts on a room, not on ${nick}: ${how}. Nothing was sent.` };
}

/**
 * How `text`, typed in the conversation of `room` once the user is out of
 * it (kicked, say), is sent: `{line}`, or `{refusal}`. The server's current
 * room is then another one, or none, so what would act on it there is
 * refused as in a private conversation: /me, /history and the room
 * commands that name no room. Every other command goes as typed (/join,
 * /rooms ...; /msg is sealed first where it can be, as `privateMessage`
 * says): the message box takes commands whatever the room.
 */
export function outside(text, room) {
  const typed = command(text);
  if (typed === null) return { line: text };
  const { name, words } = typed;
  const elsewhere = `You are not in ${room}, so /${name} would act on another room`;
  if (name === "me") return { refusal: `${elsewhere}: /join ${room} first. Nothing was sent.` };
  if (name === "history" && (words.length === 0 || /^\d+$/.test(words[0]) || byId(words[0]))) {
    // Its history is its members' alone: naming it would be refused too.
    return { refusal: `You are not in ${room}, and only its members read its history: /join ${room} first. Nothing was sent.` };
  }
  const rule = unnamedRoom(name, words);
  if (rule === null) return { line: text };
  if (name === "part") return { refusal: `You are not in ${room}: there is nothing to leave. Nothing was sent.` };
  const how = rule.usage === null ? "type it in a room you are in" : `name the room (${rule.usage})`;
  return { refusal: `${elsewhere}: ${how}. Nothing was sent.` };
}

/** The ROOM_COMMANDS rule of a command that, as typed, acts on the server's current room; null if it names its room or is none of them. */
function unnamedRoom(name, words) {
  const rule = ROOM_COMMANDS.get(name);
  return rule === undefined || rule.names(words) ? null : rule;
}

/**
 * The answer that `line`, sent from the message box, asks for and that the
 * page would otherwise keep without showing, as {type, room}: a /who's
 * members, a /topic's topic (shown, not set), a private /history's end.
 * `room` is the folded room named, or `current` (the folded room the line
 * goes to) when none is; null for any other line. The server sends members
 * and the topic on every join too, and the page asks /who itself for the
 * further pages of a member list: only what the user typed for is shown.
 */
export function answerAsked(line, current) {
  const typed = command(line);
  if (typed === null) return null;
  const { name, words } = typed;
  if (name === "who") return { type: "members", room: words.length ? fold(roomName(words[0])) : current };
  if (name === "topic" && words.length === 0) return { type: "topic", room: current };
  if (name === "topic" && words.length === 1 && named(words[0])) return { type: "topic", room: fold(words[0]) };
  if (name === "history" && words.length > 0 && !named(words[0]) && !/^\d+$/.test(words[0]) && !byId(words[0])) {
    return { type: "private_end", nick: words[0] };
  }
  return null;
}

/**
 * `/search [#room|@NICK] [before ID] words`, typed alone, as {room, nick,
 * before, words}: the room it names (null: the room shown), or the nickname
 * whose private messages it searches (`@NICK`, without the `@`; else null),
 * the id or time it searches before (else null), and its words as typed,
 * for the page's search panel ("Older results" asks before its oldest hit
 * for the same words); null for any other line, and for one with no words,
 * which goes as typed for the server's usage. The first word names the room
 * when it starts with `#`, the person when with `@`, as the server reads
 * it: `/search bob menu` is the room's, for both words; `before` is a bound
 * only followed by an id or a time, as the server reads it, else a word.
 */
export function searching(line) {
  const typed = command(line);
  if (typed?.name !== "search") return null;
  const rest = line.trim().slice(1).trimStart().slice(typed.name.length).trim();
  const first = typed.words[0];
  const room = named(first) ? first : null;
  const nick = typeof first === "string" && /^@./.test(first) ? first.slice(1) : null;
  let words = room === null && nick === null ? rest : rest.slice(first.length).trim();
  const found = SEARCH_BEFORE.exec(words);
  const bounded = found !== null && found[1].toLowerCase() === "before" ? found : null;
  const before = bounded === null ? null : bounded[2];
  if (bounded !== null) words = words.slice(bounded[0].length);
  return words ? { room, nick, before, words } : null;
}

/** `before ID ` at the start of a search's words: ID a line's id or a time, as the server reads them (chatd/frontend/points.py). */
const SEARCH_BEFORE = /^(\S+)\s+([0-9a-f]{16}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z)\s+/;

/** The folded room `line` joins (`/join #room [KEY]`, the `#` optional), or null: the page shows it once joined. */
export function joining(line) {
  const typed = command(line);
  return typed?.name === "join" && typed.words.length > 0 ? fold(roomName(typed.words[0])) : null;
}

/**
 * What `line`, typed by a named user, proves once the server confirms it with
 * an `account` notice of `change`: {change, password} for `/register
 * PASSWORD`, `/identify [NICK] PASSWORD` and `/password OLD NEW` (OLD in
 * double quotes if it holds spaces), null for any other line (`/register
 * #room` registers a room). Read as the server reads them, and as the
 * bundled client does (chatd/client/account.py): the password as typed,
 * double quotes and all, since `/identify ACCOUNT PASSWORD` reads them again
 * as the line typed was read (a password wrapped in them is the words inside).
 */
export function proves(line) {
  const typed = command(line);
  if (typed === null) return null;
  const rest = line.trim().slice(1).trimStart().slice(typed.name.length).trim();
  if (!rest) return null;
  if (typed.name === "register") return rest.startsWith("#") && !/\s/.test(rest) ? null : { change: "registered", password: rest };
  if (typed.name === "identify") {
    // One password in double quotes, no nickname (none starts with one): kept as typed, quotes and all, so
    // "/identify ACCOUNT PASSWORD" is read again as the server read it (chatd/line/passwords.py).
    if (rest.length >= 2 && rest.startsWith('"') && rest.endsWith('"')) return { change: "identified", password: rest };
    const at = rest.indexOf(" ");
    return { change: "identified", password: at < 0 ? rest : rest.slice(at + 1).trimStart() || rest.slice(0, at) };
  }
  if (typed.name === "password") {
    const quoted = rest.startsWith('"') && rest.includes('" ', 1);
    const after = quoted ? rest.slice(rest.indexOf('" ', 1) + 2) : rest.slice(rest.indexOf(" ") + 1);
    const password = !quoted && !rest.includes(" ") ? "" : after.trimStart();
    return password ? { change: "password", password } : null;
  }
  return null;
}

/** Most bytes of a line: the protocol's, unless the host changed it (--max-line). Longer lines are cut before sending. */
export const LINE_BYTES = 512;

/** Lines of one paste: the protocol's, unless the host changed it (--paste-lines). Longer texts go as several. */
export const PASTE_LINES = 20;

const EXIT_WORDS = new Set(["exit", "quit"]);

/** Whether `line` alone leaves the chat, as the server reads it ("exit" or "quit", any case). */
export function leaves(line) {
  return EXIT_WORDS.has(line.trim().toLowerCase());
}
const ENCODER = new TextEncoder();

/**
 * The text of a message the user typed, as it is to be shown: a line of
 * one line keeps nc's escape ("//" says "/"); every line of several is
 * text as it is. Blank lines go: the server shows them as nothing.
 */
export function messageText(text) {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length === 1) return text.startsWith("//") ? text.slice(1) : text;
  return lines.filter((line) => line.trim()).join("\n");
}

/** `line` cut into pieces of at most `most` UTF-8 bytes, at a space (which goes) where one is in the second half of a piece. */
function cut(line, most) {
  const pieces = [];
  let rest = line;
  while (ENCODER.encode(rest).length > most) {
    let end = 0;
    let bytes = 0;
    for (const character of rest) {
      const size = ENCODER.encode(character).length;
      if (bytes + size > most) break;
      bytes += size;
      end += character.length;
    }
    const space = rest.lastIndexOf(" ", end);
    const at = space > end / 2 ? space : end;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at === space ? at + 1 : at);
  }
  pieces.push(rest);
  return pieces;
}

/**
 * The WebSocket messages that send `text` (messageText's) as one message:
 * each line after `prefix` ("" in a room, "/msg NICK " in private), cut to
 * LINE_BYTES; in a room a line that starts with "/" escaped ("//"), so that
 * no line is read as a command. At most PASTE_LINES lines a message: the
 * lines of one message arrive together, and so make one paste. Null if a
 * line is "exit" or "quit" alone, which the server reads as leaving, with
 * no escape that keeps it text.
 */
export function messages(text, prefix = "") {
  const most = LINE_BYTES - ENCODER.encode(prefix).length - 1; // 1: room for the escape
  const lines = text.split("\n").flatMap((line) => cut(line, most));
  if (!prefix && lines.some(leaves)) return null;
  const sent = lines.map((line) => prefix + (!prefix && line.startsWith("/") ? `/${line}` : line));
  const grouped = [];
  for (let at = 0; at < sent.length; at += PASTE_LINES) grouped.push(sent.slice(at, at + PASTE_LINES).join("\n"));
  return grouped;
}
