// Helpers for the docker peer cases: make sure an image is (or is not) in the bench daemon,
// outside the measured commands.
import type { RunContext } from '../harness/types';

/** The image ID if the daemon has `reference`, else undefined. */
async function imageId(run: RunContext<unknown>, reference: string): Promise<string | undefined> {
  const out = await run.exec({ argv: [...run.tool('docker'), 'images', '--quiet', reference] });
  return out.trim() || undefined;
}

/** Removes the image and its layers, so that the next `docker load` is cold. */
export async function removeDockerImage(run: RunContext<unknown>, reference: string): Promise<void> {
  if (await imageId(run, reference)) await run.exec({ argv: [...run.tool('docker'), 'image', 'rm', '--force', reference] });
}

/** Loads `archive` unless the daemon already has `reference`. */
export async function ensureDockerImage(run: RunContext<unknown>, reference: string, archive: string): Promise<void> {
  if (!(await imageId(run, reference))) await run.exec({ argv: [...run.tool('docker'), 'load', '--input', archive] });
}
