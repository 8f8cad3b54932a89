// Instant suggestions of the sorting guide "Où jeter ?": the search field
// becomes an editable combobox with a list popup (WAI-ARIA 1.2 combobox
// pattern). Without JavaScript the field is a plain search form (GET
// /ou-jeter?q=…), which stays the way results are reached with the Enter
// key when no suggestion is chosen.
//
// Keyboard: Down / Up open the list and move through it (wrapping),
// Alt+Down opens it, Enter opens the chosen item's page (or searches),
// Escape closes the list (or clears the field when it is closed), Tab
// leaves. The number of suggestions is announced in a polite live region.

const DELAY = 150; // ms after the last key before asking the server

function setup(form) {
  const input = form.querySelector("input[type=search]");
  const list = form.querySelector("[role=listbox]");
  const status = form.querySelector("[role=status]");
  const endpoint = form.dataset.suggest;
  if (!input || !list || !status || !endpoint) return;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  let items = [];
  let active = -1;
  let timer = 0;
  let controller = null;
  let lastQuery = "";

  const announce = (n) => {
    const tpl = n === 0 ? status.dataset.none : n === 1 ? status.dataset.one : status.dataset.many;
    status.textContent = (tpl || "").replace("%d", String(n));
  };

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const open = () => {
    if (items.length === 0) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };

  const highlight = (i) => {
    const opts = list.querySelectorAll("[role=option]");
    opts.forEach((o, k) => o.setAttribute("aria-selected", k === i ? "true" : "false"));
    active = i;
    if (i >= 0 && opts[i]) {
      input.setAttribute("aria-activedescendant", opts[i].id);
      opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  let going = false;
  const go = (i) => {
    if (items[i] && !going) {
      going = true;
      window.location.assign(items[i].url);
    }
  };

  const render = (results) => {
    items = results;
    list.textContent = "";
    results.forEach((r, i) => {
      const li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      name.textContent = r.name;
      li.appendChild(name);
      if (r.via) {
        const via = document.createElement("span");
        via.className = "small";
        via.textContent = " (" + r.via + ")";
        li.appendChild(via);
      }
      const stream = document.createElement("span");
      stream.className = "stream-label";
      stream.textContent = r.stream;
      li.appendChild(stream);
      li.addEventListener("click", () => go(i));
      list.appendChild(li);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (results.length > 0) open();
    else close();
    announce(results.length);
  };

  const ask = () => {
    const q = input.value;
    if (q.trim().length < 2) {
      render([]);
      status.textContent = "";
      lastQuery = q;
      return;
    }
    if (q === lastQuery) return;
    lastQuery = q;
    if (controller) controller.abort();
    controller = new AbortController();
    fetch(endpoint + "?q=" + encodeURIComponent(q), { signal: controller.signal, headers: { Accept: "application/json" } })
      .then((resp) => (resp.ok ? resp.json() : { results: [] }))
      .then((data) => {
        if (input.value === q) render(data.results || []);
      })
      .catch(() => {}); // aborted or offline: the form still works
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });

  input.addEventListener("keydown", (e) => {
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (list.hidden) {
          open();
          if (!e.altKey && items.length > 0) highlight(0);
        } else if (items.length > 0) {
          highlight((active + 1) % items.length);
        }
        break;
      case "ArrowUp":
        e.preventDefault();
        if (list.hidden) open();
        if (items.length > 0) highlight(active <= 0 ? items.length - 1 : active - 1);
        break;
      case "Enter":
        if (!list.hidden && active >= 0) {
          e.preventDefault();
          go(active);
        }
        break;
      case "Escape":
        if (!list.hidden) {
          e.preventDefault();
          close();
        } else if (input.value !== "") {
          e.preventDefault();
          input.value = "";
          render([]);
          status.textContent = "";
          lastQuery = "";
        }
        break;
      case "Tab":
        close();
        break;
      default:
        if (active >= 0 && (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End")) {
          highlight(-1); // back to editing the text
        }
    }
  });

  // Enter on a chosen suggestion opens it, never submits the form as well
  // (some input methods send Enter as a separate character event).
  form.addEventListener("submit", (e) => {
    if (!list.hidden && active >= 0) {
      e.preventDefault();
      go(active);
    }
  });

  // A click in the list must not blur the field first.
  list.addEventListener("mousedown", (e) => e.preventDefault());
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("focus", () => {
    if (items.length > 0 && input.value === lastQuery) open();
  });
  document.addEventListener("click", (e) => {
    if (!form.contains(e.target)) close();
  });
}

document.querySelectorAll("form[data-suggest]").forEach(setup);
