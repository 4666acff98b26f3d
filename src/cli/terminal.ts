/**
 * stderr for people: lines that stay (the run's header with its results path, notes) and a
 * progress line. On a terminal the progress line is rewritten in place and cut to the
 * terminal's width: a wrapped line cannot be erased with "\r", so its first part would scroll
 * the header (and with it the results path) out of view. Off a terminal (a log file, CI) every
 * progress line is its own line.
 */
const encoder = new TextEncoder();

export class Stderr {
  #pending = false;
  readonly #interactive: boolean;
  readonly #write: (text: string) => void;
  readonly #columns: () => number;

  constructor(options: {
    interactive?: boolean;
    write?: (text: string) => void;
    columns?: () => number;
  } = {}) {
    this.#interactive = options.interactive ?? Deno.stderr.isTerminal();
    this.#write = options.write ?? ((text) => Deno.stderr.writeSync(encoder.encode(text)));
    this.#columns = options.columns ?? terminalColumns;
  }

  /** A line that stays. */
  notice(line: string): void {
    this.endProgress();
    this.#write(`${line}\n`);
  }

  /** The latest progress; on a terminal it replaces the previous one. */
  progress(line: string): void {
    if (!this.#interactive) {
      this.#write(`${line}\n`);
      return;
    }
    this.#write(`\r\x1b[2K${fit(line, this.#columns())}`);
    this.#pending = true;
  }

  /** Ends a pending progress line, so what is written next starts on a line of its own. */
  endProgress(): void {
    if (!this.#pending) return;
    this.#write("\n");
    this.#pending = false;
  }
}

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

/** `line` cut to `columns - 1` characters (the last column would wrap on some terminals). */
export function fit(line: string, columns: number): string {
  const room = Math.max(10, columns - 1);
  return line.length <= room ? line : `${line.slice(0, room - 1)}…`;
}
