// Prints the figures every fault test recorded (test/faults/support/figures.ts), one line per test, after the run;
// with FAULT_FIGURES_FILE set, also writes them there as JSON.
import fs from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class FiguresReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows: { test: string; figures: Record<string, number | string> }[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const figures = test.meta().figures;
        if (figures) rows.push({ test: test.fullName, figures });
      }
    }
    if (rows.length === 0) return;
    const lines = rows.map(({ test, figures }) => `  ${test}\n    ${Object.entries(figures).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
    process.stdout.write(`\nFault figures (${process.env.ASSETD_TEST_CONFIG ?? 'sqlite-disk'}):\n${lines.join('\n')}\n`);
    const file = process.env.FAULT_FIGURES_FILE;
    if (file) fs.writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
  }
}
