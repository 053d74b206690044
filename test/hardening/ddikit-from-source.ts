/**
 * The `ddikit` command run from the generator's sources (not its build), for tests that need it as a
 * process of its own: a case that could hang or exhaust memory then fails on a timeout instead of
 * taking the test runner with it. Spawn it with `node --import <tsx> test/hardening/ddikit-from-source.ts`.
 */
import { run } from '../../generator/src/cli/main.js';

await run();
