// The editor's words: every label, prompt and announcement the scripts
// write comes from the server's French catalogue (internal/i18n, keys
// "editor.rte.*"), handed over in <script type="application/json"
// id="rte-texts"> (data, not code: the CSP allows it). t("bold") is the
// text of "editor.rte.bold", %s replaced by the arguments in order. A Go
// test (internal/web/editor_texts_test.go) checks that every t("…") of
// web/editor has its key.
let texts = null;

function load() {
  if (texts) return texts;
  const el = document.getElementById("rte-texts");
  try {
    texts = el ? JSON.parse(el.textContent) : {};
  } catch {
    texts = {};
  }
  return texts;
}

export function t(key, ...args) {
  let s = load()[key];
  if (s === undefined) return key;
  for (const a of args) s = s.replace("%s", String(a));
  return s;
}
