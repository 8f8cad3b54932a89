// Front-end build of Portique: esbuild (pinned in package.json) bundles and
// minifies each entry below into internal/web/static/dist/, which the Go
// binary embeds (templates link them with {{static "dist/NAME.js"}}).
//
// Each area adds its entry point with ONE line in `entries`:
//   { in: "web/<area>/<file>.js", out: "<name>" }  → dist/<name>.js (+ .css if it imports CSS)
// Keep the list sorted by output name. A listed file that is missing is an
// error (a typo must not ship a site without its script).
//
// Usage: npm run build            (production: minified, no source maps)
//        npm run build -- --dev   (readable output with inline source maps)
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "internal/web/static/dist");

const entries = [
  { in: "node_modules/altcha/dist_external/worker.js", out: "altcha-worker" },
  { in: "web/accounts/captcha.js", out: "captcha" },
  { in: "web/centres/map.js", out: "centres-map" },
  { in: "web/collecte/collecte.js", out: "collecte" },
  { in: "web/contact/contact.js", out: "contact" },
  { in: "web/editor/docpicker.js", out: "docpicker" },
  { in: "web/editor/editor.js", out: "editor" },
  { in: "web/theme/fonts.css", out: "fonts" },
  { in: "web/guide/combobox.js", out: "guide" },
];

const dev = process.argv.includes("--dev");

const missing = entries.filter((e) => !existsSync(join(root, e.in)));
if (missing.length > 0) {
  console.error("build: missing entry points: " + missing.map((e) => e.in).join(", "));
  process.exit(1);
}

// Start from an empty directory so a removed entry leaves no stale bundle
// behind in the binary.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir,
  bundle: true,
  minify: !dev,
  sourcemap: dev ? "inline" : false,
  // The site supports the browsers of the last few years (RGAA audits use
  // current Firefox, Chrome and Safari with screen readers).
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  format: "iife",
  legalComments: "linked",
  // Images referenced by bundled CSS (Leaflet's) are inlined: no extra
  // file to serve, and the CSP allows data: images.
  loader: { ".png": "dataurl", ".svg": "dataurl", ".woff2": "file" },
  // Fonts are files of their own, named by their content's hash: the
  // stylesheet that names them changes when they do.
  assetNames: "fonts/[name]-[hash]",
  metafile: true,
  logLevel: "warning",
});

// The tiles' icons: the names listed in internal/pages/icons.txt (the list
// the Go code checks a tile's icon against), taken from the lucide-static
// package (pinned in package.json), as one SVG sprite of <symbol>s. Pages
// show an icon with <svg aria-hidden="true"><use href=".../dist/icons.svg#NAME">:
// self-hosted, one request, cached for a year under the static hash.
const iconNames = readFileSync(join(root, "internal/pages/icons.txt"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
const symbols = iconNames.map((name) => {
  const file = join(root, "node_modules/lucide-static/icons", name + ".svg");
  if (!existsSync(file)) {
    console.error(`build: icon ${name} (internal/pages/icons.txt) is not in lucide-static`);
    process.exit(1);
  }
  const svg = readFileSync(file, "utf8");
  const inner = svg.slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>")).replace(/\s*\n\s*/g, "");
  return `<symbol id="${name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${inner}</symbol>`;
});
writeFileSync(
  join(outdir, "icons.svg"),
  `<svg xmlns="http://www.w3.org/2000/svg"><!-- lucide-static (ISC licence), see node_modules/lucide-static/LICENSE -->${symbols.join("")}</svg>\n`,
);

// The binary embeds dist/: write a README there so the directory is never
// empty (go:embed needs at least one file) and says where it comes from.
writeFileSync(join(outdir, "README.txt"), "Built by `npm run build` (web/build.mjs). Do not edit; git-ignored.\n");

// The faces the layout preloads (<link rel=preload>): the regular style's
// latin subset, which every page uses. The server reads this list.
const preload = Object.keys(result.metafile.outputs)
  .map((f) => f.replace(/^.*internal\/web\/static\/dist\//, ""))
  .filter((f) => /^fonts\/.*-latin-wght-normal-[A-Z0-9]+\.woff2$/.test(f));
if (preload.length !== 1) {
  console.error("build: expected one latin regular face to preload, found: " + preload.join(", "));
  process.exit(1);
}
writeFileSync(join(outdir, "preload.json"), JSON.stringify({ fonts: preload }) + "\n");

const files = Object.entries(result.metafile.outputs)
  .map(([f, o]) => `  ${f.replace(root + "/", "")}  ${o.bytes} bytes`)
  .sort();
console.log(`build: ${entries.length} entries → ${readdirSync(outdir).length} files in internal/web/static/dist/\n${files.join("\n")}`);
