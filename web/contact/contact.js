// Contact form enhancement (progressive: the form works without it).
// - file fields become drop zones: files dragged onto the field are added
//   to its input, and the chosen names are listed (announced politely);
// - a message with files is sent in the background with a progress bar;
//   the answer replaces the form (errors, focused summary) or the page
//   goes where the server sent it (the confirmation).
// Every text comes from the page (data-* attributes drawn from the French
// catalogue); no inline script or style, so the strict CSP holds.

function listFiles(input, list, label) {
  list.replaceChildren();
  const names = Array.from(input.files || []).map((f) => f.name);
  if (names.length === 0) return;
  const p = document.createElement("p");
  p.textContent = label;
  list.append(p);
  const ul = document.createElement("ul");
  for (const n of names) {
    const li = document.createElement("li");
    li.textContent = n;
    ul.append(li);
  }
  list.append(ul);
}

function enhanceFiles(form, input) {
  const field = input.closest(".field") || input.parentElement;
  const zone = document.createElement("div");
  zone.className = "contact-drop";
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = form.dataset.drop || "";
  const list = document.createElement("div");
  list.setAttribute("aria-live", "polite");
  zone.append(hint, list);
  input.after(zone);
  const show = () => listFiles(input, list, form.dataset.chosen || "");
  input.addEventListener("change", show);
  const stop = (e) => { e.preventDefault(); e.stopPropagation(); };
  field.addEventListener("dragenter", (e) => { stop(e); zone.classList.add("over"); });
  field.addEventListener("dragover", (e) => { stop(e); zone.classList.add("over"); });
  field.addEventListener("dragleave", (e) => { if (!field.contains(e.relatedTarget)) zone.classList.remove("over"); });
  field.addEventListener("drop", (e) => {
    stop(e);
    zone.classList.remove("over");
    if (!e.dataTransfer || e.dataTransfer.files.length === 0) return;
    const dt = new DataTransfer();
    for (const f of Array.from(input.files || [])) dt.items.add(f);
    for (const f of Array.from(e.dataTransfer.files)) dt.items.add(f);
    input.files = dt.files;
    show();
  });
  show();
}

function hasFiles(form) {
  return Array.from(form.querySelectorAll("input[type=file]")).some((i) => i.files && i.files.length > 0);
}

function showPage(html, url) {
  if (url) history.replaceState(null, "", url);
  document.open();
  document.write(html);
  document.close();
}

function send(form) {
  const box = form.querySelector("[data-contact-progress]");
  const bar = box && box.querySelector("progress");
  const status = box && box.querySelector("[data-contact-status]");
  const button = form.querySelector("button[type=submit]");
  const say = (text) => { if (status) status.textContent = text; };
  if (box) box.hidden = false;
  if (button) button.disabled = true;
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable || !bar) return;
    const pct = Math.round((e.loaded / e.total) * 100);
    bar.value = pct;
    say((form.dataset.sending || "%d %%").replace("%d", pct).replace("%%", "%"));
  });
  const failed = () => {
    if (box) box.hidden = true;
    if (button) button.disabled = false;
    say(form.dataset.failed || "");
    const alert = document.createElement("p");
    alert.className = "field-error";
    alert.setAttribute("role", "alert");
    alert.textContent = form.dataset.failed || "";
    form.prepend(alert);
  };
  xhr.addEventListener("error", failed);
  xhr.addEventListener("abort", failed);
  xhr.addEventListener("load", () => {
    const target = new URL(form.action, location.href);
    const landed = xhr.responseURL ? new URL(xhr.responseURL) : target;
    if (xhr.status === 200 && landed.pathname !== target.pathname) {
      // The confirmation page, already fetched (it carried the flash
      // message): shown as it is, at its own address.
      showPage(xhr.responseText, landed.href);
      return;
    }
    const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const section = form.closest(".block-contact");
    const fresh = doc.getElementById(form.id);
    const freshSection = fresh && fresh.closest(".block-contact");
    if (xhr.status === 422 && section && freshSection) {
      const node = document.importNode(freshSection, true);
      section.replaceWith(node);
      const f = node.querySelector("form[data-contact-form]");
      if (f) enhance(f);
      const summary = node.querySelector(".form-errors");
      if (summary) summary.focus();
      return;
    }
    // Another answer (429, 413…): the server's page as it is.
    showPage(xhr.responseText, null);
  });
  xhr.send(new FormData(form));
}

function enhance(form) {
  if (form.dataset.enhanced) return;
  form.dataset.enhanced = "1";
  form.querySelectorAll("input[data-contact-files]").forEach((i) => enhanceFiles(form, i));
  form.addEventListener("submit", (e) => {
    if (!hasFiles(form) || typeof XMLHttpRequest === "undefined") return; // a plain post
    e.preventDefault();
    send(form);
  });
}

document.querySelectorAll("form[data-contact-form]").forEach(enhance);
// A form shown again with errors: the summary takes the focus, so it is
// read first and each link leads to its field (RGAA 11.10).
const summary = document.querySelector(".block-contact .form-errors");
if (summary) summary.focus();
