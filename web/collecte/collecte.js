// Collection days: the commune lookup as a WAI-ARIA 1.2 combobox (list
// autocomplete), and the yearly calendar's print button. Progressive
// enhancement only: without this file the lookup is a plain search form
// (/collecte?q=…) and the calendar prints with the browser's own command.
//
// Combobox keys (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/):
//   typing           filters the communes (accents, case and hyphens ignored;
//                    "st" = "saint"; names, postcodes and INSEE codes)
//   ↓ / ↑            open the list / move through the options
//   Alt+↓            open the list without moving
//   Enter            go to the highlighted commune (else: submit the form)
//   Échap            close the list; a second time, clear the field
//   Tab              close the list and move on
import { filterCommunes, foldWords } from "./lookup.js";

function setupCombobox(input) {
  const form = input.form;
  const url = input.dataset.combobox;
  const listId = input.id + "-options";
  const list = document.createElement("ul");
  list.id = listId;
  list.className = "cl-listbox";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.label || "");
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "sr-only";
  status.setAttribute("role", "status");
  input.parentNode.appendChild(list);
  form.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);

  let communes = null;
  let loading = null;
  let options = [];
  let active = -1;

  const load = () => {
    if (!loading) {
      loading = fetch(url, { headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : []))
        .then((data) => { communes = data; })
        .catch(() => { communes = []; });
    }
    return loading;
  };

  const announce = (n) => {
    if (n === 0) status.textContent = input.dataset.none || "";
    else if (n === 1) status.textContent = input.dataset.countOne || "";
    else status.textContent = (input.dataset.count || "%d").replace("%d", String(n));
  };

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const highlight = (i) => {
    options.forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
    active = i;
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  const render = () => {
    const words = foldWords(input.value);
    list.textContent = "";
    options = [];
    active = -1;
    if (!communes || words.length === 0) {
      close();
      status.textContent = "";
      return;
    }
    const found = filterCommunes(communes, words, 12);
    found.forEach((c, i) => {
      const li = document.createElement("li");
      li.id = listId + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.url = c.u;
      li.appendChild(document.createTextNode(c.n + " "));
      const pc = document.createElement("span");
      pc.className = "small";
      pc.textContent = "(" + c.p + ")";
      li.appendChild(pc);
      li.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the field
      li.addEventListener("click", () => go(li));
      list.appendChild(li);
      options.push(li);
    });
    announce(found.length);
    if (found.length > 0) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
  };

  const go = (li) => {
    input.value = li.firstChild.textContent.trim();
    close();
    window.location.assign(li.dataset.url);
  };

  input.addEventListener("focus", load);
  input.addEventListener("input", () => load().then(render));
  input.addEventListener("keydown", (e) => {
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        load().then(() => {
          if (list.hidden) render();
          if (!e.altKey && options.length > 0) highlight(active < options.length - 1 ? active + 1 : 0);
        });
        break;
      case "ArrowUp":
        e.preventDefault();
        if (!list.hidden && options.length > 0) highlight(active > 0 ? active - 1 : options.length - 1);
        break;
      case "Enter":
        if (!list.hidden && active >= 0) {
          e.preventDefault();
          go(options[active]);
        }
        break;
      case "Escape":
        if (!list.hidden) {
          e.preventDefault();
          close();
        } else if (input.value !== "") {
          e.preventDefault();
          input.value = "";
          status.textContent = "";
        }
        break;
      case "Tab":
        close();
        break;
      default:
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

document.querySelectorAll("input[data-combobox]").forEach(setupCombobox);

document.querySelectorAll("button[data-print]").forEach((b) => {
  b.hidden = false;
  b.addEventListener("click", () => window.print());
});
