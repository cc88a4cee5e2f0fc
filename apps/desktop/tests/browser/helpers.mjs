// What every browser test file shares: a real onward-desktop on a temporary journal,
// Debian's chromium, the real CLI to read the journal, axe and screenshots (light and
// dark, to $ONWARD_SCREENSHOTS or a temporary folder, never into the repository).
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const repo = path.resolve(import.meta.dirname, "../../../..");
const bin = path.join(process.env.CARGO_TARGET_DIR || path.join(repo, "target"), "debug");
const desktopBin = process.env.ONWARD_DESKTOP_BIN || path.join(bin, "onward-desktop");
const cliBin = process.env.ONWARD_BIN || path.join(bin, "onward");

const dir = mkdtempSync(path.join(os.tmpdir(), "onward-desk-"));
export const journal = path.join(dir, "journal.onward");
export const shots = process.env.ONWARD_SCREENSHOTS || path.join(dir, "screenshots");
mkdirSync(shots, { recursive: true });
const env = { ...process.env, ONWARD_KEYS: "file", ONWARD_TIME_ZONE: "UTC" };

/** Runs the real CLI on the test's journal. */
export function onward(...args) {
  return onwardAt(journal, ...args);
}

/** Runs the real CLI on the journal at `path`. */
export function onwardAt(path, ...args) {
  return execFileSync(cliBin, ["--journal", path, ...args], { env, encoding: "utf8" });
}

export function applications() {
  return JSON.parse(onward("--json", "application", "list")).map((a) => a.fields);
}

/**
 * Starts the server and the browser: { server, opening, base, browser }. `now` (RFC 3339)
 * pins the clock of the server and of `onward()` for what depends on the day.
 */
export async function start({ now } = {}) {
  if (now) env.ONWARD_NOW = now;
  const { child: server, address: opening } = await startPrinting(desktopBin, ["--no-browser", "--port", "0", "--journal", journal], env);
  const browser = await launchBrowser();
  return { server, opening, base: opening.split("/?")[0], browser };
}

/** Debian's chromium, headless, with nothing reaching for the network. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/**
 * A browser context signed in, with a page on Today. The first opens the one-time
 * address; later ones carry the session cookie it got, as another window of the same
 * browser would (the address no longer works).
 */
export async function signedIn(desk, viewport = { width: 1100, height: 800 }) {
  const context = await desk.browser.newContext({ viewport, storageState: desk.session });
  const page = await context.newPage();
  if (desk.session) {
    await page.goto(desk.base + "/");
  } else {
    await page.goto(desk.opening);
    desk.session = await context.storageState();
  }
  return { context, page };
}

export async function stop({ server, browser } = {}) {
  await browser?.close();
  server?.kill();
  console.log("screenshots: " + shots);
}

/** A table's body, row by row, cell by cell, as text. */
export function tableRows(page, table) {
  return page.locator(`${table} tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent.trim())));
}

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

/** Checks and photographs a screen in light and dark, into this run's folder. */
export const screen = screenTo(shots);

/** Starts `bin` with `args` and waits for the first http:// address it prints. */
export async function startPrinting(bin, args, env) {
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
