/**
 * The order in which one run sees training examples: epoch after epoch, each a fresh seeded
 * permutation of the training indices; batches run across epoch boundaries, so no example is
 * dropped. Runs of one trial share their order (STREAMS.batchOrder in src/base/streams.ts), which
 * makes arms of a trial differ only in what the arm changes.
 */
import type { Rng } from "../base/rng.ts";
import { STREAMS } from "../base/streams.ts";

export class BatchOrder {
  private readonly rng: Rng;
  private permutation: Uint32Array;
  private position = 0;

  /**
   * The trial's shared order, or, given `stream`, that stream's order instead (a run whose
   * batch order must differ from its trial's, such as IMP's second lineage).
   */
  constructor(
    private readonly examples: Uint32Array,
    seed: number,
    trial: number,
    stream?: Rng,
  ) {
    this.rng = stream ?? STREAMS.batchOrder.rng(seed, trial);
    this.permutation = this.rng.permutation(examples.length);
  }

  /** Writes the next `count` example indices into `target` starting at `offset`. */
  fill(target: Uint32Array, offset: number, count: number): void {
    for (let i = 0; i < count; i++) {
      if (this.position === this.permutation.length) {
        this.permutation = this.rng.permutation(this.examples.length);
        this.position = 0;
      }
      target[offset + i] = this.examples[this.permutation[this.position++]];
    }
  }
}
