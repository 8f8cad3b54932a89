// Portique: progressive enhancements only. Every page works without this file.
(function () {
  "use strict";
  // RGAA 13.1: warn before the session ends and let the person extend it.
  // The warning fills a live region present from the start (role=status in
  // the footer); focus never moves (someone typing keeps typing). The
  // extension is a fetch: no reload, so unsaved text stays where it is. At
  // the session's absolute end the server says no extension is possible.
  var form = document.querySelector(".session-extend[data-idle-end]");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector(".session-status");
  var ends = form.querySelector(".session-ends");
  var timers = [];
  function say(text) {
    if (status) { status.textContent = text; }
  }
  function schedule(endISO) {
    timers.forEach(clearTimeout);
    timers = [];
    var end = Date.parse(endISO);
    if (isNaN(end)) { return; }
    var left = end - Date.now();
    if (left > 2147483647) { return; }
    timers.push(setTimeout(function () {
      form.classList.add("warning");
      say(form.getAttribute("data-warning"));
    }, Math.max(0, left - 5 * 60 * 1000)));
    timers.push(setTimeout(function () {
      form.classList.add("warning");
      var b = form.querySelector("button");
      if (b) { b.remove(); }
      say(form.getAttribute("data-expired"));
    }, Math.max(0, left)));
  }
  schedule(form.getAttribute("data-idle-end"));
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (!res.ok || type.indexOf("application/json") < 0) { throw new Error("session"); }
      return res.json();
    }).then(function (d) {
      form.setAttribute("data-idle-end", d.idle_end);
      form.setAttribute("data-warning", d.warning);
      form.classList.remove("warning");
      if (ends) { ends.textContent = d.ends; }
      if (d.final) {
        var b = form.querySelector("button");
        // Keep the focus on the page, not on a removed button.
        if (b && document.activeElement === b) { ends.setAttribute("tabindex", "-1"); ends.focus(); }
        if (b) { b.remove(); }
      }
      say(d.message);
      schedule(d.idle_end);
    }).catch(function () {
      say(form.getAttribute("data-expired"));
    });
  });
})();
