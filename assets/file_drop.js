// A file dropped or chosen in a .file-drop zone (layouts.common.file_drop) is posted to the server as the
// raw request body, which streams it to disk; the callback then gets only {token, filename, size} in the
// zone's Store. Left to itself, dcc.Upload would send the file as base64 inside a callback's JSON, and the
// server held about five copies of it at once. The listeners run in the capture phase on document, so they
// see the event before React's root listeners and stop it there: dcc.Upload never reads the file.
// Progress, refusals and errors are shown in the zone's alert.
(function () {
  "use strict";
  var MIB = 1024 * 1024;

  function zoneOf(node) {
    return node && node.closest ? node.closest(".file-drop") : null;
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function say(zone, text, color) {
    window.dash_clientside.set_props(zone.getAttribute("data-alert-id"), {
      children: {
        namespace: "dash_html_components", type: "Div",
        props: { children: text, className: "alert alert-" + color + " py-2 small file-drop-status", role: "status" }
      }
    });
  }

  // A refusal names the file it is about: "sales.csv: the file is empty (0 bytes)".
  function refusal(xhr, file) {
    try {
      var error = JSON.parse(xhr.responseText).error;
      return file.name + ": " + (error.field === "file" ? "" : error.field + ": ") + error.message;
    } catch (ignored) {
      return file.name + ": the upload failed (the server answered " + xhr.status + ")";
    }
  }

  function send(zone, file) {
    var limit = Number(zone.getAttribute("data-max-bytes"));
    if (file.size > limit) {
      say(zone, file.name + ": " + (file.size / MIB).toFixed(1) + " MiB is over the " +
        +(limit / MIB).toPrecision(4) + " MiB upload limit", "danger");
      return;
    }
    var xhr = new XMLHttpRequest();
    var url = zone.getAttribute("data-upload-url");
    xhr.open("POST", url + (url.indexOf("?") < 0 ? "?" : "&") + "filename=" + encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    var csrf = cookie("_csrf_token");
    if (csrf) { xhr.setRequestHeader("X-CSRFToken", csrf); }
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) {
        say(zone, "Uploading " + file.name + ": " + Math.floor(100 * event.loaded / event.total) + " %", "info");
      }
    };
    xhr.onload = function () {
      if (xhr.status !== 201) { say(zone, refusal(xhr, file), "danger"); return; }
      var received = JSON.parse(xhr.responseText);
      say(zone, "Received " + received.filename + "; reading it…", "info");
      window.dash_clientside.set_props(zone.getAttribute("data-received-id"), { data: received });
    };
    xhr.onerror = function () { say(zone, "the upload failed: the server could not be reached", "danger"); };
    xhr.send(file);
  }

  function take(event, files) {
    var zone = zoneOf(event.target);
    if (!zone) { return; }
    event.stopPropagation();
    event.preventDefault();
    zone.classList.remove("dragging");
    var input = zone.querySelector("input[type=file]");
    if (files && files.length && !(input && input.disabled)) { send(zone, files[0]); }
    if (input) { input.value = ""; }  // choosing the same file again is a new upload
  }

  document.addEventListener("change", function (event) { take(event, event.target.files); }, true);
  document.addEventListener("drop", function (event) {
    take(event, event.dataTransfer && event.dataTransfer.files);
  }, true);
  document.addEventListener("dragover", function (event) {
    var zone = zoneOf(event.target);
    if (zone) { zone.classList.add("dragging"); }
  }, true);
  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone) { zone.classList.remove("dragging"); }
  }, true);
})();
