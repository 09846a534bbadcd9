/** What every `src/cli/commands/*.ts` file exports; `main.ts` imports one only when it is the one run. */
export interface CommandModule {
  /** The command's `--help` text. */
  usage: string;
  /** Runs the command; resolves with the exit code (undefined: 0). */
  run(args: string[]): Promise<number | void>;
}

/**
 * A mistake in how the command was called, or in a file it was given: its message and exit code 2. The
 * command's usage follows the message unless `showUsage` is false (a bad file says what is wrong in it).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly showUsage = true) {
    super(message);
  }
}

/** True when `--help` or `-h` is among the arguments (before a `--`). */
export function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
