// Onward at a desk, clicked through as a person would in Debian's chromium, against a
// real onward-desktop process on a temporary journal; what the journal holds afterwards
// is read through the real CLI (`onward --json`). Screenshots (light and dark) go to
// $ONWARD_SCREENSHOTS or a temporary folder, never into the repository.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { onward, applications, start, stop, screen, signedIn } from "./helpers.mjs";

let desk, base;

before(async () => {
  desk = await start();
  ({ base } = desk);
});

after(() => stop(desk));

test("a person opens the address, logs an application, moves it, logs a no, and sees a CLI change live", async () => {
  const { context, page } = await signedIn(desk);
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
  const moved = page.locator(".card", { hasText: "Acme" });
  await moved.getByText("History").click();
  const steps = await moved.locator("ol.history li").allTextContents();
  assert.deepEqual(steps.map((s) => s.split(": ")[1]), ["Applied", "Screening"], "the card's history keeps each step");
  await screen(page, "board-history");

  await page.locator(".card", { hasText: "Acme" }).getByRole("link", { name: "Log a no" }).click();
  await page.getByLabel("The reason they gave").selectOption({ label: "The role closed" });
  await screen(page, "log-rejection");
  await page.getByRole("button", { name: "Log it" }).click();
  await page.getByRole("heading", { name: "Next small steps, if you like" }).waitFor();
  assert.match(await page.getByLabel("Thank-you note").inputValue(), /\S/);
  assert.match(await page.getByLabel("Feedback request").inputValue(), /\S/);
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
  const { context } = await signedIn(desk);
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
