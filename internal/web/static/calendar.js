// Calendar popup: progressive enhancement only. Without JavaScript each event
// link opens the event's own page. With it, the link opens an accessible
// <dialog> filled with that page's #evenement article; focus moves into the
// dialog and returns to the link when it closes (Escape or "Fermer").
(function () {
  "use strict";
  var dialog = document.getElementById("cal-dialog");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) { return; }
  var body = dialog.querySelector(".cal-dialog-body");
  var opener = null;
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[data-popup]") : null;
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) { return; }
    ev.preventDefault();
    opener = a;
    fetch(a.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var art = doc.getElementById("evenement");
        if (!art) { throw new Error("no event"); }
        body.replaceChildren(document.importNode(art, true));
        dialog.showModal();
        var h = dialog.querySelector("h1");
        if (h) { h.setAttribute("tabindex", "-1"); h.focus(); }
      })
      .catch(function () { window.location.href = a.href; });
  });
  dialog.addEventListener("close", function () {
    body.replaceChildren();
    if (opener) { opener.focus(); }
  });
})();
