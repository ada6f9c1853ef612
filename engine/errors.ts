/**
 * podnet's error family (emmett's habit): one base with a stable code, a few kinds a
 * caller branches on. The CLI prints `message` as one line; `where` says which file,
 * field or event sequence it is about.
 */
export class PodnetError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input that does not make sense: a manifest field, a scenario step, a CLI argument. */
export class ValidationError extends PodnetError {
  constructor(message: string) { super('VALIDATION', message); }
}

/** A command that cannot apply to the current state (scaling a deleted ReplicaSet). */
export class IllegalStateError extends PodnetError {
  constructor(message: string) { super('ILLEGAL_STATE', message); }
}

/** Something named that does not exist (pod/nope, node/ghost). */
export class NotFoundError extends PodnetError {
  constructor(message: string) { super('NOT_FOUND', message); }
}

/** An append that expected another log head: someone else wrote first. Nothing was written. */
export class ConcurrencyError extends PodnetError {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number) {
    super('CONCURRENCY', `event log: expected to append after sequence ${expected}, but the log ends at ${actual}; nothing was written (re-read and retry)`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** The log holds something podnet cannot read; names the sequence number. */
export class CorruptLogError extends PodnetError {
  readonly seq: number;
  constructor(seq: number, message: string) {
    super('CORRUPT_LOG', `event log: sequence ${seq}: ${message}`);
    this.seq = seq;
  }
}
