// The facts a reader needs to judge the figures: cores, memory, kernel, distribution, node.
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { rssMethod } from './measure-command';
import type { MachineFacts } from './results';

function osRelease(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'linux';
  } catch {
    return process.platform; // no os-release: say what node knows
  }
}

export function machineFacts(now = new Date()): MachineFacts {
  const list = cpus();
  return {
    date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown cpu',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os: osRelease(),
    node: process.version,
    rssMethod: rssMethod(),
  };
}
