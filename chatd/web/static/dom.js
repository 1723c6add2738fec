// Building the page's elements. Every text from the network goes in as a
// text node (textContent), never as markup: the page holds no innerHTML,
// and the server's Content-Security-Policy forbids inline script and style.

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
