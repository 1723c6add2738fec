// Taking down someone else's offer to a room (docs/PROTOCOL.md, Files:
// /file withdraw), a part of files.js's Transfers. A room's offer stays open
// a week for whoever joins, its sender maybe gone: the room's owner and its
// operators (and server operators) take it down for everyone. Its line, to a
// server operator (told by /oper's answer, or by "You are NICK." coming
// back to one) or a user who holds operator standing in the room as the page
// knows it, has a "Take down" beside Accept and Decline (the server refuses
// anyone else, and the refusal shows on the line); a first press asks "Take
// down for everyone?", a second sends /file withdraw. Every page told of it, the
// sender's included, ends the line saying who took it down and why.

/** What a file's line says of a take-down: who did it (the user: "you"), and the server's reason. */
function takenDownBy(object, mine) {
  const who = mine ? "you" : typeof object.nick === "string" ? object.nick : "an operator";
  const why = typeof object.reason === "string" && object.reason ? ` (${object.reason})` : "";
  return { who, why };
}

/** Take-downs of room offers, asked for and told of: a part of files.js's Transfers. */
export const FileTakedowns = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.takingDown = new Set(); // ids of offers whose /file withdraw went from here, not answered yet
    }

    /** `offer`'s Take down as one of Card.buttons' entries, for a user who may take it down: none for anyone else. */
    takeDownButton(offer) {
      if (offer.mine || !offer.to.startsWith("#") || !this.host.mayTakeDownIn(offer.conversation)) return [];
      const label = `Take down ${offer.name} from ${offer.nick} for everyone`;
      return [["Take down", label, (click) => this.takeDown(offer, click.currentTarget)]];
    }

    /** Take down pressed: a first press asks again on the button, a second sends /file withdraw. */
    takeDown(offer, button) {
      if (!button.classList.contains("confirm")) {
        button.classList.add("confirm");
        button.textContent = "Take down for everyone?";
        return;
      }
      if (!this.host.ask(`/file withdraw ${offer.id}`)) return;
      button.disabled = true;
      this.takingDown.add(offer.id);
    }

    /**
     * The user's standing in `conversation` may have changed (a /who page, a mode, a room operator named): each
     * offer there still to answer gets Take down, or loses it, as it now fits. A line being fetched or ended keeps its own.
     */
    standingChanged(conversation) {
      for (const offer of this.offers.values()) {
        if (offer.conversation !== conversation || offer.mine || this.downloads.has(offer.id)) continue;
        const taking = offer.card.actions.querySelector(".file-take-down");
        if (offer.card.actions.querySelector(".file-accept") === null || taking?.disabled === true) continue;
        if ((taking !== null) !== (this.takeDownButton(offer).length > 0)) this.answerable(offer);
      }
    }

    /**
     * `file_cancelled` with `taken_down_from`: someone with authority in the room took a room's offer down. Whatever
     * this page shows of it ends, saying who and why: an offer to the user (a download of it stops), the user's own
     * upload or offer, for the sender. True if it was one (told or not shown here), false for any other cancel.
     */
    takenDown(object) {
      if (typeof object.taken_down_from !== "string") return false;
      this.takingDown.delete(object.file);
      const { who, why } = takenDownBy(object, this.host.mine(object.nick));
      const download = this.downloads.get(object.file);
      if (download !== undefined) {
        download.state = "cancelled";
        download.parts = [];
        this.downloads.delete(object.file);
      }
      const upload = this.upload(object.file);
      if (upload !== undefined) {
        upload.state = "cancelled";
        this.uploads.delete(upload);
      }
      const offer = this.offers.get(object.file);
      const card = upload?.card ?? offer?.card;
      if (card === undefined) return true;
      card.end(`Taken down by ${who}${why}.`, "cancelled");
      const mine = upload !== undefined || offer.mine;
      const words = mine
        ? `Your offer of ${upload?.name ?? offer.name} to ${upload?.target ?? offer.to} was taken down by ${who}${why}; nobody can fetch it now.`
        : `${offer.nick}'s offer of ${offer.name} was taken down by ${who}${why}.`;
      this.tell(upload?.conversation ?? offer.conversation, card, words);
      return true;
    }

    /**
     * An `error` answering a /file withdraw of this page's (it names the file): said on the offer's line, which offers
     * Take down again (a room's owner may identify and try again), or ends if the server no longer has it. True if so.
     */
    takeDownRefused(object) {
      if (typeof object.file !== "string" || !this.takingDown.delete(object.file)) return false;
      const offer = this.offers.get(object.file);
      if (offer === undefined) return true;
      const words = `It was not taken down: ${this.words(object)}`;
      if (object.code === "no-such-file") {
        offer.card.end(words, "failed"); // the server no longer has it: nothing is left to accept either
      } else {
        if (offer.card.actions.querySelector(".file-take-down") !== null) this.answerable(offer);
        offer.card.say(words, "failed");
      }
      this.tell(offer.conversation, offer.card, words, "error");
      return true;
    }
  };
