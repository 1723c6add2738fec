// Transfers across a dropped connection or a reload, a part of files.js's
// Transfers: on every connection the page asks the server which transfers
// are open (a reloaded page holds none in memory, and shows again the files
// still offered to its user); after a drop, once the page is back in its
// rooms, uploads go on from what the server holds and downloads from what
// the page holds. A part of its own as returning.js is the chat's.

import { CHUNK, safeName, size } from "./filecard.js";
import { noticeLine } from "./lines.js";

/** Transfers going on after a drop, and shown again after a reload: a part of files.js's Transfers. */
export const FileReturning = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.drops = 0; // the socket's drops so far: what was awaited across one answers a connection gone by
      this.listNext = null; // the timer that asks for the list's next page once the last one's wait is over
    }

    /** The page has a nickname (first, or again after a drop): ask which transfers are open to and from its user. */
    ask() {
      this.host.send("/file list");
    }

    /**
     * `file_list`: each file still offered to the user that this page does
     * not show yet is shown again with Accept (after a reload: whatever was
     * fetched before it is gone, so fetching starts from the first byte); an
     * upload of the user's that no page holds says how to go on with it.
     * The server answers a page at a time (at most 100): one naming a
     * `next` cursor is followed by a request for the page after it, until
     * the last, so that every file open is shown however many there are.
     * Each page costs flood budget by its size, so the next is asked for once
     * the page's `wait` is over (its budget full again): asked at once, it
     * had the page told the server slows it, from the second page on.
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
      // A cursor is given back as it is; one with a space or a line break in it would be another command.
      if (typeof object.next === "string" && /^[\x21-\x7e]+$/.test(object.next)) this.askNextPage(object.next, object.wait);
    }

    /** Ask for the list's page after `cursor` once `wait` seconds (the last page's) are over. */
    askNextPage(cursor, wait) {
      const seconds = typeof wait === "number" && Number.isFinite(wait) && wait > 0 ? wait : 0;
      if (this.listNext !== null) clearTimeout(this.listNext);
      // setTimeout takes at most 2^31 - 1 ms; past that it fires at once.
      this.listNext = setTimeout(() => {
        this.listNext = null;
        this.host.send(`/file list after ${cursor}`);
      }, Math.min(seconds * 1000, 2 ** 31 - 1));
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
      // The page after a cursor is asked for again from the first on the next connection (ask).
      if (this.listNext !== null) clearTimeout(this.listNext);
      this.listNext = null;
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
  };
