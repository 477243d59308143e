/**
 * A progress bar for long work: done/total, rate and ETA. On a terminal it redraws one line;
 * elsewhere (CI, logs) it prints a plain line at most every `logEveryMs`, so logs stay short.
 */
export interface ProgressOptions {
  /** What is being counted, e.g. "objects". */
  unit?: string;
  /** Where to draw; defaults to stderr so stdout stays machine-readable. */
  stream?: NodeJS.WriteStream;
  /** Minimum milliseconds between non-TTY log lines (default 5000). */
  logEveryMs?: number;
  /** Set false to draw nothing (tests, --quiet). */
  enabled?: boolean;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class ProgressBar {
  private readonly startMs = Date.now();
  private lastDrawMs = 0;
  private done = 0;
  /** The final line has been drawn (by update reaching the total, or by finish). */
  private drewFinal = false;
  private readonly stream: NodeJS.WriteStream;
  private readonly isTty: boolean;
  private readonly unit: string;
  private readonly logEveryMs: number;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.isTty = Boolean(this.stream.isTTY);
    this.unit = options.unit ?? 'items';
    this.logEveryMs = options.logEveryMs ?? 5000;
    this.enabled = options.enabled ?? true;
  }

  /** Rate in units per second since the start. */
  rate(): number {
    const elapsed = (Date.now() - this.startMs) / 1000;
    return elapsed > 0 ? this.done / elapsed : 0;
  }

  tick(count = 1): void {
    this.update(this.done + count);
  }

  update(done: number): void {
    this.done = done;
    const now = Date.now();
    const interval = this.isTty ? 100 : this.logEveryMs;
    if (done < this.total && now - this.lastDrawMs < interval) return;
    this.lastDrawMs = now;
    this.draw(done >= this.total);
  }

  /** Prints the final line (with the total time) and moves to a new line. */
  finish(): void {
    this.done = Math.max(this.done, this.total);
    if (!this.drewFinal) this.draw(true);
  }

  line(): string {
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const rate = this.rate();
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const elapsed = (Date.now() - this.startMs) / 1000;
    const pct = (fraction * 100).toFixed(0).padStart(3);
    return (
      `${this.label} [${bar}] ${pct}% ${this.done}/${this.total} ${this.unit}` +
      ` | ${rate.toFixed(1)} ${this.unit}/s | elapsed ${formatDuration(elapsed)}` +
      ` | ETA ${formatDuration(eta)}`
    );
  }

  private draw(final: boolean): void {
    if (!this.enabled || this.drewFinal) return;
    this.drewFinal = final;
    if (this.isTty) {
      this.stream.write(`\r${this.line()}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${this.line()}\n`);
    }
  }
}
