/**
 * DuckDB (duckdb-wasm, synchronous Node bindings) running in-process under Deno, loaded from
 * node_modules with no network. Tables are fed as Arrow IPC streams: DuckDB's own Parquet reader
 * is an extension it would download at run time, so parquet-wasm reads the files instead.
 */

import * as duckdb from "@duckdb/duckdb-wasm/blocking";
import type * as arrow from "apache-arrow";
import { tableToIPC } from "apache-arrow";

/** An open in-memory database with one connection. */
export interface Database {
  /** Runs SQL and returns its rows as plain objects (BIGINT and DECIMAL become numbers). */
  query(sql: string): Record<string, unknown>[];
  /** Appends an Arrow IPC stream to a table, creating the table on first use. */
  insertIPC(table: string, ipc: Uint8Array): void;
  /** Appends an Arrow table (see {@link Database.insertIPC}). */
  insertTable(table: string, data: arrow.Table): void;
  /** Whether a table exists. */
  hasTable(table: string): boolean;
  /** Drops one table if it exists (the analysis frees each coin's ticks before the next). */
  dropTable(table: string): void;
  /** Drops every table (the instance is shared: see {@link openDatabase}). */
  dropTables(): void;
  /** Drops every table and closes the connection. */
  close(): void;
}

const DIST = new URL("../../node_modules/@duckdb/duckdb-wasm/dist/", import.meta.url);

let instance: Promise<duckdb.DuckDBBindings> | null = null;

function bindings(): Promise<duckdb.DuckDBBindings> {
  instance ??= (async () => {
    const path = (name: string) => decodeURIComponent(new URL(name, DIST).pathname);
    const bundles = {
      mvp: { mainModule: path("duckdb-mvp.wasm"), mainWorker: "" },
      eh: { mainModule: path("duckdb-eh.wasm"), mainWorker: "" },
    };
    const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await db.instantiate(() => {});
    return db;
  })();
  return instance;
}

/**
 * Opens an in-memory DuckDB from the wasm builds in node_modules. The wasm instance (about 1.5 s
 * to compile) is shared within a process, so open one Database at a time: closing it drops every
 * table, leaving the instance clean for the next.
 */
export async function openDatabase(): Promise<Database> {
  const db = await bindings();
  const conn = db.connect();
  const hasTable = (table: string) =>
    (conn.query(
      `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = '${
        table.replace(/'/g, "''")
      }'`,
    ).toArray()[0]?.toJSON().n as number) > 0;
  // Tables this connection created by insertion, so an append needs no catalog lookup.
  const created = new Set<string>();
  const insertIPC = (table: string, ipc: Uint8Array) => {
    const create = !created.has(table) && !hasTable(table);
    conn.insertArrowFromIPCStream(ipc, { name: table, create });
    created.add(table);
  };
  const dropTables = () => {
    const tables = conn.query("SELECT table_name FROM information_schema.tables").toArray();
    for (const t of tables) conn.query(`DROP TABLE IF EXISTS "${t.toJSON().table_name}"`);
    created.clear();
  };
  return {
    query(sql) {
      const result = conn.query(sql);
      return result.toArray().map((row: { toJSON(): Record<string, unknown> }) =>
        plain(row.toJSON())
      );
    },
    insertIPC,
    insertTable: (table, data) => insertIPC(table, tableToIPC(data, "stream")),
    hasTable,
    dropTable(table) {
      conn.query(`DROP TABLE IF EXISTS "${table.replace(/"/g, '""')}"`);
      created.delete(table);
    },
    dropTables,
    close() {
      dropTables();
      conn.close();
    },
  };
}

function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === "bigint") out[k] = Number(v);
    else if (v !== null && typeof v === "object" && !(v instanceof Date) && !Array.isArray(v)) {
      // HUGEINT/DECIMAL results arrive as Arrow BigNum objects; their primitive value is exact enough.
      out[k] = Number(String(v));
    } else out[k] = v;
  }
  return out;
}
