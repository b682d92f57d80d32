import { describe, expect, it } from 'vitest';
import { apiWorkersFromEnv, defaultApiWorkers } from '../../../../appsync/workers/pool.js';

describe('API worker threads', () => {
  it('keeps one core for the main thread and answers in it on one core', () => {
    // Act
    const counts = [1, 2, 4, 16].map((cores) => defaultApiWorkers(cores));
    // Assess
    expect(counts).toEqual([0, 1, 3, 4]);
  });

  it('reads ORDERLOOP_API_WORKERS as a whole number, 0 included', () => {
    // Act
    const read = ['0', '3', ''].map((raw) => apiWorkersFromEnv({ ORDERLOOP_API_WORKERS: raw }));
    // Assess
    expect(read).toEqual([0, 3, undefined]);
    expect(apiWorkersFromEnv({})).toBeUndefined();
  });

  it('rejects an ORDERLOOP_API_WORKERS that is not a whole number of threads', () => {
    // Act / Assess
    for (const raw of ['-1', '1.5', 'two'])
      expect(() => apiWorkersFromEnv({ ORDERLOOP_API_WORKERS: raw })).toThrow(
        `ORDERLOOP_API_WORKERS must be a whole number of worker threads (0 or more), received ${raw}`,
      );
  });
});
