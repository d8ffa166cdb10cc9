// The engine-level modules (debug, assert, fail, set_fact, ping) decide everything in
// gather/plan and never change anything: their plan is always empty, so the runner
// gives the same result with --check as without (it never says "would …" nor skips
// them), and the apply half of the lifecycle is never reached.

/** A change these modules never plan. */
export type NoChange = never;

/** The lifecycle steps a module whose plan is always empty never reaches. */
export const NEVER_APPLIED = {
  describe: (change: NoChange): string => change,
  apply: async (): Promise<void> => undefined,
};
