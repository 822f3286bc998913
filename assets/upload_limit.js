// dcc.Upload silently drops a file over its max_size. This names it instead, in the alert the
// wrapper (layouts.common.sized_upload) points at, before the browser reads a byte of it.
(function () {
  "use strict";
  var MIB = 1024 * 1024;
  function check(event) {
    var box = event.target && event.target.closest && event.target.closest("[data-max-bytes]");
    if (!box) { return; }
    var files = (event.dataTransfer && event.dataTransfer.files) || event.target.files || [];
    var limit = Number(box.getAttribute("data-max-bytes"));
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > limit && window.dash_clientside && window.dash_clientside.set_props) {
        var message = files[i].name + ": " + (files[i].size / MIB).toFixed(1) + " MiB is over the " +
          +(limit / MIB).toPrecision(4) + " MiB upload limit";
        window.dash_clientside.set_props(box.getAttribute("data-alert-id"), {
          children: {
            namespace: "dash_html_components", type: "Div",
            props: { children: message, className: "alert alert-danger py-2 small", id: "upload-limit-alert" }
          }
        });
        return;
      }
    }
  }
  document.addEventListener("drop", check, true);
  document.addEventListener("change", check, true);
})();
