import { BuildError } from '../../errors';
import type { Instruction } from '../../dockerfile/instructions/instruction';
import type { HealthConfig } from '../../oci/manifest';
import { goDuration, goList, goQuote, goQuoteList, goQuoteRune, goSet } from './go-format';
import { setEnv, type StageState } from './stage-state';

export const HISTORY_COMMENT = 'buildkit.dockerfile.v0';

/** One history entry (BuildKit's commitToHistory); `created` is filled in when the image is written. */
export function addHistory(st: StageState, createdBy: string, withLayer: boolean): void {
  st.config.history.push({ created_by: createdBy, comment: HISTORY_COMMENT, ...(withLayer ? {} : { empty_layer: true }) });
}

/** The shell form's argv: SHELL (default `/bin/sh -c`) plus the command line. */
export function withShell(st: StageState, cmdLine: readonly string[]): string[] {
  const shell = st.config.config.Shell && st.config.config.Shell.length > 0 ? st.config.config.Shell : ['/bin/sh', '-c'];
  return [...shell, cmdLine.join(' ')];
}

const PORT = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/;

/** EXPOSE words as docker's nat.ParsePortSpecs keys them: `80/tcp`, ranges expanded. */
export function exposedPorts(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const spec = w.includes(':') ? w.slice(w.lastIndexOf(':') + 1) : w;
    const m = PORT.exec(spec);
    if (!m) throw new BuildError('BUILD_INSTRUCTION_INVALID', `invalid containerPort: ${w}`, { port: w });
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first || last > 65535) throw new BuildError('BUILD_INSTRUCTION_INVALID', `invalid range specified for container port: ${w}`, { port: w });
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let p = first; p <= last; p++) out.push(`${p}/${proto}`);
  }
  return out;
}

/** Docker 20.10's BuildKit: `HEALTHCHECK %q` of the config struct, e.g. `&{["CMD-SHELL" "true"] "0s" "0s" "0s" '\x00'}`. */
function healthString(h: HealthConfig): string {
  const q = (ns: number | undefined): string => goQuote(goDuration(ns ?? 0));
  const parts = [goQuoteList(h.Test ?? []), q(h.Interval), q(h.Timeout), q(h.StartPeriod)];
  if (h.StartInterval) parts.push(q(h.StartInterval));
  parts.push(goQuoteRune(h.Retries ?? 0));
  return `&{${parts.join(' ')}}`;
}

/**
 * The instructions that only change the config (BuildKit's dispatchEnv,
 * dispatchLabel, ...): each edits `st` and writes its history entry. Returns
 * false for the instructions that make layers or need the stage's context.
 */
export function dispatchMeta(st: StageState, ins: Instruction): boolean {
  const c = st.config.config;
  switch (ins.kind) {
    case 'ENV':
      for (const kv of ins.env) setEnv(st, kv.key, kv.value);
      addHistory(st, `ENV ${ins.env.map((kv) => `${kv.key}=${kv.value}`).join(' ')}`, false);
      return true;
    case 'LABEL':
      c.Labels ??= {};
      for (const kv of ins.labels) c.Labels[kv.key] = kv.value;
      addHistory(st, `LABEL ${ins.labels.map((kv) => `${kv.key}=${kv.value}`).join(' ')}`, false);
      return true;
    case 'MAINTAINER':
      st.config.author = ins.maintainer;
      addHistory(st, `MAINTAINER ${ins.maintainer}`, false);
      return true;
    case 'CMD': {
      const args = ins.prependShell ? withShell(st, ins.cmdLine) : [...ins.cmdLine];
      c.Cmd = args.length > 0 ? args : null; // `CMD []` clears it (Go's nil slice)
      c.ArgsEscaped = true;
      st.cmdSet = true;
      addHistory(st, `CMD ${goQuoteList(args)}`, false);
      return true;
    }
    case 'ENTRYPOINT': {
      const args = ins.prependShell ? withShell(st, ins.cmdLine) : [...ins.cmdLine];
      c.Entrypoint = args.length > 0 ? args : null;
      if (!st.cmdSet) c.Cmd = null;
      addHistory(st, `ENTRYPOINT ${goQuoteList(args)}`, false);
      return true;
    }
    case 'HEALTHCHECK': {
      const h = ins.health;
      c.Healthcheck = { Test: h.test, ...(h.interval ? { Interval: h.interval } : {}), ...(h.timeout ? { Timeout: h.timeout } : {}), ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}), ...(h.startInterval ? { StartInterval: h.startInterval } : {}), ...(h.retries ? { Retries: h.retries } : {}) };
      addHistory(st, `HEALTHCHECK ${healthString(c.Healthcheck)}`, false);
      return true;
    }
    case 'EXPOSE': {
      const ports = exposedPorts(ins.ports);
      c.ExposedPorts ??= {};
      for (const p of ports) c.ExposedPorts[p] = {};
      addHistory(st, `EXPOSE ${goSet([...new Set(ports)])}`, false);
      return true;
    }
    case 'VOLUME':
      c.Volumes ??= {};
      for (const v of ins.volumes) {
        if (v === '') throw new BuildError('BUILD_INSTRUCTION_INVALID', 'VOLUME specified can not be an empty string', {});
        c.Volumes[v] = {};
      }
      addHistory(st, `VOLUME ${goList(ins.volumes)}`, false);
      return true;
    case 'STOPSIGNAL':
      if (!/^(SIG)?[A-Z0-9+-]+$/i.test(ins.signal)) throw new BuildError('BUILD_INSTRUCTION_INVALID', `Invalid signal: ${ins.signal}`, { signal: ins.signal });
      c.StopSignal = ins.signal;
      addHistory(st, `STOPSIGNAL ${ins.signal}`, false);
      return true;
    case 'SHELL':
      c.Shell = [...ins.shell];
      addHistory(st, `SHELL ${goList(ins.shell)}`, false);
      return true;
    case 'USER':
      c.User = ins.user;
      addHistory(st, `USER ${ins.user}`, false);
      return true;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return true;
    default:
      return false;
  }
}
