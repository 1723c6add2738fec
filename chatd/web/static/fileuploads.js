// Sending a file (docs/PROTOCOL.md, Files), a part of files.js's Transfers:
// the file is hashed (SHA-256 of the whole, and of each 16 KiB chunk, for
// the check when an upload goes on), offered, then uploaded a chunk at a
// time read with File.slice, at most WINDOW chunks unacknowledged, until the
// server says it holds it all, checked, and has offered it. A part of its
// own because it is the one path of a transfer that reads the user's file.

import { count, el, fold } from "./dom.js";
import { CHUNK, Card, UNHASHABLE, hashing, mimeType, safeName, sha256, size, toBase64 } from "./filecard.js";
import { noticeLine } from "./lines.js";

/** Chunks sent and not yet acknowledged, at most (the server's window too). */
const WINDOW = 8;

/** The user's files sent from this page, from hashing to offered: a part of files.js's Transfers. */
export const FileUploads = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.maxSize = null; // the largest file the server takes, in bytes, as its welcome said (null: not said)
    }

    /** The server's welcome (`file_max_size`, docs/PROTOCOL.md): the largest file it takes, or nothing said. */
    welcome(object) {
      this.maxSize = Number.isInteger(object.file_max_size) && object.file_max_size > 0 ? object.file_max_size : null;
    }

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
  };
