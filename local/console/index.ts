export { buildConsole, consoleSourceHash, type BuiltConsole, type BuildConsoleOptions } from './build.js';
export type { ConsoleConfig } from './config.js';
export {
  consoleConfigOf,
  createConsoleHandler,
  isLoopbackHost,
  type ConsoleHandlerOptions,
} from './handler.js';
