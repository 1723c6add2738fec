// Files over the page's WebSocket (docs/PROTOCOL.md, Files): sending one to
// the conversation shown, and fetching one offered. Sending hashes the file
// (SHA-256 of the whole, and of each 16 KiB chunk, for the check when an
// upload goes on), offers it, then uploads it a chunk at a time read with
// File.slice, at most 8 chunks unacknowledged. Fetching checks each chunk's
// hash as it comes, acknowledges it, checks the whole file against the
// offer's hash, and saves it through a download link. After the socket drops
// and the page is back in its rooms, uploads go on from what the server holds
// and downloads from what the page holds. On every connection the page asks
// the server which transfers are open, so a reloaded page (which holds none
// in memory) shows again the files still offered to its user.

import { count, el, fold } from "./dom.js";
import { noticeLine } from "./lines.js";
import { CHUNK, Card, describe, fromBase64, hashing, mimeType, safeName, sha256, size, toBase64 } from "./filecard.js";

/** Chunks sent and not yet acknowledged, at most (the server's window too). */
const WINDOW = 8;

/** Why a file can be neither sent nor fetched, in the one browser where nothing on the page can compute SHA-256. */
const UNHASHABLE = "this browser cannot check files on this page (it did not load what computes their SHA-256). Reload the page, or open it in another browser.";

/**
 * Every transfer of this page. `host` is the chat: `send(line)` (false
 * unless the page is in the chat, connected and named: before its nickname
 * the server answers any file line `need-nick`), `ask(line)` (a line the
 * user's press sends: as `send`, and when it cannot go the status line says
 * why), `notSent()` (the status line says why a press did not go),
 * `conversationFor(object)` (where an offer is shown), `mine(nick)`,
 * `say(text, kind)` (a notice in the conversation shown).
 */
export class Transfers {
  constructor(host) {
    this.host = host;
    this.uploads = new Set();
    this.downloads = new Map(); // file id -> download
    this.offers = new Map(); // file id -> offer shown
    this.waiting = []; // uploads whose /file offer is not answered yet, in order sent
    this.cancelling = new Set(); // ids of uploads given up with /file cancel (giveUp), whose answer has yet to come
    this.drops = 0; // the socket's drops so far: what was awaited across one answers a connection gone by
    this.maxSize = null; // the largest file the server takes, in bytes, as its welcome said (null: not said)
  }

  /** The server's welcome (`file_max_size`, docs/PROTOCOL.md): the largest file it takes, or nothing said. */
  welcome(object) {
    this.maxSize = Number.isInteger(object.file_max_size) && object.file_max_size > 0 ? object.file_max_size : null;
  }

  // ---- sending ----

  /** Send `file` to `conversation` (a room the user is in, or a private conversation). */
  async send(file, conversation) {
    if (!(await hashing())) {
      this.host.say(`${safeName(file.name)} was not sent: ${UNHASHABLE}`, "error");
      return;
    }
    if (file.size === 0) {
      this.host.say(`${file.name} is empty: there is nothing to send.`, "error");
      return;
    }
    const name = safeName(file.name);
    if (this.maxSize !== null && file.size > this.maxSize) {
      // Refused before it is read: a 1 GB video was loaded whole into the tab and hashed, only to be refused then.
      const [big, most] = size(file.size) === size(this.maxSize) ? [`${count(file.size)} bytes`, `${count(this.maxSize)} bytes`] : [size(file.size), size(this.maxSize)];
      this.host.say(`${name} is ${big}: this server takes files of at most ${most}. Nothing was sent.`, "error");
      return;
    }
    const upload = { file, name, size: file.size, mime: mimeType(file.type), target: conversation.name, conversation, id: null, offerLost: false, state: "hashing", next: 0, acked: 0, chunk: CHUNK, hash: "", chunks: [], reading: false };
    upload.card = new Card("", [el("span", { class: "nick" }, "You"), " send ", el("span", { class: "file-name" }, name), ` (${size(file.size)}) to ${conversation.name}`]);
    upload.card.buttons(["Cancel", `Cancel sending ${name}`, () => this.cancelUpload(upload)]);
    upload.card.say("Hashing…");
    conversation.addNotice(upload.card.line);
    this.uploads.add(upload);
    try {
      const whole = await file.arrayBuffer();
      upload.hash = await sha256(whole);
      for (let at = 0; at < whole.byteLength; at += CHUNK) {
        upload.chunks.push(await sha256(new Uint8Array(whole, at, Math.min(CHUNK, whole.byteLength - at))));
      }
    } catch (error) {
      this.failUpload(upload, `${name} cannot be read: ${error.message}`);
      return;
    }
    if (upload.state !== "hashing") return; // cancelled meanwhile
    const again = this.offeredAlready(upload);
    if (again !== null) {
      this.failUpload(upload, again);
      return;
    }
    upload.state = "offering";
    this.offer(upload);
  }

  /**
   * Why `upload` is not offered, one sentence, if the same file goes to the same place already, from this page or
   * as an offer of the user's shown here; null if it does not. The server answers a second offer of it with the
   * first (docs/PROTOCOL.md, Files): the new line said "Offering…" for good, and said it was offered to the room
   * again. Whoever joins a room while its offer is open is offered it by the server: nothing needs sending again.
   */
  offeredAlready(upload) {
    const same = (hash, bytes, to) => hash === upload.hash && bytes === upload.size && fold(to) === fold(upload.target);
    const sending = [...this.uploads].find((other) => other !== upload && other.hash !== "" && same(other.hash, other.size, other.target));
    const shown = [...this.offers.values()].some((offer) => offer.mine && offer.card.actions.childElementCount > 0 && same(offer.hash, offer.size, offer.to));
    const [name, target] = [upload.name, upload.target];
    if (sending !== undefined && sending.state !== "offered") return `You are sending ${name} to ${target} already. Nothing was sent.`;
    if (sending === undefined && !shown) return null;
    if (!target.startsWith("#")) return `You offered ${name} to ${target} already. Nothing was sent.`;
    return `You offered ${name} to ${target} already: whoever joins ${target} while it is offered is offered it too. Nothing was sent.`;
  }

  /**
   * Offer `upload`, or, with the page not in the chat (disconnected, or its nickname refused or not answered yet),
   * leave it waiting for `back`: sent then, the offer was answered `need-nick`, which answers no offer, and the
   * upload said "Offering…" for good.
   */
  offer(upload) {
    upload.card.say("Offering…");
    if (this.host.send(`/file offer ${upload.target} ${upload.size} ${upload.hash} ${upload.mime} ${upload.name}`)) {
      this.waiting.push(upload);
    } else {
      upload.card.say("Waiting to be back in the chat…");
    }
  }

  /**
   * `file_upload`: the server's id for an upload, and how much of it the server holds already. The answer to a
   * restart names its upload (`file`); the answer to an offer is the first upload awaiting the offer it names (its
   * `target`, size and SHA-256): the same file to two people at once is two offers, and by the file alone each could
   * take the other's answer.
   */
  async uploadStarts(object) {
    let upload = this.upload(object.file);
    if (upload === undefined) {
      const at = this.waiting.findIndex((each) => each.target === object.target && each.hash === object.sha256 && each.size === object.size);
      if (at < 0) return;
      upload = this.waiting.splice(at, 1)[0];
    }
    upload.id = object.file;
    upload.card.setFile(object.file);
    if (Number.isInteger(object.chunk) && object.chunk > 0) upload.chunk = object.chunk;
    if (upload.state === "cancelled") {
      this.host.send(`/file cancel ${upload.id}`);
      return;
    }
    const have = Number.isInteger(object.have) ? object.have : 0;
    if (have > 0 && !(await this.tailChecked(upload, have, object.tail))) return;
    upload.state = have >= upload.size ? "checking" : "uploading";
    upload.acked = have;
    upload.next = have;
    upload.card.restart(have);
    upload.card.progress(have, upload.size);
    upload.card.say(have > 0 ? `Going on from ${size(have)}.` : "Sending…");
    if (have > 0) upload.conversation.addNotice(noticeLine(`The server holds ${size(have)} of ${upload.name} already: sending goes on from there.`));
    this.pump(upload);
  }

  /**
   * Whether `upload` goes on from `have`, the server's last chunk there (`tail`) being its file's. If not, it was
   * cancelled, ended or moved on while its file was read, or its socket dropped meanwhile (what came since decides:
   * an upload offered again once the page is back has an answer of its own); or its file cannot be read any more
   * (deleted, or its permission gone: it is given up, on the server too); or the server's bytes there are not its
   * file's (it starts over from the first byte, and a new file_upload follows).
   */
  async tailChecked(upload, have, tail) {
    const [state, drops] = [upload.state, this.drops];
    let [same, unread] = [false, null];
    try {
      same = await this.sameTail(upload, have, tail);
    } catch (error) {
      unread = error;
    }
    if (upload.state !== state || this.drops !== drops) return false;
    if (unread !== null) {
      this.giveUp(upload, `${upload.name} cannot be read any more: ${unread.message}`);
    } else if (!same) {
      upload.state = "restarting";
      this.host.send(`/file restart ${upload.id}`);
    }
    return unread === null && same;
  }

  /** Whether the server's last chunk (`tail`, ending at `have`) is this file's, from the hashes of the first read. */
  async sameTail(upload, have, tail) {
    const start = Math.floor((have - 1) / CHUNK) * CHUNK;
    if (have === upload.size || have - start === CHUNK) return upload.chunks[start / CHUNK] === tail;
    const bytes = await upload.file.slice(start, have).arrayBuffer();
    return (await sha256(bytes)) === tail;
  }

  /** Send chunks while fewer than WINDOW are unacknowledged, each read from the file as it goes. */
  async pump(upload) {
    if (upload.reading) return;
    upload.reading = true;
    try {
      while (upload.state === "uploading" && upload.next < upload.size && upload.next - upload.acked < WINDOW * upload.chunk) {
        const [id, offset] = [upload.id, upload.next];
        const end = Math.min(upload.size, offset + upload.chunk);
        const bytes = new Uint8Array(await upload.file.slice(offset, end).arrayBuffer());
        if (upload.state !== "uploading") break; // cancelled while reading: nothing more goes out
        if (upload.id !== id || upload.next !== offset) continue; // moved meanwhile (a drop, a wrong offset): look again
        if (!this.host.send(`/file put ${id} ${offset} ${toBase64(bytes)}`)) break;
        upload.next = end;
      }
    } catch (error) {
      // Only while it is sending: one ended meanwhile is over, and one whose socket dropped meanwhile is read again
      // once the page is back, and fails then, where the server hears of it (giveUp).
      if (upload.state === "uploading") this.giveUp(upload, `${upload.name} cannot be read any more: ${error.message}`);
    } finally {
      upload.reading = false;
    }
  }

  /** `file_progress`: the server holds `have` bytes. */
  uploadProgress(object) {
    const upload = this.upload(object.file);
    if (upload === undefined || upload.state !== "uploading") return;
    upload.acked = Math.max(upload.acked, object.have);
    upload.card.progress(upload.acked, upload.size);
    if (upload.acked >= upload.size) {
      upload.state = "checking";
      upload.card.say("Sent; the server checks it…");
    }
    this.pump(upload);
  }

  /** `file_uploaded`: the server holds all of it, checked, and has offered it. */
  uploaded(object) {
    const upload = this.upload(object.file);
    if (upload === undefined) return;
    upload.state = "offered";
    upload.card.progress(upload.size, upload.size);
    upload.card.buttons(["Cancel", `Withdraw ${upload.name}`, () => this.cancelUpload(upload)]);
    upload.card.say(`Uploaded and offered to ${upload.target}.`, "finished");
    this.tell(upload.conversation, upload.card, `${upload.name} is on the server, checked, and offered to ${upload.target}.`);
  }

  /**
   * `ERR file-uploaded` naming `upload`, the answer to a chunk or a `/file restart` of it: the server holds every
   * byte already (another upload of the file was checked whole meanwhile), so nothing more is sent, and
   * `file_uploaded` says it is offered, unless it has. Taken for a failure, it ended the line of a file offered.
   */
  heldWhole(upload) {
    if (upload.state !== "uploading" && upload.state !== "restarting") return;
    upload.state = "checking";
    upload.acked = upload.size;
    upload.next = upload.size;
    upload.card.progress(upload.size, upload.size);
    upload.card.say("Sent; the server checks it…");
  }

  /**
   * Cancel pressed on an upload. One the server may hold (it gave it an id, or an offer of it went out and the
   * socket dropped before the answer came: `offerLost`) is ended only once it can be cancelled there: while
   * disconnected the press is refused (the status line says why) and the upload left as it is, to go on or
   * be cancelled once the page is back. Ended on the page alone, it went on existing on the server until its idle
   * hour was up, one of the user's `--file-transfers`.
   */
  cancelUpload(upload) {
    const was = upload.state;
    if ((upload.id !== null || upload.offerLost) && was !== "hashing" && !this.cancelOnServer(upload)) return;
    upload.state = "cancelled";
    upload.card.end(was === "offered" ? "Withdrawn." : "Cancelled.", "cancelled");
    this.tell(upload.conversation, upload.card, was === "offered" ? `You withdrew ${upload.name}.` : `You cancelled sending ${upload.name}.`);
    this.uploads.delete(upload);
  }

  /**
   * Whether `upload`, which the server may hold, is cancelled there: `/file cancel` of its id went, or, with no id
   * yet, its offer made again once back is on its way and `uploadStarts` cancels whatever the answer opens (the
   * upload held, or a new one). False, the status line saying why, while no line reaches the server.
   */
  cancelOnServer(upload) {
    if (upload.id !== null) return this.host.ask(`/file cancel ${upload.id}`);
    if (this.waiting.includes(upload)) return true;
    this.host.notSent();
    return false;
  }

  /**
   * A recipient is done with the user's offer (`object`: fetched, declined, stopped). Once the server says
   * nobody is left to fetch it (`left` 0) an offer to a person is over: its line, this page's upload or one shown
   * from elsewhere, says `words` and offers no button, for the server has let the file go. An offer to a room
   * stays open for whoever joins it: its line says so after `words` and keeps its Cancel. The line ended or told,
   * if one was.
   */
  endIfOver(object, words, kind) {
    if (object.left !== 0) return null;
    const upload = this.upload(object.file);
    const still = this.stillOffered(object);
    if (still !== "") {
      const card = upload?.card ?? this.offers.get(object.file).card;
      card.say(`${words}${still}`);
      return card;
    }
    if (upload !== undefined) {
      upload.state = kind;
      upload.card.end(words, kind);
      this.uploads.delete(upload);
      return upload.card;
    }
    const own = this.offers.get(object.file);
    if (!own?.mine) return null;
    own.card.end(words, kind);
    return own.card;
  }

  /**
   * What follows a recipient's news (`object`) of the user's offer to a room once nobody offered it so far is left
   * (`left` 0): the server keeps it open for whoever joins the room until the user withdraws it or it expires.
   * Empty for an offer to a person, or while others are left.
   */
  stillOffered(object) {
    if (object.left !== 0) return "";
    const own = this.offers.get(object.file);
    const to = this.upload(object.file)?.target ?? (own?.mine ? own.to : "");
    return to.startsWith("#") ? ` It stays offered to whoever joins ${to} until you withdraw it.` : "";
  }

  /**
   * The upload cannot go on though the server holds it (its file cannot be read any more, a chunk was refused, its
   * offer made again after a drop was refused): `/file cancel` lets the server's go too. Ended on the page alone,
   * it stayed open there until its idle hour was up, holding one of the user's `--file-transfers`, its room in the
   * server's store and its day's bytes: four such and the user could send no file for an hour. When the line cannot
   * go (the socket is going), nothing ends, as with Cancel: the drop leaves the upload waiting to go on, and it
   * fails again once the page is back.
   */
  giveUp(upload, words) {
    if (this.cancelHeld(upload.id)) this.failUpload(upload, words);
  }

  /** Whether `/file cancel` of the upload the server holds as `id` went, its answer then awaited (`cancelAnswered`). */
  cancelHeld(id) {
    if (!this.host.send(`/file cancel ${id}`)) return false;
    this.cancelling.add(id);
    return true;
  }

  /**
   * Whether `object` (a `file_cancelled`, or `ERR no-such-file`) answers the `/file cancel` of an upload the page
   * gave up (`giveUp`), which it then no longer awaits. An offer made again after a drop may have been refused by a
   * server that had let its upload go meanwhile (expired, or restarted without `--db`): the cancel is then answered
   * `ERR no-such-file`, which tells the user nothing their upload's line does not say already.
   */
  cancelAnswered(object) {
    return this.cancelling.delete(object.file);
  }

  /** The upload ends on the page alone: the server never knew it (its first offer refused), or has let it go itself (`file-corrupt`). */
  failUpload(upload, words) {
    upload.state = "failed";
    upload.card.end(words, "failed");
    this.tell(upload.conversation, upload.card, words, "error");
    this.uploads.delete(upload);
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

  // ---- fetching ----

  /** `file_offered`: a file someone offers (or the user's own offer, echoed); the offer shown, if new. */
  offered(object) {
    if (typeof object.file !== "string" || this.offers.has(object.file)) return undefined;
    if (this.upload(object.file) !== undefined) return undefined; // the user's own offer, echoed: its card says so
    const conversation = this.host.conversationFor(object);
    if (conversation === null) return undefined;
    const name = safeName(typeof object.name === "string" ? object.name : "");
    const bytes = Number.isInteger(object.size) ? object.size : 0;
    const mime = typeof object.mime === "string" ? object.mime : "";
    const hash = typeof object.sha256 === "string" ? object.sha256 : "";
    const mine = this.host.mine(object.nick);
    const to = typeof object.to === "string" ? object.to : "";
    const offer = { id: object.file, name, size: bytes, hash, nick: object.nick, to, conversation, mine };
    const who = mine ? "You" : typeof object.nick === "string" ? object.nick : "";
    offer.card = new Card(object.file, describe(who, mine ? "offer" : "offers", name, bytes, mime, hash));
    this.offers.set(object.file, offer);
    if (mine) {
      // Sent from another session of the user's, or before this page was loaded: it can still be withdrawn here.
      offer.card.say(`Offered to ${to}.`);
      offer.card.buttons(["Cancel", `Withdraw ${name}`, () => this.withdraw(offer)]);
    } else {
      this.answerable(offer);
    }
    if (!conversation.addEvent(object.id, offer.card.line)) {
      this.offers.delete(object.file);
      return undefined;
    }
    return offer;
  }

  /** Offer Accept and Decline on the line of `offer`, to the user. */
  answerable(offer) {
    offer.card.buttons(
      ["Accept", `Accept ${offer.name} from ${offer.nick}`, () => this.accept(offer)],
      ["Decline", `Decline ${offer.name} from ${offer.nick}`, () => this.decline(offer)],
    );
  }

  /** Withdraw the user's own offer that this page did not upload. */
  withdraw(offer) {
    if (!this.host.ask(`/file cancel ${offer.id}`)) return;
    offer.card.end("Withdrawn.", "cancelled");
    this.tell(offer.conversation, offer.card, `You withdrew ${offer.name}.`);
  }

  async accept(offer) {
    if (!(await hashing())) {
      offer.card.buttons(["Decline", `Decline ${offer.name} from ${offer.nick}`, () => this.decline(offer)]);
      offer.card.say(`It cannot be fetched: ${UNHASHABLE}`, "failed");
      return;
    }
    if (this.downloads.has(offer.id)) return; // pressed twice while the page loaded what hashes
    const download = { offer, id: offer.id, parts: [], hashes: [], held: 0, state: "downloading", queue: Promise.resolve() };
    if (!this.host.ask(`/file accept ${offer.id}`)) return;
    this.downloads.set(offer.id, download);
    offer.card.buttons(["Cancel", `Cancel fetching ${offer.name}`, () => this.cancelDownload(download)]);
    offer.card.restart(0);
    offer.card.progress(0, offer.size);
    offer.card.say("Fetching…");
  }

  decline(offer) {
    if (!this.host.ask(`/file decline ${offer.id}`)) return;
    offer.card.end("You declined it.", "declined");
  }

  /** `file_chunk`: the next chunk of a download, checked against its hash before it is kept and acknowledged. */
  chunk(object) {
    const download = this.downloads.get(object.file);
    if (download === undefined) return;
    download.queue = download.queue.then(() => this.take(download, object));
  }

  async take(download, object) {
    if (download.state !== "downloading" || object.offset !== download.held) return; // sent before a resume, or over
    let bytes;
    let hash = "";
    try {
      bytes = fromBase64(typeof object.data === "string" ? object.data : "");
      hash = await sha256(bytes);
    } catch {
      bytes = null;
    }
    if (bytes === null || hash !== object.sha256) {
      this.failDownload(download, `A chunk of ${download.offer.name} arrived damaged: the download stopped.`);
      this.host.send(`/file cancel ${download.id}`);
      return;
    }
    download.parts.push(bytes);
    download.hashes.push(hash);
    download.held += bytes.length;
    this.host.send(`/file ack ${download.id} ${download.held}`);
    download.offer.card.progress(download.held, download.offer.size);
  }

  /** `file_sent`: the last chunk came; once every chunk is taken, check the whole file and save it. */
  sent(object) {
    const download = this.downloads.get(object.file);
    if (download === undefined) return;
    download.queue = download.queue.then(() => this.finish(download));
  }

  async finish(download) {
    if (download.state !== "downloading") return;
    const offer = download.offer;
    const blob = new Blob(download.parts, { type: "application/octet-stream" });
    const whole = download.held === offer.size ? await sha256(await blob.arrayBuffer()) : "";
    this.downloads.delete(download.id);
    if (whole !== offer.hash) {
      this.failDownload(download, `${offer.name} arrived, but its SHA-256 is not the one offered: it was thrown away.`);
      this.host.send(`/file cancel ${download.id}`);
      return;
    }
    download.state = "done";
    download.parts = [];
    const link = offer.card.link(URL.createObjectURL(blob), offer.name);
    offer.card.end(`Fetched, checked (SHA-256 matches) and saved as ${offer.name}.`, "finished");
    this.tell(offer.conversation, offer.card, `${offer.name} from ${offer.nick} is here, checked.`);
    link.click();
  }

  /** Cancel pressed on a download: refused while disconnected, as an upload's is (`cancelUpload`). */
  cancelDownload(download) {
    if (!this.host.ask(`/file cancel ${download.id}`)) return;
    download.state = "cancelled";
    this.downloads.delete(download.id);
    download.offer.card.end("Cancelled.", "cancelled");
    this.tell(download.offer.conversation, download.offer.card, `You stopped fetching ${download.offer.name}.`);
  }

  /**
   * The server refused to send `download` for now (`file-too-many`: the user has as many transfers going as it
   * allows): the offer stands, and its line says why beside Accept and Decline, to try again.
   */
  acceptRefused(download, words) {
    download.state = "refused";
    download.parts = [];
    this.downloads.delete(download.id);
    const offer = download.offer;
    offer.card.end(words, "failed");
    this.answerable(offer);
    this.tell(offer.conversation, offer.card, words, "error");
  }

  failDownload(download, words) {
    download.state = "failed";
    download.parts = [];
    this.downloads.delete(download.id);
    download.offer.card.end(words, "failed");
    this.tell(download.offer.conversation, download.offer.card, words, "error");
  }

  // ---- either way ----

  /** The upload with the server's id `id`, if any. */
  upload(id) {
    for (const upload of this.uploads) if (upload.id === id) return upload;
    return undefined;
  }

  /** The offer of `upload` was answered: it no longer waits for an answer. */
  answered(upload) {
    const at = this.waiting.indexOf(upload);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  /** `file_fetched`: someone has the whole of the user's file, or the user an offer to them on another connection. */
  fetched(object) {
    if (this.doneElsewhere(object, "Fetched on another connection.", "finished", (what) => `${what} was fetched on another connection.`)) return;
    const upload = this.upload(object.file);
    const offer = this.offers.get(object.file);
    const conversation = upload?.conversation ?? offer?.conversation;
    if (conversation === undefined) return;
    const who = typeof object.nick === "string" ? object.nick : "Someone";
    const ended = this.endIfOver(object, `${who} has fetched it.`, "finished");
    this.tell(conversation, ended, `${who} has fetched ${upload?.name ?? offer?.name}.${this.stillOffered(object)}`);
  }

  /** `file_declined`: someone declined the user's offer, or the user an offer to them on another connection. */
  declined(object) {
    if (this.doneElsewhere(object, "Declined on another connection.", "declined", (what) => `${what} was declined on another connection.`)) return;
    const upload = this.upload(object.file);
    const offer = this.offers.get(object.file);
    const conversation = upload?.conversation ?? offer?.conversation;
    const name = upload?.name ?? offer?.name;
    if (conversation === undefined) return;
    const who = typeof object.nick === "string" ? object.nick : "Someone";
    const ended = this.endIfOver(object, `${who} declined it.`, "declined");
    this.tell(conversation, ended, `${who} declined ${name}.${this.stillOffered(object)}`);
  }

  /**
   * `file_cancelled`: the sender withdrew a file, or a recipient stopped fetching the user's. With the user's own
   * nickname it is the user's withdrawal: from this page (done already), or from another session of their account,
   * which ends this page's upload of it, chunks and all; or, for an offer to the user, their stop on another
   * connection, or their leaving the room of a room's offer they were shown as they joined late.
   */
  cancelled(object) {
    this.cancelAnswered(object);
    // With the user's own nickname and a reason "you left ROOM", a room's offer they were shown as they joined late
    // is theirs no longer: they left the room before fetching it (docs/PROTOCOL.md, "Files").
    const leftRoom = typeof object.reason === "string" && object.reason.startsWith("you left ") ? object.reason : "";
    const done = leftRoom
      ? this.doneElsewhere(object, `No longer offered to you (${leftRoom}).`, "cancelled", (what) => `${what} is no longer offered to you (${leftRoom}); joining again offers it again.`)
      : this.doneElsewhere(object, "Stopped on another connection.", "cancelled", (what) => `Fetching ${what} was stopped on another connection.`);
    if (done) return;
    if (this.host.mine(object.nick)) {
      const upload = this.upload(object.file);
      if (upload !== undefined) {
        this.withdrawnElsewhere(upload);
        return;
      }
      // An offer of the user's shown from elsewhere (another session, before a reload) ends, unless it ended here:
      // its Cancel ends it at once, so the withdrawal came from another connection.
      const own = this.offers.get(object.file);
      if (own?.mine && own.card.actions.childElementCount > 0) {
        own.card.end("Withdrawn on another connection.", "cancelled");
        this.tell(own.conversation, own.card, `You withdrew ${own.name} on another connection.`);
      }
      return;
    }
    const who = typeof object.nick === "string" ? object.nick : "Someone";
    const why = typeof object.reason === "string" && object.reason ? ` (${object.reason})` : "";
    const offer = this.offers.get(object.file);
    if (offer !== undefined && !offer.mine) {
      const download = this.downloads.get(object.file);
      if (download !== undefined) {
        download.state = "cancelled";
        download.parts = [];
        this.downloads.delete(object.file);
      }
      offer.card.end(`Cancelled by ${who}${why}.`, "cancelled");
      this.tell(offer.conversation, offer.card, `${who} cancelled ${offer.name}${why}.`);
      return;
    }
    const upload = this.upload(object.file);
    const conversation = upload?.conversation ?? offer?.conversation;
    if (conversation === undefined) return;
    const ended = this.endIfOver(object, `${who} stopped fetching it${why}.`, "cancelled");
    this.tell(conversation, ended, `${who} stopped fetching ${upload?.name ?? offer?.name}${why}.${this.stillOffered(object)}`);
  }

  /**
   * `file_expired`: the server let the file go (an offer past `--file-keep`, an upload unfinished by then or
   * idle), saying why in `reason`. Whatever this page shows of it ends in those words, and a download or upload
   * of it stops: no Accept or Withdraw is left for a file the server no longer has.
   */
  expired(object) {
    const why = typeof object.reason === "string" && object.reason ? ` (${object.reason})` : "";
    const upload = this.upload(object.file);
    const offer = this.offers.get(object.file);
    if (upload === undefined && offer === undefined) return;
    const download = this.downloads.get(object.file);
    if (download !== undefined) {
      download.state = "expired";
      download.parts = [];
      this.downloads.delete(object.file);
    }
    if (upload !== undefined) {
      upload.state = "expired";
      this.uploads.delete(upload);
    }
    const card = upload?.card ?? offer.card;
    card.end(`Expired on the server${why}.`, "expired");
    const conversation = upload?.conversation ?? offer.conversation;
    const words =
      upload !== undefined || offer.mine
        ? `${upload?.name ?? offer.name} to ${upload?.target ?? offer.to} expired on the server${why}; nobody can fetch it now.`
        : `${offer.nick}'s offer of ${offer.name} expired${why}; it can no longer be fetched.`;
    this.tell(conversation, card, words);
  }

  /**
   * The user is done, on another connection of their account, with an offer to them that this page still shows
   * open (`object` names the file and the user: they fetched, declined or stopped it there): its line ends in
   * `words` with no button left, a download of it here stops, and the conversation says `notice(what)`. True if
   * so; false for anything else, which the caller reads as before. A line this page ended itself stays as it is.
   */
  doneElsewhere(object, words, kind, notice) {
    const offer = this.offers.get(object.file);
    if (offer === undefined || offer.mine || !this.host.mine(object.nick) || offer.card.actions.childElementCount === 0) return false;
    const download = this.downloads.get(object.file);
    if (download !== undefined) {
      download.state = "cancelled";
      download.parts = [];
      this.downloads.delete(object.file);
    }
    offer.card.end(words, kind);
    this.tell(offer.conversation, offer.card, notice(`${offer.name} from ${offer.nick}`));
    return true;
  }

  /** Another session of the user's account withdrew `upload` (or stopped sending it): it ends here, and says so. */
  withdrawnElsewhere(upload) {
    const offered = upload.state === "offered";
    upload.state = "cancelled";
    this.uploads.delete(upload);
    upload.card.end(offered ? "Withdrawn on another connection." : "Cancelled on another connection.", "cancelled");
    this.tell(
      upload.conversation,
      upload.card,
      offered
        ? `Your offer of ${upload.name} to ${upload.target} was withdrawn on another connection; nobody can fetch it now.`
        : `Sending ${upload.name} to ${upload.target} was cancelled on another connection.`,
    );
  }

  /** An `error`; true if it answered a file command (and is shown with that transfer), else false. */
  error(object) {
    if (object.code === "no-such-file" && this.cancelAnswered(object)) return true;
    const transfer = this.refused(object);
    if (transfer === undefined) return false;
    if (transfer.offer === undefined) {
      this.answered(transfer);
      if (this.namesOffer(object)) {
        this.offerRefused(transfer, object);
      } else if (object.code === "file-offset" && Number.isInteger(object.have)) {
        // The server holds another amount than the page thought (a chunk lost in a drop): go on from there.
        transfer.acked = object.have;
        transfer.next = object.have;
        this.pump(transfer);
      } else if (object.code === "bad-file-chunk") {
        // A chunk refused, nothing stored: the server holds the upload still, and would until its idle hour was up.
        this.giveUp(transfer, this.words(object));
      } else if (object.code === "file-uploaded") {
        this.heldWhole(transfer);
      } else {
        this.failUpload(transfer, this.words(object));
      }
    } else if (object.code === "file-resume-mismatch") {
      // The server's copy differs from what the page holds there: start again from the first byte.
      transfer.parts = [];
      transfer.hashes = [];
      transfer.held = 0;
      transfer.offer.card.restart(0);
      this.host.send(`/file accept ${transfer.id}`);
    } else if (object.code === "no-such-file") {
      this.failDownload(transfer, this.words(object));
    } else {
      this.acceptRefused(transfer, this.words(object));
    }
    return true;
  }

  /**
   * The upload or download an error refuses: for a refusal of an offer, which has no id yet, the first upload
   * awaiting the offer it names (`offer`: its target, size and SHA-256; the same file to two people is two offers);
   * else the one its `file` names (a chunk's refusal, a failed check and an accept's refusal name theirs, so with
   * several at once each is answered alone). An error with an offer's or an accept's code that names neither
   * answers another line (a `/msg` to someone who just left is `no-such-nick` too): the app shows it as it is. It was
   * taken for the refusal of the oldest offer or accept awaited, whose real answer then went unheard.
   */
  refused(object) {
    if (this.namesOffer(object)) {
      const { target, size, sha256 } = object.offer;
      return this.waiting.find((each) => each.target === target && each.size === size && each.hash === sha256);
    }
    if (typeof object.file === "string") return this.downloads.get(object.file) ?? this.upload(object.file);
    return undefined;
  }

  /** Whether the error `object` is the refusal of an offer, naming it (docs/PROTOCOL.md, Files). */
  namesOffer(object) {
    return typeof object.offer === "object" && object.offer !== null;
  }

  /**
   * The server refused the offer of `upload`. One it may hold (an offer made again after a drop: it gave the upload
   * an id, or the drop cut off the answer that had one) is held there still, as the refusal's `file` names it (else
   * by the id it had): given up there too, even with no id heard. One whose Cancel was pressed while the offer was
   * on its way stays "Cancelled.": the refusal, shown on its line, read as if the file was still wanted.
   */
  offerRefused(upload, object) {
    const mayHold = upload.id !== null || upload.offerLost;
    const held = mayHold && typeof object.file === "string" ? object.file : upload.id;
    if (upload.state === "cancelled") {
      // Its Cancel let go the upload it knew the id of; the one the refusal names, if another, goes too.
      if (mayHold && held !== upload.id) this.cancelHeld(held);
    } else if (held === null) {
      this.failUpload(upload, this.words(object));
    } else {
      upload.id = held;
      this.giveUp(upload, this.words(object));
    }
  }

  words(object) {
    return typeof object.text === "string" ? object.text : String(object.code);
  }

  // ---- after a drop, or a reload ----

  /** The page has a nickname (first, or again after a drop): ask which transfers are open to and from its user. */
  ask() {
    this.host.send("/file list");
  }

  /**
   * `file_list`: each file still offered to the user that this page does
   * not show yet is shown again with Accept (after a reload: whatever was
   * fetched before it is gone, so fetching starts from the first byte); an
   * upload of the user's that no page holds says how to go on with it.
   */
  listed(object) {
    if (!Array.isArray(object.files)) return;
    for (const entry of object.files) {
      if (entry === null || typeof entry !== "object" || typeof entry.file !== "string") continue;
      if (entry.state === "uploading") {
        if (this.host.mine(entry.nick)) this.unfinished(entry);
        continue;
      }
      this.offered(entry)?.card.say(this.host.mine(entry.nick) ? "Still offered." : "Still offered to you.");
    }
  }

  /** An upload of the user's the server holds part of and this page does not (it was reloaded): choosing the file again goes on. */
  unfinished(entry) {
    const uploading = [...this.uploads].some((upload) => upload.id === entry.file || (upload.hash === entry.sha256 && upload.size === entry.size && upload.target === entry.to));
    const conversation = this.host.conversationFor(entry);
    if (uploading || conversation === null) return;
    const name = safeName(typeof entry.name === "string" ? entry.name : "");
    conversation.addNotice(noticeLine(`Sending ${name} to ${entry.to} stopped before the end: send the same file here again and it goes on from what the server holds.`));
  }

  /**
   * The socket dropped: nothing sent is awaited any more; uploads and downloads wait to go on. An upload whose
   * first offer went unanswered may have been opened on the server (`offerLost`): the page never heard its id.
   */
  lost() {
    this.drops += 1;
    for (const upload of this.waiting) {
      if (upload.id === null) upload.offerLost = true;
    }
    this.waiting = [];
    for (const upload of this.uploads) {
      if (upload.state === "uploading" || upload.state === "checking" || upload.state === "offering" || upload.state === "restarting") {
        upload.state = "offering";
        upload.card.say("Disconnected: waiting to go on…");
      }
    }
    for (const download of this.downloads.values()) download.offer.card.say("Disconnected: waiting to go on…");
  }

  /** The page is back in its rooms: offer the uploads again (the server says how far it got) and resume downloads. */
  back() {
    for (const upload of this.uploads) {
      if (upload.state === "offering") this.offer(upload);
    }
    for (const download of this.downloads.values()) {
      download.queue = download.queue.then(() => this.resume(download));
    }
  }

  resume(download) {
    if (download.state !== "downloading") return;
    // Only whole chunks count: the server's resume point is a multiple of the chunk size.
    while (download.held % CHUNK !== 0) {
      download.held -= download.parts.pop().length;
      download.hashes.pop();
    }
    const line = download.held > 0 ? `/file accept ${download.id} ${download.held} ${download.hashes.at(-1)}` : `/file accept ${download.id}`;
    if (!this.host.send(line)) return;
    download.offer.card.restart(download.held);
    download.offer.card.say(download.held > 0 ? `Going on from ${size(download.held)}.` : "Fetching…");
    if (download.held > 0) download.offer.conversation.addNotice(noticeLine(`Fetching ${download.offer.name} goes on from the ${size(download.held)} the page holds.`));
  }
}
