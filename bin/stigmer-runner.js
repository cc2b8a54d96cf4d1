#!/usr/bin/env node
// Runs the compiled CLI (npm run build); scripts/setup.sh builds it.
const { main } = require('../dist/src/cli/main.js');
main(process.argv.slice(2)).then((code) => process.exit(code));
