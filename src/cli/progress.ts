// A one-line progress bar on stderr for long work, shown only on a terminal (or when asked), redrawn
// in place and erased at the end so that nothing of it stays in logs or scripts' output.

/** What a bar shows: bytes done of a known total, or only counts when the total is unknown (a pipe). */
export interface ProgressState {
  readonly bytesDone: number;
  readonly totalBytes: number | undefined;
  readonly records?: number | undefined;
  /** What is being done, when it changes during the work ("scanning", "writing"). */
  readonly phase?: string | undefined;
}

const BAR_WIDTH = 24;

/**
 * Draws progress on stderr. Disabled bars cost nothing; `enabled` follows `--progress`/`--no-progress`,
 * else whether stderr is a terminal.
 */
export class ProgressBar {
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Whether a command should draw: `--progress` forces it, `--no-progress` stops it, else stderr a terminal. */
  static wanted(option: boolean | undefined): boolean {
    return option ?? process.stderr.isTTY === true;
  }

  update(state: ProgressState): void {
    if (!this.enabled) return;
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const parts = [state.phase === undefined ? this.label : `${this.label} (${state.phase})`];
    if (state.totalBytes !== undefined && state.totalBytes > 0) {
      const fraction = Math.min(1, state.bytesDone / state.totalBytes);
      const filled = Math.round(fraction * BAR_WIDTH);
      parts.push(`[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`);
    }
    if (state.records !== undefined) parts.push(`${state.records.toLocaleString('en-US')} records`);
    parts.push(`${formatBytes(state.bytesDone)}${state.totalBytes === undefined ? '' : ` of ${formatBytes(state.totalBytes)}`}`);
    parts.push(`${formatBytes(state.bytesDone / seconds)}/s`);
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r\x1b[K${parts.join('  ').slice(0, Math.max(20, columns - 1))}`);
    this.drawn = true;
  }

  /** Erases the bar. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
