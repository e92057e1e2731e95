// What a fault test measured (acknowledged, lost, recovery time, ...), attached to the test so the run's reporter
// can print every figure in one table at the end.
import type { TestContext } from 'vitest';

export type Figures = Record<string, number | string>;

declare module 'vitest' {
  interface TaskMeta {
    figures?: Figures;
  }
}

export function recordFigures(context: TestContext, figures: Figures): void {
  context.task.meta.figures = { ...context.task.meta.figures, ...figures };
}

/** Milliseconds as seconds with one decimal, for a figure. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
