// The journal editor never loses a draft: what is typed is saved into the journal a
// moment after typing stops, and right away when the tab is hidden or closed. The
// first save creates the entry; the address then becomes the entry's, so reopening it
// (after a closed tab or a crash) brings the text back. Saves go one at a time, so a
// slow first save can't create the entry twice.
"use strict";

const editor = document.getElementById("entry-editor");
if (editor) {
  const status = document.getElementById("save-status");
  const id = editor.elements.namedItem("id");
  const csrf = editor.elements.namedItem("csrf").value;
  const PAUSE = 1500;
  let timer = null;
  let saving = null;
  let dirty = false;

  const hasWords = () => [...editor.querySelectorAll("textarea")].some((t) => t.value.trim());

  const save = (leaving) => {
    clearTimeout(timer);
    timer = null;
    if (saving) return saving.then(() => save(leaving));
    if (!dirty || !hasWords()) return Promise.resolve();
    dirty = false;
    status.textContent = "Saving…";
    saving = fetch("/entries", {
      method: "POST",
      credentials: "same-origin",
      keepalive: leaving === true,
      headers: { "x-onward-csrf": csrf, accept: "application/json" },
      body: new URLSearchParams(new FormData(editor)),
    })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((saved) => {
        if (!id.value) {
          id.value = saved.id;
          history.replaceState(null, "", "/entries/" + encodeURIComponent(saved.id));
        }
        status.textContent = "Saved in your journal.";
      })
      .catch(() => {
        dirty = true;
        status.textContent = "Not saved yet. It will try again as you type; the Keep it button saves too.";
      })
      .finally(() => {
        saving = null;
      });
    return saving;
  };

  // Keep it: the same save, without leaving the page.
  editor.addEventListener("submit", (e) => {
    e.preventDefault();
    dirty = true;
    save();
  });
  editor.addEventListener("input", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, PAUSE);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save(true);
  });
  addEventListener("pagehide", () => save(true));
}
