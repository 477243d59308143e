/**
 * What the analysis scripts share on the command line: a bad argument is a one-line message
 * naming the script and exit status 2, never a stack trace.
 *
 *   const cli = scriptCli('backbone-knn');
 *   const values = cli.parse({ k: { type: 'string', default: '8' } });
 *   if (Number(values.k) < 1) cli.fail('--k must be positive');
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface ScriptCli {
  fail(message: string): never;
  /** parseArgs on process.argv with these options; an unknown option or a missing value fails. */
  parse<const O extends NonNullable<ParseArgsConfig['options']>>(options: O): ReturnType<typeof parseArgs<{ options: O }>>['values'];
}

export function scriptCli(name: string): ScriptCli {
  const fail = (message: string): never => {
    console.error(`${name}: ${message}`);
    process.exit(2);
  };
  return {
    fail,
    parse(options) {
      try {
        return parseArgs({ options }).values;
      } catch (e) {
        return fail((e as Error).message);
      }
    },
  };
}
