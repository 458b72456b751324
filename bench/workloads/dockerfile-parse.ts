// In-process figures for the Dockerfile front end (issue 3): parse + expand a
// 5,000-instruction Dockerfile, and match 100,000 paths against 50 .dockerignore patterns.
import { defineInProcessWorkload } from '../harness/types';
import { parseBench } from './dockerfile';

export const dockerfileParseWorkload = defineInProcessWorkload<undefined>({
  kind: 'in-process',
  name: 'dockerfile-parse',
  description: 'parse + expand a 5,000-instruction Dockerfile; match 100,000 paths against a 50-pattern .dockerignore (median of 7, ms)',
  measure: async () => (await parseBench()).map((r) => ({ label: r.name, value: r.ms, unit: 'ms' })),
});
