// The big picture and the reports at a desk, on a journal seeded through the real CLI:
// the charts' tables show the figures `onward --json stats` gives, the work-search log
// and its CSV download equal `onward export --format work-search`, and the coach
// summary leaves the private journal text out unless it is ticked in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onward, start, stop, screen, shots, signedIn, tableRows } from "./helpers.mjs";

let desk;

/** The local day (UTC, as the journal's zone here) `days` ago, as YYYY-MM-DD. */
function daysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

// A fortnight up to tomorrow: the seeded days sit well inside it at any hour.
const from = daysAgo(13);
const to = daysAgo(-1);

before(async () => {
  onward("application", "add", "--company", "Acme", "--role", "Data Engineer", "--applied", daysAgo(2), "--source", "referral");
  const globex = JSON.parse(onward("--json", "application", "add", "--company", "Globex", "--role", "Analyst", "--applied", daysAgo(1)));
  onward("interview", "add", "--application", globex.fields.id, "--kind", "phone", "--at", `${daysAgo(1)} 09:00`, "--interviewer", "Dana Lee");
  onward("mood", "add", "--valence", "4", "--energy", "2", "--note", "SECRET-MOOD-NOTE");
  onward("activity", "add", "--category", "social", "--description", "A walk with Sam", "--done", "--mood-before", "2", "--mood-after", "4");
  onward("entry", "add", "--kind", "free", "--text", "SECRET-ENTRY-TEXT");
  desk = await start();
});

after(() => stop(desk));


test("the big picture draws the weeks, the funnel, the answers and the mood the CLI reports", async () => {
  const { context, page } = await signedIn(desk, { width: 1100, height: 900 });
  await page.getByRole("link", { name: "Big picture", exact: true }).click();
  await page.getByRole("heading", { name: "Small steps per week" }).waitFor();
  const stats = JSON.parse(onward("--json", "stats", "--weeks", "8"));

  const effort = await tableRows(page, "#effort-table");
  assert.equal(effort.length, 8);
  assert.deepEqual(effort.map((r) => Number(r[8])), stats.effort.weeks.map((w) => w.total));
  assert.equal(effort.reduce((n, r) => n + Number(r[1]), 0), 2, "two applications");
  assert.ok(await page.locator("svg[role=img][aria-labelledby=effort] rect").count() > 0);

  const funnel = await tableRows(page, "#funnel-table");
  assert.deepEqual(funnel.map((r) => Number(r[1])), stats.funnel.stages.map((s) => s.reached));
  assert.equal(funnel[0][2], "not enough yet for a rate", "no rate below the core's minimum");

  const answers = await tableRows(page, "#answers-table");
  assert.deepEqual(answers[0], ["Applications sent", String(stats.responses.applied)]);
  assert.equal(answers[1][1], String(stats.responses.responded));

  const mood = await tableRows(page, "#mood-table");
  const felt = stats.mood.weeks.findIndex((w) => w.check_ins > 0);
  assert.deepEqual(mood[felt].slice(1), ["1", "4.0", "2.0"]);
  assert.equal(await page.locator("svg[aria-labelledby=mood] circle").count(), 2, "one dot each for feeling and energy");

  assert.deepEqual(await tableRows(page, "#rest-table"), [["With someone", "1", "2.0", "4.0"]], "the core's label for a social break");
  await screen(page, "picture");

  await page.getByLabel("Weeks to look back over").fill("3");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByText("The last 3 weeks").waitFor();
  assert.equal((await tableRows(page, "#effort-table")).length, 3);

  await page.setViewportSize({ width: 380, height: 800 });
  await screen(page, "picture-narrow");
  await context.close();
});

test("the work-search log shows the period's activities and weeks, prints cleanly and downloads the CLI's CSV", async () => {
  const { context, page } = await signedIn(desk, { width: 1100, height: 900 });
  await page.getByRole("link", { name: "Work-search log", exact: true }).click();
  await page.getByLabel("From").fill(from);
  await page.getByLabel("To").fill(to);
  await page.getByLabel("Weekly minimum").fill("2");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: "Week by week" }).waitFor();
  assert.equal(await page.getByLabel("Weekly minimum").inputValue(), "2");

  const activities = await tableRows(page, "#activities");
  assert.equal(activities.length, 3, "two applications and a phone interview");
  assert.ok(activities.some((r) => r[1] === "Acme" && r[3] === "Networking"));
  assert.ok(activities.some((r) => r[1] === "Globex" && r[3] === "Phone" && r[4] === "Dana Lee"));

  const dir = mkdtempSync(path.join(os.tmpdir(), "onward-ws-"));
  const summary = JSON.parse(onward("--json", "export", "--format", "work-search", "--from", from, "--to", to,
    "--minimum", "2", "--output", path.join(dir, "log.csv")));
  const weeks = await tableRows(page, "#weeks");
  assert.deepEqual(weeks.map((r) => r[2]), summary.weeks.map((w) => w.note));
  await screen(page, "work-search");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download as CSV" }).click(),
  ]);
  const csv = readFileSync(await download.path(), "utf8");
  assert.equal(csv, onward("export", "--format", "work-search", "--from", from, "--to", to, "--minimum", "2"));
  assert.match(csv, /^Date,Employer,Position,/);

  await page.emulateMedia({ media: "print", colorScheme: "light" });
  assert.equal(await page.getByRole("navigation", { name: "Main" }).isVisible(), false, "no nav on paper");
  assert.equal(await page.getByLabel("From").isVisible(), false, "no form on paper");
  assert.equal(await page.locator("#activities").isVisible(), true);
  await page.screenshot({ path: path.join(shots, "work-search-print.png"), fullPage: true });
  await context.close();
});

test("the coach summary leaves the private journal text out until it is ticked in", async () => {
  const { context, page } = await signedIn(desk, { width: 1100, height: 900 });
  await page.getByRole("link", { name: "For a coach", exact: true }).click();
  await page.getByLabel("From").fill(from);
  await page.getByLabel("To").fill(to);
  assert.equal(await page.getByLabel("Include my private journal text").isChecked(), false);
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: "Pipeline" }).waitFor();

  const markdown = onward("export", "--format", "coach", "--from", from, "--to", to);
  assert.match(markdown, /2 applications in this period/);
  await page.getByText("2 applications in this period.").waitFor();
  const text = await page.locator("main").innerText();
  assert.doesNotMatch(text, /SECRET-ENTRY-TEXT|SECRET-MOOD-NOTE/);
  assert.doesNotMatch(markdown, /SECRET-ENTRY-TEXT/);
  await screen(page, "coach");

  await page.getByLabel("Include my private journal text").check();
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("heading", { name: "From my journal" }).waitFor();
  assert.equal(await page.getByLabel("Include my private journal text").isChecked(), true);
  const shared = await page.locator("main").innerText();
  assert.match(shared, /SECRET-ENTRY-TEXT/);
  assert.match(shared, /SECRET-MOOD-NOTE/);
  assert.match(onward("export", "--format", "coach", "--from", from, "--to", to, "--include-private"), /SECRET-ENTRY-TEXT/);
  await screen(page, "coach-private");
  await context.close();
});
