// The joins a link to the page asks for (?join=, read from the address by
// joinlink.js): sent once the user is in, as /join typed for each, the first
// room the server takes shown, and what the link could not do said once the
// server has answered every join of it.

import { fold } from "./dom.js";
import { forgetLinked, linkedRooms } from "./joinlink.js";
import { noticeLine } from "./lines.js";

/** Following a join link once in the chat: a part of app.js's Chat. */
export const LinkJoins = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.linked = linkedRooms(); // {rooms, refusals} the page's address asks to join (?join=), until the user is in
    }

    /**
     * Join the rooms the page's address asks for (?join=), once: now that
     * the user is in, as after a /join typed for each, its answers coming as
     * theirs do. The address loses its `join`, so a reload does not join them
     * again; nor does a reconnection, which takes the user back to the rooms
     * they are in. The first room the server takes is shown; what the link
     * could not do (names the page refused, rooms the server refused) is said
     * once every join is answered, in the log the user is reading then.
     */
    followLink() {
      const linked = this.linked;
      this.linked = null;
      if (linked === null) return;
      forgetLinked();
      this.linking = { waiting: [], shown: false, refusals: linked.refusals };
      for (const name of linked.rooms) {
        if (this.send(`/join ${name}`)) this.linking.waiting.push(fold(name));
      }
      this.linkAnswered();
    }

    /**
     * Whether `room`, which the user is now in (joined, or made current), is
     * the answer to the link's oldest join still waiting, and the first of the
     * link's rooms the server took: to be shown. Replies come in the order of
     * the lines they answer, so the link's joins are answered in its order; a
     * room that is not the one awaited (the default room, joined with the
     * nickname) answers none of them.
     */
    tookLinked(room) {
      const linking = this.linking;
      if (linking === null || linking.waiting[0] !== room.key) return false;
      linking.waiting.shift();
      const first = !linking.shown;
      linking.shown = true;
      return first;
    }

    /** Whether the error `text` is the server's refusal of the link's oldest join still waiting: kept to be said (linkAnswered). */
    refusedLinked(text) {
      const linking = this.linking;
      if (linking === null || linking.waiting.length === 0) return false;
      linking.waiting.shift();
      linking.refusals.push(text);
      this.linkAnswered();
      return true;
    }

    /**
     * Once the server has answered every join of the link: each refusal, one
     * line in the log the user is reading now, in the server's words as for
     * a /join typed (the page's own first). Said as they came, the refusals
     * of rooms before the first one taken were in the default room's log, and
     * the page showed the link's room instead.
     */
    linkAnswered() {
      const linking = this.linking;
      if (linking === null || linking.waiting.length > 0) return;
      this.linking = null;
      for (const text of linking.refusals) {
        // Nothing shown yet: said with the first conversation shown (say would put it in the hidden login box too).
        if (this.current === null) this.early.push(noticeLine(text, "error"));
        else this.say(text, "error");
      }
    }
  };
