// Pictures inside rich text: the toolbar's "Image" button, or an image
// pasted or dropped into the editor, opens a modal dialog (native
// <dialog>, server-rendered in <template id="rte-image-dialog">, texts
// from the catalogue) asking for the file and its alternative text, or
// the explicit "decorative" choice (empty alt, RGAA 1.2). "Insérer" posts
// the picture to /pages/{id}/images (the store checks, resizes and keeps
// it as for an image block) and inserts the <img> the server answers. A
// refusal (not an image, too big…) is shown in the dialog; the text is
// not touched, so nothing is lost.
import { t } from "./texts.js";

let dialog = null;

function dialogEl() {
  if (dialog) return dialog;
  const tpl = document.getElementById("rte-image-dialog");
  if (!tpl) return null;
  dialog = tpl.content.firstElementChild.cloneNode(true);
  document.body.append(dialog);
  return dialog;
}

// imagesEnabled: the page offers the dialog (the page edit form).
export function imagesEnabled() {
  return document.getElementById("rte-image-dialog") !== null;
}

// siteImage is the only src the server keeps in text (pages.richImageSrc).
const siteImage = /^\/medias\/[1-9][0-9]*\/(0|480|960|1600)$/;

// dropForeignImages removes from pasted HTML the pictures that are not the
// site's own (the server would drop them on save): what the editor shows
// is what will be kept. A picture copied from one of the site's pages
// keeps its site address (its srcset and the like are not kept).
export function dropForeignImages(html) {
  if (!/<img/i.test(html)) return html;
  const doc = new DOMParser().parseFromString("<body>" + html, "text/html");
  for (const img of [...doc.body.querySelectorAll("img")]) {
    let src = img.getAttribute("src") || "";
    try {
      const u = new URL(src, location.href);
      if (u.origin === location.origin) src = u.pathname;
    } catch {
      src = "";
    }
    if (siteImage.test(src)) {
      img.setAttribute("src", src);
      for (const a of ["srcset", "sizes", "loading", "title", "style", "class"]) img.removeAttribute(a);
    } else img.remove();
  }
  return doc.body.innerHTML;
}

// firstImage returns the first image file of a DataTransfer (paste, drop).
export function firstImage(dt) {
  if (!dt || !dt.files) return null;
  for (const f of dt.files) if (/^image\//.test(f.type)) return f;
  return null;
}

// pickImage opens the dialog for editor; file (pasted or dropped) is
// chosen already; pos is where to insert (a drop), else the selection.
export function pickImage(editor, file, pos, say) {
  const dlg = dialogEl();
  if (!dlg) return false;
  const input = dlg.querySelector("#ip-file");
  const alt = dlg.querySelector("#ip-alt");
  const deco = dlg.querySelector("#ip-decorative");
  const err = dlg.querySelector("#ip-error");
  const status = dlg.querySelector("#ip-status");
  const ok = dlg.querySelector('[data-act="ok"]');
  alt.value = "";
  deco.checked = false;
  alt.disabled = false;
  err.textContent = "";
  err.hidden = true;
  status.textContent = "";
  for (const el of [input, alt]) el.removeAttribute("aria-invalid");
  input.value = "";
  if (file) {
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    status.textContent = t("image_pasted", file.name || "image");
  }
  const fail = (msg, field) => {
    err.textContent = msg;
    err.hidden = false;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
    ok.disabled = false;
  };
  const done = () => {
    dlg.close();
    editor.commands.focus();
  };
  deco.onchange = () => {
    alt.disabled = deco.checked;
    if (deco.checked) alt.removeAttribute("aria-invalid");
  };
  dlg.onclick = (e) => {
    const act = e.target.closest("[data-act]")?.dataset.act;
    if (act === "cancel") return done();
    if (act !== "ok") return;
    err.hidden = true;
    for (const el of [input, alt]) el.removeAttribute("aria-invalid");
    if (!input.files || input.files.length === 0) return fail(dlg.dataset.needFile, input);
    if (!deco.checked && alt.value.trim() === "") return fail(dlg.dataset.needAlt, alt);
    const body = new FormData();
    body.append("alt", deco.checked ? "" : alt.value.trim());
    if (deco.checked) body.append("decorative", "1");
    body.append("file", input.files[0]);
    ok.disabled = true;
    status.textContent = t("image_sending");
    fetch(dlg.dataset.upload, { method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => r.json().catch(() => ({ error: t("image_failed", r.status) })).then((j) => ({ r, j })))
      .then(({ r, j }) => {
        if (!r.ok || j.error) {
          status.textContent = "";
          return fail(j.error || t("image_failed", r.status), input);
        }
        const attrs = { src: j.src, alt: j.alt, width: String(j.width), height: String(j.height) };
        const chain = editor.chain().focus();
        (typeof pos === "number" ? chain.insertContentAt(pos, { type: "image", attrs }) : chain.setImage(attrs)).run();
        ok.disabled = false;
        dlg.close();
        editor.commands.focus();
        say(j.alt ? t("image_inserted", j.alt) : t("image_inserted_decorative"));
      })
      .catch(() => {
        status.textContent = "";
        fail(t("image_network"), input);
      });
  };
  dlg.oncancel = () => setTimeout(() => editor.commands.focus(), 0);
  dlg.showModal();
  (file ? alt : input).focus();
  return true;
}
