// The build's formula renderer: one long-lived process, one JSON request per line on stdin,
// one JSON answer per line on stdout. Used by .ci/sphinxext/katex_prerender.py.
//   request:  {"tex": "...", "display": true|false}
//   answer:   {"html": "...", "warnings": ["..."]}  or  {"error": "..."}
"use strict";
const katex = require("katex");
const readline = require("readline");

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  let answer;
  try {
    const { tex, display } = JSON.parse(line);
    const warnings = [];
    const html = katex.renderToString(tex, {
      displayMode: Boolean(display),
      output: "htmlAndMathml", // MathML for screen readers, HTML for the eye
      throwOnError: true,
      trust: false,
      // Non-LaTeX input is collected and reported by the Sphinx extension, not printed here.
      strict: (code, message) => {
        warnings.push(`${code}: ${message}`);
        return "ignore";
      },
    });
    answer = { html, warnings };
  } catch (err) {
    answer = { error: String(err && err.message ? err.message : err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
