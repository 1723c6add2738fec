// Classes made of parts, a module each: app.js's Chat, files.js's Transfers
// and encryption.js's Encryption. A part is a mixin, a function from a class
// to a subclass of it holding the part's methods, so that every part works on
// the one object's state (`this`), as the methods of one class did, and a
// module stays one concern of a few hundred lines. A part whose state no other part needs
// declares it in a constructor of its own; state that parts share is
// declared by the class they make up.

/** The class of `parts` (mixins), each a subclass of the one before it, the first of Object. */
export function composed(parts) {
  return parts.reduce((base, part) => part(base), Object);
}
