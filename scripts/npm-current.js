#!/usr/bin/env node
// Whether node_modules holds what package-lock.json says, as `npm ci` (README's own, or
// ensure-deps.sh's) left it: exits 0 when it does, 1 naming the first difference otherwise.
//
// npm records what it installed in node_modules/.package-lock.json (its "hidden lockfile"): one
// entry per installed package, the same entry as the lock file's. So node_modules is current when
// every entry there is the lock file's, every package the lock file requires is there (optional
// packages for other platforms are not installed), and package.json asks for what the lock file
// was made from (else `npm ci` refuses, and running it says why).
//
//     node scripts/npm-current.js [DIR]    (DIR: the project folder, default the current one)
'use strict';
const fs = require('fs');
const path = require('path');

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/** Why node_modules in `dir` is not what the lock file says, or undefined when it is. */
function staleReason(dir) {
  const read = (file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8'));
  const installedFile = path.join('node_modules', '.package-lock.json');
  if (!fs.existsSync(path.join(dir, installedFile))) return `no ${installedFile} (npm ci has not run)`;
  const pkg = read('package.json');
  const lock = read('package-lock.json');
  const installed = read(installedFile).packages ?? {};
  const locked = lock.packages ?? {};
  const root = locked[''] ?? {};
  for (const field of DEPENDENCY_FIELDS) {
    if (JSON.stringify(pkg[field] ?? {}) !== JSON.stringify(root[field] ?? {})) {
      return `package.json's ${field} differ from package-lock.json's`;
    }
  }
  for (const [name, entry] of Object.entries(installed)) {
    if (!(name in locked)) return `${name} is installed but not in package-lock.json`;
    if (JSON.stringify(entry) !== JSON.stringify(locked[name])) return `${name} is installed at ${entry.version}, package-lock.json has ${locked[name].version}`;
  }
  for (const [name, entry] of Object.entries(locked)) {
    if (name !== '' && !entry.optional && !(name in installed)) return `${name} (package-lock.json) is not installed`;
  }
  return undefined;
}

if (require.main === module) {
  const reason = staleReason(process.argv[2] ?? '.');
  if (reason) {
    console.log(`node_modules is not what package-lock.json says: ${reason}`);
    process.exit(1);
  }
}

module.exports = { staleReason };
