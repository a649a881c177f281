import type { Outcome } from '../exit-code.js';
import type { Paint } from '../paint.js';

/** What a command may use of the outside world; the CLI builds it, tests may fake it. */
export interface CommandContext {
  /** Write to stdout; resolves when the stream can take more (backpressure on pipes). */
  out(text: string | Uint8Array): Promise<void>;
  /** Write one message to stderr. */
  err(text: string): void;
  /** Styles for stdout, honouring --no-color, NO_COLOR and whether stdout is a terminal. */
  paint(): Paint;
  /** Styles for stderr, same rules. */
  errPaint(): Paint;
  stderrIsTTY: boolean;
  /** Hand the command's result to the CLI, which alone turns it into an exit code. */
  settle(outcome: Outcome): void;
}
