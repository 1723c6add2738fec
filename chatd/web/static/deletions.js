// Lines taken away (/delete, docs/PROTOCOL.md "Deleting a line"): a
// `deleted` event turns the line's text, in the room's log and in the search
// results shown, into a muted "deleted by NICK (reason)", so the page never
// shows it again and the reader sees what went and who took it; a deletion
// of a line the page never showed is an event line of the room. Each line
// said or acted in a room that the user may delete (their own, or anyone's
// where they hold operator, or anywhere once a server operator: the server
// refuses the rest, as for a typed /delete, and says why) carries a small
// "delete" button, which asks once more before it sends `/delete #room ID`. A refusal of it (the line not the
// user's, gone already, the user no longer in the room) is said on the line,
// whose button then works again, as a refused take-down is said on its file's.
// Others' lines already shown get the button, or lose it, as the user's
// standing changes (an /oper answered, a +o or -o, a /who page, coming back
// no operator), as their offers' Take down does.

import { el, fold } from "./dom.js";
import { eventLine } from "./lines.js";

/** Lines that may be deleted: what was said or acted (a join, a topic is the room's record, not anyone's words). */
const DELETABLE = new Set(["said", "acted"]);

/** Refusals that name the line they refuse (docs/PROTOCOL.md, JSON lines: `room` and `line`). */
const LINE_REFUSALS = new Set(["no-such-line", "not-your-line"]);

/** Whether the `error` object answers `asked`, a /delete sent from a line's button: it names its line, or its room for a non-member. */
function answers(object, asked) {
  if (typeof object.room !== "string" || fold(object.room) !== asked.room) return false;
  return LINE_REFUSALS.has(object.code) ? object.line === asked.id : object.code === "members-only";
}

/** What shows where a deleted line's text was: who took it away, and why if they said. */
function deletedWords(object) {
  const by = typeof object.nick === "string" ? object.nick : "";
  const why = typeof object.reason === "string" && object.reason ? ` (${object.reason})` : "";
  return el("span", { class: "deleted-note" }, `deleted by ${by}${why}`);
}

/** Put `words` in place of the body of `line` (a log's <li>, or a search hit), and take its delete button away. */
function markDeleted(line, words) {
  line.classList.add("deleted");
  line.querySelector(".body")?.replaceChildren(words.cloneNode(true));
  line.querySelector(".delete-line")?.remove();
}

/** Say on the line of `button` why it was not deleted, and make the button a first press again. */
function notDeleted(button, why) {
  button.disabled = false;
  button.classList.remove("confirm");
  button.textContent = "delete";
  button.closest("li")?.append(el("span", { class: "delete-refused" }, `Not deleted: ${why}`));
}

/** Deleting lines, and showing them deleted: a part of app.js's Chat. */
export const Deletions = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.deleting = []; // the /delete lines a line's button sent, not answered yet: {room (folded), id, button}, oldest first
      this.othersLines = new WeakSet(); // lines of rooms' logs said or acted by others: their button follows the standing
    }

    /** `deleted`: the line gives way to who deleted it, wherever the page shows it. */
    deleted(object) {
      const id = typeof object.line === "string" ? object.line : "";
      const room = this.room(object.room, false);
      if (!id || room === null) return;
      this.deleting = this.deleting.filter((asked) => asked.id !== id);
      const words = deletedWords(object);
      const shown = [room.lines.get(id), ...document.querySelectorAll("#results-list li[data-id]")].filter(
        (line) => line !== undefined && line.getAttribute("data-id") === id,
      );
      for (const line of shown) markDeleted(line, words);
      if (shown.length === 0) this.event(room, object);
    }

    /** Every event line goes through here: one the user may delete gets its button. */
    event(conversation, object, mention = false, line = eventLine(object, mention)) {
      if (line !== null && this.deletable(conversation, object)) {
        if (!this.mine(object.nick)) this.othersLines.add(line);
        if (this.mine(object.nick) || this.moderates(conversation)) line.append(this.deleteButton(conversation, object.id));
      }
      super.event(conversation, object, mention, line);
    }

    /** Whether `object` in `conversation` is a line anyone may be let delete: said or acted in a room, with its id. */
    deletable(conversation, object) {
      return conversation.kind === "room" && DELETABLE.has(object.type) && typeof object.id === "string";
    }

    /**
     * Whether the user may delete others' lines, and take down their offers, in `room`, as far as the page knows:
     * they are a server operator (notices.js), or hold operator there: the server's may_delete and check_withdrawer.
     */
    moderates(room) {
      return this.me !== null && (this.serverOperator || room.holdsOperator(this.me));
    }

    /**
     * The user's standing in `room` may have changed: each line of others' it shows gets its button, or loses it, as
     * it now fits. One whose /delete was sent keeps its own, for the server's answer; none changes while the page is
     * unnamed, when it knows no standing (coming back, the "You are NICK." it waits for says it).
     */
    standingChanged(room) {
      super.standingChanged(room);
      if (this.me === null) return;
      const may = this.moderates(room);
      for (const [id, line] of room.lines) {
        if (!this.othersLines.has(line) || line.classList.contains("deleted")) continue;
        const button = line.querySelector(".delete-line");
        if (may && button === null) line.querySelector(".body")?.after(this.deleteButton(room, id));
        else if (!may && button !== null && !button.disabled) button.remove();
      }
    }

    /** The button that deletes the line `id` of `room`: a first press asks "Delete?", a second sends /delete. */
    deleteButton(room, id) {
      const button = el("button", { type: "button", class: "delete-line", title: "Delete this line for everyone" }, "delete");
      button.addEventListener("click", () => {
        if (!button.classList.contains("confirm")) {
          button.classList.add("confirm");
          button.textContent = "delete for everyone?";
          return;
        }
        if (!this.send(`/delete ${room.name} ${id}`)) return;
        button.disabled = true;
        button.closest("li")?.querySelector(".delete-refused")?.remove();
        this.deleting.push({ room: fold(room.name), id, button });
      });
      return button;
    }

    /** An `error` refusing a /delete a line's button sent: said on that line, whose button works again. True if so. */
    deleteRefused(object) {
      const at = this.deleting.findIndex((asked) => answers(object, asked));
      if (at < 0) return false;
      const [asked] = this.deleting.splice(at, 1);
      notDeleted(asked.button, typeof object.text === "string" ? object.text : String(object.code));
      return true;
    }

    /** The connection dropped: no /delete sent is answered now, so each line asked about says so and may be asked again. */
    lost(...args) {
      super.lost(...args);
      for (const asked of this.deleting.splice(0)) notDeleted(asked.button, "the connection dropped before the server answered");
    }
  };
