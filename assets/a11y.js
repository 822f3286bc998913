// Accessible names and states that Dash 4's and dash-bootstrap-components' own markup leaves out (axe-core
// counted them on every page): the app's layouts cannot reach inside these components, so each fix is
// applied to the rendered element, and again whenever Dash re-renders one. Each rule says what it repairs.
(function () {
  "use strict";

  // What an element shows, as the accessible-name computation reads it: text pieces in order, joined as
  // inline elements are (without a space), an inner element with its own name ("Clear selection") by it.
  function shownText(element) {
    var parts = [];
    element.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        parts.push(node.nodeValue.trim());
      } else if (node.nodeType === Node.ELEMENT_NODE && inView(node)) {
        parts.push(node.getAttribute("aria-label") || shownText(node));
      }
    });
    return parts.join("");
  }

  // Whether a chip is on screen: a multi-select shows its first chips and cuts the rest at its edge.
  function inView(node) {
    if (!node.classList.contains("dash-dropdown-value-item")) { return true; }
    var box = node.getBoundingClientRect(), frame = node.parentElement.getBoundingClientRect();
    return box.width > 0 && box.left < frame.right - 1;
  }

  function words(id) { return (id || "").replace(/[-_]+/g, " ").trim(); }

  // The text of the <label for=...> naming the component that holds ``element`` (or its parent's).
  function labelFor(element) {
    for (var node = element; node && node !== document.body; node = node.parentElement) {
      if (node.id) {
        var label = document.querySelector('label[for="' + CSS.escape(node.id) + '"]');
        if (label) { return label.textContent.trim(); }
      }
    }
    return "";
  }

  var RULES = [
    // Dash 4's dropdown keeps a read-only input for focus management inside aria-hidden: out of the tab order.
    [".dash-dropdown-focus-target[aria-hidden='true']:not([tabindex='-1'])", function (el) {
      el.setAttribute("tabindex", "-1");
    }],
    // A progress bar is named after the component it belongs to ("train progress").
    ["[role='progressbar']:not([aria-label]):not([aria-labelledby])", function (el) {
      var owner = el.closest("[id]");
      el.setAttribute("aria-label", words(owner && owner.id) || "progress");
    }],
    // dcc.Upload's hidden file input is named by the drop zone's own text.
    ["input[type='file']:not([aria-label])", function (el) {
      var zone = el.closest(".file-drop, [id]");
      el.setAttribute("aria-label", (zone && zone.textContent.trim()) || "choose a file");
    }],
    // A range slider's two number boxes and a slider's handles: "<label> from/to" or the slider's label.
    [".dash-range-slider-min-input:not([aria-label])", function (el) {
      el.setAttribute("aria-label", (labelFor(el) + " from").trim());
    }],
    [".dash-range-slider-max-input:not([aria-label])", function (el) {
      el.setAttribute("aria-label", (labelFor(el) + " to").trim());
    }],
    ["[role='slider']:not([aria-label]):not([aria-labelledby])", function (el) {
      el.setAttribute("aria-label", labelFor(el) || "value");
    }],
    ["input[type='number']:not([aria-label]):not([id])", function (el) {
      el.setAttribute("aria-label", labelFor(el) || "number");
    }],
    // Dash 4 names a dropdown by its count and value spans, count first though shown last (a mismatch of
    // name and visible text, WCAG 2.5.3): read in the order shown. A multi-select showing several chips
    // also leaves its clear button out of the name: named instead by its label and what it shows, as the
    // name computation reads inline chips (no space between them). Re-read whenever it re-renders.
    ["button.dash-dropdown", function (el) {
      if (el.hasAttribute("data-a11y-chips") || el.querySelectorAll(".dash-dropdown-value-item").length > 1) {
        var before = (el.closest(".dash-dropdown-wrapper") || el).previousElementSibling;
        var label = before && before.tagName === "LABEL" ? before.textContent.trim() + ": " : "";
        el.removeAttribute("aria-labelledby");
        el.setAttribute("data-a11y-chips", "");
        el.setAttribute("aria-label", label + shownText(el));
        return;
      }
      var ids = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      if (ids.length > 1 && /-value-count$/.test(ids[0])) {
        el.setAttribute("aria-labelledby", ids.slice(1).concat(ids[0]).join(" "));
      }
    }],
    // An empty dropdown shows no text and had no name: the label written just before it names it.
    ["button.dash-dropdown:not([aria-label])", function (el) {
      var wrapper = el.closest(".dash-dropdown-wrapper") || el;
      var before = wrapper.previousElementSibling;
      if (before && before.tagName === "LABEL" && !(el.innerText || "").trim()) {
        el.setAttribute("aria-label", before.textContent.trim());
      }
    }],
    // dbc.Tabs points each tab at a panel that is only rendered while the tab is active.
    ["[role='tab'][aria-controls]", function (el) {
      if (!document.getElementById(el.getAttribute("aria-controls"))) { el.removeAttribute("aria-controls"); }
    }],
  ];

  function repair(root) {
    RULES.forEach(function (rule) {
      (root.querySelectorAll ? root : document).querySelectorAll(rule[0]).forEach(rule[1]);
    });
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repair(document); });
  }

  function start() {
    repair(document);
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
