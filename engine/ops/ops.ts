/**
 * The operations layer of a run, in one piece for engine/run.ts: the PnL series, the alert
 * watch, alerts, metrics, control and the HTTP server (when `MM_HTTP_PORT` is set). A timer
 * once a second records PnL and checks for alerts; nothing here runs inside the quoting loop.
 */
import type { Engine } from "../engine.ts";
import type { LedgerRow } from "../ledger/ledger_summary.ts";
import type { Logger } from "../log.ts";
import { AlertSender } from "./alerts.ts";
import type { OpsConfig } from "./config.ts";
import { Control } from "./control.ts";
import { startOpsServer } from "./http_server.ts";
import { createMetrics, type OpsCounters } from "./metrics.ts";
import { PnlHistory } from "./pnl_history.ts";
import { takeSnapshot } from "./snapshot.ts";
import { AlertWatch } from "./watch.ts";

/** Options of {@link startOps}. */
export interface OpsOptions {
  config: OpsConfig;
  engine: Engine;
  /** Market-data reconnects completed so far. */
  reconnects: () => number;
  log: Logger;
  /** Live: the ledger's rows and total, for the metrics and the status. */
  ledger?: () => { rows: LedgerRow[]; total: LedgerRow };
  /** Period of the PnL points and alert checks, ms (default 1 s). */
  watchEveryMs?: number;
}

/** The running operations layer. */
export interface Ops {
  /** Sends alerts (crashes are reported through it by run.ts). */
  readonly alerts: AlertSender;
  /** The status page's address, or null without `MM_HTTP_PORT`. */
  readonly url: string | null;
  /** Stops the timer and the server, then gives queued alerts up to `flushMs` to go out. */
  close(flushMs: number): Promise<void>;
}

/** Starts the operations layer for a running engine. */
export async function startOps(options: OpsOptions): Promise<Ops> {
  const { config, engine, log } = options;
  const counters: OpsCounters = {
    alertsSent: 0,
    alertsFailed: 0,
    alertsSuppressed: 0,
    control: {},
  };
  const history = new PnlHistory();
  const alerts = new AlertSender({
    url: config.alertWebhookUrl,
    label: engine.mode,
    log,
    counters,
  });
  const watch = new AlertWatch(alerts);
  const sources = { engine, reconnects: options.reconnects, history, ledger: options.ledger };
  const tick = () => {
    const now = Date.now();
    history.record(now, engine.portfolio.pnlUsd());
    const weight = engine.venue.governor.weight;
    watch.check({
      nowMs: now,
      haltReason: engine.haltReason,
      stallPanics: engine.stall.panics,
      reconnects: options.reconnects(),
      addressLeft: engine.venue.governor.address.view()?.left ?? null,
      ipWeightUsed: weight.used(),
      ipWeightLimit: weight.limit,
    });
  };
  tick();
  const timer = setInterval(tick, options.watchEveryMs ?? 1_000);
  if (alerts.enabled) {
    const host = new URL(config.alertWebhookUrl!.reveal()).host;
    log.info(`[ALERT] alerts go to the webhook at ${host}`);
  }

  let server: Awaited<ReturnType<typeof startOpsServer>> | null = null;
  if (config.httpPort !== null) {
    const control = new Control({
      target: engine,
      token: config.controlToken,
      log,
      alerts,
      counters,
    });
    const snapshot = () => takeSnapshot(sources, Date.now());
    try {
      server = await startOpsServer({
        hostname: config.httpHost,
        port: config.httpPort,
        snapshot,
        metrics: createMetrics(snapshot, counters),
        control,
        log,
      });
    } catch (error) {
      clearInterval(timer);
      throw error;
    }
    log.info(
      `[OPS] status page ${server.url} | metrics ${server.url}metrics | control POST ${server.url}control (${
        config.controlToken ? "bearer token" : "loopback only, no token set"
      })`,
    );
  }
  return {
    alerts,
    url: server?.url ?? null,
    async close(flushMs: number) {
      clearInterval(timer);
      await server?.close();
      await alerts.flush(flushMs);
    },
  };
}
