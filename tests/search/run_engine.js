// Runs the theme's real search.js query engine in Node against an index
// on disk, each shard "loaded" by evaluating its file as a browser would.
// usage: node run_engine.js SEARCH_JS OUTPUT_DIR < queries.json
// Prints {query: [href of every hit, best first]} as JSON.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const { createEngine } = require(path.resolve(process.argv[2]));
const dir = path.join(process.argv[3], "static", "search");

const engine = createEngine((name, done) => {
  const file = path.join(dir, name + ".js");
  let data = null;
  if (fs.existsSync(file)) {
    const context = { wingreportSearchShard: (registered, value) => { if (registered === name) data = value; } };
    vm.runInNewContext(fs.readFileSync(file, "utf8"), context, { filename: file });
  }
  // Asynchronously, as a <script> element's load event arrives.
  setImmediate(() => done(data));
});

function run(query) {
  return new Promise((resolve, reject) => {
    engine.search(engine.parse(query), (error, hits) => {
      if (error) return reject(new Error(`${query}: ${error}`));
      engine.describe(hits, (error2, results) => {
        if (error2) return reject(new Error(`${query}: ${error2}`));
        resolve(results.map((r) => r.href));
      });
    });
  });
}

(async () => {
  const queries = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = {};
  for (const query of queries) out[query] = await run(query);
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
