/**
 * A minimal RFC 6455 server connection over a raw socket. The venue speaks WebSocket itself
 * (rather than through Deno.upgradeWebSocket) because faults need what a library hides:
 * dropping the TCP connection without a close frame, and writing malformed frames.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Buffer } from "node:buffer";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// A client that lets this much outgoing data pile up is dropped (the exchange drops slow readers).
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Completes the HTTP upgrade handshake; returns false (after answering 400) when it is not one. */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex): boolean {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || String(req.headers.upgrade).toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return false;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return true;
}

/** Encodes one unmasked server frame. */
function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const len = payload.length;
  const headLen = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headLen + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = len;
  else if (len < 65_536) {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  out.set(payload, headLen);
  return out;
}

/** One accepted WebSocket connection (text frames in and out). */
export class WsConnection {
  #socket: Duplex;
  #buf: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #open = true;
  // Frames written in one turn of the event loop go out in one socket write.
  #pending: Uint8Array[] = [];
  #flushScheduled = false;
  #onText: (text: string) => void;
  #onClose: () => void;
  /** While this says true, protocol-level pings go unanswered (a silence fault). */
  mute: () => boolean = () => false;

  /** Wraps an upgraded socket; `head` is whatever arrived after the handshake. */
  constructor(
    socket: Duplex,
    head: Uint8Array,
    onText: (text: string) => void,
    onClose: () => void,
  ) {
    this.#socket = socket;
    this.#onText = onText;
    this.#onClose = onClose;
    socket.on("data", (d: Buffer) => this.#receive(d));
    socket.on("close", () => this.#closed());
    socket.on("error", () => this.#closed());
    if (head.length) this.#receive(Buffer.from(head));
  }

  /** Whether the connection can still send. */
  get open(): boolean {
    return this.#open;
  }

  /** Sends a text frame (any string, even one that is not JSON). */
  sendText(text: string): void {
    this.#write(frame(0x1, Buffer.from(text, "utf8")));
  }

  /** Sends raw bytes as they are (for malformed-frame faults). */
  sendRaw(bytes: Uint8Array): void {
    this.#write(bytes);
  }

  /** Closes cleanly: a close frame with `code`, then the end of the stream. */
  close(code = 1000, reason = ""): void {
    if (!this.#open) return;
    this.#flush();
    const r = Buffer.from(reason, "utf8");
    const payload = Buffer.allocUnsafe(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    this.#socket.write(frame(0x8, payload));
    this.#socket.end();
    this.#closed();
  }

  /** Drops the TCP connection without a close frame (the client sees an abnormal close). */
  drop(): void {
    if (!this.#open) return;
    this.#pending = [];
    this.#socket.destroy();
    this.#closed();
  }

  #write(bytes: Uint8Array): void {
    if (!this.#open) return;
    this.#pending.push(bytes);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (!this.#open || this.#pending.length === 0) return;
    if (this.#socket.writableLength > MAX_BUFFERED_BYTES) {
      this.drop();
      return;
    }
    const chunk = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#socket.write(chunk);
  }

  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#onClose();
  }

  #receive(data: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, data]) : data;
    while (this.#open && this.#buf.length >= 2) {
      const b0 = this.#buf[0];
      const b1 = this.#buf[1];
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.#buf.length < 4) return;
        len = this.#buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.#buf.length < 10) return;
        len = this.#buf.readUInt32BE(2) * 2 ** 32 + this.#buf.readUInt32BE(6);
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const need = off + (masked ? 4 : 0) + len;
      if (this.#buf.length < need) return;
      const payload = Buffer.from(this.#buf.subarray(off + (masked ? 4 : 0), need));
      if (masked) {
        const mask = this.#buf.subarray(off, off + 4);
        for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      }
      this.#buf = this.#buf.subarray(need);
      this.#frame(b0 & 0x80, b0 & 0x0f, payload);
    }
  }

  #frame(fin: number, opcode: number, payload: Buffer): void {
    if (opcode === 0x8) {
      this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
    } else if (opcode === 0x9) {
      if (!this.mute()) this.#write(frame(0xa, payload));
    } else if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
      this.#fragments.push(payload);
      if (!fin) return;
      const text = Buffer.concat(this.#fragments).toString("utf8");
      this.#fragments = [];
      this.#onText(text);
    }
  }
}
