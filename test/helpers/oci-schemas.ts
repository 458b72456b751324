import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { REPO_ROOT } from './paths';

/** The image-spec schemas kept in the repository (spec/image-spec/README.md). */
const SCHEMA_DIR = path.join(REPO_ROOT, 'spec', 'image-spec', 'schema');
const BASE = 'https://opencontainers.org/schema/';

const ALIASES: Record<string, string[]> = {
  'config-schema.json': ['image/config'],
  'content-descriptor.json': ['descriptor', 'image/content-descriptor.json'],
  'defs-descriptor.json': ['image/descriptor/mediaType', 'defs-descriptor.json', 'image/defs-descriptor.json'],
  'defs.json': ['defs.json', 'image/defs.json', 'image/descriptor/defs.json'],
  'image-index-schema.json': ['image/index'],
  'image-layout-schema.json': ['image/layout'],
  'image-manifest-schema.json': ['image/manifest'],
};

function stripIds(v: unknown): void {
  if (Array.isArray(v)) v.forEach(stripIds);
  else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (typeof o.id === 'string' && o.id.startsWith(BASE)) delete o.id;
    Object.values(o).forEach(stripIds);
  }
}

let ajv: Ajv04 | undefined;
function getAjv(): Ajv04 {
  if (ajv !== undefined) return ajv;
  ajv = new Ajv04({ allErrors: true, strict: false, validateFormats: false });
  for (const [file, aliases] of Object.entries(ALIASES)) {
    const raw = fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8');
    for (const alias of aliases) {
      const schema = JSON.parse(raw) as Record<string, unknown>;
      stripIds(schema);
      ajv.addSchema(schema, `${BASE}${alias}`);
    }
  }
  return ajv;
}

export type OciDocument = 'manifest' | 'index' | 'config' | 'layout' | 'descriptor';
const KEYS: Record<OciDocument, string> = {
  manifest: 'image/manifest',
  index: 'image/index',
  config: 'image/config',
  layout: 'image/layout',
  descriptor: 'descriptor',
};

/** Validate a document against the image-spec schema; throws with Ajv's errors. */
export function assertSchemaValid(kind: OciDocument, doc: unknown): void {
  const validate = getAjv().getSchema(`${BASE}${KEYS[kind]}`) as ValidateFunction | undefined;
  if (validate === undefined) throw new Error(`schema for ${kind} not loaded`);
  if (!validate(doc)) throw new Error(`${kind} does not validate: ${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(doc).slice(0, 500)}`);
}
