// Portique: progressive enhancements only. Every page works without this file.
(function () {
  "use strict";
  // RGAA 13.1: warn before the session ends and let the person extend it.
  var form = document.querySelector(".session-extend[data-idle-end]");
  if (form) {
    var end = Date.parse(form.getAttribute("data-idle-end"));
    var warnAt = end - 5 * 60 * 1000 - Date.now();
    if (!isNaN(end) && warnAt < 2147483647) {
      setTimeout(function () {
        form.classList.add("warning");
        form.setAttribute("role", "alert");
        var b = form.querySelector("button");
        if (b) { b.focus(); }
      }, Math.max(0, warnAt));
    }
  }
})();
