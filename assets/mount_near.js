// Blocks made by layouts/common.mounted_when_near are built by the browser only when they come near the
// viewport (or before printing): a first visit to a long page draws what is on screen, not every chart and
// grid below it. A block is a one-tab dcc.Tabs; showing it is setting its value, as a callback would.
(function () {
  "use strict";
  var NEAR = "200px 0px";  // start building a block this far before it scrolls into view

  function show(parent) {
    if (!(window.dash_clientside && window.dash_clientside.set_props)) {  // the renderer not up yet: soon
      window.setTimeout(function () { show(parent); }, 100);
      return;
    }
    parent.classList.remove("mount-when-near");
    // "shown": layouts/common.SHOWN, the one tab's value
    window.dash_clientside.set_props(parent.id.replace(/-parent$/, ""), { value: "shown", parent_style: {} });
  }

  var observer = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            show(entry.target);
          }
        });
      }, { rootMargin: NEAR })
    : null;

  var queued = false;
  function watchNewBlocks() {
    queued = false;
    document.querySelectorAll(".mount-when-near:not([data-near-watched])").forEach(function (block) {
      block.setAttribute("data-near-watched", "1");
      if (observer) { observer.observe(block); } else { show(block); }
    });
  }
  // Dash renders pages after load and on navigation: look for new blocks once per frame with changes.
  new MutationObserver(function () {
    if (!queued) { queued = true; window.requestAnimationFrame(watchNewBlocks); }
  }).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".mount-when-near").forEach(show);
  });
})();
