// The message box: what the user types there goes to the conversation shown
// as a nc user would type it there (typed.js makes the lines), a message
// kept until the server sends it back so that a refusal puts it back in the
// box, and a command's answer awaited to be shown where it was typed
// (answers.js). It also sends the files chosen with its button or dropped on
// the conversation, and says in its placeholder what it is for.

import { conversationKey } from "./conversation.js";
import { $, fitting, fold, roomName } from "./dom.js";
import { PASTE_LINES, answerAsked, command, inPrivate, joining, leaves, messageText, messages, outside, privateMessage, proves } from "./typed.js";

/** Most pastes one message may take: a longer text is refused (a file carries it), so no paste floods the user off. */
const MOST_PASTES = 5;

/** The message box and what is sent from it: a part of app.js's Chat. */
export const Composer = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.placeholders = ["Message"]; // what the message box is for, longest first: the longest that fits is shown
    }

    /** Send what the user typed to the conversation shown, as a nc user would type it there. */
    submit(text) {
      const conversation = this.current;
      // With nothing shown the box is usable only in no room, for commands (/join #room, as the server says).
      if ((conversation === null && !this.nowhere) || !text.trim()) return false;
      // A line of several is text, every line of it: only a line alone is a command, as nc reads it.
      const alone = !/[\r\n]/.test(text);
      // /msg NICK text is sealed as text typed in NICK's conversation is, wherever it is typed (the bundled client's /msg is).
      const whisper = alone ? privateMessage(text) : null;
      if (whisper?.plain) return this.sendTyped(`/msg ${whisper.nick} ${whisper.text}`, null);
      if (whisper !== null && this.online && this.encryption.active && this.me !== null) {
        return this.encryption.sendTyped(whisper.nick, whisper.text);
      }
      const searched = alone ? this.searchTyped(text) : null;
      if (searched !== null) return searched;
      if (conversation === null) return this.submitNowhere(text, alone);
      if (conversation.kind === "private") {
        if (alone && command(text) !== null) {
          const typed = inPrivate(text, conversation.name);
          if (typed.refusal === undefined) return this.sendTyped(typed.line, null);
          this.say(typed.refusal, "error");
          return false;
        }
        const said = messageText(text);
        // Sealed for the contact's keys when the account has them (docs/PROTOCOL.md, Encrypted private messages).
        if (this.encryption.active && this.me !== null) return this.encryption.send(conversation, said);
        const lines = messages(said, `/msg ${conversation.name} `);
        return this.sendable(lines) && this.sendMessage(conversation, text, lines);
      }
      const typed = alone && (command(text) !== null || leaves(text));
      // Disconnected, or after /quit: say why nothing goes (send), not that the user is out of the room.
      if (!this.online) return this.send(text);
      if (!conversation.joined) {
        if (!typed) {
          this.view.say(`You are not in ${conversation.name}.`, conversation);
          return false;
        }
        // Out of the room (kicked, say): a command goes as typed, the server's current room left as it is.
        const away = outside(text, conversation.name);
        if (away.refusal === undefined) return this.sendTyped(away.line, null);
        this.say(away.refusal, "error");
        return false;
      }
      const sent = typed ? null : messages(messageText(text));
      if (!typed && !this.sendable(sent)) return false;
      // Plain lines go to the server's current room: make it this one first.
      if (this.serverRoom !== conversation.key) {
        if (!this.send(`/join ${conversation.name}`)) return false;
        this.serverRoom = conversation.key;
      }
      return typed ? this.sendTyped(text, conversation.key) : this.sendMessage(conversation, text, sent);
    }

    /**
     * What the user typed in no room, nothing shown: a command goes as typed (the server tells them "/join #room
     * to talk"); text has nowhere to go, and the status line says how to get somewhere.
     */
    submitNowhere(text, alone) {
      if (alone && (command(text) !== null || leaves(text))) return this.sendTyped(text, null);
      this.view.sayHere("You are in no room: type /join #room first, or use “Join a room”.");
      return false;
    }

    /** Whether `sent` (typed.js, messages) may be sent; if not, the user is told why, and nothing is. */
    sendable(sent) {
      if (sent === null) {
        this.say("A line holding only “exit” or “quit” would leave the chat: change that line. Nothing was sent.", "error");
        return false;
      }
      if (sent.length > MOST_PASTES) {
        this.say(`That is more than ${MOST_PASTES * PASTE_LINES} lines at once: send it as a file. Nothing was sent.`, "error");
        return false;
      }
      return true;
    }

    /** Send `sent`, the WebSocket messages of `text` typed in `conversation`; the text is kept till it comes back. */
    sendMessage(conversation, text, sent) {
      for (const message of sent) {
        if (!this.send(message)) return false;
      }
      this.unsent = { text, conversation };
      return true;
    }

    /** A message refused by the server: its text back in the message box, if the user has not moved on. */
    giveBack() {
      const unsent = this.unsent;
      this.unsent = null;
      const box = $("composer-text");
      if (unsent !== null && unsent.conversation === this.current && box.value === "" && !box.disabled) {
        box.value = unsent.text;
        this.view.say("Your message was refused: it is back in the message box.", unsent.conversation);
      }
    }

    /** Send a line typed in the message box, whose room is `current` (folded) unless it names one; await its answer if it is to be shown. */
    sendTyped(line, current) {
      if (!this.send(line)) return false;
      this.files.typed(line);
      const proof = proves(line);
      if (proof !== null) this.proving.push(proof);
      // A room joined by typing /join is shown once joined, as one joined from the join box.
      this.switchTo = joining(line) ?? this.switchTo;
      const asked = answerAsked(line, current);
      // "/history dev" is the room #dev for its members, else the private messages with dev ("@dev": always).
      const room = asked?.type === "private_end" ? this.conversations.get(conversationKey("room", roomName(asked.nick))) : undefined;
      // A private /history's end names NICK without the @ of @NICK: told from the page's own pages by it.
      const nick = asked?.nick === undefined ? undefined : fold(asked.nick.replace(/^@/, ""));
      if (asked !== null && !room?.joined) this.awaited.push({ type: asked.type, room: asked.room ?? undefined, nick });
      return true;
    }

    /** Whether `object` answers a command the user typed and awaits (`sendTyped`): it is then no longer awaited. */
    typedFor(object) {
      const type = object.type === "notice" ? object.kind : object.type;
      const room = typeof object.room === "string" ? fold(object.room) : undefined;
      const nick = type === "private_end" && typeof object.nick === "string" ? fold(object.nick) : undefined;
      const at = this.awaited.findIndex((asked) => asked.type === type && asked.room === room && asked.nick === nick);
      if (at < 0) return false;
      this.awaited.splice(at, 1);
      return true;
    }

    enableComposer() {
      // Kept usable while reconnecting, so nothing typed is lost; sending then says it is not connected.
      // In no room with nothing shown, it takes commands: the server's "/join #room to talk" is typed there.
      const nowhere = this.current === null && this.nowhere && this.me !== null;
      const usable = ((this.me !== null || this.plan !== null) && this.current !== null) || nowhere;
      $("composer-text").disabled = !usable;
      $("send").disabled = !usable;
      $("file-input").disabled = !usable || this.current === null;
      if (this.left) this.placeholders = ["You left the chat: reload the page to come back", "You left the chat"];
      else if (nowhere) this.placeholders = ["Type /join #room to join a room", "Type /join #room"];
      else this.placeholders = this.current === null ? ["Message"] : [`Message ${this.current.name}`, "Message"];
      this.fitPlaceholder();
    }

    /** Say in the message box what it is for, in the longest of `placeholders` that fits it on one line. */
    fitPlaceholder() {
      // A placeholder that wraps makes the box two lines tall ("Message #boardgames" on a 390 px phone).
      const box = $("composer-text");
      const fits = fitting(box, this.placeholders);
      if (box.placeholder !== fits) box.placeholder = fits;
    }

    /** Send the files the user chose or dropped to the conversation shown. */
    sendFiles(files) {
      const conversation = this.current;
      if (conversation === null || files.length === 0) return;
      if (this.me === null) {
        // After /quit nothing reconnects: a dropped file is the one way left to send one (the button is disabled).
        this.view.say(this.left ? "You left the chat: the file was not sent. Reload the page to come back." : "Not connected: the file was not sent.");
        return;
      }
      if (conversation.kind === "room" && !conversation.joined) {
        // Of this room only: showing another puts back what the status line said before.
        this.view.say(`You are not in ${conversation.name}.`, conversation);
        return;
      }
      for (const file of files) this.files.send(file, conversation);
    }
  };
