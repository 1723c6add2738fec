// The page's search of a room (docs/PROTOCOL.md, Search): asked from the
// search box or typed as /search in the message box, its hits listed in the
// results panel as buttons that jump to each line in its context (from the
// log if it holds it, else /history around it). `/search @NICK words` typed
// searches the private messages with NICK, whose hits are listed as they
// are: the server shows no private messages around one, so none can be
// shown in its context. A full page of results ends with "Older results",
// which asks for the page before its oldest hit (the server's `earlier`),
// added below. The results belong to the conversation searched: showing
// another one or leaving the room closes them.

import { conversationKey } from "./conversation.js";
import { $, el } from "./dom.js";
import { eventLine } from "./lines.js";
import { searching } from "./typed.js";

/** The chat's search of a room and its results panel: a part of app.js's Chat. */
export const Search = (Base) =>
  class extends Base {
    /** Search the conversation shown for `words`, as its search box asks: a room, or once identified a private one. */
    search(words) {
      const shown = this.current;
      if (shown === null) {
        this.view.sayHere("Search works in a room or a private conversation: open one first.");
        return;
      }
      if (shown.kind === "private" && this.account === null) {
        this.view.sayHere("Private messages are searched once you are identified: /register or /identify first.");
        return;
      }
      this.searchIn(shown, words);
    }

    /**
     * Search `conversation` (a room the user is in, or a private conversation) for `words`, its results in the panel;
     * with `before` (an id or a time), only what is older than it.
     */
    searchIn(conversation, words, before = null) {
      this.dropResults();
      this.searched = conversation;
      this.searchedWords = words;
      $("results").hidden = false;
      this.askSearch(before);
    }

    /** The page of results before the oldest shown, below them: what "Older results" asks for. */
    searchOlder() {
      if (this.searched === null || this.searchEarlier === null || this.searching) return;
      $("results-older").hidden = true;
      this.askSearch(this.searchEarlier);
    }

    /** Send the search of the conversation searched, before `before` (null: its newest hits), and say so. */
    askSearch(before) {
      const conversation = this.searched;
      const target = conversation.kind === "room" ? conversation.name : `@${conversation.name}`;
      const bound = before === null ? "" : `before ${before} `;
      this.pageFrom = $("results-list").childElementCount;
      // Not through send(): the results say what became of it, and the status line keeps the reconnection's countdown.
      this.searching = this.online && this.link.send(`/search ${target} ${bound}${this.searchedWords}`);
      const older = before === null ? "" : "older lines of ";
      if (this.searching) $("results-heading").textContent = `Searching ${older}${searchedIn(conversation)}…`;
      else this.unsearched(this.left ? "you left the chat. Reload the page to come back." : "not connected. Search again once reconnected.");
    }

    /**
     * `/search [#room|@NICK] words` typed in the message box, of a room the
     * user is in or, once identified, of the private messages with NICK (or
     * with the person shown, typed in their conversation without a room):
     * made as the search box makes it, that conversation shown, its results
     * in the panel (true); the server's answer to a search the panel did not
     * ask for was shown nowhere. Null for any other line, for a search of a
     * room the user is not in, or of none, and for one of private messages
     * while not identified: it goes as typed, and its refusal is shown.
     */
    searchTyped(text) {
      const asked = searching(text);
      if (asked === null) return null;
      let conversation;
      if (asked.nick !== null) {
        if (this.account === null || !this.online) return null;
        conversation = this.privateWith(asked.nick);
      } else if (asked.room === null && this.current?.kind === "private") {
        // Typed in a private conversation: its messages, as the search box there searches them.
        if (this.account === null || !this.online) return null;
        conversation = this.current;
        $("search-words").value = asked.words;
      } else {
        conversation = asked.room === null ? this.current : this.conversations.get(conversationKey("room", asked.room));
        if (conversation?.kind !== "room" || !conversation.joined) return null;
        $("search-words").value = asked.words;
      }
      if (conversation !== this.current) this.show(conversation, false);
      this.searchIn(conversation, asked.words, asked.before);
      return true;
    }

    /** The search shown could not be made (`why`): no answer will come to end its "Searching…". */
    unsearched(why) {
      this.searching = false;
      $("results-heading").textContent = `Could not search ${searchedIn(this.searched)}: ${why}`;
    }

    /**
     * Close the results, which belong to the conversation searched:
     * switching to another one or leaving the room closes them, and the hits
     * of a search of another conversation, still coming in, are dropped.
     */
    dropResults() {
      this.searched = null;
      this.searching = false;
      this.searchEarlier = null;
      this.hitsFound = 0;
      $("results").hidden = true;
      $("results-older").hidden = true;
      $("results-list").replaceChildren();
    }

    found(object) {
      const searched = this.searched;
      if (searched === null || typeof object.id !== "string" || !this.searchedFor(object, searched)) return;
      const id = object.id;
      if (searched.kind === "private") {
        // No context to jump to: the hit as its line, links and all.
        const line = eventLine({ ...object, history: false });
        if (line !== null) $("results-list").append(el("li", { "data-id": id, class: "hit" }, ...line.childNodes));
        return;
      }
      // The hit is a button that jumps to the line: no link inside it.
      const line = eventLine({ ...object, history: false }, false, false);
      if (line === null) return;
      const jump = el("button", { type: "button", class: "hit" }, ...line.childNodes);
      jump.addEventListener("click", () => this.jump(searched, id));
      $("results-list").append(el("li", { "data-id": id }, jump));
    }

    searchEnd(object) {
      const searched = this.searched;
      if (searched === null || !this.searchedFor(object, searched)) return;
      this.searching = false;
      this.hitsFound += Number.isInteger(object.count) ? object.count : 0;
      const where = searched.kind === "private" ? searchedIn(searched) : typeof object.room === "string" ? object.room : "";
      $("results-heading").textContent = this.hitsFound ? `${this.hitsFound} found in ${where}` : `Nothing found in ${where}`;
      // A full page: older hits may be kept, the page before its oldest (null from a server without it: no more).
      this.searchEarlier = typeof object.earlier === "string" ? object.earlier : null;
      $("results-older").hidden = this.searchEarlier === null;
      // The first hit of this page: the list's first, or the first of the older ones just added.
      const hit = $("results-list").children[this.pageFrom]?.querySelector("button") ?? null;
      if (hit !== null) hit.focus();
      else if (!$("results-older").hidden) $("results-older").focus();
    }

    /**
     * Whether `object`, a hit or a search's end, answers the search of
     * `searched`: a room's names the room; one of private messages names
     * the other person (`nick` at its end; a hit is a private message to
     * or from them).
     */
    searchedFor(object, searched) {
      if (searched.kind === "room") return this.room(object.room, false) === searched;
      const people = object.type === "whispered" ? [object.nick, object.to] : [object.nick];
      return people.some((nick) => typeof nick === "string" && conversationKey("private", nick) === searched.key);
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

/** What a search of `conversation` looks through, in the results' heading: "#dev", "private messages with bob". */
function searchedIn(conversation) {
  return conversation.kind === "room" ? conversation.name : `private messages with ${conversation.name}`;
}
