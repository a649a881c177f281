import { grouped } from '../text/grouped.js';
/** A live "scanned N entries" line on a terminal, shown only once a walk takes over a second. */
export class Progress {
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly started: number,
    private readonly delayMs = 1000,
  ) {}

  update(entries: number): void {
    const elapsed = performance.now() - this.started;
    if (elapsed < this.delayMs) return;
    this.shown = true;
    const rate = Math.round(entries / (elapsed / 1000));
    this.write(`\r\u001b[2Kscanned ${grouped(entries)} entries (${grouped(rate)}/s)`);
  }

  clear(): void {
    if (this.shown) this.write('\r\u001b[2K');
  }
}
