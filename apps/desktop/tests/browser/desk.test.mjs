// Onward at a desk, clicked through as a person would in Debian's chromium, against a
// real onward-desktop process on a temporary journal; what the journal holds afterwards
// is read through the real CLI (`onward --json`). Screenshots (light and dark) go to
// $ONWARD_SCREENSHOTS or a temporary folder, never into the repository.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { chromium } from "playwright-core";
import { screenTo } from "./helpers.mjs";

const repo = path.resolve(import.meta.dirname, "../../../..");
const bin = path.join(process.env.CARGO_TARGET_DIR || path.join(repo, "target"), "debug");
const desktopBin = process.env.ONWARD_DESKTOP_BIN || path.join(bin, "onward-desktop");
const cliBin = process.env.ONWARD_BIN || path.join(bin, "onward");

const dir = mkdtempSync(path.join(os.tmpdir(), "onward-desk-"));
const journal = path.join(dir, "journal.onward");
const shots = process.env.ONWARD_SCREENSHOTS || path.join(dir, "screenshots");
mkdirSync(shots, { recursive: true });
const env = { ...process.env, ONWARD_KEYS: "file", ONWARD_TIME_ZONE: "UTC" };

let server, opening, base, browser;

function onward(...args) {
  return execFileSync(cliBin, ["--journal", journal, ...args], { env, encoding: "utf8" });
}

function applications() {
  return JSON.parse(onward("--json", "application", "list")).map((a) => a.fields);
}

before(async () => {
  server = spawn(desktopBin, ["--no-browser", "--port", "0", "--journal", journal], { env, stdio: ["ignore", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: server.stdout });
  opening = await new Promise((resolve, reject) => {
    lines.once("line", (line) => {
      const url = line.split(/\s+/).find((w) => w.startsWith("http://"));
      url ? resolve(url) : reject(new Error("no address printed: " + line));
    });
    server.once("exit", (code) => reject(new Error("onward-desktop exited: " + code)));
  });
  base = opening.split("/?")[0];
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  console.log("screenshots: " + shots);
});

const screen = screenTo(shots);

test("a person opens the address, logs an application, moves it, logs a no, and sees a CLI change live", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();

  await page.goto(opening);
  assert.equal(page.url(), base + "/", "the token leaves the address");
  await page.getByRole("heading", { name: "Due now" }).waitFor();
  await screen(page, "today");

  await page.getByRole("link", { name: "Log an application" }).click();
  await page.getByLabel("Company").fill("Acme");
  await page.getByLabel("Role").fill("Data Engineer");
  await screen(page, "log-application");
  await page.getByRole("button", { name: "Log it" }).click();
  await page.getByRole("heading", { name: "Data Engineer at Acme" }).waitFor();
  await screen(page, "record");
  let [app] = applications();
  assert.equal(app.company, "Acme");
  assert.equal(app.stage, "applied");

  await page.getByRole("link", { name: "Applications", exact: true }).click();
  const card = page.locator(".card", { hasText: "Data Engineer at Acme" });
  await assert.doesNotReject(card.waitFor());
  assert.equal(await page.locator("#stage-applied").count(), 1);
  await screen(page, "board");
  await card.getByLabel("Move to").selectOption({ label: "Screening" });
  await card.getByRole("button", { name: "Move" }).click();
  await page.locator("section[aria-labelledby=stage-screening] .card", { hasText: "Acme" }).waitFor();
  [app] = applications();
  assert.equal(app.stage, "screening");

  await page.locator(".card", { hasText: "Acme" }).getByRole("link", { name: "Log a no" }).click();
  await page.getByLabel("The reason they gave").selectOption({ label: "The role closed" });
  await screen(page, "log-rejection");
  await page.getByRole("button", { name: "Log it" }).click();
  await page.getByRole("heading", { name: "Next small steps, if you like" }).waitFor();
  assert.match(await page.getByLabel("A thank-you note").inputValue(), /\S/);
  assert.match(await page.getByLabel("A feedback request").inputValue(), /\S/);
  await screen(page, "next-steps");
  [app] = applications();
  assert.equal(app.outcome, "rejected");

  await page.getByRole("link", { name: "Today", exact: true }).click();
  await page.getByRole("heading", { name: "Lately" }).waitFor();
  onward("application", "add", "--company", "Initech", "--role", "Tester", "--applied");
  await page.getByRole("link", { name: "Tester at Initech" }).waitFor({ timeout: 5000 });

  await page.getByRole("link", { name: "Search", exact: true }).click();
  await page.getByLabel("Words to look for").pressSequentially("initech");
  await page.locator("#search-results").getByRole("link", { name: "Tester at Initech" }).waitFor();
  await screen(page, "search");

  await page.setViewportSize({ width: 380, height: 800 });
  await page.getByRole("link", { name: "Applications", exact: true }).click();
  await screen(page, "board-narrow");
  await context.close();
});

/** A raw request, with whatever Host and headers a test wants. */
function request(method, pathname, headers = {}, body = "") {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path: pathname, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("requests without the cookie, from another Host, or writes without the CSRF token are refused", async () => {
  const context = await browser.newContext();
  await context.newPage().then((p) => p.goto(opening));
  const [session] = await context.cookies();
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, "Strict");
  await context.close();
  const cookie = `${session.name}=${session.value}`;
  const { host } = new URL(base);
  assert.equal(await request("GET", "/"), 401);
  assert.equal(await request("GET", "/", { cookie }), 200);
  assert.equal(await request("GET", "/", { cookie, host: "evil.example:" + new URL(base).port }), 421);
  const form = { cookie, host, "content-type": "application/x-www-form-urlencoded" };
  assert.equal(await request("POST", "/applications", form, "company=Evil&role=Corp"), 403);
  assert.ok(!applications().some((a) => a.company === "Evil"));
});
