#!/usr/bin/env node
// The `skyclip` command. Sources are TypeScript run through tsx's loader, so a fresh
// `npm install` needs no build step before `npx skyclip` works.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
