import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { encodeLxcCommand, encodeLxcValue, LXC_COMMAND_MAX, parseLxcValue, splitLxcCommand } from '../../../src/convert';
import { isHoistError } from '../../../src/errors';

/** What LXC does with `key = TEXT`: parse_line, then lxc_string_split_quoted. */
const lxcReads = (text: string): string[] => splitLxcCommand(parseLxcValue(text));

function encodable(argv: string[]): boolean {
  try {
    encodeLxcCommand(argv);
    return true;
  } catch (err) {
    if (isHoistError(err, 'CONVERT_LXC_UNENCODABLE')) return false;
    throw err;
  }
}

// Characters that matter to the parsers, mixed with ordinary ones.
const tricky = fc.constantFrom(' ', '\t', '\v', '\f', '\r', "'", '"', '\\', '$', '=', 'a', 'b', 'é', '#', ';');
const argArb = fc.oneof(fc.string({ unit: tricky, maxLength: 8 }), fc.string({ maxLength: 8 }));

describe('convert/lxc/lxc-quote (LXC splitter model and encoder)', () => {
  it('models lxc_string_split_quoted: quotes only open a word, no escapes, unterminated quoted words are dropped', () => {
    assert.deepEqual(splitLxcCommand('one two "three four"'), ['one', 'two', 'three four']);
    assert.deepEqual(splitLxcCommand(`ab"c d'e`), ['ab"c', "d'e"]);
    assert.deepEqual(splitLxcCommand('"a"b'), ['a', 'b']);
    assert.deepEqual(splitLxcCommand('x "unterminated'), ['x']);
    assert.deepEqual(splitLxcCommand(`'' ""`), ['', '']);
    assert.deepEqual(splitLxcCommand('a\\ b'), ['a\\', 'b']);
    assert.deepEqual(splitLxcCommand(' \t '), []);
  });

  it('models parse_line: trims spaces/tabs, strips one pair of matching outer quotes', () => {
    assert.equal(parseLxcValue('  "a b"  '), 'a b');
    assert.equal(parseLxcValue(`'x" `), `'x"`);
    assert.equal(parseLxcValue('"'), '"');
    assert.equal(parseLxcValue('v\t\n'), 'v');
  });

  it('encodes the arguments lxc-oci breaks (spaces, both quotes, empty, leading quote)', () => {
    const argv = ['sh', '-c', 'echo "$1"', 'a b', '', '"lead', "it's", 'say "hi"'];
    const text = encodeLxcCommand(argv);
    assert.deepEqual(lxcReads(text), argv);
    // an argv whose encoding starts and ends with the same quote survives the outer-quote strip
    assert.deepEqual(lxcReads(encodeLxcCommand(['a b', 'c d'])), ['a b', 'c d']);
    assert.deepEqual(lxcReads(encodeLxcCommand(["'x y'"])), ["'x y'"]);
  });

  it('refuses, with a clear code, what no text can express', () => {
    for (const argv of [[`a'b "c`], [`"it's"`], ['x\ny'], ['nul\0'], []]) {
      assert.throws(() => encodeLxcCommand(argv), (e: unknown) => isHoistError(e, 'CONVERT_LXC_UNENCODABLE'), JSON.stringify(argv));
    }
    assert.throws(() => encodeLxcCommand(['x'.repeat(LXC_COMMAND_MAX + 1)]), (e: unknown) => isHoistError(e, 'CONVERT_LXC_UNENCODABLE'));
    // an argument with both quotes but no space and no leading quote is fine
    assert.deepEqual(lxcReads(encodeLxcCommand([`a'b"c`])), [`a'b"c`]);
  });

  it('property: every accepted argv round-trips through LXC (parse_line + split), and refusals are exactly the impossible ones', () => {
    fc.assert(
      fc.property(fc.array(argArb, { minLength: 1, maxLength: 6 }), (argv) => {
        if (encodable(argv)) {
          assert.deepEqual(lxcReads(encodeLxcCommand(argv)), argv);
        } else {
          const impossible = (a: string): boolean =>
            /[\n\0]/.test(a) || (a.includes("'") && a.includes('"') && (/[ \t\v\f\r]/.test(a) || a[0] === '"' || a[0] === "'"));
          assert.ok(argv.some(impossible), `refused ${JSON.stringify(argv)}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('property: any value without newline/NUL round-trips through parse_line', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(tricky, fc.constantFrom('x', '\n')), maxLength: 12 }), (v) => {
        if (/[\n\0]/.test(v)) assert.throws(() => encodeLxcValue(v), (e: unknown) => isHoistError(e, 'CONVERT_LXC_UNENCODABLE'));
        else assert.equal(parseLxcValue(encodeLxcValue(v)), v);
      }),
      { numRuns: 2000 },
    );
  });
});
