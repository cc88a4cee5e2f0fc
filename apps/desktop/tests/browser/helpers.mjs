// What every browser test of the desktop app shares: axe on a screen, and photographing
// it in light and dark.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Axe on the page as it is: no serious or critical violation. */
export async function accessible(page, screen) {
  // Evaluated over the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource + ";0");
  const violations = await page.evaluate(async () => (await window.axe.run()).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`));
  assert.deepEqual(violations, [], screen);
}

/** A function that checks and photographs a screen in light and dark, into `shots`. */
export function screenTo(shots) {
  return async function screen(page, name) {
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await accessible(page, `${name} (${scheme})`);
      await page.screenshot({ path: path.join(shots, `${name}-${scheme}.png`), fullPage: true });
    }
  };
}

/** Starts `bin` with `args` and waits for the first http:// address it prints. */
export async function startPrinting(bin, args, env) {
  const { spawn } = await import("node:child_process");
  const readline = await import("node:readline");
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const address = await new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      const url = line.split(/\s+/).find((w) => w.startsWith("http://"));
      if (url) resolve(url);
    });
    child.once("exit", (code) => reject(new Error(`${path.basename(bin)} exited: ${code}`)));
  });
  return { child, address };
}
