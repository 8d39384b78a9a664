/**
 * CLI of the venue simulator: `./deno task venue-sim --port 8787 --seed 7 --coins 30 --rate 10
 * --fault dropWs:every=60`. Prints the HL_API_URL/HL_WS_URL to give the engine, then serves
 * until interrupted.
 */
import { refuseEscapingLinks } from "../../engine/data_links.ts";
import { parseArgs } from "node:util";
import {
  BASE_MAKER_FEE_RATE,
  BASE_TAKER_FEE_RATE,
  IP_WEIGHT_PER_MINUTE,
  NEW_ADDRESS_REQUESTS,
  SCHEDULE_CANCEL_MIN_VOLUME_USD,
} from "../../engine/hyperliquid/exchange_facts.ts";
import { createLogger } from "../../engine/log.ts";
import { parseFaultSpec } from "./faults.ts";
import { loadReplay } from "./replay.ts";
import { startVenueSim } from "./server.ts";
import { errorMessage } from "../../engine/util/errors.ts";

// Address of the official SDK test key 0x0123…0123 (engine/hyperliquid/README.md § Signing): a
// public key pair that is convenient for a local demo and worthless anywhere else.
const DEMO_ACCOUNT = "0x14791697260E4c9A71f18484C9f997B308e59325";

const USAGE = `usage: ./deno task venue-sim [options]
  --port N                 TCP port on 127.0.0.1 (default 0: any free port)
  --seed S                 market seed (default 1); the same seed gives the same stream
  --coins N                active coins from the top of the 44-coin universe (default all)
  --dex-coins N            active coins of each builder dex (xyz: 3 coins) (default 0: listed, quiet)
  --rate R                 market time per clock time (1 = the exchange's pace, a book every ~540 ms)
  --account 0x…            simulated account (default ${DEMO_ACCOUNT}, the SDK test key's)
  --agent 0x…              approved API wallet (repeatable)
  --master 0x…             master key, when the account is a vault/sub-account
  --testnet                verify signatures as testnet (phantom agent source "b")
  --balance USD            starting USDC balance (default 100000)
  --account-mode MODE      userAbstraction answer: default, unifiedAccount or portfolioMargin
                           (collateral in the spot state; clearinghouseState reports zero)
  --maker-fee RATE         maker fee rate (default ${BASE_MAKER_FEE_RATE}, paid by the maker)
  --taker-fee RATE         taker fee rate (default ${BASE_TAKER_FEE_RATE})
  --schedule-cancel-volume USD  volume needed before scheduleCancel is accepted (default ${SCHEDULE_CANCEL_MIN_VOLUME_USD})
  --requests-used N        address-based requests already spent at start (default 0; cap ${NEW_ADDRESS_REQUESTS} + volume)
  --ip-weight-limit N      per-IP request weight per 60 s, REST and WS post (default ${IP_WEIGHT_PER_MINUTE}; 0: off)
  --priority-share X       share of crowd orders joining within 400 ms of our post-only order at its
                           price that pay priority and go ahead of it (default 0.2)
  --replay FILE            replay tick/trade CSV or frame .jsonl instead of the synthetic market (repeatable)
  --replay-speed X|asap    replay pacing (default 1 = recorded speed)
  --fault SPEC             inject a fault, e.g. dropWs:closeFrame=false,every=60 (repeatable)
                           kinds: dropWs silence malformed httpError delay rejectOrders darkFills fillResting
                           dropWs and silence take scope=all|market|user (user: sockets on user streams)
  --faults "SPEC;SPEC"     several faults at once`;

// Hyperliquid `userAbstraction` answers the simulator can play (engine/hyperliquid/wire_reference.md).
const ACCOUNT_MODES = ["default", "disabled", "unifiedAccount", "portfolioMargin"];

function accountMode(value: string | undefined): string | undefined {
  if (value === undefined || ACCOUNT_MODES.includes(value)) return value;
  throw new Error(`--account-mode must be one of ${ACCOUNT_MODES.join(", ")}, got ${value}`);
}

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isFinite(x)) {
    throw new Error(`--${name} must be a number, got ${JSON.stringify(value)}`);
  }
  return x;
}

async function main(): Promise<void> {
  const log = createLogger({ level: "info", timestamps: false });
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        port: { type: "string" },
        seed: { type: "string" },
        coins: { type: "string" },
        "dex-coins": { type: "string" },
        rate: { type: "string" },
        account: { type: "string" },
        agent: { type: "string", multiple: true },
        master: { type: "string" },
        testnet: { type: "boolean" },
        balance: { type: "string" },
        "account-mode": { type: "string" },
        "maker-fee": { type: "string" },
        "taker-fee": { type: "string" },
        "schedule-cancel-volume": { type: "string" },
        "requests-used": { type: "string" },
        "ip-weight-limit": { type: "string" },
        "priority-share": { type: "string" },
        replay: { type: "string", multiple: true },
        "replay-speed": { type: "string" },
        fault: { type: "string", multiple: true },
        faults: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    log.error(`${errorMessage(e)}\n${USAGE}`);
    await log.flush();
    Deno.exit(2);
  }
  if (values.help) {
    log.info(USAGE);
    await log.flush();
    return;
  }
  try {
    // Before a replay file is read (engine/data_links.ts).
    refuseEscapingLinks(values.replay ?? []);
    const seed = numberFlag("seed", values.seed) ?? 1;
    const speed = values["replay-speed"];
    const venue = await startVenueSim({
      port: numberFlag("port", values.port),
      seed,
      coins: numberFlag("coins", values.coins),
      dexCoins: numberFlag("dex-coins", values["dex-coins"]),
      rate: numberFlag("rate", values.rate),
      account: values.account ?? DEMO_ACCOUNT,
      agents: values.agent,
      master: values.master,
      isMainnet: !values.testnet,
      balanceUsd: numberFlag("balance", values.balance),
      abstraction: accountMode(values["account-mode"]),
      makerFeeRate: numberFlag("maker-fee", values["maker-fee"]),
      takerFeeRate: numberFlag("taker-fee", values["taker-fee"]),
      scheduleCancelMinVolumeUsd: numberFlag(
        "schedule-cancel-volume",
        values["schedule-cancel-volume"],
      ),
      requestsUsed: numberFlag("requests-used", values["requests-used"]),
      ipWeightLimit: numberFlag("ip-weight-limit", values["ip-weight-limit"]),
      priorityShare: numberFlag("priority-share", values["priority-share"]),
      replay: values.replay ? await loadReplay(values.replay, seed) : undefined,
      replaySpeed: speed === "asap" ? "asap" : numberFlag("replay-speed", speed),
      faults: [
        ...(values.fault ?? []),
        ...(values.faults?.split(";").filter((f) => f.trim()) ?? []),
      ]
        .map((f) => parseFaultSpec(f.trim())),
      logger: log,
    });
    const active = venue.sim.coins.filter((c) => c.active).length;
    const market = values.replay
      ? `replaying ${values.replay.join(", ")} ${
        speed === "asap" ? "as fast as possible" : `at ${speed ?? 1}x`
      }`
      : `seed ${seed}, ${active} active of ${venue.sim.coins.length} coins, a book every ${
        venue.sim.intervalMs.toFixed(0)
      } ms per coin`;
    log.info(
      `venue-sim on 127.0.0.1:${venue.port}: ${market}, account ${venue.account}, ` +
        `signatures checked as ${values.testnet ? "testnet" : "mainnet"}`,
    );
    log.info(`export HL_API_URL=${venue.apiUrl}`);
    log.info(`export HL_WS_URL=${venue.wsUrl}`);
    log.info(
      `control: GET ${venue.apiUrl}/control (state), POST ${venue.apiUrl}/control {"fault":{…}}`,
    );
    const stop = async () => {
      await venue.close();
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  } catch (e) {
    log.error(`venue-sim: ${errorMessage(e)}`);
    await log.flush();
    Deno.exit(2);
  }
}

if (import.meta.main) await main();
