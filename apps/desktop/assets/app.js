// Onward at a desk: small touches on top of plain pages that work without this file.
// 1. Live: when the journal changes (here, in the CLI, through sync), the live part of
//    the page is drawn again from the server, without a reload.
// 2. Search as you type.
"use strict";

function redrawLive() {
  const live = document.querySelector("main[data-live]");
  if (!live) return;
  fetch(location.href, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
    .then((html) => {
      const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main[data-live]");
      // Leave the page alone while someone is choosing in it.
      if (fresh && !live.contains(document.activeElement)) {
        live.innerHTML = fresh.innerHTML;
        live.dispatchEvent(new CustomEvent("onward:redrawn", { bubbles: true }));
      }
    })
    .catch(() => {});
}

if (document.querySelector("main[data-live]") && "EventSource" in window) {
  const events = new EventSource("/events");
  events.addEventListener("change", redrawLive);
}

const query = document.getElementById("q");
if (query) {
  const results = document.getElementById("search-results");
  const summary = document.getElementById("search-summary");
  let asked = 0;
  const show = (hits) => {
    results.replaceChildren(
      ...hits.map((h) => {
        const li = document.createElement("li");
        const kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = h.kind + " ";
        const a = document.createElement("a");
        a.href = "/records/" + encodeURIComponent(h.id);
        a.textContent = h.title;
        const p = document.createElement("p");
        p.className = "snippet";
        p.textContent = h.snippet;
        li.append(kind, a, p);
        return li;
      })
    );
    summary.textContent = !query.value.trim()
      ? ""
      : hits.length === 0
        ? "Nothing matches those words yet."
        : hits.length === 1
          ? "One match."
          : hits.length + " matches.";
  };
  query.addEventListener("input", () => {
    const mine = ++asked;
    fetch("/api/search?q=" + encodeURIComponent(query.value), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((answer) => { if (mine === asked) show(answer.hits); })
      .catch(() => {});
  });
}
