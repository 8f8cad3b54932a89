// In-place editing (issue 13A) on top of the edit form, which stays the
// no-JavaScript path and the only thing the server reads: every block's
// fieldset carries the block as the page shows it (.block-live, rendered by
// the server) and its fields (.edit-fields). This script shows the live
// view and opens a block on "Modifier" (or a click on it): a text block is
// edited inline in the rich-text editor, any other block — including types
// this script does not know — in a panel beside its view, with the fields
// the server rendered. Blocks move with Monter/Descendre (keyboard, done
// here without a reload) or by dragging their handle; each move is
// announced in a live region. "Ajouter un bloc ici" moves the form's add
// box between two blocks (the server inserts at add_at). Saving, publishing
// and the stale-save refusal are the form's own buttons.
//
// Texts come from the catalogue through the form's data-inplace-* attributes.

const blockRe = /\bblocks\.(\d+)\./g;

export function inPlace(form, richOf) {
  const d = form.dataset;
  if (!d.inplaceEdit) return;
  form.classList.add("inplace");
  const status = form.querySelector("[data-inplace-status]");
  const say = (text) => {
    status.textContent = "";
    // A new text node each time, so the same message is announced again.
    setTimeout(() => (status.textContent = text), 30);
  };
  const addBox = form.querySelector("fieldset.add-block");
  const blocks = () => [...form.querySelectorAll(":scope > fieldset.edit-block")];

  const first = blocks()[0];
  const help = document.createElement("p");
  help.className = "hint inplace-help";
  help.id = "inplace-help";
  help.textContent = d.inplaceHelp;
  (first || addBox || form.lastElementChild).before(help);

  const kind = (fs) => fs.querySelector("legend").textContent.replace(/^[^:]*:\s*/, "").trim();

  function open(fs, focus = true) {
    fs.classList.add("open");
    const btn = fs.querySelector(".block-edit");
    btn.setAttribute("aria-expanded", "true");
    btn.firstChild.textContent = d.inplaceDone;
    if (!focus) return;
    const rich = fs.querySelector('textarea[data-editor="rich"]');
    if (rich && richOf(rich)) {
      richOf(rich).commands.focus();
      return;
    }
    const f = fs.querySelector(".edit-fields select, .edit-fields input:not([type=hidden]), .edit-fields textarea");
    if (f) f.focus();
  }

  function close(fs) {
    fs.classList.remove("open");
    const btn = fs.querySelector(".block-edit");
    btn.setAttribute("aria-expanded", "false");
    btn.firstChild.textContent = d.inplaceEdit;
    const rich = fs.querySelector('textarea[data-editor="rich"]');
    if (rich) {
      // The live view shows the edited text (the editor's own output,
      // bounded by its schema; the server sanitises again on save).
      const div = document.createElement("div");
      div.className = "block block-text";
      div.innerHTML = rich.value;
      fs.querySelector("[data-block-live]").replaceChildren(div);
    }
    btn.focus();
  }

  function renumber() {
    blocks().forEach((fs, i) => {
      const k = Number(fs.dataset.index);
      if (k === i) return;
      for (const el of fs.querySelectorAll("[name], [id], [for], [aria-describedby], [aria-controls]")) {
        if (el.closest(".rte")) continue; // the rich-text editor keeps its own ids
        for (const a of ["name", "id", "for", "aria-describedby", "aria-controls"]) {
          const v = el.getAttribute(a);
          if (v && v.includes("blocks.")) el.setAttribute(a, v.replace(blockRe, `blocks.${i}.`));
        }
      }
      for (const b of fs.querySelectorAll('button[name="op"]')) b.value = b.value.replace(/:\d+$/, ":" + i);
      for (const n of fs.querySelectorAll(".block-tools .sr-only, .block-edit .sr-only")) n.textContent = n.textContent.replace(/\d+/, String(i + 1));
      const legend = fs.querySelector("legend");
      legend.textContent = legend.textContent.replace(/\d+/, String(i + 1));
      fs.id = "block-" + i;
      fs.dataset.index = String(i);
    });
    addHere();
  }

  function addHere() {
    form.querySelectorAll(":scope > .add-here").forEach((n) => n.remove());
    if (!addBox) return;
    blocks().forEach((fs, i) => {
      const wrap = document.createElement("div");
      wrap.className = "add-here";
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = d.inplaceAddHere;
      const sr = document.createElement("span");
      sr.className = "sr-only";
      sr.textContent = " (" + (d.inplaceAddBefore || "").replace("%s", String(i + 1)) + ")";
      b.append(sr);
      b.addEventListener("click", () => {
        fs.before(addBox);
        addBox.querySelector('input[name="add_at"]').value = String(i);
        addBox.classList.add("placed");
        const sel = addBox.querySelector("select");
        if (sel) sel.focus();
      });
      wrap.append(b);
      fs.before(wrap);
    });
  }

  function move(fs, delta, focusBtn) {
    const list = blocks();
    const i = list.indexOf(fs);
    const j = i + delta;
    if (j < 0 || j >= list.length) {
      say(d.inplaceMoved.replace("%s", kind(fs)).replace("%s", String(i + 1)).replace("%s", String(list.length)));
      return;
    }
    if (delta < 0) list[j].before(fs);
    else list[j].after(fs);
    renumber();
    if (focusBtn) focusBtn.focus();
    say(d.inplaceMoved.replace("%s", kind(fs)).replace("%s", String(j + 1)).replace("%s", String(list.length)));
  }

  let dragging = null;
  for (const [i, fs] of blocks().entries()) {
    fs.dataset.index = String(i);
    const tools = fs.querySelector(".block-tools");
    const num = tools.querySelector(".sr-only");
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "block-edit";
    edit.append(document.createTextNode(d.inplaceEdit));
    if (num) edit.append(num.cloneNode(true));
    edit.setAttribute("aria-expanded", "false");
    edit.addEventListener("click", () => (fs.classList.contains("open") ? close(fs) : open(fs)));
    const handle = document.createElement("span");
    handle.className = "block-drag";
    handle.setAttribute("aria-hidden", "true"); // mouse only: Monter/Descendre do it by keyboard
    handle.title = d.inplaceDrag;
    handle.textContent = "⠿";
    handle.addEventListener("pointerdown", () => (fs.draggable = true));
    tools.prepend(handle, edit);

    fs.querySelector("[data-block-live]").addEventListener("click", (e) => {
      e.preventDefault(); // a link of the view does not leave the editor
      open(fs);
    });
    for (const b of tools.querySelectorAll('button[name="op"]')) {
      const [verb] = b.value.split(":");
      if (verb !== "up" && verb !== "down") continue;
      b.addEventListener("click", (e) => {
        e.preventDefault();
        move(fs, verb === "up" ? -1 : 1, b);
      });
    }
    fs.addEventListener("dragstart", (e) => {
      dragging = fs;
      fs.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", kind(fs));
    });
    fs.addEventListener("dragend", () => {
      fs.draggable = false;
      fs.classList.remove("dragging");
      dragging = null;
      renumber();
      const list = blocks();
      say(d.inplaceMoved.replace("%s", kind(fs)).replace("%s", String(list.indexOf(fs) + 1)).replace("%s", String(list.length)));
    });
    // Blocks with an error, and a block just added, open at once.
    if (fs.querySelector(".field-error, [aria-invalid=true]") || fs.hasAttribute("data-added")) open(fs, fs.hasAttribute("data-added"));
  }
  form.addEventListener("dragover", (e) => {
    if (!dragging) return;
    const over = e.target.closest && e.target.closest("fieldset.edit-block");
    e.preventDefault();
    if (!over || over === dragging || over.parentElement !== form) return;
    const r = over.getBoundingClientRect();
    if (e.clientY < r.top + r.height / 2) over.before(dragging);
    else over.after(dragging);
  });
  form.addEventListener("drop", (e) => {
    if (dragging) e.preventDefault();
  });
  addHere();
}
