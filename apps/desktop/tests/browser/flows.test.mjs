// The writing flows clicked through: logging an interview, a journal entry whose draft
// survives a closed tab, and notes to people from draft to answer (including the
// drafts offered after a no). What the journal holds is read through the real CLI.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { onward, start, stop, screen, signedIn } from "./helpers.mjs";

let desk;

before(async () => {
  desk = await start();
});

after(() => stop(desk));

const list = (kind) => JSON.parse(onward("--json", "timeline", "--kind", kind, "--limit", "100")).map((r) => r.fields);


test("an interview is logged with its kind, time, interviewers, questions and rating", async () => {
  onward("application", "add", "--company", "Globex", "--role", "Analyst", "--applied");
  const { context, page } = await signedIn(desk);
  await page.getByRole("link", { name: "Analyst at Globex" }).click();
  await page.getByRole("link", { name: "Log an interview" }).click();
  await page.getByLabel("What kind of conversation").selectOption({ label: "Technical" });
  await page.getByLabel("When").fill("2026-03-04T10:30");
  await page.getByLabel("Who you talked with").fill("Dana Scully, Fox Mulder");
  await page.getByLabel("The questions they asked").fill("Tell me about a pipeline you built\nWhy Globex?");
  await page.getByLabel("How it felt").selectOption("4");
  await screen(page, "log-interview");
  await page.getByRole("button", { name: "Log it" }).click();
  await page.getByRole("heading", { name: "Round 1 · technical" }).waitFor();
  const [interview] = list("interview");
  assert.equal(interview.kind, "technical");
  assert.equal(interview.scheduled_at, "2026-03-04T10:30:00Z");
  assert.deepEqual(interview.questions, ["Tell me about a pipeline you built", "Why Globex?"]);
  assert.equal(interview.self_rating, 4);
  assert.equal(interview.interviewer_ids.length, 2);
  const names = list("contact").map((c) => c.name).sort();
  assert.deepEqual(names, ["Dana Scully", "Fox Mulder"]);
  const [app] = JSON.parse(onward("--json", "application", "list")).map((a) => a.fields);
  assert.equal(app.stage, "interviewing");
  await context.close();
});

test("a journal entry is saved as it is typed and comes back after the tab is closed", async () => {
  let { context, page } = await signedIn(desk);
  await page.getByRole("link", { name: "Journal", exact: true }).click();
  await page.getByLabel("What would you like to write?").selectOption({ label: "Gratitude" });
  await page.getByRole("button", { name: "Start writing" }).click();
  await page.getByLabel("Three things you're thankful for today?").pressSequentially("Coffee, the sun, a kind recruiter");
  await page.getByText("Saved in your journal.").waitFor();
  const id = page.url().split("/entries/")[1];
  assert.ok(id, "the address becomes the entry's");
  await screen(page, "journal-editor");
  // More words, then the tab closes before the pause is over: they are kept too.
  await page.getByLabel("Anything else").fill("Tomorrow I rest.");
  await page.close({ runBeforeUnload: true });
  // The closing tab's last save is a keepalive request: a browser lets it finish after
  // the tab is gone, so wait for it to land before the test closes the whole browser
  // context (which would cut it off, as no person's browser does).
  const saved = () => {
    const shown = JSON.parse(onward("--json", "show", id));
    return (shown.fields ?? shown).body === "Tomorrow I rest.";
  };
  for (let tries = 0; !saved() && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await context.close();

  ({ context, page } = await signedIn(desk));
  await page.getByRole("link", { name: "Journal", exact: true }).click();
  await screen(page, "journal");
  await page.getByRole("link", { name: "gratitude: Tomorrow I rest." }).click();
  assert.equal(await page.getByLabel("Three things you're thankful for today?").inputValue(), "Coffee, the sun, a kind recruiter");
  assert.equal(await page.getByLabel("Anything else").inputValue(), "Tomorrow I rest.");
  const shown = JSON.parse(onward("--json", "show", id));
  const fields = shown.fields ?? shown;
  assert.equal(fields.kind, "gratitude");
  assert.equal(fields.answers.three, "Coffee, the sun, a kind recruiter");
  assert.equal(fields.body, "Tomorrow I rest.");
  assert.equal(list("entry").length, 1, "one entry, however many saves");
  await context.close();
});

test("a note is drafted from its template, edited and kept, sent, and its reply noted", async () => {
  const { context, page } = await signedIn(desk);
  await page.getByRole("link", { name: "Notes", exact: true }).click();
  await page.getByRole("link", { name: "Draft a note" }).click();
  await page.getByLabel("What kind of note").selectOption({ label: "Follow-up" });
  await page.getByLabel("About which application").selectOption({ label: "Analyst at Globex" });
  await screen(page, "draft-note");
  await page.getByRole("button", { name: "Draft it" }).click();
  const text = page.getByLabel("The note");
  assert.match(await text.inputValue(), /Analyst role at Globex/);
  await text.fill("Hi Dana,\n\nStill very keen on the Analyst role.\n\nBest, Sam");
  await page.getByRole("button", { name: "Keep changes" }).click();
  await page.getByRole("heading", { name: "Draft" }).waitFor();
  let [note] = list("message");
  assert.equal(note.body, "Hi Dana,\n\nStill very keen on the Analyst role.\n\nBest, Sam");
  assert.equal(note.status, "draft");
  await screen(page, "note");

  await page.getByRole("button", { name: "I sent it" }).click();
  await page.getByRole("heading", { name: "Sent" }).waitFor();
  assert.equal(list("message")[0].status, "sent");
  await page.getByLabel("What happened").selectOption({ label: "They replied" });
  await page.getByLabel("What they said").fill("Next round in two weeks");
  await page.getByRole("button", { name: "Save the answer" }).click();
  await page.getByRole("heading", { name: "They replied" }).waitFor();
  await page.getByText("Next round in two weeks").waitFor();
  [note] = list("message");
  assert.equal(note.status, "replied");
  assert.equal(note.reply_summary, "Next round in two weeks");

  await page.getByRole("link", { name: "All your notes" }).click();
  await page.getByRole("link", { name: "Follow-up" }).waitFor();
  await screen(page, "notes");
  await context.close();
});

test("after a no, the feedback request is kept as a note, sent, and politely declined", async () => {
  const { context, page } = await signedIn(desk);
  await page.goto(desk.base + "/rejections/new");
  await page.getByLabel("Which application").selectOption({ label: "Analyst at Globex" });
  await page.getByRole("button", { name: "Log it" }).click();
  await page.getByLabel("Feedback request").fill("Hi Dana,\n\nCould you share a line of feedback?\n\nSam");
  await page.getByRole("button", { name: "Keep this feedback request" }).click();
  await page.getByRole("heading", { name: "Draft" }).waitFor();
  const kept = list("message").find((m) => m.kind === "feedback_request");
  assert.equal(kept.body, "Hi Dana,\n\nCould you share a line of feedback?\n\nSam");
  assert.ok(kept.application_id, "it belongs to the application");
  assert.equal(kept.contact_id, list("interview")[0].interviewer_ids[0], "it goes to the interviewer");

  await page.getByRole("button", { name: "I sent it" }).click();
  await page.getByLabel("What happened").selectOption({ label: "They declined" });
  await page.getByRole("button", { name: "Save the answer" }).click();
  await page.getByRole("heading", { name: "They declined" }).waitFor();
  assert.equal(list("message").find((m) => m.kind === "feedback_request").status, "declined");
  const [rejection] = list("rejection");
  assert.equal(rejection.feedback_status, "declined");
  await context.close();
});
