// Fetching a file offered (docs/PROTOCOL.md, Files), a part of files.js's
// Transfers: the offer's line with Accept and Decline (or Cancel, for an
// offer of the user's own shown from elsewhere), each chunk checked against
// its hash as it comes and acknowledged, the whole file checked against the
// offer's hash, then saved through a download link. A part of its own
// because it is the one path of a transfer that writes a file for the user.

import { Card, UNHASHABLE, describe, fromBase64, hashing, safeName, sha256 } from "./filecard.js";

/** The offers shown to the user and the files fetched from them: a part of files.js's Transfers. */
export const FileDownloads = (Base) =>
  class extends Base {
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

    /** Offer Accept and Decline on the line of `offer`, to the user, and Take down if theirs to take down (filetakedowns.js). */
    answerable(offer) {
      offer.card.buttons(
        ["Accept", `Accept ${offer.name} from ${offer.nick}`, () => this.accept(offer)],
        ["Decline", `Decline ${offer.name} from ${offer.nick}`, () => this.decline(offer)],
        ...this.takeDownButton(offer),
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
      this.accepted.add(offer.id);
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
      if (download.state !== "downloading") return; // ended while hashed: an ack now would be answered no-such-file
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
  };
