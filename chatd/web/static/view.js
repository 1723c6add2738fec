// What the page shows around the logs: the lists of rooms and private
// conversations with their counts, the members, the title and topic, the
// status line, the panels that fold away at phone width. Only text nodes
// carry what the server sent.

import { $, append, clear, el, linked } from "./dom.js";
import { onThisComputerOnly, roomLink } from "./joinlink.js";

/** Names a page of /who holds (the server's PAGE_SIZE): what "Show more" brings at most. */
export const MEMBERS_PAGE = 50;

/** What a status line said while no conversation was shown speaks of (View.sayHere): none. */
const NOTHING_SHOWN = Object.freeze({});

/** What each of a member's marks says, for a screen reader. */
const STANDING_WORDS = { "@": "room operator", "+": "voiced" };

export class View {
  constructor(actions) {
    this.actions = actions; // {show(conversation), leave(conversation), whisper(nick), more(room)}
    this.rooms = $("rooms");
    this.privates = $("privates");
    this.memberList = $("member-list");
    this.more = $("more-members");
    this.more.addEventListener("click", () => {
      if (this.shown?.kind === "room") this.actions.more(this.shown);
    });
    this.title = $("conversation-title");
    this.roomLink = $("room-link");
    this.roomLink.addEventListener("click", (event) => this.copyRoomLink(event));
    this.topic = $("topic");
    this.topicToggle = $("topic-toggle");
    // A topic longer than the bar is cut: its button, or a tap on it (not on a link in it), shows it whole.
    this.topicToggle.addEventListener("click", () => this.expandTopic());
    this.topic.addEventListener("click", (event) => {
      if (event.target.closest("a") === null && !this.topicToggle.hidden) this.expandTopic();
    });
    new ResizeObserver(() => this.fitTopic()).observe(this.topic);
    this.status = $("status");
    this.standing = this.status.textContent; // the last status about no one conversation: the connection, the nickname
    this.statusAbout = null; // the conversation the status line speaks of, if it speaks of one
    this.logBox = $("log-box");
    this.older = $("older");
    this.newer = $("newer");
    this.newer.addEventListener("click", () => {
      this.shown?.scrollToEnd();
      this.offerNewer();
    });
    this.empty = $("no-room");
    this.roomsCounts = $("rooms-counts");
    this.shown = null;
    for (const [button, panel] of [
      [$("rooms-toggle"), "side"],
      [$("members-toggle"), "members"],
    ]) {
      button.addEventListener("click", () => this.toggle(panel));
    }
    // At phone width an open panel covers its own button, and a phone has no Escape: a tap beside it closes it.
    // The path as dispatched: a tap in a panel whose list is drawn again meanwhile was still in the panel.
    document.addEventListener("click", (event) => {
      if (!this.folded() || event.composedPath().some((node) => node instanceof Element && node.matches("#side, #members, .toggle"))) return;
      for (const panel of ["side", "members"]) {
        if (document.body.classList.contains(`${panel}-open`)) this.toggle(panel, false);
      }
    });
  }

  /**
   * Put `words` in the status line. `about` is the conversation they speak
   * of (a refusal whose text is back in its message box, "You are not in
   * #dev."): they last while it is shown, and the standing status comes
   * back when another one is.
   */
  say(words, about = null) {
    this.status.textContent = words;
    this.statusAbout = about;
    if (about === null) this.standing = words;
  }

  /**
   * The standing status `from`, if the status line still holds it, becomes
   * `to` ("Reconnected." once it is old news): a status said since, or one
   * about a conversation, is left as it is.
   */
  settle(from, to) {
    if (this.standing !== from) return;
    this.standing = to;
    if (this.statusAbout === null) this.status.textContent = to;
  }

  /**
   * Put `words` in the status line while what is shown now stays shown (a
   * conversation, or none): an answer to what the user did there ("Search
   * works in a room"), which showing another takes away as `say`'s `about` does.
   */
  sayHere(words) {
    this.say(words, this.shown ?? NOTHING_SHOWN);
  }

  /** What the place of the log says while no conversation is shown ("Choose a nickname to start.", until the user is in no room). */
  nothingShown(words) {
    this.empty.textContent = words;
  }

  /** Open or close a panel that folds away at phone width (the rooms, the members); one is open at a time. */
  toggle(panel, open = undefined) {
    const button = $(`${panel === "side" ? "rooms" : "members"}-toggle`);
    const opening = open ?? button.getAttribute("aria-expanded") !== "true";
    const other = panel === "side" ? "members" : "side";
    // The other one would cover this one's button, and itself stay covered, with no way to close it but a choice in it.
    if (opening && document.body.classList.contains(`${other}-open`)) this.toggle(other, false);
    button.setAttribute("aria-expanded", String(opening));
    document.body.classList.toggle(`${panel}-open`, opening);
    if (opening) {
      const first = $(panel).querySelector("button, input");
      if (first !== null && this.folded()) first.focus();
    }
    return opening;
  }

  /** Close every open panel; true if one was open (Escape then does nothing else). */
  closePanels() {
    let closed = false;
    for (const panel of ["side", "members"]) {
      if (document.body.classList.contains(`${panel}-open`)) {
        this.toggle(panel, false);
        $(`${panel === "side" ? "rooms" : "members"}-toggle`).focus();
        closed = true;
      }
    }
    return closed;
  }

  /** Whether the page is narrow enough that the side panels fold away. */
  folded() {
    return getComputedStyle($("rooms-toggle")).display !== "none";
  }

  /** Make `conversation`'s log the one shown, and its name, topic and members. */
  showConversation(conversation) {
    if (this.shown !== null && this.shown !== conversation) {
      this.shown.log.remove();
      this.expandTopic(false);
    }
    // Left shown, a refusal's status spoke of another conversation as of this one.
    if (this.statusAbout !== null && this.statusAbout !== (conversation ?? NOTHING_SHOWN)) this.say(this.standing);
    this.shown = conversation;
    this.empty.hidden = conversation !== null;
    if (conversation !== null) {
      if (conversation.log.parentNode !== this.logBox) this.logBox.append(conversation.log);
      conversation.scrollToEnd();
    }
    this.offerNewer();
    this.header();
    this.members();
    this.list();
  }

  header() {
    const conversation = this.shown;
    this.title.textContent = conversation === null ? "chatd" : conversation.name;
    this.showRoomLink(conversation?.kind === "room" ? conversation.name : null);
    const topic = conversation?.kind === "room" ? conversation.topic : "";
    if (this.topic.textContent !== topic) append(clear(this.topic), ...linked(topic));
    this.topic.hidden = !topic;
    this.fitTopic();
    this.older.hidden = conversation === null || !conversation.pageable || conversation.exhausted;
    this.older.disabled = conversation !== null && conversation.older > 0;
  }

  /** Offer the link that brings people to the room `name` (the page's address, `?join=`), or none (null). */
  showRoomLink(name) {
    this.roomLink.hidden = name === null;
    if (name === null) return;
    const address = roomLink(name);
    this.roomLink.href = address;
    this.roomLink.title = address;
    // The name a screen reader says holds the words shown ("Copy link"), as WCAG's label in name asks.
    this.roomLink.setAttribute("aria-label", `Copy link to ${name}`);
  }

  /**
   * A click on the room's link copies its address, to be handed out, where
   * the browser lets a page write to the clipboard (a secure page); elsewhere
   * the status line says how to copy it; of a page opened at localhost, it
   * says too that the link works on this computer alone, where a teacher who
   * started the chat opens it. A click with a modifier key (a new
   * tab, a new window) or the link's menu does what it does with any link.
   */
  copyRoomLink(event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const address = this.roomLink.href;
    const name = this.title.textContent;
    const here = onThisComputerOnly()
      ? " (it opens the chat on this computer only: to hand it out, open this page at this computer's address on the network, as the others will, and copy the link there)"
      : "";
    const refused = () => this.sayHere(`Copy the link to ${name} from its menu (right-click or long-press “Copy link”): ${address}${here}`);
    if (navigator.clipboard === undefined) {
      refused();
      return;
    }
    navigator.clipboard.writeText(address).then(() => this.sayHere(`Copied the link to ${name}: ${address}${here}`), refused);
  }

  /** Offer the way down to lines that came while the reader was scrolled up in the log shown, until they are in view. */
  offerNewer() {
    this.newer.hidden = !this.shown?.unseenBelow;
  }

  /** Show the topic whole, on as many lines as it takes (`open`), or cut to one line; by default the other. */
  expandTopic(open = undefined) {
    const opening = open ?? !this.topic.classList.contains("expanded");
    this.topic.classList.toggle("expanded", opening);
    this.topicToggle.setAttribute("aria-expanded", String(opening));
    this.topicToggle.textContent = opening ? "Less" : "More";
    this.fitTopic();
  }

  /** Offer the topic's button while the topic is cut, or shown whole. */
  fitTopic() {
    const expanded = this.topic.classList.contains("expanded");
    this.topicToggle.hidden = this.topic.hidden || (!expanded && this.topic.scrollWidth <= this.topic.clientWidth);
  }

  /**
   * The members of the room shown with their marks, keeping the item of each one still there (and the focus on it).
   * A room the user is out of (left, kicked, not taken back after a drop) lists nobody: the page hears no more of
   * who comes and goes there, and the last list it had named the user among them.
   */
  members() {
    const conversation = this.shown;
    const following = conversation?.kind === "room" && conversation.state !== "left";
    const nicks = following ? conversation.members : [];
    const wanted = new Set(nicks);
    const items = new Map();
    for (const item of [...this.memberList.children]) {
      const nick = item.querySelector(".nick").textContent;
      if (wanted.has(nick) && !items.has(nick)) items.set(nick, item);
      else item.remove();
    }
    let before = this.memberList.firstChild;
    for (const nick of nicks) {
      let item = items.get(nick);
      if (item === undefined) {
        const button = el("button", { type: "button", class: "member", title: `Private messages with ${nick}` }, el("span", { class: "standing", "aria-hidden": "true" }), el("span", { class: "nick" }, nick));
        button.addEventListener("click", () => this.actions.whisper(nick));
        item = el("li", {}, button);
      }
      mark(item.firstChild, nick, conversation.marks(nick));
      if (item !== before) this.memberList.insertBefore(item, before);
      else before = before.nextSibling;
    }
    // A big room lists a page of names at a time, as asked for; its count comes from the server.
    const crowd = following ? conversation.crowd : 0;
    const partial = crowd > nicks.length;
    this.more.hidden = !partial;
    this.more.textContent = partial ? `Show ${Math.min(MEMBERS_PAGE, crowd - nicks.length)} more` : "";
    const count = partial ? `${nicks.length} of ${crowd}` : `${nicks.length}`;
    $("members-heading").textContent = following ? `Members (${count})` : "Members";
  }

  /** Bring the lists of conversations up to date, keeping each item (and the focus on it). */
  list(conversations = this.known ?? []) {
    this.known = conversations;
    for (const [list, kind] of [
      [this.rooms, "room"],
      [this.privates, "private"],
    ]) {
      const wanted = conversations.filter((conversation) => conversation.kind === kind);
      for (const item of [...list.children]) {
        if (!wanted.some((conversation) => conversation.listItem === item)) item.remove();
      }
      for (const conversation of wanted) {
        if (conversation.listItem === null) conversation.listItem = this.item(conversation);
        if (conversation.listItem.parentNode !== list) list.append(conversation.listItem);
        this.badges(conversation);
      }
    }
    const mentions = conversations.reduce((sum, conversation) => sum + conversation.mentions, 0);
    const name = this.shown === null ? "chatd" : `${this.shown.name} · chatd`;
    document.title = mentions ? `(${mentions}) ${name}` : name;
    // At phone width the lists fold behind the Rooms button: it carries their counts, or nothing would show them.
    const unread = conversations.reduce((sum, conversation) => sum + conversation.unread, 0);
    clear(this.roomsCounts).append(...badge(unread, mentions));
  }

  item(conversation) {
    const open = el("button", { type: "button", class: "open" }, el("span", { class: "name" }, conversation.name), el("span", { class: "counts" }));
    open.addEventListener("click", () => this.actions.show(conversation));
    const item = el("li", { class: "conversation" }, open);
    if (conversation.kind === "room") {
      const leave = el("button", { type: "button", class: "leave quiet", "aria-label": `Leave ${conversation.name}`, title: `Leave ${conversation.name}` }, "×");
      leave.addEventListener("click", () => this.actions.leave(conversation));
      item.append(leave);
    }
    return item;
  }

  /** Bring a conversation's item up to date: its counts, whether it is shown, left or disconnected, and its name (a private one follows its person's nickname). */
  badges(conversation) {
    const open = conversation.listItem.querySelector(".open");
    const name = open.querySelector(".name");
    if (name.textContent !== conversation.name) name.textContent = conversation.name;
    open.setAttribute("aria-current", conversation === this.shown ? "true" : "false");
    // A room left is told apart from one the connection is down for, which the page goes back into.
    conversation.listItem.classList.toggle("away", conversation.state === "left");
    conversation.listItem.classList.toggle("disconnected", conversation.state === "disconnected");
    clear(open.querySelector(".counts")).append(...badge(conversation.unread, conversation.mentions));
  }
}

/**
 * One badge, as a list of none or one element: how many lines are unread,
 * in the accent colour when one of them names the user, and in words for a
 * screen reader.
 */
function badge(unread, mentions) {
  if (!unread) return [];
  const words = mentions ? ` unread, ${mentions} ${mentions === 1 ? "mention" : "mentions"}` : " unread";
  return [el("span", { class: mentions ? "badge unread mentions" : "badge unread" }, String(unread), el("span", { class: "visually-hidden" }, words))];
}

/**
 * Show a member's standing as /who does, `@` a room operator and `+` a
 * voiced member, before the name; a screen reader, which would read `@` as
 * "at", hears it in words instead.
 */
function mark(button, nick, marks) {
  const standing = button.querySelector(".standing");
  if (standing.textContent === marks) return;
  standing.textContent = marks;
  if (marks) button.setAttribute("aria-label", [nick, ...[...marks].map((symbol) => STANDING_WORDS[symbol])].join(", "));
  else button.removeAttribute("aria-label");
}
