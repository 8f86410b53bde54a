import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Kind, parse, specifiedRules, validate, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ConfigError } from '../../core/config.js';
import { withCode } from '../errors.js';
import {
  createTrustedDocuments,
  type TrustedDocument,
  type TrustedDocuments,
  type TrustedDocumentsMode,
} from './trusted-documents.js';

/**
 * The manifests of the project's own clients, written by `npm run codegen` (GraphQL Code
 * Generator's client preset, `persistedDocuments`), relative to the project's folder.
 */
export const CLIENT_MANIFESTS = [
  'client/src/graphql/generated/persisted-documents.json',
  'cli/graphql/generated/persisted-documents.json',
] as const;

export interface ManifestOptions {
  mode: TrustedDocumentsMode;
  /** Files of `{ "<id>": "<document text>" }`, as the client preset writes them. */
  manifests: readonly string[];
  schema: GraphQLSchema;
  /** The rules text is validated with (cost limits), after graphql-js's own. */
  validationRules: readonly ValidationRule[];
}

/** GraphQL over HTTP's document identifiers: `sha256:<hex>`, `x-<name>:<payload>`, or a custom one. */
const SHA256_ID = /^sha256:([0-9a-f]{64})$/;
const OTHER_ID = /^(x-[A-Za-z0-9._~-]+:[A-Za-z0-9._~-]+|[A-Za-z0-9._~-]+)$/;

function checkedDocument(id: unknown, text: unknown, schema: GraphQLSchema, rules: readonly ValidationRule[]) {
  if (typeof text !== 'string') throw new Error(`the document of "${String(id)}" is not a string`);
  const sha256 = typeof id === 'string' ? SHA256_ID.exec(id) : null;
  if (!sha256 && !(typeof id === 'string' && OTHER_ID.test(id))) {
    throw new Error(
      `"${String(id)}" is not a document id (sha256:<64 lower-case hex digits>, x-<name>:<id>, or letters, digits, -._~)`,
    );
  }
  if (sha256 && createHash('sha256').update(text).digest('hex') !== sha256[1]) {
    throw new Error(`"${id}" is not the SHA-256 of its document: the manifest was edited, or written by another tool`);
  }
  let document;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`"${id}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const errors = validate(schema, document, specifiedRules);
  if (errors.length > 0) throw new Error(`"${id}": ${errors.map((error) => error.message).join('; ')}`);
  if (!document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)) {
    throw new Error(`"${id}" holds no operation`);
  }
  // The limits are the operator's to set, below what a client's documents ask for if they like: such
  // a document is refused where it is asked for, as its text would be.
  const refusals = validate(schema, document, rules).map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
  return { id: id as string, text, document, refusals } satisfies TrustedDocument;
}

async function readManifest(file: string): Promise<Record<string, unknown>> {
  const json: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('a manifest is a JSON object of document ids to document texts');
  }
  return json as Record<string, unknown>;
}

/**
 * Reads every manifest and parses and validates each document in it once, against the schema and
 * with the limits text is held to; a manifest that cannot be read, an id that is not its document's
 * hash, or a document the schema does not validate (a manifest older than the schema) stops the
 * start.
 * With TRUSTED_DOCUMENTS=off no manifest is read.
 */
export async function loadTrustedDocuments({
  mode,
  manifests,
  schema,
  validationRules,
}: ManifestOptions): Promise<TrustedDocuments> {
  const documents = new Map<string, TrustedDocument>();
  if (mode === 'off') return createTrustedDocuments(mode, documents);
  for (const file of manifests) {
    try {
      for (const [id, text] of Object.entries(await readManifest(file))) {
        const checked = checkedDocument(id, text, schema, validationRules);
        const known = documents.get(checked.id);
        if (known && known.text !== checked.text) throw new Error(`"${id}" names another document in another manifest`);
        documents.set(checked.id, checked);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError(
        `Invalid configuration:\n  TRUSTED_DOCUMENTS_MANIFESTS: ${file}: ${reason} (the project's own are written by \`npm run codegen\`)`,
        { cause: error },
      );
    }
  }
  return createTrustedDocuments(mode, documents);
}
