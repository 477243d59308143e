import type { Command } from '../command.js';
import { inspectCommand } from './inspect.js';

/** Every CLI command, in the order `skyclip --help` lists them. */
export const commands: Command[] = [inspectCommand];
