// Build-time step for ControlPlane.Protos: copies the import closure of roots.txt out of the pinned
// @grpc/grpc-js-xds package (and out of ../envoy-ext, the few Envoy protos the package lacks, which we
// wrote ourselves) into an output folder, patching the two known snags on the way:
//  1. its protoc-gen-validate copy predates the `ignore_empty` rule fields newer Envoy protos set;
//  2. ext_proc's BodyMutation.clear_body generates a C# property that clashes with ClearBody().
// Usage: node prepare.mjs <outDir>
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node prepare.mjs <outDir>');
  process.exit(2);
}

const deps = join(here, 'node_modules', '@grpc', 'grpc-js-xds', 'deps');
const packageDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
const extDir = join(here, '..', 'envoy-ext');
const includeDirs = [...packageDirs, extDir];

// Field numbers protoc-gen-validate assigns to `ignore_empty` in each rules message.
const ignoreEmptyNumbers = {
  FloatRules: 8, DoubleRules: 8, Int32Rules: 8, Int64Rules: 8, UInt32Rules: 8, UInt64Rules: 8,
  SInt32Rules: 8, SInt64Rules: 8, Fixed32Rules: 8, Fixed64Rules: 8, SFixed32Rules: 8, SFixed64Rules: 8,
  StringRules: 26, BytesRules: 14, RepeatedRules: 5, MapRules: 6,
};

const patches = {
  'validate/validate.proto': (text) => {
    for (const [message, number] of Object.entries(ignoreEmptyNumbers)) {
      const start = text.indexOf(`message ${message} {`);
      if (start < 0) continue;
      const end = findClosingBrace(text, text.indexOf('{', start));
      const body = text.slice(start, end);
      if (/\bignore_empty\b/.test(body)) continue;
      text = `${text.slice(0, end)}    optional bool ignore_empty = ${number};\n${text.slice(end)}`;
    }
    return text;
  },
  'envoy/service/ext_proc/v3/external_processor.proto': (text) => {
    const patched = text.replace(/\bbool clear_body = 2;/, 'bool clear_body_chunk = 2;');
    if (patched === text) throw new Error('ext_proc BodyMutation.clear_body not found: the pinned protos changed');
    return patched;
  },
};

function findClosingBrace(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error('unbalanced braces');
}

function listProtos(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listProtos(join(dir, entry.name), relative);
    return entry.name.endsWith('.proto') ? [relative] : [];
  });
}

function resolve(relative) {
  for (const dir of includeDirs) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

if (!existsSync(deps)) {
  console.error(`prepare.mjs: ${deps} is missing; run npm ci in ${here} first`);
  process.exit(1);
}

// A file we wrote must not shadow or be shadowed by the package's own copy: once the pinned package
// ships it, ours has to go (the package's is the upstream text).
for (const file of listProtos(extDir)) {
  if (packageDirs.some((dir) => existsSync(join(dir, file)))) {
    throw new Error(`envoy-ext/${file} is now shipped by the pinned package; delete our copy`);
  }
}

const roots = readFileSync(join(here, 'roots.txt'), 'utf8')
  .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

rmSync(outDir, { recursive: true, force: true });
const seen = new Set();
const queue = [...roots];
while (queue.length > 0) {
  const file = queue.pop();
  // google/protobuf/* ship with Grpc.Tools.
  if (seen.has(file) || file.startsWith('google/protobuf/')) continue;
  seen.add(file);
  const source = resolve(file);
  if (!source) throw new Error(`cannot find ${file} in the pinned protos`);
  let text = readFileSync(source, 'utf8');
  if (patches[file]) text = patches[file](text);
  for (const m of text.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)) queue.push(m[1]);
  const target = join(outDir, file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
}

const listing = [...seen].sort();
writeFileSync(join(outDir, 'closure.txt'), `${listing.join('\n')}\n`);
console.log(`prepare.mjs: ${listing.length} protos in ${outDir}`);
