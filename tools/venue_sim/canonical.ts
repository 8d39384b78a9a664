/**
 * The exchange's own encoding of an L1 action. The server does not hash the bytes it received: it
 * parses the JSON `action` into its structs and hashes them re-serialized
 * (engine/hyperliquid/README.md § Exchange actions, § Signing), so keys take the struct's order,
 * keys the struct lacks are dropped, prices and sizes become normalized decimals (no trailing
 * zeros, engine/hyperliquid/README.md § Wire numbers) and cloids lowercase. A signature over
 * anything else recovers another address. A value the structs cannot hold (a price that is no
 * decimal, a string asset id, a missing field) is a body the exchange cannot deserialize: HTTP 422.
 */

import { MAX_PRIORITY_RATE } from "../../engine/fees.ts";

/** An action the exchange could not deserialize (HTTP 422 on REST). */
export class MalformedActionError extends Error {}

type Json = Record<string, unknown>;

const DECIMAL_RE = /^([0-9]+)(?:\.([0-9]+))?$/;
const CLOID_RE = /^0x[0-9a-fA-F]{32}$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
// engine/hyperliquid/README.md § Exchange actions: the limit order kinds the exchange knows (NK
// adds FrontendMarket).
const TIFS = new Set(["Alo", "Ioc", "Gtc", "FrontendMarket"]);
// engine/hyperliquid/README.md § Exchange actions: grouping is one of these, or {"p": N} (priority
// fee, engine/hyperliquid/wire_reference.md § Priority fees and fast cancels).
const GROUPINGS = new Set(["na", "normalTpsl", "positionTpsl"]);

function bad(what: string): never {
  throw new MalformedActionError(what);
}

function object(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(`${what} must be an object`);
  return v as Json;
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) bad(`${what} must be an array`);
  return v;
}

function uint(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    bad(`${what} must be a non-negative integer`);
  }
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) bad(`${what} must be an integer`);
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") bad(`${what} must be a boolean`);
  return v;
}

/** A decimal string in the exchange's form: "3440.20" → "3440.2", "007" → "7", "1.0" → "1". */
function decimal(v: unknown, what: string): string {
  const m = typeof v === "string" ? DECIMAL_RE.exec(v) : null;
  if (!m) bad(`${what} must be a decimal string`);
  const whole = m[1].replace(/^0+(?=[0-9])/, "");
  const frac = (m[2] ?? "").replace(/0+$/, "");
  return frac === "" ? whole : `${whole}.${frac}`;
}

function cloid(v: unknown, what: string): string {
  if (typeof v !== "string" || !CLOID_RE.test(v)) bad(`${what} must be 0x and 32 hex digits`);
  return v.toLowerCase();
}

function address(v: unknown, what: string): string {
  if (typeof v !== "string" || !ADDRESS_RE.test(v)) bad(`${what} must be an address`);
  return v.toLowerCase();
}

/**
 * An optional field: absent and `null` both mean none, and none is omitted
 * (engine/hyperliquid/README.md § Signing).
 */
function optional<T>(v: unknown, read: (v: unknown) => T): T | undefined {
  return v === undefined || v === null ? undefined : read(v);
}

function withOptional(out: Json, key: string, value: unknown): Json {
  if (value !== undefined) out[key] = value;
  return out;
}

function orderType(v: unknown, what: string): Json {
  const t = object(v, what);
  if (t.limit !== undefined) {
    const limit = object(t.limit, `${what}.limit`);
    if (typeof limit.tif !== "string" || !TIFS.has(limit.tif)) bad(`${what}.limit.tif is unknown`);
    return { limit: { tif: limit.tif } };
  }
  const trigger = object(t.trigger, `${what}.trigger`);
  if (trigger.tpsl !== "tp" && trigger.tpsl !== "sl") bad(`${what}.trigger.tpsl is unknown`);
  return {
    trigger: {
      isMarket: bool(trigger.isMarket, `${what}.trigger.isMarket`),
      triggerPx: decimal(trigger.triggerPx, `${what}.trigger.triggerPx`),
      tpsl: trigger.tpsl,
    },
  };
}

/**
 * An order wire in the key order `a, b, p, s, r, t, c?` (engine/hyperliquid/README.md § Signing).
 */
function orderWire(v: unknown, what: string): Json {
  const o = object(v, what);
  return withOptional(
    {
      a: uint(o.a, `${what}.a`),
      b: bool(o.b, `${what}.b`),
      p: decimal(o.p, `${what}.p`),
      s: decimal(o.s, `${what}.s`),
      r: bool(o.r, `${what}.r`),
      t: orderType(o.t, `${what}.t`),
    },
    "c",
    optional(o.c, (c) => cloid(c, `${what}.c`)),
  );
}

function grouping(v: unknown): unknown {
  if (typeof v === "string" && GROUPINGS.has(v)) return v;
  const p = uint(object(v, "grouping").p, "grouping.p");
  if (p > MAX_PRIORITY_RATE) bad(`grouping.p must be at most ${MAX_PRIORITY_RATE}`);
  return { p };
}

// A fast cancel's `f` may only be the literal true (TS SDK v0.33 `v.literal(true)`): an `f: false`
// would be hashed into the action, so the stricter reading refuses it (engine/hyperliquid/wire_reference.md).
function fastFlag(v: unknown): true {
  if (v !== true) bad("f must be true when present (omit it for an ordinary cancel)");
  return true;
}

function oidOrCloid(v: unknown, what: string): number | string {
  return typeof v === "string" ? cloid(v, what) : uint(v, what);
}

const BUILDERS: Record<string, (a: Json) => Json> = {
  order: (a) =>
    withOptional(
      {
        type: "order",
        orders: list(a.orders, "orders").map((o, i) => orderWire(o, `orders[${i}]`)),
        grouping: grouping(a.grouping),
      },
      "builder",
      optional(a.builder, (b) => {
        const builder = object(b, "builder");
        return { b: address(builder.b, "builder.b"), f: uint(builder.f, "builder.f") };
      }),
    ),
  cancel: (a) =>
    withOptional(
      {
        type: "cancel",
        cancels: list(a.cancels, "cancels").map((c, i) => {
          const x = object(c, `cancels[${i}]`);
          return { a: uint(x.a, `cancels[${i}].a`), o: uint(x.o, `cancels[${i}].o`) };
        }),
      },
      "f",
      optional(a.f, fastFlag),
    ),
  cancelByCloid: (a) =>
    withOptional(
      {
        type: "cancelByCloid",
        cancels: list(a.cancels, "cancels").map((c, i) => {
          const x = object(c, `cancels[${i}]`);
          return {
            asset: uint(x.asset, `cancels[${i}].asset`),
            cloid: cloid(x.cloid, `cancels[${i}].cloid`),
          };
        }),
      },
      "f",
      optional(a.f, fastFlag),
    ),
  modify: (a) =>
    withOptional(
      { type: "modify", oid: oidOrCloid(a.oid, "oid"), order: orderWire(a.order, "order") },
      "a",
      optional(a.a, (x) => bool(x, "a")),
    ),
  batchModify: (a) =>
    withOptional(
      {
        type: "batchModify",
        modifies: list(a.modifies, "modifies").map((m, i) => {
          const x = object(m, `modifies[${i}]`);
          return {
            oid: oidOrCloid(x.oid, `modifies[${i}].oid`),
            order: orderWire(x.order, `modifies[${i}].order`),
          };
        }),
      },
      "a",
      optional(a.a, (x) => bool(x, "a")),
    ),
  scheduleCancel: (a) =>
    withOptional({ type: "scheduleCancel" }, "time", optional(a.time, (t) => uint(t, "time"))),
  updateLeverage: (a) => ({
    type: "updateLeverage",
    asset: uint(a.asset, "asset"),
    isCross: bool(a.isCross, "isCross"),
    leverage: uint(a.leverage, "leverage"),
  }),
  updateIsolatedMargin: (a) => ({
    type: "updateIsolatedMargin",
    asset: uint(a.asset, "asset"),
    isBuy: bool(a.isBuy, "isBuy"),
    ntli: int(a.ntli, "ntli"),
  }),
  noop: () => ({ type: "noop" }),
  reserveRequestWeight: (a) => ({ type: "reserveRequestWeight", weight: uint(a.weight, "weight") }),
};

/**
 * The action as the exchange re-encodes it before hashing, or null for an action type it has no
 * struct for here (user-signed actions, which are not msgpack-hashed, and types the venue does
 * not simulate). Throws {@link MalformedActionError} when the action cannot be deserialized.
 */
export function canonicalAction(action: Json): Json | null {
  const build = typeof action.type === "string" && Object.hasOwn(BUILDERS, action.type)
    ? BUILDERS[action.type]
    : undefined;
  return build ? build(action) : null;
}

/**
 * Whether two JSON values are the same, keys in any order: a request whose action differs from
 * its re-encoding in more than key order (an extra key, "3440.20", an uppercase cloid, a null
 * left in) was not sent in the exchange's own form.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Json)[k], (b as Json)[k]));
}
