/** The rows of the report: goals, ratios to Emmett, the plain-text table and the JSON file. */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Goal {
  /** As printed, e.g. '≥ 2,500/s'. */
  text: string;
  /** Whether the row's figure meets it (extra conditions such as exactly-once included). */
  met: (row: Row) => boolean;
}

export interface Row {
  /** Same key for the same workload across stores (goals and ratios are looked up by it). */
  key: string;
  workload: string;
  store: string;
  kind: 'ours' | 'emmett' | 'reference';
  /** The figure the goal and the ratio use; null when the workload could not run (see `note`). */
  value: number | null;
  higherIsBetter: boolean;
  /** As printed in the result column. */
  result: string;
  unit: string;
  note?: string;
  /** Extra figures for the JSON file (percentiles, counts, ...). */
  details?: Record<string, unknown>;
  goal?: string;
  met?: boolean;
  /** Ours divided by Emmett's figure on the same workload. */
  ratioToEmmett?: number;
}

/** Fills in goal, met? and the ratio to Emmett's row of the same key. */
export function evaluate(rows: Row[], goals: Record<string, Goal>, goalStore: string): void {
  for (const row of rows) {
    const goal = goals[row.key];
    if (goal && row.store === goalStore) {
      row.goal = goal.text;
      row.met = row.value !== null && goal.met(row);
    }
    const emmett = rows.find((other) => other.key === row.key && other.kind === 'emmett');
    if (row.kind === 'ours' && emmett && row.value !== null && emmett.value) row.ratioToEmmett = row.value / emmett.value;
  }
}

/** The Node.js that ran the bench and the V8 flags it ran with (the server runs in the bench's process). */
function nodeText(): string {
  const flags = [...process.execArgv, ...(process.env['NODE_OPTIONS']?.split(/\s+/) ?? [])].filter((flag) => flag.startsWith('--'));
  return `node ${process.version}${flags.length ? ` (${flags.join(' ')})` : ' (no flags)'}`;
}

/** The machine a bench ran on, for its JSON results. */
export function machineFacts() {
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: nodeText(), platform: process.platform };
}

/** The machine a bench ran on, for its printed header: '2 CPUs (model), node v20 (no flags)'. */
export function machineText(): string {
  return `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${nodeText()}`;
}

export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatMs(value: number): string {
  return formatNumber(value, value < 100 ? 2 : 0);
}

type Align = 'left' | 'right';

const COLUMNS: { title: string; align: Align; cell: (row: Row, previous: Row | undefined) => string }[] = [
  { title: 'workload', align: 'left', cell: (row, previous) => (previous?.workload === row.workload ? '' : row.workload) },
  { title: 'store', align: 'left', cell: (row) => row.store },
  { title: 'result', align: 'right', cell: (row) => row.result },
  { title: 'unit', align: 'left', cell: (row) => row.unit },
  { title: 'goal', align: 'left', cell: (row) => row.goal ?? '' },
  { title: 'met?', align: 'left', cell: (row) => (row.met === undefined ? '' : row.met ? 'yes' : 'NO') },
  { title: 'ours/Emmett', align: 'right', cell: (row) => (row.ratioToEmmett === undefined ? '' : `${formatNumber(row.ratioToEmmett, 2)}x`) },
  { title: 'notes', align: 'left', cell: (row) => row.note ?? '' },
];

/** The rows as an aligned plain-text table, a blank line between workloads. */
export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((row, index) => COLUMNS.map((column) => column.cell(row, rows[index - 1])));
  const widths = COLUMNS.map((column, c) => Math.max(column.title.length, ...cells.map((line) => (line[c] as string).length)));
  const renderLine = (line: readonly string[]): string =>
    line
      .map((cell, c) => ((COLUMNS[c] as (typeof COLUMNS)[number]).align === 'right' ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join('  ')
      .trimEnd();
  const lines = [renderLine(COLUMNS.map((column) => column.title)), renderLine(widths.map((width) => '-'.repeat(width)))];
  rows.forEach((row, index) => {
    const previous = rows[index - 1];
    if (previous && previous.workload !== row.workload) lines.push('');
    lines.push(renderLine(cells[index] as string[]));
  });
  return lines.join('\n');
}

export async function writeJson(file: string, content: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
}
