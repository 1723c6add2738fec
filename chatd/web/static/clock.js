// The server's clock, as near as the page can tell it: where a line with no
// id of its own (a notice, a file's line, an answer) goes among the events
// of a log, whose ids sort as they happened on the server's clock, each
// beginning with its millisecond in 12 hex digits (docs/PROTOCOL.md, JSON
// lines). A notice said before the page loaded older lines then reads after
// them, as it came after them; so does the server's goodbye before lines
// said just ahead of it that the page hears of only when it is back.

export class ServerClock {
  constructor() {
    this.ahead = 0; // milliseconds the server's clock is ahead of this browser's, less the quickest delivery heard
    this.fresh = true; // nothing live was heard on this connection yet: the next event sets `ahead` afresh
  }

  /**
   * An object from the server. A live event of a room (one with `seq`) was
   * sent as it happened, at `at` on the server's clock, where a private
   * message may have been kept for the user and a line from history is
   * older still: of those, the one that came quickest tells the most. It
   * still came a little late (events wait to be stored before they go
   * out), so a moment told is a little early: a line said within that
   * wait before a notice may read after it.
   */
  heard(object) {
    const live = object.history !== true && typeof object.room === "string" && typeof object.seq === "number";
    if (!live || typeof object.at !== "number" || !Number.isFinite(object.at)) return;
    const ahead = object.at * 1000 - Date.now();
    this.ahead = this.fresh ? ahead : Math.max(this.ahead, ahead);
    this.fresh = false;
  }

  /** A new connection: the browser's clock may have been set since the last one's events, or the server's. */
  connected() {
    this.fresh = true;
  }

  /** Where the moment `when` (a Date on this browser's clock) sorts among the events' ids: as its millisecond's first. */
  point(when) {
    const ms = Math.max(0, Math.round(when.getTime() + this.ahead));
    return ms.toString(16).padStart(12, "0") + "0000";
  }
}
