// Unsaved work survives an expired session: every change of the edit form
// is kept in the tab's sessionStorage (not localStorage: a shared computer
// must not keep a private page's text after the tab is closed). When the
// edit form of the same page opens again on the same revision (the save did
// not go through: session expired, network down) with different content,
// the editor is offered to restore it. A save that went through changes the
// form's base revision, and the kept copy is dropped.
//
// The texts come from the catalogue through the form's data-draft-*
// attributes.

const skip = new Set(["csrf", "base", "op", "add_type"]);

function fields(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || skip.has(el.name) || el.type === "file" || el.type === "submit" || el.type === "button") continue;
    out[el.name] = el.value;
  }
  return out;
}

export function keepDrafts(form, setRich) {
  const base = form.elements.base ? form.elements.base.value : "";
  const key = "portique:draft:" + new URL(form.action, location.href).pathname;
  const store = window.sessionStorage;
  let kept = null;
  try {
    kept = JSON.parse(store.getItem(key) || "null");
  } catch {
    kept = null;
  }
  const now = fields(form);
  if (kept && kept.base === base) {
    const differs = Object.entries(kept.fields).some(([k, v]) => !(k in now) || now[k] !== v);
    if (differs) offer(form, kept, setRich, () => store.removeItem(key));
    else store.removeItem(key);
  } else if (kept) {
    store.removeItem(key);
  }
  let timer = 0;
  const save = () => {
    clearTimeout(timer);
    timer = 0;
    try {
      store.setItem(key, JSON.stringify({ base, at: new Date().toISOString(), fields: fields(form) }));
    } catch {
      // Storage full or refused: the beforeunload warning still protects.
    }
  };
  form.addEventListener("input", () => {
    if (!timer) timer = setTimeout(save, 400);
  });
  // The submit may meet an expired session: keep what was sent.
  form.addEventListener("submit", save);
}

function offer(form, kept, setRich, drop) {
  const d = form.dataset;
  const box = document.createElement("div");
  box.className = "draft-restore alert";
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", d.draftLabel || "");
  const at = new Date(kept.at);
  const p = document.createElement("p");
  p.textContent = (d.draftFound || "").replace("%s", at.toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" }));
  const restore = document.createElement("button");
  restore.type = "button";
  restore.className = "draft-restore-yes";
  restore.textContent = d.draftRestore || "";
  const ignore = document.createElement("button");
  ignore.type = "button";
  ignore.className = "secondary draft-restore-no";
  ignore.textContent = d.draftIgnore || "";
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  box.append(p, restore, " ", ignore, status);
  form.before(box);
  restore.addEventListener("click", () => {
    for (const [name, value] of Object.entries(kept.fields)) {
      const el = form.elements[name];
      if (!el || el instanceof RadioNodeList) continue;
      el.value = value;
      if (el.dataset.editor === "rich") setRich(name, value);
    }
    form.dispatchEvent(new Event("input", { bubbles: true }));
    restore.remove();
    ignore.remove();
    status.textContent = d.draftRestored || "";
  });
  ignore.addEventListener("click", () => {
    drop();
    box.remove();
    if (form.elements.title) form.elements.title.focus();
  });
}
