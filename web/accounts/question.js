// Accounts area: progressive enhancement of the recovery form.
// The question (the no-JavaScript check) is hidden once the ALTCHA widget
// has verified the browser by itself, and shown again if it fails (e.g. no
// Web Crypto on a non-secure origin), so nobody is left without a way on.
(function () {
  "use strict";
  var widget = document.querySelector("altcha-widget");
  var question = document.querySelector(".captcha-question");
  if (!widget || !question) { return; }
  widget.addEventListener("statechange", function (ev) {
    var st = ev.detail && ev.detail.state;
    if (st === "verified") {
      question.hidden = true;
    } else if (st === "error" || st === "expired") {
      question.hidden = false;
    }
  });
})();
