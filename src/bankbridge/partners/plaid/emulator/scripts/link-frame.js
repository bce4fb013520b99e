/*
 * The Link page's side of the drop-in protocol (see link-initialize.js for the shapes).
 *
 * Every Link view is a server-rendered page; when it runs inside the drop-in's iframe, this
 * script tells the app's handler what happened, reading the view's messages from the JSON
 * block #plaid-link-messages: {"parent_origin": "https://app.example", "after_open": bool,
 * "messages": [...]} (after_open: hold them until the handler's open()). Messages go to
 * the parent window only, and only to the app origin the handler declared (``origin`` in
 * the iframe URL); commands are taken only from that window and origin. Opened directly in a
 * tab, the page is a plain form and this script does nothing.
 */
(function () {
  "use strict";

  var PAGE_SOURCE = "bankbridge-plaid-link";
  var HANDLER_SOURCE = "bankbridge-plaid-link-handler";
  var block = document.getElementById("plaid-link-messages");
  if (window.parent === window || !block) {
    return;
  }
  var view = JSON.parse(block.textContent);
  var parentOrigin = view.parent_origin;
  if (!parentOrigin) {
    return;
  }

  function post(message) {
    message.source = PAGE_SOURCE;
    var metadata = message.metadata;
    if (metadata && Object.prototype.hasOwnProperty.call(metadata, "timestamp")) {
      metadata.timestamp = new Date().toISOString();
    }
    window.parent.postMessage(message, parentOrigin);
  }

  function postAll() {
    view.messages.forEach(post);
    view.messages = [];
  }

  function submitForm(id) {
    var form = document.getElementById(id);
    if (form) {
      form.submit();
    }
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) {
      return;
    }
    var command = event.data;
    if (!command || typeof command !== "object" || command.source !== HANDLER_SOURCE) {
      return;
    }
    if (command.type === "open") {
      postAll();
    } else if (command.type === "exit") {
      // force: leave at once; otherwise ask first, as Link's exit pane does.
      submitForm(command.force ? "plaid-link-exit" : "plaid-link-exit-prompt");
    }
    // "submit" carries data for Plaid Layer, which this emulator does not offer.
  });

  // Link is visible only once the app has called open(): a user who acts before the handler's
  // "open" arrives has opened it. Report the view first, so no event is lost to the navigation.
  document.addEventListener("submit", postAll, true);

  post({ type: "ready" });
  if (!view.after_open) {
    postAll();
  }
})();
