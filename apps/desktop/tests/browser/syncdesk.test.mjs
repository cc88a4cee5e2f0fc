// Sync at a desk, against a real onward-relay on loopback: turned on in the page, the
// status asked of the relay, an invitation shown as a QR code whose code joins a second
// journal through the real CLI, and that second device then listed. Then people, goals
// and stepping back, clicked through, with the journal read back through the CLI.
// Screenshots (light and dark) go to $ONWARD_SCREENSHOTS or a temporary folder.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { screenTo, startPrinting, launchBrowser, signedIn } from "./helpers.mjs";

const repo = path.resolve(import.meta.dirname, "../../../..");
const bin = path.join(process.env.CARGO_TARGET_DIR || path.join(repo, "target"), "debug");
const desktopBin = process.env.ONWARD_DESKTOP_BIN || path.join(bin, "onward-desktop");
const cliBin = process.env.ONWARD_BIN || path.join(bin, "onward");
const relayBin = process.env.ONWARD_RELAY_BIN || path.join(bin, "onward-relay");

const dir = mkdtempSync(path.join(os.tmpdir(), "onward-sync-desk-"));
const desk = path.join(dir, "desk.onward");
const phone = path.join(dir, "phone.onward");
const shots = process.env.ONWARD_SCREENSHOTS || path.join(dir, "screenshots");
mkdirSync(shots, { recursive: true });
const env = { ...process.env, ONWARD_KEYS: "file", ONWARD_TIME_ZONE: "UTC", RUST_LOG: "warn" };
const screen = screenTo(shots);

let relay, relayUrl, server, browser;
/** The desk app's door: its browser and one-time address, for `signedIn`. */
const door = {};

function onward(journal, ...args) {
  return execFileSync(cliBin, ["--journal", journal, ...args], { env, encoding: "utf8" });
}

/** The desk journal's records of `kind`, as the CLI reads them. */
function records(kind) {
  return JSON.parse(onward(desk, "--json", "timeline")).filter((r) => r.kind === kind).map((r) => r.fields);
}

before(async () => {
  ({ child: relay, address: relayUrl } = await startPrinting(
    relayBin, ["--listen", "127.0.0.1:0", "--db", path.join(dir, "relay.db")], env));
  onward(desk, "application", "add", "--company", "Globex", "--role", "Planner", "--applied");
  let opening;
  ({ child: server, address: opening } = await startPrinting(
    desktopBin, ["--no-browser", "--port", "0", "--journal", desk], env));
  browser = await launchBrowser();
  Object.assign(door, { browser, opening, base: opening.split("/?")[0] });
});

after(async () => {
  await browser?.close();
  server?.kill();
  relay?.kill();
  console.log("screenshots: " + shots);
});

test("sync turned on in the page; its invitation joins a phone that gets the desk's records", async () => {
  const { page } = await signedIn(door);
  await page.getByRole("link", { name: "Sync" }).click();
  await screen(page, "sync-off");

  await page.getByLabel("The relay's address").fill(relayUrl);
  await page.getByLabel("How your other devices name this one").fill("Desk");
  await page.getByRole("button", { name: "Turn sync on" }).click();
  await page.waitForURL(/\/sync$/);
  assert.equal((await page.locator("#sync-summary").textContent()).trim(), "In sync.");
  assert.match(await page.locator("#device-list").textContent(), /Desk.*this device · last synced/);
  await screen(page, "sync-on");
  const status = JSON.parse(onward(desk, "--json", "sync", "status"));
  assert.equal(status.in_sync, true);
  assert.equal(status.relay_url, relayUrl.replace(/\/$/, ""));

  await page.getByRole("button", { name: "Make an invitation" }).click();
  const qr = page.getByRole("img", { name: "The invitation as a QR code" });
  await qr.waitFor();
  assert.equal(await qr.evaluate((svg) => svg.tagName), "svg");
  assert.ok((await qr.locator("path").getAttribute("d")).length > 500, "the QR code has modules");
  const code = (await page.getByLabel(/Or type this code/).inputValue()).trim();
  assert.match(code, /^ONWARD2-/);
  await screen(page, "sync-invitation");

  onward(phone, "sync", "join", "--yes", "--name", "Phone", code);
  const titles = JSON.parse(onward(phone, "--json", "application", "list")).map((a) => a.fields.company);
  assert.deepEqual(titles, ["Globex"]);

  await page.goto(door.base + "/sync");
  await page.getByRole("button", { name: "Sync now" }).click();
  await page.waitForURL(/\/sync$/);
  assert.match(await page.locator("#device-list").textContent(), /Phone/);
  await page.close();
});

test("people, goals and stepping back, clicked through, land in the journal", async () => {
  const { page } = await signedIn(door);

  await page.getByRole("link", { name: "People" }).click();
  await screen(page, "contacts-empty");
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel(/^Company/).fill("Analytical Engines");
  await page.getByLabel(/^Who they are to you/).selectOption({ label: "Recruiter" });
  await page.getByRole("button", { name: "Add" }).click();
  await page.getByRole("heading", { level: 1, name: "Ada Lovelace" }).waitFor();
  await screen(page, "contact-detail");
  await page.getByRole("link", { name: "People" }).click();
  assert.match(await page.locator("#contact-list").textContent(), /Ada Lovelace Recruiter · Analytical Engines/);
  await screen(page, "contacts");
  const contacts = JSON.parse(onward(desk, "--json", "contact", "list")).map((c) => c.fields);
  assert.deepEqual(contacts.map((c) => [c.name, c.role, c.company]), [["Ada Lovelace", "recruiter", "Analytical Engines"]]);

  await page.getByRole("link", { name: "Goals" }).click();
  await page.getByLabel("What you want to get to").fill("SQL window functions");
  await page.getByLabel("What kind of goal").selectOption({ label: "Skill" });
  await page.getByRole("button", { name: "Add it" }).click();
  await page.getByLabel("How far along, in percent").fill("40");
  await page.getByRole("button", { name: "Save progress" }).click();
  assert.match(await page.locator("#goal-list").textContent(), /Under way · 40%/);
  assert.deepEqual(records("goal").map((g) => [g.title, g.kind, g.progress, g.status]), [["SQL window functions", "skill", 40, "in_progress"]]);
  await screen(page, "goals");
  await page.getByLabel("Where it stands").selectOption({ label: "Done" });
  await page.getByRole("button", { name: "Save", exact: true }).click();
  assert.match(await page.locator("#goal-list").textContent(), /Done · 100%/);
  assert.deepEqual(records("goal").map((g) => [g.progress, g.status]), [[100, "done"]]);

  await page.getByRole("link", { name: "Stepping back" }).click();
  await page.getByLabel("What you'll do").fill("A walk by the river");
  await page.getByLabel("What kind of thing").selectOption({ label: "Move" });
  await page.getByLabel(/^On which day/).fill("2026-12-08");
  await page.getByLabel(/^How you feel now/).selectOption({ label: "2 · Low" });
  await page.getByRole("button", { name: "Plan it" }).click();
  assert.match(await page.locator("#planned-list").textContent(), /A walk by the river for Tue 8 Dec 2026/);
  let [walk] = records("activity");
  assert.deepEqual([walk.category, walk.planned_for, walk.mood_before, walk.done_at], ["physical", "2026-12-08T00:00:00Z", 2, null]);
  await screen(page, "activities-planned");
  await page.getByLabel("How you feel after").selectOption({ label: "4 · Good" });
  await page.getByRole("button", { name: "Done", exact: true }).click();
  assert.match(await page.locator("#done-list").textContent(), /A walk by the river .* · felt Low before, Good after/);
  [walk] = records("activity");
  assert.equal(walk.mood_after, 4);
  assert.ok(walk.done_at, "the walk is marked done");
  await screen(page, "activities-done");
  await page.close();
});
