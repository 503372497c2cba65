// Adds lockfile entries for optional platform binaries (other OSes and CPUs) that the npm
// registry mirror of our build machines does not serve: npm 11 then leaves them out of the
// lockfile and `npm ci` refuses it as "not in sync". Run after `npm install`: node scripts/lockfilePlatformStubs.js package-lock.json
const fs = require('fs');
const { execSync } = require('child_process');
const lockPath = process.argv[2];
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
let out = '';
try {
  execSync('npm ci --dry-run --no-audit --no-fund', {
    cwd: require('path').dirname(lockPath),
    stdio: 'pipe',
  });
} catch (e) {
  out = String(e.stderr) + String(e.stdout);
}
const missing = [...out.matchAll(/Missing: (.+?)@\S* from lock file/g)].map((m) => m[1]);
const osOf = (n) =>
  ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony'].find((o) => n.includes(o));
const cpuOf = (n) =>
  ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'loong64', 'riscv64'].find((c) =>
    n.includes(`-${c}`),
  );
for (const name of missing) {
  let version;
  for (const [, pkg] of Object.entries(lock.packages)) {
    if (pkg.optionalDependencies && pkg.optionalDependencies[name])
      version = pkg.optionalDependencies[name];
  }
  const entry = { version, optional: true };
  const os = osOf(name),
    cpu = cpuOf(name);
  if (os) entry.os = [os];
  if (cpu) entry.cpu = [cpu];
  lock.packages[`node_modules/${name}`] = entry;
}
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`stubbed ${missing.length}`);
