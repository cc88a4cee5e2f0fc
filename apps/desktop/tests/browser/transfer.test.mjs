// Export and import at a desk: the JSON download is the journal as the CLI exports it,
// a personal spreadsheet (dates without a year, a column of links) is shown as the core
// reads it before anything is added, then imported; a broken file changes nothing.
// The clock is pinned (ONWARD_NOW), so the years inferred do not depend on the day.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onward, onwardAt, applications, start, stop, screen, signedIn, tableRows } from "./helpers.mjs";

let desk;
const files = mkdtempSync(path.join(os.tmpdir(), "onward-transfer-"));

before(async () => {
  onward("application", "add", "--company", "Umbrella", "--role", "Planner", "--applied", "2026-11-02");
  desk = await start({ now: "2026-11-20T12:00:00Z" });
});

after(() => stop(desk));

test("the JSON download holds what the CLI's export holds", async () => {
  const { context, page } = await signedIn(desk);
  await page.getByRole("link", { name: "Export and import" }).click();
  await page.getByRole("heading", { name: "Take your journal with you" }).waitFor();
  assert.match(await page.locator("main").textContent(), /Your journal holds 1 record/);
  await screen(page, "export");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Everything, as JSON" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "onward-2026-11-20.json");
  const saved = path.join(files, "download.json");
  await download.saveAs(saved);
  const fromPage = JSON.parse(readFileSync(saved, "utf8"));
  const fromCli = JSON.parse(onward("export", "--format", "json"));
  assert.deepEqual(fromPage.records, fromCli.records);
  assert.equal(fromPage.records.applications[0].company, "Umbrella");
  await context.close();
});

test("a spreadsheet is shown as it will be read, and only the yes imports it", async () => {
  const sheet = path.join(files, "my applications.csv");
  writeFileSync(sheet, [
    "Company,Position,Date,Job Link,Contact",
    "Acme,Data Engineer,9/19,https://jobs.acme.example/123,Dana",
    "Globex,Analyst,10/13,https://globex.example/careers/9,",
    "Initech,Developer,Sep 2,,Sam",
    "Hooli,,not a date,,",
  ].join("\n"));
  const { context, page } = await signedIn(desk);
  await page.goto(desk.base + "/import");
  await screen(page, "import");
  await page.getByLabel("The file").setInputFiles(sheet);
  await page.getByRole("button", { name: "Check the file" }).click();
  await page.getByRole("heading", { name: "Import my applications.csv?" }).waitFor();

  const mapping = await tableRows(page, "#import-mapping");
  assert.deepEqual(mapping.find(([, column]) => column === "Job Link"), ["Link to the posting", "Job Link"]);
  assert.deepEqual(mapping.find(([, column]) => column === "Position"), ["Role", "Position"]);
  const notes = await page.locator("#import-notes").textContent();
  assert.match(notes, /3 dates had no year: read as 2026/);
  assert.match(notes, /Contact/, "the unknown column is kept in the notes");
  assert.match(await page.locator("#import-count").textContent(), /3 applications to add, 0 already/);
  assert.match(await page.locator("#import-errors").textContent(), /line 5/);
  await screen(page, "import-check");
  assert.equal(applications().length, 1, "nothing is added before the yes");

  await page.getByRole("button", { name: "Import 3 applications" }).click();
  assert.match(await page.locator("#import-done").textContent(), /Added 3 applications from my applications.csv; 0 already there/);
  const acme = applications().find((a) => a.company === "Acme");
  assert.equal(acme.url, "https://jobs.acme.example/123", "the link column is the application's url");
  assert.match(acme.applied_at, /^2026-09-19/);
  assert.equal(applications().length, 4);

  // The same file again adds nothing.
  await page.goto(desk.base + "/import");
  await page.getByLabel("The file").setInputFiles(sheet);
  await page.getByRole("button", { name: "Check the file" }).click();
  assert.match(await page.locator("#import-count").textContent(), /0 applications to add, 3 already/);
  await context.close();
});

test("another journal's export is shown by kind and imported whole", async () => {
  const other = path.join(files, "other.onward");
  onwardAt(other, "application", "add", "--company", "Wayne", "--role", "Analyst", "--applied", "2026-11-10");
  onwardAt(other, "contact", "add", "--name", "Lucius Fox");
  const exported = path.join(files, "other.json");
  onwardAt(other, "export", "--format", "json", "--output", exported);
  const { context, page } = await signedIn(desk);
  await page.goto(desk.base + "/import");
  await page.getByLabel("The file").setInputFiles(exported);
  await page.getByRole("button", { name: "Check the file" }).click();
  assert.deepEqual(await tableRows(page, "#import-kinds"), [["Application", "1"], ["Person", "1"]]);
  await page.getByRole("button", { name: "Import 2 records" }).click();
  assert.match(await page.locator("#import-done").textContent(), /Added 2 records from other\.json/);
  assert.ok(applications().some((a) => a.company === "Wayne"));
  await context.close();
});

test("a broken export is refused with its reason and changes nothing", async () => {
  const broken = path.join(files, "broken.json");
  writeFileSync(broken, '{"format": "onward-export", "records": [');
  const { context, page } = await signedIn(desk);
  await page.goto(desk.base + "/import");
  await page.getByLabel("The file").setInputFiles(broken);
  await page.getByRole("button", { name: "Check the file" }).click();
  const alert = await page.getByRole("alert").textContent();
  assert.match(alert, /broken\.json can't be imported: .*not valid JSON.*Nothing was changed/);
  assert.equal(applications().length, 5);
  await context.close();
});
