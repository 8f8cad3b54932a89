// The link picker of the rich-text editor: a modal dialog (the native
// <dialog>, so focus stays inside and Escape closes it) with the address
// and a search of the pages and documents the person may see (GET
// /pages/liens, JSON, filtered by the server's stores). Its markup and
// texts come from the server (<template id="rte-link-dialog">); without it
// (another form) the editor falls back to prompt().

import { linkSearch } from "./linksearch.js";

let dialog = null;

function dialogEl() {
  if (dialog) return dialog;
  const tpl = document.getElementById("rte-link-dialog");
  if (!tpl) return null;
  dialog = tpl.content.firstElementChild.cloneNode(true);
  document.body.append(dialog);
  return dialog;
}

// pickLink opens the dialog for editor; safeURL checks the address typed.
export function pickLink(editor, safeURL) {
  const dlg = dialogEl();
  if (!dlg) return false;
  const url = dlg.querySelector("#lp-url");
  const err = dlg.querySelector("#lp-url-error");
  const q = dlg.querySelector("#lp-q");
  const list = dlg.querySelector("#lp-results");
  const status = dlg.querySelector("#lp-status");
  const current = editor.getAttributes("link").href || "";
  url.value = current;
  q.value = "";
  list.replaceChildren();
  status.textContent = "";
  err.hidden = true;
  url.removeAttribute("aria-invalid");
  url.setAttribute("aria-describedby", "lp-url-hint");
  const done = () => {
    dlg.close();
    editor.commands.focus();
  };
  let timer = 0;
  const search = linkSearch(
    "",
    q,
    list,
    (it) => {
      url.value = it.url;
      status.textContent = dlg.dataset.chosen.replace("%s", it.label);
      dlg.querySelector('[data-act="ok"]').focus();
    },
    (items) => {
      status.textContent = items.length ? dlg.dataset.results.replace("%s", String(items.length)) : dlg.dataset.none;
    },
  );
  q.oninput = () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  };
  dlg.onclick = (e) => {
    const act = e.target.closest("[data-act]")?.dataset.act;
    if (!act) return;
    const chain = editor.chain().focus().extendMarkRange("link");
    if (act === "cancel") return done();
    if (act === "remove" || (act === "ok" && url.value.trim() === "")) {
      chain.unsetLink().run();
      return done();
    }
    const href = safeURL(url.value);
    if (!href) {
      err.hidden = false;
      url.setAttribute("aria-invalid", "true");
      url.setAttribute("aria-describedby", "lp-url-hint lp-url-error");
      url.focus();
      return;
    }
    chain.setLink({ href }).run();
    done();
  };
  url.onkeydown = (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      dlg.querySelector('[data-act="ok"]').click();
    }
  };
  dlg.oncancel = () => setTimeout(() => editor.commands.focus(), 0);
  dlg.showModal();
  url.focus();
  search();
  return true;
}
