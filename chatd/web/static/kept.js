// What a tab keeps across a reload: the nickname, the rooms the user is in
// (in join order), their private conversations and the conversation shown.
// They live in sessionStorage, which belongs to the tab and lasts as long as
// it does: a reload comes back to them, as the terminal client comes back to
// its rooms after a dropped connection, while a new tab starts afresh. Never
// a password: a registered nickname is asked for again.

const KEY = "chatd.tab";

const KINDS = new Set(["room", "private"]);

const isName = (value) => typeof value === "string" && value !== "";

/** Keep `state` ({nick, rooms, privates, shown: {kind, name} or null}) for a reload of this tab. */
export function keep(state) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    // Storage refused (full, or turned off): a reload then starts afresh, as it always did.
  }
}

/** Forget what this tab kept: the user left the chat. */
export function forget() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing kept, or nothing to keep it in.
  }
}

/** What this tab kept before its reload, as `keep` was given it, or null; anything malformed is dropped. */
export function kept() {
  let state;
  try {
    state = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
  } catch {
    return null;
  }
  if (state === null || typeof state !== "object" || !isName(state.nick)) return null;
  const names = (value) => (Array.isArray(value) ? value.filter(isName) : []);
  const shown = state.shown;
  return {
    nick: state.nick,
    rooms: names(state.rooms).filter((name) => name.startsWith("#")),
    privates: names(state.privates),
    shown: shown !== null && typeof shown === "object" && KINDS.has(shown.kind) && isName(shown.name) ? { kind: shown.kind, name: shown.name } : null,
  };
}
