// The page's conversations (conversation.js: one each), rooms in the order
// they were joined and private conversations, by key; which one is shown,
// with the draft of the message box that belongs to each; making one for a
// room or a nickname as the server's lines name it, and forgetting one the
// user leaves.

import { Conversation, conversationKey } from "./conversation.js";
import { $, fold } from "./dom.js";
import { FIRST_PRIVATE_PAGE } from "./logs.js";

/** The conversations, the one shown, and finding or making one: a part of app.js's Chat. */
export const Conversations = (Base) =>
  class extends Base {
    all() {
      return [...this.conversations.values()];
    }

    rooms() {
      return this.all().filter((conversation) => conversation.kind === "room");
    }

    mine(nick) {
      return typeof nick === "string" && this.me !== null && fold(nick) === fold(this.me);
    }

    /** The room conversation for `name`, made if `make`; null for no room name. */
    room(name, make = true) {
      if (typeof name !== "string" || !name) return null;
      const key = conversationKey("room", name);
      let room = this.conversations.get(key);
      if (room === undefined) {
        if (!make) return null;
        room = this.adopt(new Conversation("room", name, this.clock));
        room.expect = [];
      }
      return room;
    }

    privateWith(nick) {
      const key = conversationKey("private", nick);
      return this.conversations.get(key) ?? this.adopt(new Conversation("private", nick, this.clock));
    }

    adopt(conversation) {
      conversation.expect = [];
      this.conversations.set(conversation.key, conversation);
      conversation.log.addEventListener("scroll", () => {
        if (conversation !== this.current) return;
        if (conversation.log.scrollTop < 40) this.older(conversation);
        this.view.offerNewer();
      });
      this.view.list(this.all());
      return conversation;
    }

    forget(conversation) {
      this.conversations.delete(conversation.key);
      if (this.current === conversation) {
        const next = this.rooms().find((room) => room.joined) ?? this.all()[0] ?? null;
        this.show(next, false);
      }
      this.view.list(this.all());
    }

    /** Show `conversation` (or nothing); `focus` moves the keyboard to the message box. */
    show(conversation, focus) {
      if (this.searched !== null && conversation !== this.searched) this.dropResults();
      if (conversation !== this.current) this.swapDraft(conversation);
      this.current = conversation;
      if (conversation !== null) {
        for (const line of this.early.splice(0)) conversation.addNotice(line);
        conversation.unread = 0;
        conversation.mentions = 0;
      }
      this.view.showConversation(conversation);
      this.enableComposer();
      this.encryption.showing(conversation);
      if (conversation?.kind === "private" && this.account !== null && !conversation.fetched && this.me !== null) {
        // Kept private messages, between two identified users only (docs/PROTOCOL.md, History), the latest
        // first; older ones as the reader scrolls up (`older`).
        conversation.fetched = true;
        this.pageBefore(conversation, "", FIRST_PRIVATE_PAGE);
      }
      if (this.view.folded()) this.view.closePanels();
      if (focus && conversation !== null) $("composer-text").focus();
    }

    /**
     * What the message box holds belongs to the conversation it was typed in
     * (a refused message too): kept with it as the page shows `next`, whose
     * own comes back. One box for all carried a private line into a room.
     */
    swapDraft(next) {
      const box = $("composer-text");
      if (this.current !== null) this.current.draft = box.value;
      box.value = next?.draft ?? "";
    }

    leave(conversation) {
      // A room the user is cut off from is not left: leaving it waits for the connection, as joining one does.
      if (conversation.kind === "room" && conversation.state !== "left") {
        this.send(`/part ${conversation.name}`);
      } else {
        this.forget(conversation);
      }
    }

    /** Where a file offer is shown: its room, or the private conversation with the other person. */
    fileConversation(object) {
      const to = typeof object.to === "string" ? object.to : "";
      if (to.startsWith("#")) return this.room(to);
      const other = this.mine(object.nick) ? to : object.nick;
      return typeof other === "string" && other ? this.privateWith(other) : null;
    }
  };
