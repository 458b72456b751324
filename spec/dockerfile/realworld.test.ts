import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chainValues, parseSyntax, type Node } from '../../src/dockerfile/syntax';
import { CONFORMANCE, describeConformance, readJSON } from './conformance-data';

interface RefCommand {
  cmd: string;
  sub_cmd: string | null;
  json: boolean;
  start_line: number;
  end_line: number;
  flags: string[];
  value: string[];
  heredocs: { name: string; content: string; file_descriptor: number }[];
}
type Ref = Record<string, { commands: RefCommand[] } | { error: string }>;

function compare(file: string, node: Node, ref: RefCommand): void {
  const at = `${file}:${ref.start_line} ${ref.cmd}`;
  const onbuild = node.value.toLowerCase() === 'onbuild';
  const inner = onbuild ? node.next?.children[0] : undefined;
  assert.equal(node.value.toLowerCase(), ref.cmd.toLowerCase(), at);
  if (onbuild) {
    assert.equal(inner?.value.toLowerCase(), ref.sub_cmd?.toLowerCase(), at);
    assert.deepEqual(chainValues(inner?.next ?? null), ref.value, at);
  } else {
    assert.deepEqual(node.flags, ref.flags, at);
    assert.deepEqual(chainValues(node.next), ref.value, at);
  }
  assert.equal(Boolean((inner ?? node).attributes.json), ref.json, at);
  assert.deepEqual([node.startLine, node.endLine], [ref.start_line, ref.end_line], at);
  assert.deepEqual(
    node.heredocs.map((h) => ({ name: h.name, content: h.content })),
    ref.heredocs.map((h) => ({ name: h.name, content: h.content })),
    at,
  );
}

describeConformance('conformance: realworld corpus (BuildKit 73ed6825 parse)', ['realworld/reference-buildkit-head.json', 'realworld/files'], () => {
  const ref = readJSON<Ref>('realworld/reference-buildkit-head.json');
  const dir = path.join(CONFORMANCE!, 'realworld', 'files');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort();
  it('has the 138 Dockerfiles, each with a reference', () => {
    assert.equal(files.length, 138);
    assert.deepEqual(Object.keys(ref).sort(), files);
  });
  for (const file of files) {
    it(file, () => {
      const expected = ref[file]!;
      const text = fs.readFileSync(path.join(dir, file));
      if ('error' in expected) {
        assert.throws(() => parseSyntax(text, { file }));
        return;
      }
      const nodes = parseSyntax(text, { file }).ast.children;
      assert.equal(nodes.length, expected.commands.length, `${file}: number of instructions`);
      nodes.forEach((n, i) => compare(file, n, expected.commands[i]!));
    });
  }
});
