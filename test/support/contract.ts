/**
 * The committed contract (docs/contract/v<N>/) as a client reads it: the JSON Schemas themselves —
 * not the zod schemas they were generated from — and the payloads of recorded histories.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CONTRACT_DIR, type SchemaName } from '../../src/core/contract/schemas';
import { projectRoot } from '../../src/temporal/dev-server';

const ROOT = projectRoot();

export function committedContractFile(file: string): string {
  return readFileSync(join(ROOT, CONTRACT_DIR, file), 'utf8');
}

const validators = new Map<SchemaName, z.ZodType>();

/** Problems of `value` against the committed JSON Schema `name` (`path: message` lines); [] when it validates. */
export function committedSchemaProblems(name: SchemaName, value: unknown): string[] {
  let schema = validators.get(name);
  if (!schema)
    validators.set(name, (schema = z.fromJSONSchema(JSON.parse(committedContractFile(`${name}.schema.json`)))));
  const result = schema.safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

export interface Payload {
  metadata: Record<string, string>;
  data?: string;
}

/** The encoding a payload declares (`json/plain` for the default converter's JSON). */
export function encodingOf(payload: Payload): string {
  return Buffer.from(payload.metadata.encoding ?? '', 'base64').toString();
}

export function decodePayload(payload: Payload): unknown {
  return JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8'));
}

/** Every payload anywhere in a JSON history (inputs, results, activity payloads, failure details…). */
export function allPayloads(node: unknown): Payload[] {
  if (typeof node !== 'object' || node === null) return [];
  const own = Array.isArray((node as { payloads?: unknown }).payloads)
    ? (node as { payloads: Payload[] }).payloads
    : [];
  return [...own, ...Object.values(node).flatMap(allPayloads)];
}
