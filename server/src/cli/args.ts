/** The command line as the subcommands read it: `--flag=value` and `--flag value` alike. */

/** One word of the command line, offered to a subcommand's options. */
export interface CommandWord {
  /** The word as given. */
  arg: string;
  /** `--name` of `--name=value`, else the word itself. */
  flag: string;
  /** The option's value: what follows `=`, else the next word (which is then consumed). */
  value(): string;
}

/**
 * Offers each word to `option` (true: it was one); other words are operands, and
 * every word after `--` is one. An unknown `-x` or a missing value is `fail`'s error.
 */
export function readCommandLine(argv: readonly string[], fail: (message: string) => Error, option: (word: CommandWord) => boolean, operand: (word: string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      for (const rest of argv.slice(i + 1)) operand(rest);
      return;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw fail(`${flag} needs a value`);
      return next;
    };
    if (option({ arg, flag, value })) continue;
    if (arg.startsWith('-') && arg !== '-') throw fail(`unknown option ${arg}`);
    operand(arg);
  }
}
