/**
 * `skyclip <command> [options]`: the single CLI entry. Every command lives in its own file
 * under commands/ and is listed here; errors become a one-line message and a non-zero exit.
 */
import { SkyclipError } from '../util/errors.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';

function rootHelp(all: Command[]): string {
  const width = Math.max(...all.map((c) => c.name.length));
  const lines = all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'skyclip: galaxy images and spectra in one embedding space (AstroCLIP-style).',
    '',
    'Usage: skyclip <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'skyclip <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(rootHelp(commands));
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`skyclip: unknown command '${name}'. Run 'skyclip --help' for the list.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof SkyclipError) {
      console.error(`skyclip ${name}: ${err.message}`);
      return err.code === 'INTERNAL' ? 1 : 2;
    }
    // Node's parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown options.
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`skyclip ${name}: ${(err as Error).message}\n\n${command.usage}`);
      return 2;
    }
    console.error(`skyclip ${name}: internal error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
