// Embed mode (?embed=1): hide the app chrome before the first paint and tell the parent page how
// tall the content is, so a report can size its <iframe>. Runs before Dash renders anything.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var embedded = ["1", "true", "yes"].indexOf((params.get("embed") || "").toLowerCase()) !== -1;
  if (!embedded) { return; }
  document.documentElement.classList.add("embed");
  if (window.parent === window) { return; }
  var last = 0;
  function postHeight() {
    // The body's height is the content's; the document's is never less than the iframe viewport.
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      // Height is not sensitive, so any parent origin may receive it.
      window.parent.postMessage({ type: "dashboard:height", height: height, href: window.location.href }, "*");
    }
  }
  window.addEventListener("load", postHeight);
  if (window.ResizeObserver) {
    document.addEventListener("DOMContentLoaded", function () {
      new ResizeObserver(postHeight).observe(document.body);
    });
  }
  setInterval(postHeight, 1000);
})();
