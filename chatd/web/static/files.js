// Files over the page's WebSocket (docs/PROTOCOL.md, Files): sending one to
// the conversation shown, and fetching one offered. This module holds every
// transfer of the page (the state its parts share) and what they all use;
// the rest is in its parts (PARTS), a module each: fileuploads.js (sending),
// filedownloads.js (fetching), filecancels.js (an upload's Cancel, or its
// failure), filetakedowns.js (an operator's Take down of someone else's
// room offer), filenews.js (what others did with a transfer), filerefusals.js
// (the server's errors for file commands) and filereturning.js (after a
// drop or a reload). What a transfer's line shows is filecard.js's Card.

import { FileCancels } from "./filecancels.js";
import { FileDownloads } from "./filedownloads.js";
import { FileNews } from "./filenews.js";
import { FileRefusals } from "./filerefusals.js";
import { FileReturning } from "./filereturning.js";
import { FileTakedowns } from "./filetakedowns.js";
import { FileUploads } from "./fileuploads.js";
import { noticeLine } from "./lines.js";
import { composed } from "./parts.js";
import { command } from "./typed.js";

/** The parts of Transfers, a module each (parts.js), in the order a transfer meets them. */
const PARTS = [FileUploads, FileDownloads, FileCancels, FileTakedowns, FileNews, FileRefusals, FileReturning];

/**
 * Every transfer of this page. `host` is the chat: `send(line)` (false
 * unless the page is in the chat, connected and named: before its nickname
 * the server answers any file line `need-nick`), `ask(line)` (a line the
 * user's press sends: as `send`, and when it cannot go the status line says
 * why), `notSent()` (the status line says why a press did not go),
 * `conversationFor(object)` (where an offer is shown), `mine(nick)`,
 * `mayTakeDownIn(conversation)` (whether the server would let the user take
 * down others' offers to a room, as the page knows it: a server operator, or
 * one holding operator standing there), `say(text, kind)` (a notice in the
 * conversation shown).
 */
export class Transfers extends composed(PARTS) {
  constructor(host) {
    super();
    this.host = host;
    this.uploads = new Set();
    this.downloads = new Map(); // file id -> download
    this.offers = new Map(); // file id -> offer shown
    this.accepted = new Set(); // ids of offers this page accepted, whose late answers it keeps quiet once ended (filerefusals.js, lateAnswer)
    this.waiting = []; // uploads whose /file offer is not answered yet, in order sent
    this.decliningEvery = false; // a /file decline * typed here awaits its count: the declines told meanwhile are this page's (filenews.js)
  }

  /**
   * The user typed `line`: after `/file decline *` the server tells this page of each offer it declined, as of a
   * decline on another connection, then how many (`declinedEvery`); until then those are the user's own, here.
   */
  typed(line) {
    super.typed(line);
    const typed = command(line);
    const [sub = "", which = ""] = typed?.name === "file" ? typed.words : [];
    if (sub.toLowerCase() === "decline" && which === "*") this.decliningEvery = true;
  }

  /** The server's `files_declined`: a /file decline * is answered, and a decline told after it is from elsewhere. */
  declinedEvery() {
    this.decliningEvery = false;
  }

  /** The upload with the server's id `id`, if any. */
  upload(id) {
    for (const upload of this.uploads) if (upload.id === id) return upload;
    return undefined;
  }

  /**
   * Say `words` at the end of `conversation`'s log of what a transfer's line (`card`) has just said, unless that
   * line is the end of the log: right under it they were the card's words twice over (a server's refusal of an
   * offer, "Uploaded and offered", "Fetched, checked", "Withdrawn."). With lines said after the card, a reader at
   * the end does not see it change. A `card` of null (a line that did not end) always has them said.
   */
  tell(conversation, card, words, kind = "notice") {
    if (card === null || !conversation.endsWith(card.line)) conversation.addNotice(noticeLine(words, kind));
  }
}
