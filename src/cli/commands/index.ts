import type { Command } from '../command.js';
import { alignCommand } from './align.js';
import { demoCommand } from './demo.js';
import { embedCommand } from './embed.js';
import { evalCommand } from './eval.js';
import { evaluateRetrievalCommand } from './evaluate-retrieval.js';
import { ingestCommand } from './ingest.js';
import { inspectCommand } from './inspect.js';
import { pretrainCommand } from './pretrain.js';
import { serveCommand } from './serve.js';
import { simulateCommand } from './simulate.js';
import { trainSupervisedCommand } from './train-supervised.js';

/** Every CLI command, in the order `skyclip --help` lists them. */
export const commands: Command[] = [serveCommand, demoCommand, inspectCommand, simulateCommand, pretrainCommand, alignCommand, embedCommand, ingestCommand, evaluateRetrievalCommand, trainSupervisedCommand, evalCommand];
