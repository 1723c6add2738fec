// How an upload of this page ends before it is offered, or is withdrawn: the
// user's Cancel, an upload the page gives up though the server holds it
// (with /file cancel, whose answer is then awaited), or one that ends on the
// page alone. A part of files.js's Transfers, apart from sending itself
// because what the server may still hold decides each ending.

/** The ends of the user's uploads, by Cancel or by failure: a part of files.js's Transfers. */
export const FileCancels = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.cancelling = new Set(); // ids of uploads given up with /file cancel (giveUp), whose answer has yet to come
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
  };
