// The widget builds its Worker URL relative to import.meta.url, which a
// bundled (IIFE) script does not have: make the workerurl attribute absolute
// before the widget module runs (this module is imported first).
document.querySelectorAll("altcha-widget[workerurl]").forEach(function (w) {
  w.setAttribute("workerurl", new URL(w.getAttribute("workerurl"), document.baseURI).href);
});
