// chainsym's page: the derivation follows the form as you type.
// Without this script the form still works (a plain GET to / returns the whole page).
// After a pause in typing it asks the server for the result panel (GET /part with the form's
// fields), puts it in place, keeps the URL in step (so a derivation can be shared), and says the
// result in one line on the status line that screen readers announce. An older answer never
// replaces a newer one; a busy server (503) is asked again after its Retry-After.
"use strict";

(() => {
  const DELAY_MS = 300;
  const form = document.getElementById("form");
  const result = document.getElementById("result");
  const status = document.getElementById("status");
  if (!form || !result || !status || !window.fetch || !window.URLSearchParams) {
    return;
  }
  let timer = 0;
  let latest = 0;
  let inflight = null;

  const query = () => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim() !== "") {
        params.append(name, String(value));
      }
    }
    return params.toString();
  };

  const show = (html) => {
    result.innerHTML = html;
    const panel = document.getElementById("panel");
    status.textContent = panel ? panel.dataset.status || "" : "";
  };

  const update = async () => {
    clearTimeout(timer);
    const fields = query();
    history.replaceState(null, "", fields ? "/?" + fields : "/");
    if (inflight) {
      inflight.abort();
    }
    inflight = new AbortController();
    const mine = ++latest;
    result.setAttribute("aria-busy", "true");
    try {
      const response = await fetch("/part?" + fields, {
        signal: inflight.signal,
        headers: { Accept: "text/html" },
      });
      const html = await response.text();
      if (mine !== latest) {
        return;
      }
      show(html);
      if (response.status === 503) {
        const wait = Number(response.headers.get("Retry-After")) || 1;
        timer = setTimeout(update, wait * 1000);
      }
    } catch (error) {
      if (error.name !== "AbortError" && mine === latest) {
        status.textContent = "The server could not be reached; the form still works with the Differentiate button.";
      }
    } finally {
      if (mine === latest) {
        result.removeAttribute("aria-busy");
      }
    }
  };

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(update, DELAY_MS);
  };

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
})();
