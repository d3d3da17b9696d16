// Work split into steps (generators that yield between slices): the language server runs them a slice at
// a time and answers requests in between; everyone else runs them through at once.

/** Runs a generator of work steps to its result, without pausing. */
export function finish<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs a generator of work steps to its result, awaiting `pause` between steps (it decides when to yield). */
export async function runSliced<T>(steps: Generator<void, T, void>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}
