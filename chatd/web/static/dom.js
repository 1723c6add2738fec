// Building the page's elements. Every text from the network goes in as a
// text node (textContent), never as markup: the page holds no innerHTML,
// and the server's Content-Security-Policy forbids inline script and style.
// A web address in it becomes a link element (linked), built the same way.

/** The element of index.html with `id`: the one look-up every module of the page makes. */
export const $ = (id) => document.getElementById(id);

/**
 * A new element: `el("li", {class: "line", "data-id": id}, "text", child)`.
 * Attributes are set with setAttribute (never an event handler: `on*` names
 * are refused); strings among the children become text nodes.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (/^on/i.test(name)) throw new Error(`no event handler attributes: ${name}`);
    node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, ...children);
  return node;
}

/** Append children to `node`: strings (and numbers) as text, elements as they are, nulls skipped. */
export function append(node, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** `n` as people read a count: 7,501 (in English whatever the browser's language, as every word the page says). */
export function count(n) {
  return n.toLocaleString("en");
}

let measuring = null; // the canvas `fitting` measures text on, made when first needed

/**
 * The first of `texts` that fits on one line of the text box `box` as it is laid out now, in its font; the last
 * if none does. Measured on a canvas, as the box shows no text of its own to measure while it is empty.
 */
export function fitting(box, texts) {
  const style = getComputedStyle(box);
  const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  measuring ??= document.createElement("canvas").getContext("2d");
  measuring.font = style.font;
  return texts.find((text) => measuring.measureText(text).width <= room) ?? texts.at(-1);
}

// What the server never lets into a line said (chatd.text.UNSAFE): control characters (a line break among them),
// bidi overrides and isolates, lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/gu;

/**
 * `text` the server never checked (an opened envelope's, a link's) as the
 * page may show it: a tab a space, every other unsafe character U+FFFD, as
 * the terminal client shows everything (chatd.text.scrub). A line break in it
 * would start a line of its own in the page's words, and a bidi override turn
 * the words after it around.
 */
export function scrub(text) {
  return String(text).replaceAll("\t", " ").replace(UNSAFE, "\ufffd");
}

/** Remove every child of `node`. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/**
 * A name as the server compares it, nearly: NFKC, then case folded. The
 * server also folds look-alikes, which only matters for telling names
 * apart, and it refuses look-alikes of names in use, so this is enough
 * to key conversations and members.
 */
export function fold(name) {
  return String(name).normalize("NFKC").toLowerCase();
}

/** A room name as typed in the join box: `dev` or `#dev` is `#dev`. */
export function roomName(text) {
  const trimmed = String(text).trim();
  return trimmed.startsWith("#") ? trimmed : `#${trimmed}`;
}

/** A web address in text: http or https, up to a space or a character that an address holds only escaped. */
const ADDRESS = /\bhttps?:\/\/[^\s<>"]+/gi;

/** Punctuation that ends a sentence rather than the address before it: "see https://example.org." */
const CLOSING = /[.,;:!?'*]$/;

/**
 * `text` as children for el() and append(): each http or https address a
 * link (opened in a new tab that gets no hold on this one, nor its address:
 * rel noopener noreferrer), the rest as text. The address is parsed and
 * its scheme checked, so no other scheme (javascript:, data:) is ever a link;
 * nor is an address with a name or password before its host, and each link's
 * title says where it goes, as the browser reads it.
 */
export function linked(text) {
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const address = trimmed(match[0]);
    let url;
    try {
      url = new URL(address);
    } catch {
      continue;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") continue;
    // A name and password before the host ("http://bank.example@evil.example/") make the text name one site
    // and the link go to another: left as text.
    if (url.username || url.password) continue;
    // The link's title is where it goes, as the browser reads it: a look-alike letter in the host shows there
    // as the punycode it is (xn--...).
    const attributes = { href: url.href, title: url.href, target: "_blank", rel: "noopener noreferrer", class: "url" };
    parts.push(text.slice(at, match.index), el("a", attributes, address));
    at = match.index + address.length;
  }
  parts.push(text.slice(at));
  return parts.filter((part) => part !== "");
}

/** `address` without the punctuation after it, and without a ")" it holds no "(" for: "(see https://example.org/a)". */
function trimmed(address) {
  let end = address.length;
  const count = (character) => address.slice(0, end).split(character).length - 1;
  while (end > 0 && (CLOSING.test(address[end - 1]) || (address[end - 1] === ")" && count(")") > count("(")))) end -= 1;
  return address.slice(0, end);
}
