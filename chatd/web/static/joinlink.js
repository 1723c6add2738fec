// The page's address as a way into rooms: `http://HOST:PORT/?join=maths`
// (or `%23maths`, or several: `?join=maths,physics`) joins those rooms once
// the user is in, as a `/join` typed for each would, so that a teacher or a
// team lead hands out one link that lands people where they are expected.
// The header's "Copy link" is that address for the room shown.
//
// A link carries no room key. It is meant to be passed around (a chat, an
// e-mail, a slide), and it stays in browser histories and the access logs of
// any proxy on the way: anyone who saw it would hold the key. A keyed room
// answers the link's join as it answers a typed one, saying how to give the
// key (`/join #room KEY`), and a key written into the link after a space is
// refused with the name, before anything is sent.

import { fold, roomName, scrub } from "./dom.js";

/**
 * Most rooms one link joins: the server's default for the rooms one user may
 * be in (`--max-rooms`). A link naming more is a mistake, and a /join for each
 * would cost the page its flood budget, the server slowing it for long seconds.
 */
export const MOST_LINKED = 20;

/** The most characters of a name the page quotes when refusing it: a link may hold anything, of any length. */
const QUOTED = 40;

/** What a room name never holds: a space would make the rest a key, a line break a second line, of any command. */
const NEVER_IN_A_NAME = /[\s\p{Cc}]/u;

/**
 * The rooms the page's address `address` asks to join, as
 * `{rooms, refusals}`: the names (with their `#`, in order, each once) and,
 * for each name the page can tell is no room name at all, or past
 * MOST_LINKED, one sentence saying so; null if the address asks for none.
 * `?join=#maths`, as typed by hand, puts `#maths` in the address's
 * fragment: with an empty `join`, the fragment is what it names.
 */
export function linkedRooms(address = location) {
  const asked = askedNames(new URL(address.href));
  if (asked === null) return null;
  const rooms = [];
  const refusals = [];
  for (const text of asked.names) {
    const name = roomName(text);
    if (name === "#") continue; // an empty item (`maths,,physics`, a comma at the end) names nothing
    if (NEVER_IN_A_NAME.test(name)) {
      refusals.push(`This page's link names “${quoted(name)}”, no room name: a room name is one word, without spaces (and a link carries no room key: type /join #room KEY). It was not joined.`);
    } else if (!rooms.some((room) => fold(room) === fold(name))) {
      rooms.push(name);
    }
  }
  if (rooms.length > MOST_LINKED) {
    refusals.push(`This page's link names ${rooms.length} rooms: only its first ${MOST_LINKED} were joined.`);
    rooms.length = MOST_LINKED;
  }
  return { rooms, refusals };
}

/**
 * Take `join` out of the page's address (and the fragment it stood for), so
 * that a reload, which brings the user back to the rooms they are in, does
 * not join again a room they have left since. Nothing else of the address
 * changes, and the browser's history gains no entry.
 */
export function forgetLinked(address = location) {
  const url = new URL(address.href);
  if (askedNames(url)?.fragment) url.hash = "";
  url.searchParams.delete("join");
  history.replaceState(history.state, "", url.href);
}

/** The address that brings people to room `name` (`#maths`): the page's own, as it was loaded, with `?join=maths`. */
export function roomLink(name, address = location) {
  const url = new URL(address.pathname, address.origin);
  url.search = `?join=${encodeURIComponent(name.replace(/^#/, ""))}`;
  return url.href;
}

/**
 * Whether the page's address `address` names this computer alone
 * (`localhost`, `127.0.0.1`, `[::1]`): a link made from it opens the chat
 * on whichever computer it is opened on, so it reaches nobody it is handed to.
 */
export function onThisComputerOnly(address = location) {
  const host = address.hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * What the URL `url` asks to join, as `{names, fragment}`: every `join`'s
 * value (repeated, or several joined by commas), split at its commas; or
 * its fragment's, if every `join` is empty (`fragment`); null without `join`.
 */
function askedNames(url) {
  const values = url.searchParams.getAll("join");
  if (values.length === 0) return null;
  const fragment = values.every((value) => value.trim() === "") && url.hash.length > 1;
  const text = fragment ? decoded(url.hash) : values.join(",");
  return { names: text.split(","), fragment };
}

/** `text` with its %-escapes decoded, or as it is if they are broken (a lone `%`). */
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * `name` as a refusal quotes it: at most QUOTED characters, scrubbed. Whoever made the link chose it: a line break in
 * it put a line of theirs in the page's own words, a bidi override turned the rest of the page's sentence around.
 */
function quoted(name) {
  const characters = [...scrub(name)];
  return characters.length > QUOTED ? `${characters.slice(0, QUOTED).join("")}…` : characters.join("");
}
