// Portique documents: drag-and-drop and a progress bar for uploads. This is a
// progressive enhancement: without JavaScript the same forms post as plain
// multipart forms and the server answers the same way.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-upload]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector("input[type=file]");
    if (!input || !window.FormData || !window.XMLHttpRequest) { return; }

    // Drop zone: files dropped on it go into the file input.
    var zone = document.createElement("div");
    zone.className = "dropzone";
    zone.textContent = "Glissez vos fichiers ici, ou utilisez le bouton ci-dessus.";
    input.insertAdjacentElement("afterend", zone);
    ["dragenter", "dragover"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        status.textContent = e.dataTransfer.files.length + " fichier(s) prêt(s) à envoyer.";
      }
    });

    // Progress bar and a live status for screen readers.
    var progress = document.createElement("progress");
    progress.className = "upload-progress";
    progress.max = 100;
    progress.value = 0;
    progress.hidden = true;
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    form.appendChild(progress);
    form.appendChild(status);

    form.addEventListener("submit", function (e) {
      if (!input.files || input.files.length === 0) { return; } // let the server say so
      e.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      progress.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) {
          var pct = Math.round(ev.loaded * 100 / ev.total);
          progress.value = pct;
          progress.textContent = pct + " %";
          status.textContent = "Envoi : " + pct + " %";
        }
      });
      xhr.addEventListener("load", function () {
        // Show the page the server answered with (after its redirect on
        // success: the folder with its confirmation; on a 422: the form with
        // its French messages), at the address it came from.
        var url = xhr.responseURL || form.action;
        document.open();
        document.write(xhr.responseText);
        document.close();
        if (url.indexOf("/envoi") < 0 && url.indexOf("/remplacer") < 0) {
          history.replaceState(null, "", url);
        }
      });
      xhr.addEventListener("error", function () {
        if (button) { button.disabled = false; }
        progress.hidden = true;
        status.textContent = "L’envoi a échoué (connexion interrompue). Réessayez.";
      });
      xhr.send(new FormData(form));
    });
  });
})();
