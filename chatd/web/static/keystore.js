// What the page keeps of end-to-end encryption, in the browser's IndexedDB
// (database "chatd-e2e", this origin only): this browser's key pair for each
// account identified to here (made on first use), the keys it has pinned
// for each contact (trust on first use) with whether the user verified
// them, and the server's key log as last verified (keylog.js), per server. libsodium's keys are plain bytes: IndexedDB holds the secret
// key as 32 bytes any script of this origin could read (docs/SECURITY.md);
// WebCrypto's non-extractable keys have no X25519 box to offer in return.

const DATABASE = "chatd-e2e";
const VERSION = 2; // 2: the key log's checkpoints ("logs")

function request(call) {
  return new Promise((resolve, reject) => {
    call.addEventListener("success", () => resolve(call.result));
    call.addEventListener("error", () => reject(call.error));
  });
}

/** The keys of one account on this browser: its own key pair and its pins. Accounts are folded names. */
export class KeyStore {
  constructor(account) {
    this.account = account;
    this.database = null;
  }

  async db() {
    if (this.database === null) {
      const opening = indexedDB.open(DATABASE, VERSION);
      opening.addEventListener("upgradeneeded", () => {
        const made = opening.result;
        for (const [store, keyPath] of [["identities", "account"], ["pins", "id"], ["logs", "server"]]) {
          if (!made.objectStoreNames.contains(store)) made.createObjectStore(store, { keyPath });
        }
      });
      this.database = await request(opening);
    }
    return this.database;
  }

  async get(store, key) {
    const db = await this.db();
    return request(db.transaction(store, "readonly").objectStore(store).get(key));
  }

  async put(store, value) {
    return this.write(store, (objects) => objects.put(value));
  }

  /** Run `change(objectStore)` in a readwrite transaction of `store`: resolved once it is committed. */
  async write(store, change) {
    const db = await this.db();
    const transaction = db.transaction(store, "readwrite");
    change(transaction.objectStore(store));
    return new Promise((resolve, reject) => {
      transaction.addEventListener("complete", resolve);
      transaction.addEventListener("error", () => reject(transaction.error));
    });
  }

  /** This browser's key pair for the account, {publicKey (base64), secretKey (32 bytes)}, made by `make()` if there is none. */
  async identity(make) {
    const kept = await this.get("identities", this.account);
    if (kept !== undefined) return { publicKey: kept.publicKey, secretKey: kept.secretKey };
    const made = make();
    // add, not put: two tabs making a key at once keep the first one written, and both use it.
    const db = await this.db();
    try {
      await request(db.transaction("identities", "readwrite").objectStore("identities").add({ account: this.account, ...made }));
    } catch {
      const first = await this.get("identities", this.account);
      return { publicKey: first.publicKey, secretKey: first.secretKey };
    }
    return made;
  }

  /**
   * Drop the pins of accounts' own keys that older pages made, which
   * pinned the user's devices as any contact's (#17): nothing reads them
   * now, for an account's keys are its own devices, never pinned
   * (keychecks.js). Every account's, not only this one's: one identified
   * on this browser once and never again kept its pin for good. Run as an
   * account's keys are first read on a page: one read of the pins' ids
   * (a few per contact), nothing deleted once done, and no schema version
   * to bump, whose upgrade would wait on every tab still holding the
   * database open at version 2. Pins of contacts stay, whatever their age:
   * dropping one would take a changed key for a first one, unwarned.
   */
  async dropOwnPins() {
    const db = await this.db();
    const ids = await request(db.transaction("pins", "readonly").objectStore("pins").getAllKeys());
    const own = ids.filter((id) => {
      const [account, contact, ...rest] = String(id).split("\n");
      return rest.length === 0 && account === contact;
    });
    if (own.length) await this.write("pins", (pins) => own.forEach((id) => pins.delete(id)));
  }

  /** The keys pinned for `contact` (a folded account name): {keys: [base64, sorted], verified}, or null. */
  async pinned(contact) {
    const kept = await this.get("pins", `${this.account}\n${contact}`);
    return kept === undefined ? null : { keys: kept.keys, verified: kept.verified };
  }

  /** Pin `keys` for `contact`, verified or not. */
  async pin(contact, keys, verified) {
    await this.put("pins", { id: `${this.account}\n${contact}`, keys: [...keys].sort(), verified });
  }

  /** The key log as last verified on `server` (host:port): {seq, head, keys}, or null if never. */
  async log(server) {
    const kept = await this.get("logs", server);
    return kept === undefined ? null : { seq: kept.seq, head: kept.head, keys: kept.keys };
  }

  /** Keep `checkpoint` ({seq, head, keys}) as the key log last verified on `server`. */
  async keepLog(server, checkpoint) {
    await this.put("logs", { server, ...checkpoint });
  }
}
