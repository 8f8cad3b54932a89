// Portique page editor: turns every <textarea data-editor="rich"> of the
// edit form into a TipTap rich-text editor with an accessible toolbar. The
// textarea stays in the form (hidden) and always holds the editor's HTML, so
// the server receives the same field with or without JavaScript. The server
// sanitises the HTML again: nothing here is trusted.
import { Editor } from "@tiptap/core";
import Image from "@tiptap/extension-image";
import StarterKit from "@tiptap/starter-kit";
import "./editor.css";
import { keepDrafts } from "./drafts.js";
import { inPlace } from "./inplace.js";
import { dropForeignImages, firstImage, imagesEnabled, pickImage } from "./images.js";
import { pickLink } from "./links.js";
import { t } from "./texts.js";
import {
  Lang, Pre, PTable, PTableCell, PTableHeader, PTableRow, Subscript, Superscript, TableBlock, TableCaption,
  editCaption, fromEditor, insertAccessibleTable, leaveTable, toEditor, toggleHeaderRow,
} from "./schema.js";

const buttons = [
  { id: "h2", key: "heading", attrs: { level: 2 }, run: (c) => c.toggleHeading({ level: 2 }) },
  { id: "h3", key: "heading", attrs: { level: 3 }, run: (c) => c.toggleHeading({ level: 3 }) },
  { id: "bold", key: "bold", run: (c) => c.toggleBold() },
  { id: "italic", key: "italic", run: (c) => c.toggleItalic() },
  { id: "ul", key: "bulletList", run: (c) => c.toggleBulletList() },
  { id: "ol", key: "orderedList", run: (c) => c.toggleOrderedList() },
  { id: "quote", key: "blockquote", run: (c) => c.toggleBlockquote() },
  { id: "link", key: "link", link: true },
  { id: "image", image: true },
  { id: "table", key: "table", table: true },
  { id: "caption", inTable: true, custom: editCaption },
  { id: "header", inTable: true, key: "headerRow", custom: toggleHeaderRow },
  { id: "row", inTable: true, run: (c) => c.addRowAfter() },
  { id: "col", inTable: true, run: (c) => c.addColumnAfter() },
  { id: "delrow", inTable: true, run: (c) => c.deleteRow() },
  { id: "deltable", inTable: true, custom: deleteTableBlock },
  { id: "leave", inTable: true, custom: leaveTable },
  { id: "undo", run: (c) => c.undo() },
  { id: "redo", run: (c) => c.redo() },
];

// deleteTableBlock removes the table with its caption.
function deleteTableBlock(editor) {
  const { $from } = editor.state.selection;
  for (let d = $from.depth; d > 0; d--) {
    if ($from.node(d).type.name === "tableBlock") {
      return editor.chain().focus().deleteRange({ from: $from.before(d), to: $from.after(d) }).run();
    }
  }
  return false;
}

// headerRowActive: the first row of the current table is a header row.
function headerRowActive(editor) {
  const { $from } = editor.state.selection;
  for (let d = $from.depth; d > 0; d--) {
    const n = $from.node(d);
    if (n.type.name === "table") return n.firstChild?.attrs.section === "thead";
  }
  return false;
}

function safeURL(url) {
  const u = url.trim();
  if (/^(https?:|mailto:|tel:|\/|#)/i.test(u)) return u;
  if (/^[a-z0-9.-]+\.[a-z]{2,}(\/|$)/i.test(u)) return "https://" + u;
  return null;
}

// editors maps a ProseMirror view to its TipTap editor (paste and drop
// handlers receive the view).
const editors = new WeakMap();
const editorOf = (view) => editors.get(view);

// say announces a change to screen readers (the form's live region).
function say(msg) {
  const status = document.querySelector("[data-inplace-status]") || document.getElementById("rte-status");
  if (status) status.textContent = msg;
}

function enhance(textarea) {
  const wrap = document.createElement("div");
  wrap.className = "rte";
  const bar = document.createElement("div");
  bar.className = "rte-toolbar";
  bar.setAttribute("role", "toolbar");
  const label = textarea.labels && textarea.labels[0];
  bar.setAttribute("aria-label", label ? t("toolbar_of", label.textContent.trim()) : t("toolbar"));
  // The caption's "Légende :" mark (editor.css) in the catalogue's words.
  wrap.style.setProperty("--rte-caption-label", JSON.stringify(t("caption_label")));
  if (textarea.id) bar.setAttribute("aria-controls", textarea.id + "-rte");
  const area = document.createElement("div");
  area.className = "rte-area";
  wrap.append(bar, area);
  textarea.after(wrap);
  textarea.hidden = true;

  const editor = new Editor({
    element: area,
    // The site's Content-Security-Policy forbids inline <style>: the
    // ProseMirror base styles come from editor.css (imported from the
    // packages) instead of being injected.
    injectCSS: false,
    content: toEditor(textarea.value),
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3, 4] },
        codeBlock: false,
        link: { openOnClick: false, autolink: true, HTMLAttributes: { target: null, rel: null }, protocols: ["mailto", "tel"] },
      }),
      Pre,
      Subscript,
      Superscript,
      TableBlock,
      TableCaption,
      PTable.configure({ resizable: false }),
      PTableRow,
      PTableHeader,
      PTableCell,
      Lang,
      // Pictures of the site only (the server keeps no other src); never a data: URL.
      Image.configure({ inline: false, allowBase64: false }),
    ],
    editorProps: {
      // A pasted table keeps its caption and header rows too.
      transformPastedHTML: (html) => toEditor(dropForeignImages(html)),
      // A pasted or dropped picture opens the image dialog (its
      // alternative text is asked for, the server resizes and keeps it).
      handlePaste: (view, event) => {
        const file = imagesEnabled() && firstImage(event.clipboardData);
        if (!file) return false;
        event.preventDefault();
        return pickImage(editorOf(view), file, null, say);
      },
      handleDrop: (view, event) => {
        const file = imagesEnabled() && firstImage(event.dataTransfer);
        if (!file) return false;
        event.preventDefault();
        const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
        return pickImage(editorOf(view), file, at ? at.pos : null, say);
      },
      attributes: {
        id: (textarea.id || "rte") + "-rte",
        role: "textbox",
        "aria-multiline": "true",
        ...(label ? { "aria-label": label.textContent.trim() } : {}),
        ...(textarea.getAttribute("aria-describedby") ? { "aria-describedby": textarea.getAttribute("aria-describedby") } : {}),
        class: "rte-content",
      },
    },
    onUpdate: ({ editor }) => {
      textarea.value = editor.isEmpty ? "" : fromEditor(editor.getHTML());
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });

  editors.set(editor.view, editor);
  const made = buttons.filter((b) => !b.image || imagesEnabled()).map((b, i) => {
    const el = document.createElement("button");
    el.type = "button";
    el.textContent = t(b.id);
    el.className = "rte-btn rte-" + b.id;
    el.tabIndex = i === 0 ? 0 : -1;
    if (b.key && !b.table) el.setAttribute("aria-pressed", "false");
    el.addEventListener("click", () => {
      if (b.custom) {
        b.custom(editor);
        return;
      }
      if (b.image) {
        pickImage(editor, null, null, say);
        return;
      }
      const chain = editor.chain().focus();
      if (b.link && pickLink(editor, safeURL)) return;
      if (b.link) {
        const current = editor.getAttributes("link").href || "";
        const answer = window.prompt(t("link_prompt"), current);
        if (answer === null) return;
        if (answer.trim() === "") {
          chain.extendMarkRange("link").unsetLink().run();
          return;
        }
        const href = safeURL(answer);
        if (!href) {
          window.alert(t("link_bad"));
          return;
        }
        chain.extendMarkRange("link").setLink({ href }).run();
        return;
      }
      if (b.table) {
        insertAccessibleTable(editor);
        return;
      }
      b.run(chain).run();
    });
    bar.append(el);
    return { def: b, el };
  });

  // WAI-ARIA toolbar: one tab stop, arrows move between buttons.
  bar.addEventListener("keydown", (e) => {
    const visible = made.filter((m) => !m.el.hidden).map((m) => m.el);
    const i = visible.indexOf(document.activeElement);
    if (i < 0) return;
    let next = null;
    if (e.key === "ArrowRight") next = visible[(i + 1) % visible.length];
    if (e.key === "ArrowLeft") next = visible[(i - 1 + visible.length) % visible.length];
    if (e.key === "Home") next = visible[0];
    if (e.key === "End") next = visible[visible.length - 1];
    if (next) {
      e.preventDefault();
      visible.forEach((v) => (v.tabIndex = -1));
      next.tabIndex = 0;
      next.focus();
    }
  });

  const refresh = () => {
    const inTable = editor.isActive("table");
    for (const { def, el } of made) {
      if (def.inTable) el.hidden = !inTable;
      if (def.key === "headerRow") el.setAttribute("aria-pressed", String(headerRowActive(editor)));
      else if (def.key && !def.table) el.setAttribute("aria-pressed", String(editor.isActive(def.key, def.attrs || {})));
    }
    if (!made.some((m) => m.el.tabIndex === 0 && !m.el.hidden)) made[0].el.tabIndex = 0;
  };
  editor.on("selectionUpdate", refresh);
  editor.on("transaction", refresh);
  refresh();
  return editor;
}

function init() {
  const areas = [...document.querySelectorAll('textarea[data-editor="rich"]')];
  const editors = areas.map(enhance);
  const byArea = new WeakMap(areas.map((t, i) => [t, editors[i]]));
  const richOf = (textarea) => byArea.get(textarea);
  // Warn before leaving with unsaved changes (the server keeps nothing until "Enregistrer").
  const form = document.querySelector("form[data-page-editor]");
  if (form) {
    let dirty = false;
    form.addEventListener("input", () => (dirty = true));
    form.addEventListener("submit", () => (dirty = false));
    window.addEventListener("beforeunload", (e) => {
      if (dirty) e.preventDefault();
    });
  }
  if (form) {
    keepDrafts(form, (name, value) => richOf(form.elements[name])?.commands.setContent(toEditor(value), { emitUpdate: true }));
    inPlace(form, richOf);
  }
  document.documentElement.classList.add("rte-ready");
  window.portiqueEditors = editors;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
