// The editor's schema beyond StarterKit: accessible tables (caption, header
// row with scope, thead/tbody/tfoot kept), sub/sup, <pre> without <code>,
// and the lang attribute everywhere. Everything the server's sanitiser
// (internal/pages/sanitize.go) allows must survive a load and a save: the
// round-trip test (internal/web/editor_browser_test.go) loads every allowed
// element and attribute and checks what comes back.
//
// ProseMirror tables (prosemirror-tables) must be table > row > cell, so a
// caption cannot be a child of the table node and sections (thead, tfoot)
// cannot be nodes. The editor therefore works on an equivalent form:
//   <div data-rte-table>            tableBlock: caption? table
//     <div data-rte-caption>…</div> tableCaption (inline content)
//     <table><tr data-section="thead"><th scope="col">…
// toEditor() turns stored HTML into that form before loading (and before a
// paste); fromEditor() turns the editor's HTML back into plain HTML tables.
import { Extension, Mark, Node, mergeAttributes } from "@tiptap/core";
import CodeBlock from "@tiptap/extension-code-block";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import { TextSelection } from "@tiptap/pm/state";

const sections = ["thead", "tbody", "tfoot"];

// toEditor rewrites tables of html into the editor's form. DOMParser
// documents are inert: nothing loads or runs while rewriting.
export function toEditor(html) {
  const doc = new DOMParser().parseFromString("<body>" + html, "text/html");
  for (const table of [...doc.body.querySelectorAll("table")].reverse()) {
    const wrap = doc.createElement("div");
    wrap.setAttribute("data-rte-table", "");
    const caption = [...table.children].find((c) => c.tagName === "CAPTION");
    if (caption) {
      const c = doc.createElement("div");
      c.setAttribute("data-rte-caption", "");
      if (caption.hasAttribute("lang")) c.setAttribute("lang", caption.getAttribute("lang"));
      c.append(...caption.childNodes);
      wrap.append(c);
      caption.remove();
    }
    for (const sec of [...table.children]) {
      const name = sec.tagName.toLowerCase();
      if (!sections.includes(name)) continue;
      for (const tr of [...sec.children]) {
        if (tr.tagName !== "TR") continue;
        if (name !== "tbody") tr.setAttribute("data-section", name);
        if (sec.hasAttribute("lang") && !tr.hasAttribute("lang")) tr.setAttribute("lang", sec.getAttribute("lang"));
        table.insertBefore(tr, sec);
      }
      sec.remove();
    }
    table.replaceWith(wrap);
    wrap.append(table);
  }
  return doc.body.innerHTML;
}

// fromEditor turns the editor's HTML back into plain tables: the caption
// first, header rows in <thead>, footer rows in <tfoot>; header cells
// without scope get one (col in the header row, row at the start of a body
// row: RGAA 5.7); the editor's presentation (colgroup, style) goes.
export function fromEditor(html) {
  if (!html.includes("data-rte-table") && !html.endsWith("<p></p>")) return html;
  const doc = new DOMParser().parseFromString("<body>" + html, "text/html");
  // The editor keeps an empty paragraph after a last table or list (to type
  // after it): it is not content.
  while (doc.body.childNodes.length > 1 && doc.body.lastChild.nodeName === "P" && !doc.body.lastChild.hasChildNodes()) doc.body.lastChild.remove();
  for (const wrap of [...doc.body.querySelectorAll("div[data-rte-table]")].reverse()) {
    const table = [...wrap.children].find((c) => c.tagName === "TABLE");
    if (!table) {
      wrap.remove();
      continue;
    }
    table.removeAttribute("style");
    for (const cg of [...table.querySelectorAll(":scope > colgroup")]) cg.remove();
    const rows = [...table.querySelectorAll(":scope > tr, :scope > tbody > tr, :scope > thead > tr, :scope > tfoot > tr")];
    for (const child of [...table.children]) child.remove();
    const capDiv = [...wrap.children].find((c) => c.hasAttribute("data-rte-caption"));
    if (capDiv && capDiv.textContent.trim() !== "") {
      const cap = doc.createElement("caption");
      if (capDiv.hasAttribute("lang")) cap.setAttribute("lang", capDiv.getAttribute("lang"));
      cap.append(...capDiv.childNodes);
      table.append(cap);
    }
    let current = null;
    for (const tr of rows) {
      const name = tr.getAttribute("data-section") || "tbody";
      tr.removeAttribute("data-section");
      if (!current || current.tagName.toLowerCase() !== name) {
        current = doc.createElement(name);
        table.append(current);
      }
      current.append(tr);
      const allTh = [...tr.children].every((c) => c.tagName === "TH");
      [...tr.children].forEach((cell, i) => {
        if (cell.tagName === "TH" && !cell.hasAttribute("scope")) cell.setAttribute("scope", name === "thead" || allTh || i > 0 ? "col" : "row");
        cell.removeAttribute("style");
        cell.removeAttribute("colwidth");
      });
    }
    wrap.replaceWith(table);
  }
  return doc.body.innerHTML;
}

// The table and its caption, as one block.
export const TableBlock = Node.create({
  name: "tableBlock",
  group: "block",
  content: "tableCaption? table",
  isolating: true,
  parseHTML: () => [{ tag: "div[data-rte-table]" }],
  renderHTML: ({ HTMLAttributes }) => ["div", mergeAttributes(HTMLAttributes, { "data-rte-table": "", class: "rte-tableblock" }), 0],
});

export const TableCaption = Node.create({
  name: "tableCaption",
  content: "inline*",
  isolating: true,
  // Tab from the caption goes to the table's first cell.
  addKeyboardShortcuts() {
    return {
      Tab: () => {
        const { state } = this.editor;
        const d = findDepth(state.selection.$from, "tableCaption");
        if (d < 0) return false;
        const table = state.selection.$from.after(d);
        const tr = state.tr.setSelection(TextSelection.near(state.doc.resolve(table + 3)));
        this.editor.view.dispatch(tr.scrollIntoView());
        return true;
      },
    };
  },
  parseHTML: () => [{ tag: "div[data-rte-caption]" }],
  renderHTML: ({ HTMLAttributes }) => ["div", mergeAttributes(HTMLAttributes, { "data-rte-caption": "", class: "rte-caption" }), 0],
});

const sectionAttr = {
  section: {
    default: null,
    parseHTML: (el) => (["thead", "tfoot"].includes(el.getAttribute("data-section")) ? el.getAttribute("data-section") : null),
    renderHTML: (a) => (a.section ? { "data-section": a.section } : {}),
  },
};

const scopeAttr = {
  scope: {
    default: null,
    parseHTML: (el) => (/^(row|col|rowgroup|colgroup)$/.test(el.getAttribute("scope") || "") ? el.getAttribute("scope") : null),
    renderHTML: (a) => (a.scope ? { scope: a.scope } : {}),
  },
};

// No cell alignment: the sanitiser drops style, so the editor offers none.
const noAlign = { align: { default: null, parseHTML: () => null, renderHTML: () => ({}) } };

export const PTableRow = TableRow.extend({
  addAttributes() {
    return { ...this.parent?.(), ...sectionAttr };
  },
});

export const PTableHeader = TableHeader.extend({
  addAttributes() {
    return { ...this.parent?.(), ...noAlign, ...scopeAttr };
  },
});

export const PTableCell = TableCell.extend({
  addAttributes() {
    return { ...this.parent?.(), ...noAlign };
  },
});

// findDepth returns the depth of the nearest ancestor of type name, or -1.
function findDepth($pos, name) {
  for (let d = $pos.depth; d > 0; d--) if ($pos.node(d).type.name === name) return d;
  return -1;
}

// The table lives only inside a tableBlock; Tab moves between cells and,
// past the last (or before the first) cell, leaves the editor as Tab does
// everywhere else (no empty row is added); Escape puts the cursor after
// the table.
export const PTable = Table.extend({
  group: "",
  addKeyboardShortcuts() {
    return {
      Tab: () => this.editor.commands.goToNextCell(),
      "Shift-Tab": () => this.editor.commands.goToPreviousCell(),
      Escape: () => leaveTable(this.editor),
    };
  },
});

// leaveTable moves the cursor to the paragraph after the table (made if
// there is none). It reports false outside a table.
export function leaveTable(editor) {
  const { state } = editor;
  const d = findDepth(state.selection.$from, "tableBlock");
  if (d < 0) return false;
  const after = state.selection.$from.after(d);
  const next = state.doc.resolve(after).nodeAfter;
  let tr = state.tr;
  if (!next || !next.isTextblock) tr = tr.insert(after, state.schema.nodes.paragraph.create());
  tr.setSelection(TextSelection.create(tr.doc, after + 1)).scrollIntoView();
  editor.view.dispatch(tr);
  return true;
}

// insertAccessibleTable inserts a table with a caption to fill in and a
// header row whose cells have scope="col"; the cursor goes to the caption.
export function insertAccessibleTable(editor, rows = 3, cols = 3) {
  const th = `<th scope="col"><p></p></th>`.repeat(cols);
  const td = `<td><p></p></td>`.repeat(cols);
  const body = `<tr>${td}</tr>`.repeat(rows - 1);
  const html = `<div data-rte-table><div data-rte-caption></div><table><tr data-section="thead">${th}</tr>${body}</table></div>`;
  const from = editor.state.selection.from;
  editor.chain().focus().insertContent(html).run();
  // Put the cursor in the new caption.
  let pos = -1;
  editor.state.doc.nodesBetween(Math.max(0, from - 2), editor.state.doc.content.size, (n, p) => {
    if (pos < 0 && n.type.name === "tableCaption") pos = p + 1;
    return pos < 0;
  });
  if (pos >= 0) editor.chain().focus().setTextSelection(pos).run();
}

// toggleHeaderRow makes the table's first row a header row (th scope="col"
// in <thead>) or an ordinary row again.
export function toggleHeaderRow(editor) {
  return editor
    .chain()
    .focus()
    .toggleHeaderRow()
    .command(({ tr }) => {
      const $from = tr.selection.$from;
      const d = findDepth($from, "table");
      if (d < 0) return false;
      const tablePos = $from.before(d);
      const table = tr.doc.nodeAt(tablePos);
      const row = table.firstChild;
      const header = row.childCount > 0 && [...Array(row.childCount).keys()].every((i) => row.child(i).type.name === "tableHeader");
      const rowPos = tablePos + 1;
      tr.setNodeMarkup(rowPos, null, { ...row.attrs, section: header ? "thead" : null });
      let p = rowPos + 1;
      row.forEach((cell) => {
        if (cell.type.name === "tableHeader") tr.setNodeMarkup(p, null, { ...cell.attrs, scope: "col" });
        p += cell.nodeSize;
      });
      return true;
    })
    .run();
}

// editCaption moves the cursor to the table's caption, adding one if needed.
export function editCaption(editor) {
  const { state } = editor;
  const d = findDepth(state.selection.$from, "tableBlock");
  if (d < 0) return false;
  const start = state.selection.$from.start(d);
  const first = state.doc.nodeAt(start);
  if (first && first.type.name === "tableCaption") {
    return editor.chain().focus().setTextSelection(start + 1 + first.content.size).run();
  }
  const tr = state.tr.insert(start, state.schema.nodes.tableCaption.create());
  tr.setSelection(TextSelection.create(tr.doc, start + 1)).scrollIntoView();
  editor.view.dispatch(tr);
  editor.commands.focus();
  return true;
}

const simpleMark = (name, tag) =>
  Mark.create({
    name,
    excludes: name === "subscript" ? "superscript" : name === "superscript" ? "subscript" : undefined,
    parseHTML: () => [{ tag }],
    renderHTML: ({ HTMLAttributes }) => [tag, HTMLAttributes, 0],
  });

export const Subscript = simpleMark("subscript", "sub");
export const Superscript = simpleMark("superscript", "sup");

// <pre> is kept as <pre> (the sanitiser allows <pre> and <code>; the
// editor's code block is plain preformatted text).
export const Pre = CodeBlock.extend({
  addAttributes() {
    return {};
  },
  renderHTML: ({ HTMLAttributes }) => ["pre", HTMLAttributes, 0],
});

// lang on every element the sanitiser keeps it on (WCAG 3.1.2).
export const Lang = Extension.create({
  name: "lang",
  addGlobalAttributes() {
    return [
      {
        types: [
          "paragraph", "heading", "blockquote", "bulletList", "orderedList", "listItem", "codeBlock", "horizontalRule",
          "table", "tableCaption", "tableRow", "tableCell", "tableHeader",
          "bold", "italic", "underline", "strike", "code", "link", "subscript", "superscript",
        ],
        attributes: {
          lang: {
            default: null,
            parseHTML: (el) => (/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$/.test(el.getAttribute("lang") || "") ? el.getAttribute("lang") : null),
            renderHTML: (a) => (a.lang ? { lang: a.lang } : {}),
          },
        },
      },
    ];
  },
});
