// handbill serve: follow the server's events and bring the page up to date in place,
// keeping the scroll position. No framework, no build step: this file is all of it.
(function () {
  "use strict";
  const body = document.body;
  const live = document.getElementById("live");
  let busy = false;
  let again = false;

  function shown() { return Number(body.dataset.version || 0); }

  async function update() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(location.pathname, { cache: "no-store" });
      if (!response.ok) { return; }
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const x = window.scrollX;
      const y = window.scrollY;
      for (const part of document.querySelectorAll("[data-live]")) {
        const next = fresh.getElementById(part.id);
        if (next) { part.replaceWith(document.importNode(next, true)); }
      }
      document.title = fresh.title;
      body.dataset.version = fresh.body.dataset.version;
      window.scrollTo(x, y);
    } catch (error) {
      live.textContent = "update failed: " + error;
    } finally {
      busy = false;
      if (again) { again = false; update(); }
    }
  }

  function mine(bundles) {
    return !body.dataset.bundle || bundles.includes(body.dataset.bundle);
  }

  const events = new EventSource("/events");
  events.addEventListener("hello", (event) => {
    live.textContent = "live";
    live.className = "live on";
    if (JSON.parse(event.data).version > shown()) { update(); }  // changes while away
  });
  events.addEventListener("change", (event) => {
    const data = JSON.parse(event.data);
    if (data.version > shown() && mine(data.bundles)) { update(); }
  });
  events.addEventListener("error", () => {
    live.textContent = "reconnecting…";
    live.className = "live off";
  });

  // Side by side, or one page at a time, remembered for the next visit.
  const buttons = document.querySelectorAll("button[data-view]");
  function view(name) {
    body.classList.toggle("single", name === "single");
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.view === name));
    }
    try { localStorage.setItem("handbill-view", name); } catch (error) { /* private mode */ }
  }
  for (const button of buttons) {
    button.addEventListener("click", () => view(button.dataset.view));
  }
  let saved = null;
  try { saved = localStorage.getItem("handbill-view"); } catch (error) { /* private mode */ }
  if (buttons.length && saved) { view(saved); }
})();
