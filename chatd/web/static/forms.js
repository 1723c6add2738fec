// What the page's forms and buttons do, bound once at the start: the login,
// the message box (Enter sends), the join and search boxes, the file button
// and dropping files, older messages, notifications, Escape; and keeping the
// tab's state as it is hidden or reloaded.

import { conversationKey } from "./conversation.js";
import { $, fold, roomName } from "./dom.js";
import { offerNotifications } from "./logs.js";

/** The page's forms, buttons and window events, bound to the chat: a part of app.js's Chat. */
export const Forms = (Base) =>
  class extends Base {
    bindForms() {
      $("login").addEventListener("submit", (event) => {
        event.preventDefault();
        const nick = $("login-nick").value.trim();
        if (!nick) return;
        if (/\s/.test(nick)) {
          $("login-error").textContent = "A nickname is one word, without spaces.";
          return;
        }
        const password = $("login-password").value;
        // Kept in memory, not in the box: a refusal later (a restart) asks for it again into an empty box.
        $("login-password").value = "";
        // Whoever is typed here proves themselves, not the account the page was identified to before.
        this.account = null;
        this.accountName = null;
        this.wanted = nick;
        this.password = password || null;
        this.automatic = false;
        this.typedLogin = true;
        $("login-error").textContent = "";
        if (this.link.connected) {
          $("login-submit").disabled = true;
          this.greet();
        } else {
          this.view.say("Not connected yet: your nickname is sent once the server answers.");
          // The user is waiting: try at once, not at the end of a pause or after the server's deadline.
          this.link.now();
        }
      });
      // The box is as wide as the window leaves it: a turned phone, or a narrowed window, may fit another placeholder.
      new ResizeObserver(() => this.fitPlaceholder()).observe($("composer"));
      $("composer-text").addEventListener("keydown", (event) => {
        // Enter sends, as in a box of one line; Shift+Enter starts a new line (a pasted text keeps its own).
        if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
        event.preventDefault();
        $("composer").requestSubmit();
      });
      $("composer").addEventListener("submit", (event) => {
        event.preventDefault();
        const input = $("composer-text");
        if (!this.submit(input.value)) return;
        input.value = "";
        // What the user sent, and its answer, shows at the end of the log, even if they had scrolled up to read.
        this.current?.scrollToEnd();
        this.view.offerNewer();
      });
      $("join").addEventListener("submit", (event) => {
        event.preventDefault();
        const input = $("join-room");
        const name = roomName(input.value);
        if (name.length < 2) return;
        if (/\s/.test(name)) {
          this.view.sayHere("A room name is one word, without spaces.");
          return;
        }
        const existing = this.conversations.get(conversationKey("room", name));
        // One of the user's rooms, even while the connection is down: shown, as it is once back.
        if (existing !== undefined && existing.state !== "left") {
          this.show(existing, true);
          input.value = "";
          return;
        }
        this.switchTo = fold(name);
        if (this.send(`/join ${name}`)) input.value = "";
      });
      $("file-input").addEventListener("change", () => {
        const input = $("file-input");
        this.sendFiles([...input.files]);
        input.value = "";
      });
      this.bindDrop();
      $("search").addEventListener("submit", (event) => {
        event.preventDefault();
        const words = $("search-words").value.trim();
        if (!words) return;
        if (this.view.folded()) this.view.closePanels();
        this.search(words);
      });
      $("results-close").addEventListener("click", () => this.closeResults());
      $("results-older").addEventListener("click", () => this.searchOlder());
      $("older").addEventListener("click", () => {
        if (this.current !== null) this.older(this.current);
      });
      $("notify").addEventListener("click", () => {
        Notification.requestPermission().then(() => offerNotifications());
      });
      offerNotifications();
      document.addEventListener("keydown", (event) => {
        if (event.key !== "Escape") return;
        if (this.view.closePanels()) return;
        if (!$("results").hidden) this.closeResults();
      });
      // A reload hides the page first (pagehide); a phone may discard a tab hidden long enough, without pagehide.
      window.addEventListener("pagehide", (event) => {
        this.keepTab();
        // Kept for the Back button (the back-forward cache), the page is frozen with its socket open: the server kept
        // the user online, and the page the tab went to (the same chat at a ?join= link) was refused their nickname.
        // Coming back, the socket closed makes the page reconnect as after any drop.
        if (event.persisted) this.link.restart();
      });
      document.addEventListener("visibilitychange", () => {
        if (document.hidden) this.keepTab();
        if (!document.hidden && this.current !== null) {
          this.current.unread = 0;
          this.current.mentions = 0;
          this.view.list(this.all());
        }
      });
    }

    /** Files dropped on the conversation are sent to it, as the file button's are. */
    bindDrop() {
      const area = $("main");
      const carries = (event) => event.dataTransfer !== null && [...event.dataTransfer.types].includes("Files");
      let depth = 0; // dragenter and dragleave come for each child crossed
      area.addEventListener("dragenter", (event) => {
        if (!carries(event) || this.current === null) return;
        depth += 1;
        area.classList.add("dropping");
      });
      area.addEventListener("dragover", (event) => {
        if (!carries(event) || this.current === null) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      });
      area.addEventListener("dragleave", () => {
        depth = Math.max(0, depth - 1);
        if (depth === 0) area.classList.remove("dropping");
      });
      area.addEventListener("drop", (event) => {
        depth = 0;
        area.classList.remove("dropping");
        if (!carries(event)) return;
        event.preventDefault();
        this.sendFiles([...event.dataTransfer.files]);
      });
    }
  };
