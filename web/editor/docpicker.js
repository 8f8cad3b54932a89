// The document picker of forms that link documents by number (the event
// form's "Documents liés"): a button beside the field opens a modal dialog
// (native <dialog>) that searches the documents the person may see (GET
// /pages/liens?type=documents, filtered by the documents store) and adds
// the one chosen to the field; nobody has to know a document's number.
// Without JavaScript the field is typed as before. Markup and texts come
// from the server (<template id="doc-picker-dialog">).
import { linkSearch } from "./linksearch.js";

function enhance(input, tpl) {
  const dlg = tpl.content.firstElementChild.cloneNode(true);
  document.body.append(dlg);
  const open = document.createElement("button");
  open.type = "button";
  open.className = "secondary doc-picker-open";
  open.textContent = dlg.dataset.open;
  input.after(open);
  // The dialog replaces the no-JS list (docpicker.go).
  document.querySelectorAll("[data-doc-fallback]").forEach((f) => {
    if (f.dataset.docFallback === input.name) f.hidden = true;
  });
  const q = dlg.querySelector("#dp-q");
  const list = dlg.querySelector("#dp-results");
  const status = dlg.querySelector("#dp-status");
  let timer = 0;
  const ids = () => input.value.split(/[\s,;]+/).filter(Boolean);
  const search = linkSearch(
    "type=documents&",
    q,
    list,
    (it) => {
      const cur = ids();
      if (!cur.includes(String(it.id))) cur.push(String(it.id));
      input.value = cur.join(", ");
      input.dispatchEvent(new Event("input", { bubbles: true }));
      status.textContent = dlg.dataset.added.replace("%s", it.label);
    },
    (items) => {
      if (!status.textContent.startsWith(dlg.dataset.added.split("%s")[0]) || items.length === 0) {
        status.textContent = items.length ? dlg.dataset.results.replace("%s", String(items.length)) : dlg.dataset.none;
      }
    },
  );
  q.addEventListener("input", () => {
    clearTimeout(timer);
    status.textContent = "";
    timer = setTimeout(search, 200);
  });
  dlg.querySelector('[data-act="close"]').addEventListener("click", () => dlg.close());
  dlg.addEventListener("close", () => open.focus());
  open.addEventListener("click", () => {
    q.value = "";
    status.textContent = "";
    dlg.showModal();
    q.focus();
    search();
  });
}

function init() {
  const tpl = document.getElementById("doc-picker-dialog");
  if (!tpl) return;
  document.querySelectorAll("input[data-doc-picker]").forEach((i) => enhance(i, tpl));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
