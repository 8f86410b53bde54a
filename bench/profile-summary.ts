/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or BENCH_PROFILE_DIR with `npm run bench`): the
 * share of samples spent in each function itself, and in each package or project folder including
 * what it calls into. Usage: npm run profile-summary -- FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const say = (line = '') => process.stdout.write(`${line}\n`);

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npm run profile-summary -- FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** `node_modules/@apollo/server/...` → `@apollo/server`; the project's own files by folder. */
function ownerOf(url: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node (internal)';
  const own = /\/(src|core|worker|bench)\//.exec(url);
  if (own) return `project ${own[1]}/`;
  return url ? 'other' : '(vm: gc, idle, program)';
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|core|worker|bench)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
}

const selfCounts = new Map<string, number>();
const inclusiveCounts = new Map<string, number>();
const inclusiveByOwner = new Map<string, number>();
for (const id of profile.samples) {
  const node = byId.get(id)!;
  selfCounts.set(label(node), (selfCounts.get(label(node)) ?? 0) + 1);
  // Each package and function counts once per sample, however often it is on the stack.
  const owners = new Set<string>();
  const functions = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at)!;
    const { url, functionName } = frame.callFrame;
    if (url || functionName.startsWith('(')) owners.add(ownerOf(url));
    if (url) functions.add(label(frame));
  }
  for (const name of functions) inclusiveCounts.set(name, (inclusiveCounts.get(name) ?? 0) + 1);
  for (const owner of owners) inclusiveByOwner.set(owner, (inclusiveByOwner.get(owner) ?? 0) + 1);
}

const total = profile.samples.length;
const percent = (count: number) => `${((100 * count) / total).toFixed(1).padStart(5)} %`;
const idle = selfCounts.get('(idle)') ?? 0;
say(`${total} samples, ${percent(idle).trim()} idle`);
say();
say('self time by function:');
for (const [name, count] of [...selfCounts].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  say(`  ${percent(count)}  ${name}`);
}
say();
say('time inside each function, including what it calls:');
for (const [name, count] of [...inclusiveCounts].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  say(`  ${percent(count)}  ${name}`);
}
say();
say('time inside each package or project folder (including what it calls):');
for (const [owner, count] of [...inclusiveByOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  say(`  ${percent(count)}  ${owner}`);
}
