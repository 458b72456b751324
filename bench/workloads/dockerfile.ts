import { performance } from 'node:perf_hooks';
import { envFrom, expandInstruction, IgnoreMatcher, parseDockerfile } from '../../src/dockerfile';

/** A 5,000-instruction multi-stage Dockerfile mixing every common form. */
export function generateDockerfile(instructions = 5000): string {
  const out = ['# syntax=docker/dockerfile:1', 'ARG BASE=debian:bookworm', 'FROM $BASE AS stage0'];
  const forms = [
    (i: number) => `RUN --mount=type=cache,target=/var/cache/apt${i} apt-get update && \\\n    apt-get install -y pkg${i} && \\\n    rm -rf /var/lib/apt/lists/*`,
    (i: number) => `ENV VAR${i}="value ${i}" PATH=/opt/v${i}/bin:$PATH`,
    (i: number) => `COPY --chown=app:app --chmod=0644 src/file${i}.txt \${DEST:-/app}/f${i}.txt`,
    (i: number) => `ARG OPT${i}=\${VAR${i - 1}:-default}`,
    (i: number) => `LABEL org.example.k${i}="v${i}"`,
    (i: number) => `WORKDIR /app/$OPT${i - 2}`,
    (i: number) => `RUN <<EOF\necho ${i}\necho $VAR${i}\nEOF`,
    (i: number) => `EXPOSE ${8000 + (i % 1000)}/tcp`,
    (i: number) => `CMD ["/app/bin", "--n", "${i}"]`,
  ];
  for (let i = 0; out.length < instructions; i++) {
    if (i > 0 && i % 500 === 0) out.push(`FROM stage${i / 500 - 1} AS stage${i / 500}`);
    out.push(forms[i % forms.length]!(i));
  }
  return out.join('\n') + '\n';
}

/** 50 patterns of the kinds real .dockerignore files hold. */
export function generateIgnorePatterns(): string[] {
  const p = ['.git', 'node_modules', '**/*.log', '*.md', '!README.md', 'dist/**', '**/__pycache__', '**/.DS_Store', 'coverage', '.env*'];
  for (let i = 0; p.length < 50; i++) p.push(i % 3 === 0 ? `build${i}/**` : i % 3 === 1 ? `**/tmp${i}` : `src/gen${i}/*.ts`);
  return p;
}

export function generatePaths(n = 100000): string[] {
  const dirs = ['src', 'src/lib', 'node_modules/pkg', 'docs', 'build3', 'test/fixtures', '.git/objects', 'src/gen5', 'a/b/c/d'];
  const files = ['index.ts', 'README.md', 'x.log', 'data.json', 'main.go', '.DS_Store', 'app.py'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${dirs[i % dirs.length]}/d${i % 97}/${files[i % files.length]}`);
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(runs: number, fn: () => void): number {
  fn(); // warm up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

/** The front end's benchmark figures (medians, ms). */
export async function parseBench(runs = 7): Promise<{ name: string; ms: number }[]> {
  const text = generateDockerfile();
  const env = envFrom({ DEST: '/srv', PATH: '/usr/bin', VAR1: 'x' });
  const parseExpand = time(runs, () => {
    const df = parseDockerfile(text);
    for (const st of df.stages) for (const ins of st.instructions) expandInstruction(ins, env);
  });
  const matcher = new IgnoreMatcher(generateIgnorePatterns());
  const paths = generatePaths();
  const match = time(runs, () => {
    let n = 0;
    for (const p of paths) if (matcher.matches(p)) n++;
    if (n < 0) throw new Error('unreachable');
  });
  return [
    { name: 'dockerfile: parse + expand 5,000 instructions', ms: Math.round(parseExpand * 100) / 100 },
    { name: 'dockerignore: match 100,000 paths against 50 patterns', ms: Math.round(match * 100) / 100 },
  ];
}

if (require.main === module) {
  void parseBench().then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${r.ms} ms`);
  });
}
