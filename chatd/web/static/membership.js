// Who is in which room, as the server's events tell it: the user joining,
// leaving or kicked, others coming, going, renamed or taken off the server,
// the member lists (/who, a page at a time for a big room) with each
// member's standing, the topic. A private conversation follows its person
// through a change of nickname.

import { conversationKey } from "./conversation.js";
import { $, fold } from "./dom.js";
import { MEMBERS_PAGE } from "./view.js";

/** The standings a member may hold in a room, as room_modes_changed names them: what /who marks @ and +. */
const STANDINGS = new Set(["operator", "voice"]);

/** Rooms' members, standing and topics, kept from the server's events: a part of app.js's Chat. */
export const Membership = (Base) =>
  class extends Base {
    joined(object) {
      const room = this.room(object.room);
      if (room === null) return;
      if (object.history !== true && this.mine(object.nick)) {
        // The room's first event: nothing was said there before.
        if (object.seq === 1) room.exhausted = true;
        this.entered(room);
      } else if (object.history !== true && typeof object.nick === "string") {
        room.addMember(object.nick, object.room_operator === true);
      }
      this.event(room, object);
      if (room === this.current) this.view.members();
    }

    /**
     * The user is in `room` now: joined it (`talking`: plain lines go there now), or is in it with the
     * account's other connections.
     */
    entered(room, talking = true) {
      room.state = "joined";
      if (talking) this.serverRoom = room.key;
      this.nowhere = false;
      room.setMembers([]);
      room.crowd = 0;
      const linked = this.tookLinked(room);
      // Shown if asked for (a typed /join, the link's first room the server took), or if nothing is shown yet; only
      // a room asked for ends the asking.
      if (this.switchTo === room.key) {
        this.switchTo = null;
        this.show(room, true);
      } else if (linked || this.current === null) {
        this.show(room, true);
      }
      // No longer drawn as a room left, whether shown or not.
      this.view.list(this.all());
      this.linkAnswered();
    }

    parted(object) {
      const room = this.room(object.room, false);
      if (room === null) return;
      this.event(room, object);
      if (object.history === true) return;
      if (this.mine(object.nick)) {
        room.state = "left";
        // Kicked, the room stays shown, but its hits would lead to lines the user may no longer fetch, and its
        // members are no longer followed: kept, a quit of one of them would still be a line of it.
        if (room === this.searched) this.dropResults();
        room.setMembers([]);
        room.crowd = 0;
        if (object.type === "parted") this.forget(room);
        else this.view.list(this.all());
      } else {
        room.removeMember(object.nick);
        // A big room's count comes with its tallies, which count no kick: one member fewer now.
        if (object.type === "kicked" && room.crowd > 0) room.crowd -= 1;
      }
      if (room === this.current) this.view.members();
    }

    /**
     * A ban or a kill took `object.nick` off the server: a line in the log shown, as any news of the chat's
     * own, and out of every room's members. The server tells no part or quit of it besides.
     */
    takenOff(object) {
      this.general(object);
      if (typeof object.nick !== "string") return;
      for (const room of this.rooms()) {
        if (!room.hasMember(object.nick)) continue;
        room.removeMember(object.nick);
        if (room.crowd > 0) room.crowd -= 1;
      }
      this.view.members();
    }

    quit(object) {
      for (const conversation of this.all()) {
        const there = conversation.kind === "room" ? conversation.hasMember(object.nick) : fold(conversation.name) === fold(object.nick);
        if (!there) continue;
        this.event(conversation, object);
        if (conversation.kind === "room") conversation.removeMember(object.nick);
      }
      this.view.members();
    }

    renamed(object) {
      if (typeof object.new !== "string") return;
      if (this.mine(object.nick)) this.nicknamed(object.new);
      for (const conversation of this.all()) {
        const there = conversation.kind === "room" ? conversation.hasMember(object.nick) : fold(conversation.name) === fold(object.nick);
        if (!there) continue;
        this.event(conversation, object);
        if (conversation.kind === "room") conversation.renameMember(object.nick, object.new);
        else this.follow(conversation, object.new);
      }
      this.view.members();
    }

    /**
     * The person of the private conversation `conversation` is now `nick`:
     * the conversation goes on under the new name, as IRC clients rename a
     * query, merged into the one the page already has with `nick`, if any.
     * Left under the old name, it wrote to nobody (or to a stranger who took
     * that name), while the person's new lines opened a second conversation.
     */
    follow(conversation, nick) {
      const key = conversationKey("private", nick);
      const other = this.conversations.get(key);
      const shown = this.current === conversation;
      let kept = conversation;
      if (other === undefined || other === conversation) {
        // In its place in the list: the map keeps the order conversations came in.
        this.conversations = new Map([...this.conversations].map(([at, each]) => (each === conversation ? [key, each] : [at, each])));
        conversation.rename(nick);
      } else {
        // The message box holds the draft of the conversation shown: it goes with the rest.
        if (shown) conversation.draft = $("composer-text").value;
        other.absorb(conversation);
        other.rename(nick);
        this.conversations.delete(conversation.key);
        kept = other;
      }
      if (shown && kept !== conversation) {
        this.show(kept, false);
      } else if (this.current === kept) {
        this.view.header();
        this.enableComposer();
        this.encryption.showing(kept);
      }
      this.view.list(this.all());
    }

    members(object) {
      if (this.typedFor(object)) this.answer(object);
      const room = this.room(object.room, false);
      if (room === null || !Array.isArray(object.nicks)) return;
      const nicks = strings(object.nicks);
      const page = Number.isInteger(object.page) ? object.page : 1;
      const pages = Number.isInteger(object.pages) ? object.pages : 1;
      if (room.crowd > 0) {
        // A big room's list grows a page at a time, as the user asks ("Show more"): each page costs
        // flood budget, and all of a crowd's would hold up the user's own lines for minutes.
        if (Number.isInteger(object.total)) room.crowd = object.total;
        if (page === 1) room.setMembers(nicks);
        else room.members = [...room.members, ...nicks.filter((nick) => !room.hasMember(nick))];
        room.listStanding(nicks, strings(object.operators), strings(object.voiced));
        this.standingChanged(room);
        if (room === this.current) this.view.members();
        return;
      }
      room.memberPages = page === 1 ? nicks : [...room.memberPages, ...nicks];
      // Each page's standing is noted as it comes, so a change told between two pages stays true.
      room.listStanding(nicks, strings(object.operators), strings(object.voiced));
      this.standingChanged(room);
      if (page < pages) {
        this.send(`/who ${room.name} ${page + 1}`);
        return;
      }
      room.setMembers(room.memberPages);
      room.memberPages = [];
      if (room === this.current) this.view.members();
    }

    /** The page of a big room's members that holds the first not shown yet, asked for by hand. */
    more(room) {
      this.send(`/who ${room.name} ${Math.floor(room.members.length / MEMBERS_PAGE) + 1}`);
    }

    /** A big room's tally of who came and went: a line in its log, and its count of members. */
    tallied(object) {
      const room = this.room(object.room, false);
      if (room === null) return;
      if (Number.isInteger(object.members)) room.crowd = object.members;
      this.event(room, object);
      if (room === this.current) this.view.members();
    }

    topic(object) {
      if (object.type === "topic" && this.typedFor(object)) this.answer(object);
      const room = this.room(object.room, false);
      if (room === null) return;
      room.topic = typeof object.topic === "string" ? object.topic : "";
      if (object.type === "topic_changed") this.event(room, object);
      if (room === this.current) this.view.header();
    }

    /**
     * The user's standing in `room` may have changed (a /who page, a mode, a room operator named, an /oper): what it
     * lets them do comes and goes on what the page shows, an offer's Take down here, a line's delete button
     * (deletions.js).
     */
    standingChanged(room) {
      this.files.standingChanged(room);
    }

    /** An event that gives or takes standing in its room: a line of the room, and the marks in its member list. */
    standing(object) {
      const room = this.room(object.room, false);
      if (room === null) return;
      this.event(room, object);
      // A line from history tells of the past: the /who answer on joining said who holds what now.
      if (object.history === true) return;
      for (const [nick, setting, on] of standingChanges(object)) room.setStanding(nick, setting, on);
      this.standingChanged(room);
      if (room === this.current) this.view.members();
    }
  };

/** The strings of a list the server sent (none if it is no list): bad items are dropped, as other fields are. */
function strings(value) {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}

/**
 * The standing `object` gives or takes, as [nickname, "operator" or "voice",
 * on] (docs/PROTOCOL.md, JSON lines): a room's `o` and `v` settings, a
 * registered room's owner naming or dropping a room operator, and an undone
 * registration change giving back or taking that standing.
 */
function standingChanges(object) {
  switch (object.type) {
    case "room_modes_changed":
      return (Array.isArray(object.changes) ? object.changes : [])
        .filter((change) => STANDINGS.has(change?.setting) && typeof change.argument === "string" && typeof change.on === "boolean")
        .map((change) => [change.argument, change.setting, change.on]);
    case "room_operator_added":
    case "room_operator_removed":
      // Only a member's standing changes (`member`): an account named while away gets it on joining.
      return object.member === true && typeof object.nick === "string" ? [[object.nick, "operator", object.type === "room_operator_added"]] : [];
    case "room_registration_not_kept":
      return [...strings(object.given).map((nick) => [nick, "operator", true]), ...strings(object.taken).map((nick) => [nick, "operator", false])];
    default:
      return [];
  }
}
