/**
 * Headless Chromium (Debian's `chromium`; .ci/run installs it) driven over the DevTools protocol,
 * so a test can open a page, read what it rendered, click its buttons and take a screenshot as
 * a person would.
 */

/** A page open in headless Chromium. */
export interface BrowserPage {
  /** Evaluates an expression in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy; throws with `what` after `timeoutMs`. */
  waitFor(what: string, expression: string, timeoutMs?: number): Promise<void>;
  /** Clicks the element `selector` with the mouse, at its centre. */
  click(selector: string): Promise<void>;
  /** A PNG screenshot of the page. */
  screenshot(): Promise<Uint8Array>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Starts Chromium on `url` and connects to the page. */
export async function openPage(url: string, width = 1200, height = 1400): Promise<BrowserPage> {
  const profile = await Deno.makeTempDir({ prefix: "mm-chromium-" });
  const child = new Deno.Command("chromium", {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      `--window-size=${width},${height}`,
      url,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  };
  try {
    const port = await devtoolsPort(child.stderr);
    const target = await pageTarget(port, url);
    const ws = new WebSocket(target);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`could not connect to Chromium at ${target}`));
    });
    let nextId = 1;
    const pending = new Map<
      number,
      (m: { result?: unknown; error?: { message: string } }) => void
    >();
    ws.onmessage = (e) => {
      const message = JSON.parse(e.data);
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    };
    const send = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
      const id = nextId++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => {
        pending.set(
          id,
          (m) =>
            m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T),
        );
      });
    };
    const evaluate = async <T>(expression: string): Promise<T> => {
      const r = await send<{ result: { value: T }; exceptionDetails?: { text: string } }>(
        "Runtime.evaluate",
        { expression, awaitPromise: true, returnByValue: true },
      );
      if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.text}`);
      return r.result.value;
    };
    return {
      evaluate,
      async waitFor(what, expression, timeoutMs = 15_000) {
        const end = Date.now() + timeoutMs;
        while (!(await evaluate<boolean>(`Boolean(${expression})`))) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async click(selector) {
        const box = await evaluate<{ x: number; y: number } | null>(`(() => {
          const r = document.querySelector(${JSON.stringify(selector)})?.getBoundingClientRect();
          return r ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
        })()`);
        if (box === null) throw new Error(`no element ${selector} on the page`);
        for (const type of ["mousePressed", "mouseReleased"]) {
          await send("Input.dispatchMouseEvent", { type, ...box, button: "left", clickCount: 1 });
        }
      },
      async screenshot() {
        const r = await send<{ data: string }>("Page.captureScreenshot", { format: "png" });
        return Uint8Array.from(atob(r.data), (c) => c.charCodeAt(0));
      },
      async close() {
        ws.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Drains Chromium's stderr for as long as it runs (a full pipe would stall it) and resolves with
 * the DevTools port once printed.
 */
function devtoolsPort(stderr: ReadableStream<Uint8Array>): Promise<number> {
  const found = Promise.withResolvers<number>();
  let text = "";
  const timer = setTimeout(
    () => found.reject(new Error(`Chromium printed no DevTools address: ${text.slice(-500)}`)),
    30_000,
  );
  (async () => {
    for await (const chunk of stderr.pipeThrough(new TextDecoderStream())) {
      if (text.length < 100_000) text += chunk;
      const port = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(text)?.[1];
      if (port) {
        clearTimeout(timer);
        found.resolve(Number(port));
      }
    }
    found.reject(new Error(`Chromium exited: ${text.slice(-500)}`));
  })().catch(() => {});
  return found.promise.finally(() => clearTimeout(timer));
}

/** The DevTools WebSocket of the page showing `url`. */
async function pageTarget(port: number, url: string): Promise<string> {
  const end = Date.now() + 10_000;
  for (;;) {
    const list: { type: string; url: string; webSocketDebuggerUrl: string }[] =
      await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    const page = list.find((t) => t.type === "page" && t.url.startsWith(url));
    if (page) return page.webSocketDebuggerUrl;
    if (Date.now() > end) throw new Error(`no page for ${url} in Chromium's targets`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
