/**
 * Structured one-line logs: each line is a JSON object with a time, a level and a message, so
 * a log collector (or `jq`) can read them. Nothing secret is ever passed in: the access log
 * records method, path, status, duration and request id, never headers or bodies.
 *
 *   const log = jsonLogger();                  // stdout
 *   log.info('listening', { url });            // {"time":"...","level":"info","msg":"listening","url":"..."}
 */
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing one JSON line per entry to `write` (default: stdout). */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** A logger that keeps its lines in memory (tests read them back). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, ...jsonLogger((line) => lines.push(line)) };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
