/** A source of the current time, passed in so tests can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A source of uniformly distributed numbers in [0, 1) and of unique ids. */
export interface Random {
  next(): number;
  uuid(): string;
}

export const systemRandom: Random = { next: () => Math.random(), uuid: () => crypto.randomUUID() };
