// What others did with a transfer of the user's, as the server tells it:
// a recipient fetched, declined or stopped fetching the user's offer (one
// to a room stays offered to whoever joins it: stillOffered), the sender
// withdrew an offer (an operator's take-down is filetakedowns.js's), the
// server let a file expire, or the user did any of
// these on another connection of their account. A part of files.js's
// Transfers, apart from sending and fetching because each piece of news
// may end an upload, a download or an offer shown.

/** The server's news of transfers the user takes part in: a part of files.js's Transfers. */
export const FileNews = (Base) =>
  class extends Base {
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

    /**
     * `file_declined`: someone declined the user's offer, or the user an offer to them on another connection, or
     * here by typing /file decline * (`decliningEvery`, files.js).
     */
    declined(object) {
      const [words, notice] = this.decliningEvery
        ? ["You declined it.", (what) => `You declined ${what}.`]
        : ["Declined on another connection.", (what) => `${what} was declined on another connection.`];
      if (this.doneElsewhere(object, words, "declined", notice)) return;
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
      if (this.takenDown(object)) return; // by an operator, maybe the user: whoever it is, the offer is over
      // With a `left_room`, a room's offer they were shown as they joined late is theirs no longer: they left the room
      // before fetching it (docs/PROTOCOL.md, "Files"); its reason says so in words.
      const leftRoom = typeof object.left_room === "string" ? String(object.reason) : "";
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
  };
