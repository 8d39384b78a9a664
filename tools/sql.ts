/**
 * `./deno task sql "SELECT ..." [--coin C] [--from D --to D] [--data-dir DIR]`
 *
 * Runs any SQL over the harvested data in DuckDB. Tables: `ticks`, `trades`, `shadow_fills`,
 * `sessions` (see tools/analysis/load.ts for their columns).
 */

import { parseArgs } from "node:util";
import { explainError, resolveDataDir } from "./data_files.ts";
import { openDatabase } from "./analysis/duckdb.ts";
import { loadData } from "./analysis/load.ts";
import { formatTable } from "./analysis/table.ts";

if (import.meta.main) {
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        coin: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        "data-dir": { type: "string" },
      },
    });
    if (positionals.length !== 1) {
      throw new Error(
        `give exactly one SQL statement in quotes, e.g. "SELECT coin, count(*) FROM ticks GROUP BY coin"`,
      );
    }
    const db = await openDatabase();
    await loadData(db, resolveDataDir(values["data-dir"]), {
      coin: values.coin,
      from: values.from,
      to: values.to,
    });
    const rows = db.query(positionals[0]);
    const header = rows.length ? Object.keys(rows[0]) : [];
    console.log(formatTable(
      header,
      rows.map((r) =>
        header.map((h) => {
          const v = r[h];
          return typeof v === "number" || v === null ? v : String(v);
        })
      ),
      6,
    ));
    console.log(`(${rows.length} rows)`);
  } catch (error) {
    console.error(`sql: ${explainError(error)}`);
    Deno.exit(1);
  }
}
