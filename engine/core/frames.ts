/**
 * The frame handler: what every mode does with one market-data frame. Live, shadow and demo get
 * their frames from the WebSocket feed (engine/hyperliquid/ws.ts), replay from recorded files
 * (engine/replay.ts); both hand them here, so a replay runs the code that quotes live:
 *
 * - a book frame goes to the taps (harvest, cadence watch) as it came, then to the engine as the
 *   rest of the market shows it (live: without the account's own orders, venue/others_book.ts):
 *   a sane book is routed and requoted at once, a flagged one (empty side, crossed, unsorted)
 *   pulls the coin's quotes until a sane book arrives;
 * - a trades frame goes to the taps, then to the engine as one batch.
 */
import type { BookProblem } from "../hyperliquid/frame_checks.ts";
import type { BookSnapshot, Trade } from "../hyperliquid/types.ts";

/** What the handler feeds: the engine's market-data entry points. */
export interface FrameEngine {
  onBook(book: BookSnapshot, arrivalMs?: number): void;
  onBadBook(coin: string): void;
  onTrades(trades: readonly Trade[]): void;
}

/** A side stream of the frames (harvest, cadence watch): sees each frame before the engine. */
export interface FrameTap {
  /** A book frame, flagged or not, with its text as received ("" when replayed). */
  book?(book: BookSnapshot, frameText: string): void;
  /** A trades frame, with its text as received ("" when replayed). */
  trades?(trades: readonly Trade[], frameText: string): void;
}

/** The market time of a frame, ms: a book's own time, a trades frame's first trade's. */
export function frameTimeMs(frame: BookSnapshot | readonly Trade[]): number {
  return "coin" in frame ? frame.timeMs : frame[0]?.timeMs ?? NaN;
}

/** Market-data frames into the engine, in the order they come. */
export class FrameHandler {
  readonly #engine: FrameEngine;
  readonly #taps: readonly FrameTap[];
  readonly #market: (book: BookSnapshot) => BookSnapshot;

  /**
   * Feeds `engine`; each tap sees every frame first. `market` gives the book the engine prices
   * off (live: without the account's own orders); by default the book as it came.
   */
  constructor(
    engine: FrameEngine,
    taps: readonly FrameTap[] = [],
    market: (book: BookSnapshot) => BookSnapshot = (book) => book,
  ) {
    this.#engine = engine;
    this.#taps = taps;
    this.#market = market;
  }

  /**
   * A book frame, received at `receivedAtNs` (performance.now() in ns; undefined in replay,
   * which measures no latency); `problem` non-null when it must not be quoted on.
   */
  onBook(
    book: BookSnapshot,
    receivedAtNs: number | undefined,
    problem: BookProblem | null,
    frameText = "",
  ): void {
    for (const tap of this.#taps) tap.book?.(book, frameText);
    if (problem === null) {
      const arrivalMs = receivedAtNs === undefined ? undefined : receivedAtNs / 1e6;
      this.#engine.onBook(this.#market(book), arrivalMs);
    } else this.#engine.onBadBook(book.coin);
  }

  /** A trades frame (non-empty); its trades go to the engine together. */
  onTrades(trades: readonly Trade[], frameText = ""): void {
    for (const tap of this.#taps) tap.trades?.(trades, frameText);
    this.#engine.onTrades(trades);
  }
}
