// The page's one connection to chatd: a WebSocket at /ws on the page's own
// origin, opened again after it drops, with growing pauses (as the terminal
// client's chatd/client/connection.py does) so the users of a restarted
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

export function socketUrl() {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
}

/**
 * One connection over as many sockets as it takes.
 *
 * `handlers.opened()` runs when a socket is up, `handlers.received(object)`
 * for each JSON object the server sends (frames that are no JSON object are
 * dropped), `handlers.lost(seconds, failures, broken)` when it is gone and
 * the next attempt is `seconds` away (`broken`: a socket that was up closed
 * without the server's closing frame, as when the server is killed or the
 * network drops), `handlers.ended()` when it is gone after `stop`,
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
      this.handlers.opened();
    });
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") return;
      let object;
      try {
        object = JSON.parse(event.data);
      } catch {
        return;
      }
      if (object !== null && typeof object === "object" && !Array.isArray(object)) {
        this.handlers.received(object);
      }
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
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

  retry(broken = false) {
    this.failures += 1;
    const seconds = pause(this.failures);
    this.handlers.lost(seconds, this.failures, broken);
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
