// Mocha reporter: the spec reporter's output, then one closing line
// `N passed, N failed, N skipped` that CI reads.
import Mocha from 'mocha';

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // after the spec reporter's own epilogue
      process.nextTick(() => {
        process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
      });
    });
  }
}

module.exports = SummaryReporter;
