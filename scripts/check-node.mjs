// Runs before every npm script that starts our code: plain JavaScript that any Node can parse,
// so an old Node gets a sentence instead of a syntax error from a TypeScript file.
const [major, minor] = process.versions.node.split('.').map(Number);
const ok = major > 22 || (major === 22 && minor >= 18);
if (!ok) {
  console.error(
    `WebMeetings needs Node.js 22.18 or newer (24 LTS recommended); this is Node ${process.versions.node}.\n` +
      'Install a current Node.js (for example with `npm install -g node@24` or your package manager) and run the command again.',
  );
  process.exit(1);
}
