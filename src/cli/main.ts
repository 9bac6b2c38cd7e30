#!/usr/bin/env node
// The `disptap` executable. Only this file runs anything when imported; the program is in program.ts.
import { runCli } from './program.js';

void runCli(process.argv);
