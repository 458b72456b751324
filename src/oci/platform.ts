import { OciError } from '../errors';

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

const NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips64el: 'mips64le',
};

/** The host's platform, as Go names it (linux/amd64, linux/arm64/v8, ...). */
export function hostPlatform(): Platform {
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  const p: Platform = { os: process.platform === 'win32' ? 'windows' : process.platform, architecture };
  if (architecture === 'arm64') p.variant = 'v8';
  if (architecture === 'arm') {
    const v = (process.config.variables as Record<string, unknown>).arm_version;
    p.variant = `v${typeof v === 'string' || typeof v === 'number' ? v : '7'}`;
  }
  return p;
}

/** Parse `os[/arch[/variant]]` or `arch` as docker does (normalising aliases). */
export function parsePlatform(spec: string): Platform {
  const parts = spec.trim().toLowerCase().split('/');
  if (parts.some((p) => p === '') || parts.length > 3) {
    throw new OciError('PLATFORM_INVALID', `invalid platform ${JSON.stringify(spec)}: expected os/arch[/variant]`, { platform: spec });
  }
  let os = 'linux';
  let arch: string;
  let variant: string | undefined;
  if (parts.length === 1) {
    arch = parts[0]!;
    if (['linux', 'windows', 'darwin', 'freebsd'].includes(arch)) {
      os = arch;
      arch = hostPlatform().architecture;
    }
  } else {
    os = parts[0]!;
    arch = parts[1]!;
    variant = parts[2];
  }
  return normalizePlatform({ os, architecture: arch, ...(variant !== undefined ? { variant } : {}) });
}

/** containerd's platforms.Normalize: aliases and default variants. */
export function normalizePlatform(p: Platform): Platform {
  let arch = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = undefined;
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = undefined;
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === undefined) variant = 'v8';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === undefined || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  const out: Platform = { ...p, os: p.os.toLowerCase(), architecture: arch };
  if (variant !== undefined) out.variant = variant;
  else delete out.variant;
  return out;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

/**
 * Does `candidate` (from an index) satisfy `wanted`? Variant rules as
 * containerd's matcher: arm64 with no variant is v8; armv7 runs v6 and v5 too.
 */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  const w = normalizePlatform(wanted);
  const c = normalizePlatform(candidate);
  if (w.os !== c.os || w.architecture !== c.architecture) return false;
  if (w.variant === undefined || c.variant === undefined) return true;
  if (w.variant === c.variant) return true;
  if (w.architecture === 'arm') {
    const order = ['v5', 'v6', 'v7', 'v8'];
    return order.indexOf(c.variant) >= 0 && order.indexOf(c.variant) <= order.indexOf(w.variant);
  }
  return false;
}
