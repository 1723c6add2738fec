// The page's search of a room (docs/PROTOCOL.md, Search): asked from the
// search box or typed as /search in the message box, its hits listed in the
// results panel as buttons that jump to each line in its context (from the
// log if it holds it, else /history around it). The results belong to the
// room searched: showing another conversation or leaving the room closes them.

import { conversationKey } from "./conversation.js";
import { $, el } from "./dom.js";
import { eventLine } from "./lines.js";
import { searching } from "./typed.js";

/** The chat's search of a room and its results panel: a part of app.js's Chat. */
export const Search = (Base) =>
  class extends Base {
    search(words) {
      const room = this.current;
      if (room === null || room.kind !== "room") {
        this.view.sayHere("Search works in a room: open one first.");
        return;
      }
      this.dropResults();
      this.searched = room;
      $("results").hidden = false;
      // Not through send(): the results say what became of it, and the status line keeps the reconnection's countdown.
      this.searching = this.online && this.link.send(`/search ${room.name} ${words}`);
      if (this.searching) $("results-heading").textContent = `Searching ${room.name}…`;
      else this.unsearched(this.left ? "you left the chat. Reload the page to come back." : "not connected. Search again once reconnected.");
    }

    /**
     * `/search [#room] words` typed in the message box, of a room the user is
     * in: made as the search box makes it, that room shown, its results in the
     * panel (true); the server's answer to a search the panel did not ask for
     * was shown nowhere. Null for any other line, and for a search of a room
     * the user is not in, or of none: it goes as typed, and its refusal is shown.
     */
    searchTyped(text) {
      const asked = searching(text);
      if (asked === null) return null;
      const room = asked.room === null ? this.current : this.conversations.get(conversationKey("room", asked.room));
      if (room?.kind !== "room" || !room.joined) return null;
      if (room !== this.current) this.show(room, false);
      $("search-words").value = asked.words;
      this.search(asked.words);
      return true;
    }

    /** The search shown could not be made (`why`): no answer will come to end its "Searching…". */
    unsearched(why) {
      this.searching = false;
      $("results-heading").textContent = `Could not search ${this.searched.name}: ${why}`;
    }

    /**
     * Close the results, which belong to the room searched: switching to
     * another conversation or leaving the room closes them, and the hits of a
     * search of another room, still coming in, are dropped.
     */
    dropResults() {
      this.searched = null;
      this.searching = false;
      $("results").hidden = true;
      $("results-list").replaceChildren();
    }

    found(object) {
      const room = this.room(object.room, false);
      if (room === null || room !== this.searched || typeof object.id !== "string") return;
      const id = object.id;
      // The hit is a button that jumps to the line: no link inside it.
      const line = eventLine({ ...object, history: false }, false, false);
      if (line === null) return;
      const jump = el("button", { type: "button", class: "hit" }, ...line.childNodes);
      jump.addEventListener("click", () => this.jump(room, id));
      $("results-list").append(el("li", { "data-id": id }, jump));
    }

    searchEnd(object) {
      if (this.searched === null || this.room(object.room, false) !== this.searched) return;
      this.searching = false;
      const count = Number.isInteger(object.count) ? object.count : 0;
      const room = typeof object.room === "string" ? object.room : "";
      $("results-heading").textContent = count ? `${count} found in ${room}` : `Nothing found in ${room}`;
      const first = $("results-list").querySelector("button");
      if (first !== null) first.focus();
    }

    /** Show the line with `id` in its context: from the log if it is there, else /history around it. */
    jump(room, id) {
      this.show(room, false);
      if (room.highlight(id)) return;
      room.expect.push({ kind: "around", id });
      room.older += 1;
      this.send(`/history ${room.name} around ${id}`);
    }

    closeResults() {
      this.dropResults();
      $("search-words").focus();
    }
  };
