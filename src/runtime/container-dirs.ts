import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno, RuntimeError } from '../errors';

/** What `containers/<id>/container.json` records about a container `hoist run` made. */
export interface ContainerRecord {
  id: string;
  name: string;
  /** the hoist process that owns it (a dead owner means a stale container) */
  pid: number;
  image: string;
  created: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

/**
 * Per-container directories under the store (`containers/`):
 * `<id>/container.json` + `<id>/bundle/` (the overlay bundle), and
 * `names/<name>` (holding the ID), created exclusively so two `hoist run
 * --name N` cannot both take N.
 */
export class ContainerDirs {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  bundle(id: string): string {
    return path.join(this.dir(id), 'bundle');
  }

  private nameFile(name: string): string {
    return path.join(this.root, 'names', name);
  }

  /** A new container: a fresh ID, its name reserved (RUNTIME_CONTAINER_EXISTS when taken), its directory made. */
  async allocate(options: { name?: string; image: string }): Promise<ContainerRecord> {
    const id = randomBytes(32).toString('hex');
    const name = options.name ?? `hoist-${id.slice(0, 12)}`;
    if (!NAME.test(name)) {
      throw new RuntimeError('RUNTIME_CONTAINER_NAME_INVALID', `invalid container name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, { name });
    }
    // four small writes in synchronous calls (as many thread-pool round trips cost more than they do)
    mkdirSync(path.join(this.root, 'names'), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(this.nameFile(name), id, { flag: 'wx' });
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
      const other = await this.findByName(name);
      throw new RuntimeError(
        'RUNTIME_CONTAINER_EXISTS',
        `the container name "${name}" is already in use by container ${other?.id.slice(0, 12) ?? '(unknown)'}${other && !isAlive(other.pid) ? ' (stale: its hoist process is gone)' : ''}; use --force to replace it, or another --name`,
        { name, id: other?.id, stale: other ? !isAlive(other.pid) : true },
      );
    }
    const record: ContainerRecord = { id, name, pid: process.pid, image: options.image, created: new Date().toISOString() };
    mkdirSync(this.dir(id), { recursive: true, mode: 0o711 });
    writeFileSync(path.join(this.dir(id), 'container.json'), `${JSON.stringify(record)}\n`);
    return record;
  }

  /** The record a name points at; undefined when the name is free (or its record is gone). */
  async findByName(name: string): Promise<ContainerRecord | undefined> {
    let id: string;
    try {
      id = (await fs.readFile(this.nameFile(name), 'utf8')).trim();
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    try {
      return JSON.parse(await fs.readFile(path.join(this.dir(id), 'container.json'), 'utf8')) as ContainerRecord;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return { id, name, pid: 0, image: '', created: '' };
      throw err;
    }
  }

  /** Removes the directory and frees the name (the caller unmounted the bundle and deleted runc's state). */
  async release(record: { id: string; name: string }): Promise<void> {
    await fs.rm(this.dir(record.id), { recursive: true, force: true });
    const holder = await fs.readFile(this.nameFile(record.name), 'utf8').catch(() => undefined);
    if (holder?.trim() === record.id) await fs.rm(this.nameFile(record.name), { force: true });
  }
}
