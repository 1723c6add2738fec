// Getting into the chat and being someone there: the login box, the
// nickname the server gives (and each change of it, which what the page
// finds as a mention follows), and a password kept in memory once the
// server confirms it, to identify again after a reconnection.

import { $, fold } from "./dom.js";

/** How long "Reconnected." stays in the status line before it names the user again, as on a first login. */
const RECONNECTED_MS = 5000;

/** The login box, the user's nickname and account password: a part of app.js's Chat. */
export const Login = (Base) =>
  class extends Base {
    constructor() {
      super();
      this.settling = undefined; // the timer that turns "Reconnected." back into "You are NICK."
      this.reconnectedMs = RECONNECTED_MS; // a test shortens it (tests/e2e/test_web_page.py), as a clock is injected
    }

    named(nick) {
      if (typeof nick !== "string") return;
      const first = this.me === null;
      this.asked = false;
      this.nickRetries = 0;
      // Identifying to an account online elsewhere names this connection with the account's nickname.
      this.nicknamed(nick);
      if (first) {
        // The page came back by itself, or the user got in (after a reload, say, by giving their password).
        const back = this.automatic;
        this.automatic = false;
        this.typedLogin = false;
        $("login-box").hidden = true;
        inert(false);
        document.body.classList.add("named");
        this.enableComposer();
        this.view.say(back ? "Reconnected." : `You are ${nick}.`);
        // News for a moment, not for the rest of the session: then the line names the user, as it does otherwise.
        clearTimeout(this.settling);
        if (back) this.settling = setTimeout(() => this.me !== null && this.view.settle("Reconnected.", `You are ${this.me}.`), this.reconnectedMs);
        // Back in: the server now says which rooms it puts the user in, each as its join comes.
        for (const room of this.rooms()) {
          if (room.state === "disconnected") room.state = "left";
        }
        this.view.list(this.all());
        this.view.members();
        if (this.current !== null) $("composer-text").focus();
        // Files offered while the page was away, or before it was reloaded, are shown again.
        this.files.ask();
        if (this.plan !== null) this.restore();
        this.followLink();
      }
    }

    /**
     * The user's nickname is now `nick`: chosen, identified to, changed by
     * /nick or by the server (a registered nickname's owner taking it). What
     * the page finds as a mention, asks for after a reconnection and says in
     * the status line ("You are gina.") follows every change.
     */
    nicknamed(nick) {
      const changed = this.me !== null && this.me !== nick;
      this.me = nick;
      this.wanted = nick;
      this.mention = wordFinder(nick);
      if (changed) this.view.say(`You are ${nick}.`);
    }

    /**
     * Follow the server's `account` notice (`was`: the account before it), as
     * the bundled client does (chatd/client/account.py): a password typed in
     * the message box (/register, /identify, /password) is kept in memory once
     * the server confirms it, to identify with after a reconnection as one
     * given at the login is; an account given up forgets it. Replies come in
     * the order of the lines they answer, so a confirmation answers the oldest
     * line waiting with its change; an error drops them all (`error`).
     */
    proven(object, was) {
      if (object.change === "unregistered") {
        this.givenUp = this.password === null ? null : { account: was, password: this.password };
        this.password = null;
        return;
      }
      if (typeof object.account !== "string") return;
      if (object.undoes === "unregistered") {
        // The server took back the giving up it told of (docs/PROTOCOL.md, not-saved): it answers no line sent
        // here, so an /identify waiting is answered by a later notice, not this one.
        const given = this.givenUp;
        this.givenUp = null;
        if (given?.account && fold(given.account) === fold(object.account)) this.password = given.password;
        return;
      }
      this.givenUp = null;
      while (this.proving.length) {
        const asked = this.proving.shift();
        if (asked.change === object.change) {
          this.password = asked.password;
          return;
        }
      }
    }

    /** Show the login form, the cursor in `loginField`; `error`, if given, replaces what it says went wrong. */
    enableLogin(enabled, error = undefined) {
      $("login-box").hidden = false;
      inert(true);
      document.body.classList.remove("named");
      $("login-submit").disabled = !enabled;
      if (error !== undefined) $("login-error").textContent = error;
      if (enabled) {
        const nick = $("login-nick");
        if (!nick.value && this.wanted) nick.value = this.wanted;
        $(this.loginField).focus();
      }
    }
  };

/** Keep the keyboard and screen readers in the login form while it is shown, or let them out. */
function inert(on) {
  for (const id of ["rooms-toggle", "members-toggle", "side", "main", "members"]) $(id).inert = on;
}

/** A RegExp finding `nick` as a word of its own, whatever its case. */
function wordFinder(nick) {
  const escaped = nick.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&");
  return new RegExp(`(?:^|[^\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, "iu");
}
