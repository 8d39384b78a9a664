/**
 * `./deno task calibrate-fills <ledger files or folders>... [--check MODEL] [--json]`
 *
 * Fits the shadow fill model to the live ledger (engine/ledger/calibrate.ts explains the grid
 * search and the measured latencies) and prints, per candidate, real against predicted filled
 * volume and the per-order error, the configured model's figures before and the fitted ones
 * after, and the settings to put in the configuration. `--check MODEL` fits nothing: it scores
 * one candidate (a key as the ledger records it, e.g. `power:1+priority:0.2`) on other records,
 * to judge a calibration out of sample. `--json` prints the result as JSON. Reads only.
 */

import { parseArgs } from "node:util";
import {
  calibrate,
  type Calibration,
  type CandidateScore,
  scoreCandidate,
} from "../engine/ledger/calibrate.ts";
import { readLedger } from "../engine/ledger/read_ledger.ts";
import { formatTable } from "./analysis/table.ts";
import { errorMessage } from "../engine/util/errors.ts";

const USAGE =
  "usage: ./deno task calibrate-fills <ledger files or folders>... [--check MODEL] [--json]";

const ratio = (x: number) => Number.isFinite(x) ? x.toFixed(3) : "n/a";

function scoreLine(what: string, s: CandidateScore): string {
  return `${what} ${s.key}: real/predicted ${ratio(s.realOverPredicted)}, per-order error ${
    s.perOrderError.toFixed(3)
  }`;
}

/** The calibration as the lines the command prints. */
export function formatCalibration(c: Calibration): string[] {
  const lines = [
    `${c.records} ledger orders, ${c.realFilled} filled at the exchange ($${c.realUsd.toFixed(2)})`,
    formatTable(
      ["model", "predicted $", "real/predicted", "per-order error"],
      c.scores.map((
        s,
      ) => [
        s.key,
        s.predictedUsd.toFixed(2),
        ratio(s.realOverPredicted),
        s.perOrderError.toFixed(3),
      ]),
    ),
  ];
  if (c.configured) lines.push(scoreLine("before (configured)", c.configured));
  lines.push(scoreLine("after (fitted)", c.fitted));
  const ms = (x: number | null) => x === null ? "not measured" : `${x.toFixed(0)} ms`;
  lines.push(
    `round trips (median, wall clock): order ${ms(c.orderRoundTripMs)}, cancel ${
      ms(c.cancelRoundTripMs)
    }; market clock ${c.marketPace.toFixed(2)}× the wall clock`,
  );
  lines.push("Put in the configuration:");
  for (const [name, value] of Object.entries(c.settings)) lines.push(`${name}=${value}`);
  return lines;
}

/** Runs the command; returns the exit code. */
export async function main(args: string[], print: (line: string) => void): Promise<number> {
  let values: { check?: string; json?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { check: { type: "string" }, json: { type: "boolean", default: false } },
    }));
  } catch (error) {
    print(`calibrate-fills: ${errorMessage(error)}\n${USAGE}`);
    return 2;
  }
  if (positionals.length === 0) {
    print(`calibrate-fills: no ledger given\n${USAGE}`);
    return 2;
  }
  try {
    const records = await readLedger(positionals);
    if (values.check !== undefined) {
      const score = scoreCandidate(records, values.check);
      print(values.json ? JSON.stringify(score) : scoreLine(`${records.length} orders,`, score));
      return 0;
    }
    const result = calibrate(records);
    if (values.json) print(JSON.stringify(result, null, 2));
    else for (const line of formatCalibration(result)) print(line);
    return 0;
  } catch (error) {
    print(`calibrate-fills: ${errorMessage(error)}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args, console.log));
