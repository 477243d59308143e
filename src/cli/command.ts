/** The shape of one CLI command: a thin layer that parses arguments and calls into src/. */
export interface Command {
  name: string;
  /** One line for `skyclip --help`. */
  summary: string;
  /** Full usage text for `skyclip <name> --help`. */
  usage: string;
  /** Returns the process exit code. Throws SkyclipError for bad input. */
  run(argv: string[]): Promise<number>;
}
