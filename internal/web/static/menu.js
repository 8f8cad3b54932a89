// Portique: the main menu's sub-menus (partials/menu.html). Each is a
// <details> that opens and closes without this file; here, Escape closes
// the open one and gives the focus back to its button, opening one closes
// the others, and a click or the focus going elsewhere closes it.
(function () {
  "use strict";
  var nav = document.querySelector(".main-nav");
  if (!nav) { return; }
  var subs = Array.prototype.slice.call(nav.querySelectorAll("details.submenu"));
  function closeAll(except) {
    subs.forEach(function (d) { if (d !== except) { d.open = false; } });
  }
  subs.forEach(function (d) {
    var button = d.querySelector("summary");
    d.addEventListener("toggle", function () { if (d.open) { closeAll(d); } });
    d.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && d.open) {
        e.preventDefault();
        d.open = false;
        button.focus();
      }
    });
    d.addEventListener("focusout", function (e) {
      if (d.open && e.relatedTarget && !d.contains(e.relatedTarget)) { d.open = false; }
    });
  });
  document.addEventListener("click", function (e) {
    if (!nav.contains(e.target)) { closeAll(null); }
  });
}());
