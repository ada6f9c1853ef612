/**
 * Thrown by a suite that cannot run here (a generator not landed yet, a missing
 * input). The harness records the reason next to the results instead of failing
 * the whole run, so one absent piece never hides the figures of the others.
 */
export class SuiteSkipped extends Error {
  readonly suite: string;
  constructor(suite: string, reason: string) {
    super(reason);
    this.suite = suite;
    this.name = 'SuiteSkipped';
  }
}
