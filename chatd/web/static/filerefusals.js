// The server's refusals of file commands (docs/PROTOCOL.md, Files), each
// shown with the upload or download it refuses: an offer's refusal names the
// offer, a chunk's or an accept's names its file. A part of files.js's
// Transfers, apart because telling which transfer an error answers, and
// leaving alone one that answers another line, is a matter of its own.

import { command } from "./typed.js";

/** Errors that answer a file command, taken by the transfer they refuse: a part of files.js's Transfers. */
export const FileRefusals = (Base) =>
  class extends Base {
    /** The offer of `upload` was answered: it no longer waits for an answer. */
    answered(upload) {
      const at = this.waiting.indexOf(upload);
      if (at >= 0) this.waiting.splice(at, 1);
    }

    /** An `error`; true if it answered a file command (and is shown with that transfer), else false. */
    error(object) {
      if (object.code === "no-such-file" && this.cancelAnswered(object)) return true;
      if (this.takeDownRefused(object)) return true;
      if (object.code === "no-such-file" && this.lateAnswer(object)) return true;
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
     * Whether `object` (`ERR no-such-file`) answers a line this page sent about a download it has ended since: an ack
     * of a chunk taken, Accept, Cancel, or the cancel after a damaged chunk or a wrong SHA-256, that crossed the
     * sender's withdrawal, a stop or an expiry on its way. The download's line says already how it ended, and the
     * error, shown under it, read as if something else had gone wrong. One the page still fetches is refused as ever
     * (`refused`), and so is a line the user typed about it since (`typed`).
     */
    lateAnswer(object) {
      return typeof object.file === "string" && this.accepted.has(object.file) && !this.downloads.has(object.file);
    }

    /** The user typed `line`: a `/file` line naming a download this page fetched has its answer shown (`lateAnswer`). */
    typed(line) {
      const typed = command(line);
      if (typed?.name === "file" && typed.words.length > 1) this.accepted.delete(typed.words[1]);
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
  };
