#!/usr/bin/env node
/**
 * The `securer` program: runs the command line with the process's arguments and exits with
 * its code (`deno task serve`, `npm run serve`, the npm package's `securer` bin).
 *
 * @module
 */
import process from "node:process";
import { main } from "./main.ts";

process.exit(await main(process.argv.slice(2)));
