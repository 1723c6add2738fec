// Lines taken away (/delete, docs/PROTOCOL.md "Deleting a line"): a
// `deleted` event turns the line's text, in the room's log and in the search
// results shown, into a muted "deleted by NICK (reason)", so the page never
// shows it again and the reader sees what went and who took it; a deletion
// of a line the page never showed is an event line of the room. Each line
// said or acted in a room that the user may delete (their own, or anyone's
// where they hold operator: the server refuses the rest, as for a typed
// /delete, and says why) carries a small "delete" button, which asks once
// more before it sends `/delete #room ID`.

import { el } from "./dom.js";
import { eventLine } from "./lines.js";

/** Lines that may be deleted: what was said or acted (a join, a topic is the room's record, not anyone's words). */
const DELETABLE = new Set(["said", "acted"]);

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

/** Deleting lines, and showing them deleted: a part of app.js's Chat. */
export const Deletions = (Base) =>
  class extends Base {
    /** `deleted`: the line gives way to who deleted it, wherever the page shows it. */
    deleted(object) {
      const id = typeof object.line === "string" ? object.line : "";
      const room = this.room(object.room, false);
      if (!id || room === null) return;
      const words = deletedWords(object);
      const shown = [room.lines.get(id), ...document.querySelectorAll("#results-list li[data-id]")].filter(
        (line) => line !== undefined && line.getAttribute("data-id") === id,
      );
      for (const line of shown) markDeleted(line, words);
      if (shown.length === 0) this.event(room, object);
    }

    /** Every event line goes through here: one the user may delete gets its button. */
    event(conversation, object, mention = false, line = eventLine(object, mention)) {
      if (line !== null && this.mayDelete(conversation, object)) line.append(this.deleteButton(conversation, object.id));
      super.event(conversation, object, mention, line);
    }

    /** Whether the user may delete `object` in `conversation`, as far as the page knows: their line, or they hold operator there. */
    mayDelete(conversation, object) {
      if (conversation.kind !== "room" || !DELETABLE.has(object.type) || typeof object.id !== "string") return false;
      return this.mine(object.nick) || (this.me !== null && conversation.holdsOperator(this.me));
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
        button.disabled = true;
        this.send(`/delete ${room.name} ${id}`);
      });
      return button;
    }
  };
