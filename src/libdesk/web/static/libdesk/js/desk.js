/* libdesk's staff desk: keyboard shortcuts, the scan box kept focused, htmx's answers to
   refusals shown in place. Every page works without this file: forms post and the server
   answers with the whole page. No inline script (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  function scanBox() {
    return document.querySelector("[data-scan-box]");
  }

  function focusScanBox() {
    var box = scanBox();
    if (box) {
      box.value = "";
      box.focus();
    }
  }

  function setUpHtmx() {
    if (!window.htmx) {
      return;
    }
    // A refusal (409) and a form error (422) are answers to show, like a 200.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
    document.body.addEventListener("htmx:configRequest", function (event) {
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      if (token) {
        event.detail.headers["X-CSRFToken"] = token.value;
      }
    });
    // After every answer swapped in, the next scan goes straight into an empty box.
    document.body.addEventListener("htmx:afterSettle", focusScanBox);
  }

  function onKey(event) {
    if (event.key === "Escape" && scanBox()) {
      event.preventDefault();
      focusScanBox();
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey || event.key.length !== 1) {
      return;
    }
    var target = document.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.matches("input, textarea, select")) {
      target.focus();
    } else {
      target.click();
    }
  }

  function onClick(event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpHtmx();
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    if (scanBox() && (document.activeElement === document.body || !document.activeElement)) {
      scanBox().focus();
    }
  });
})();
