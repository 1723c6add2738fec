// The page's one connection to chatd: a WebSocket at /ws on the page's own
// origin, opened again after it drops, with growing pauses (as the terminal
// client's chatd/client/retries.py does) so the users of a restarted
// server do not all come back in the same instant; or, when told to hold,
// only once asked again.

const FIRST_PAUSE_SECONDS = 0.5;
const LONGEST_PAUSE_SECONDS = 30;
const GROWTH = 1.6;

/** Seconds to wait before attempt `failures` (1, 2, ...) in a row: 0.5 s growing to 30 s, plus jitter. */
export function pause(failures) {
  const grown = FIRST_PAUSE_SECONDS * GROWTH ** Math.max(0, failures - 1);
  return Math.min(LONGEST_PAUSE_SECONDS, grown) + Math.random() * 0.5;
}

/** How long a connection must have stayed up for its end to start the pauses afresh. */
const WORKED_MS = 10000;

// A stalled connection (packets lost without an error: a train in a tunnel) looks like a quiet chat, and the
// browser's own WebSocket ping answers the server's alone, once a minute: after QUIET_MS without a message the
// page asks /ping (docs/PROTOCOL.md, "Liveness"), and with no message ANSWER_MS later it gives the socket up and
// comes back, as the terminal client does (chatd/client/liveness.py). A busy chat is never asked.
const QUIET_MS = 10000;
const ANSWER_MS = 8000;
const PROBE_TEXT = "chatd-page-liveness";

export function socketUrl() {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
}

/**
 * One connection over as many sockets as it takes.
 *
 * `handlers.opened()` runs when a socket is up, `handlers.received(object)`
 * for each JSON object the server sends (frames that are no JSON object are
 * dropped), `handlers.lost(seconds, failures, broken, stalled)` when it is gone and
 * the next attempt is `seconds` away (`broken`: a socket that was up closed
 * without the server's closing frame, as when the server is killed or the
 * network drops; `stalled`: the page gave it up, the server silent and not
 * answering its ping), `handlers.ended()` when it is gone after `stop`,
 * `handlers.held()` when it is gone after `hold` and waits for `now`.
 */
export class Link {
  constructor(handlers, url = socketUrl()) {
    this.handlers = handlers;
    this.url = url;
    this.socket = null;
    this.failures = 0;
    this.timer = null;
    this.openedAt = 0;
    this.stopped = false;
    this.held = false;
    this.quiet = null; // the timer of the socket's quiet: the ping, then giving the socket up
    this.quietMs = QUIET_MS; // a test shortens these two (tests/e2e/test_web_stalled.py), as a clock is injected
    this.answerMs = ANSWER_MS;
  }

  get connected() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  start() {
    this.timer = null;
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.openedAt = Date.now();
      this.listen(socket);
      this.handlers.opened();
    });
    socket.addEventListener("message", (event) => {
      if (this.socket === socket) this.listen(socket);
      if (typeof event.data !== "string") return;
      let object;
      try {
        object = JSON.parse(event.data);
      } catch {
        return;
      }
      if (object === null || typeof object !== "object" || Array.isArray(object)) return;
      // The answer to the page's own ping is the link's business: the user typed no /ping.
      if (object.type === "notice" && object.kind === "pong" && object.echo === PROBE_TEXT) return;
      this.handlers.received(object);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.hush();
      // The server closes with a frame of its own whenever it means to (a shutdown, /quit, a kill): none, and it went away.
      const broken = this.openedAt !== 0 && !event.wasClean;
      if (this.openedAt && Date.now() - this.openedAt >= WORKED_MS) this.failures = 0;
      this.openedAt = 0;
      if (this.stopped) {
        this.handlers.ended();
        return;
      }
      if (this.held) {
        this.handlers.held();
        return;
      }
      this.retry(broken);
    });
  }

  /** Start `socket`'s quiet afresh: a message came, or it just opened. */
  listen(socket) {
    this.hush();
    this.quiet = setTimeout(() => {
      this.send(`/ping ${PROBE_TEXT}`);
      this.quiet = setTimeout(() => this.giveUp(socket), this.answerMs);
    }, this.quietMs);
  }

  hush() {
    if (this.quiet !== null) clearTimeout(this.quiet);
    this.quiet = null;
  }

  /**
   * `socket` answered nothing, not even the ping: come back on a new one now. Its close event is not awaited: a
   * stalled socket's closing handshake waits for a frame that will not come.
   */
  giveUp(socket) {
    this.quiet = null;
    if (this.socket !== socket) return;
    this.socket = null;
    if (Date.now() - this.openedAt >= WORKED_MS) this.failures = 0;
    this.openedAt = 0;
    socket.close();
    this.retry(true, true);
  }

  retry(broken = false, stalled = false) {
    this.failures += 1;
    const seconds = pause(this.failures);
    this.handlers.lost(seconds, this.failures, broken, stalled);
    this.timer = setTimeout(() => this.start(), seconds * 1000);
  }

  /** Try again now: not at the end of the pause, or not waiting any longer after `hold`. */
  now() {
    if (this.socket !== null || this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.held = false;
    this.start();
  }

  /**
   * Come back only when asked (`now`) once the socket closes: the server
   * closed it for a reason a new socket would meet again, as its deadline
   * for choosing a nickname, and a tab left open would cost it a
   * connection a minute for as long as it stays open (issue 14).
   */
  hold() {
    this.held = true;
  }

  /** Send one line as a text frame; false if no socket is up to take it. */
  send(line) {
    if (!this.connected) return false;
    this.socket.send(line);
    return true;
  }

  /** Stop for good once the socket closes: the user left the chat. */
  stop() {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Close the socket so that the next attempt starts at once: the server kept a nickname, say. */
  restart() {
    if (this.socket !== null) this.socket.close();
  }
}
