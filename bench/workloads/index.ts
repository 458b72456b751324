// The workload registry: `npm run bench` runs these in this order; `npm run bench -- NAME`
// selects by name. To add a workload, write bench/workloads/<name>.ts and add its line here.
import type { Workload } from '../harness/types';
import { buildCacheFromWorkload } from './build-cache-from';
import { buildColdWorkload, buildEditWorkload, buildNoopWorkload, buildRssWorkload } from './build';
import { bundleWorkload } from './bundle';
import { dockerfileParseWorkload } from './dockerfile-parse';
import { layerWorkload } from './layer';
import { loadWorkload } from './load';
import { packEditWorkload } from './pack';
import { lxcWorkload } from './lxc';
import { registryPullWorkload, registryPushWorkload } from './registry-harness';
import { saveWorkload } from './save';
import { runWorkload } from './run';
import { startWorkload } from './start';

export const workloads: readonly Workload[] = [
  loadWorkload,
  saveWorkload,
  registryPushWorkload,
  registryPullWorkload,
  dockerfileParseWorkload,
  layerWorkload,
  runWorkload,
  bundleWorkload,
  startWorkload,
  lxcWorkload,
  buildColdWorkload,
  buildNoopWorkload,
  buildEditWorkload,
  buildRssWorkload,
  buildCacheFromWorkload,
  packEditWorkload,
];
