/**
 * Parsed replay data in shared memory, so the workers of one sweep replay what was parsed once:
 * the event columns are copied once into SharedArrayBuffers (each worker views them, nothing is
 * copied again), and the full-depth books are flattened into one shared Float64Array that each
 * worker turns back into book objects (a pass over numbers, not a parse of text).
 *
 * @module
 */
import type { BookSnapshot } from "../../engine/hyperliquid/types.ts";
import type { ReplayData } from "../../engine/replay.ts";

/** A {@link ReplayData} as structured-clonable shared buffers. */
export interface SharedReplay {
  coins: string[];
  files: string[];
  badRows: number;
  length: number;
  kind: SharedArrayBuffer;
  timeMs: SharedArrayBuffer;
  coin: SharedArrayBuffer;
  a: SharedArrayBuffer;
  b: SharedArrayBuffer;
  buyer: SharedArrayBuffer;
  tid: SharedArrayBuffer;
  /** Coin names of the books (by index in the flat layout). */
  bookCoins: string[];
  /** Where book i starts in `bookValues` (length books + 1). */
  bookStart: SharedArrayBuffer;
  /** Per book: coin index, time, bid count, ask count, then px, sz, n of each bid and ask. */
  bookValues: SharedArrayBuffer;
}

function shared<T extends Float64Array | Uint8Array | Uint16Array | Int32Array>(
  make: (buffer: SharedArrayBuffer) => T,
  bytes: number,
  from: ArrayLike<number>,
): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes);
  make(buffer).set(from);
  return buffer;
}

/** Copies `data` into shared buffers (once per sweep). */
export function shareReplay(data: ReplayData): SharedReplay {
  const n = data.length;
  const bookCoins: string[] = [];
  const coinIndex = new Map<string, number>();
  const starts = new Int32Array(data.books.length + 1);
  let size = 0;
  data.books.forEach((book, i) => {
    starts[i] = size;
    // A missing book (none is, in practice) keeps its index with an empty record.
    if (book !== undefined) size += 4 + 3 * (book.bids.length + book.asks.length);
  });
  starts[data.books.length] = size;
  const values = new Float64Array(new SharedArrayBuffer(size * 8));
  data.books.forEach((book, i) => {
    if (book === undefined) return;
    let at = starts[i];
    let c = coinIndex.get(book.coin);
    if (c === undefined) {
      c = bookCoins.push(book.coin) - 1;
      coinIndex.set(book.coin, c);
    }
    values[at++] = c;
    values[at++] = book.timeMs;
    values[at++] = book.bids.length;
    values[at++] = book.asks.length;
    for (const level of [...book.bids, ...book.asks]) {
      values[at++] = level.px;
      values[at++] = level.sz;
      values[at++] = level.n;
    }
  });
  return {
    coins: data.coins,
    files: data.files,
    badRows: data.badRows,
    length: n,
    kind: shared((b) => new Uint8Array(b), n, data.kind),
    timeMs: shared((b) => new Float64Array(b), n * 8, data.timeMs),
    coin: shared((b) => new Uint16Array(b), n * 2, data.coin),
    a: shared((b) => new Float64Array(b), n * 8, data.a),
    b: shared((b) => new Float64Array(b), n * 8, data.b),
    buyer: shared((b) => new Uint8Array(b), n, data.buyer),
    tid: shared((b) => new Float64Array(b), n * 8, data.tid),
    bookCoins,
    bookStart: shared((b) => new Int32Array(b), starts.length * 4, starts),
    bookValues: values.buffer as SharedArrayBuffer,
  };
}

/** The data again, as views on the shared buffers and rebuilt book objects. */
export function openSharedReplay(s: SharedReplay): ReplayData {
  const starts = new Int32Array(s.bookStart);
  const values = new Float64Array(s.bookValues);
  const books: BookSnapshot[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    let at = starts[i];
    if (at === starts[i + 1]) {
      books.length = i + 1; // a hole, as in the original
      continue;
    }
    const level = () => ({ px: values[at++], sz: values[at++], n: values[at++] });
    const coin = s.bookCoins[values[at++]];
    const timeMs = values[at++];
    const nBids = values[at++];
    const nAsks = values[at++];
    const bids = Array.from({ length: nBids }, level);
    const asks = Array.from({ length: nAsks }, level);
    books.push({ coin, timeMs, bids, asks });
  }
  return {
    coins: s.coins,
    files: s.files,
    badRows: s.badRows,
    length: s.length,
    kind: new Uint8Array(s.kind),
    timeMs: new Float64Array(s.timeMs),
    coin: new Uint16Array(s.coin),
    a: new Float64Array(s.a),
    b: new Float64Array(s.b),
    buyer: new Uint8Array(s.buyer),
    tid: new Float64Array(s.tid),
    books,
  };
}
