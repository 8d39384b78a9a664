/**
 * Child process for the signal test: registers the engine's shutdown steps (one of them hangs),
 * prints "ready", and idles like a quoting loop until SIGINT/SIGTERM.
 */
import { Shutdown } from "../../engine/shutdown.ts";

const shutdown = new Shutdown({ deadlineMs: 2_000 });
const loop = setInterval(() => {}, 100);
shutdown
  .add("stop quoting", () => {
    clearInterval(loop);
    console.log("step: stop quoting");
  }, 200)
  .add("cancel all", () => new Promise<void>(() => console.log("step: cancel all (hangs)")), 300)
  .add("flush harvest", async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    console.log("step: flush harvest");
  })
  .add("save state", () => console.log("step: save state"))
  .add("report", () => console.log("step: report"));
shutdown.listen();
console.log("ready");
