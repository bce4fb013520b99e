/*
 * BankBridge's MX Connect sandbox page: speaks the Connect widget's postMessage protocol
 * (ui_message_version 4) to the window that framed or opened it, as MX's widget does.
 *
 * The server renders each step with the events that step produced, as JSON in
 * #mx-connect-data: {user_guid, session_guid, target_origin, events: [{type, metadata}]}.
 * This script posts them as {mx: true, type, metadata} with user_guid and session_guid in
 * every metadata (what @mxenabled/web-widget-sdk validates), and adds the events that
 * happen in the page alone: institution search as the user types, the Done button
 * (mx/connect/connected/primaryAction) and the SDK's navigateBack() (mx/navigation).
 *
 * The page loads this script in its <head>, so a step's events are posted before the user
 * can act on the step (a quick click must not navigate away with them unsent).
 *
 * Target origin: like MX's widget, the parent's origin from the referrer of the first page
 * (the server reads it from the Referer header; document.referrer is the fallback), carried
 * to later steps in a hidden form field: later pages have no referrer, they are requested
 * with Referrer-Policy: no-referrer. Without a referrer the messages go to "*": they carry
 * only guids, never credentials or account data.
 */
(function () {
  "use strict";

  var node = document.getElementById("mx-connect-data");
  if (!node) {
    return;
  }
  var data = JSON.parse(node.textContent);
  var parentWindow = window.parent !== window ? window.parent : null;
  var openerWindow = window.opener || null;
  var targetOrigin = data.target_origin || originOf(document.referrer) || "*";

  function originOf(url) {
    if (!url) {
      return "";
    }
    try {
      var origin = new URL(url).origin;
      return origin === "null" ? "" : origin;
    } catch (error) {
      return "";
    }
  }

  function post(type, metadata) {
    var full = { user_guid: data.user_guid, session_guid: data.session_guid };
    Object.keys(metadata || {}).forEach(function (key) {
      full[key] = metadata[key];
    });
    var message = { mx: true, type: type, metadata: full };
    [parentWindow, openerWindow].forEach(function (target) {
      if (!target) {
        return;
      }
      try {
        target.postMessage(message, targetOrigin);
      } catch (error) {
        // A closed opener: nobody left to tell.
      }
    });
  }

  (data.events || []).forEach(function (event) {
    post(event.type, event.metadata);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attach);
  } else {
    attach();
  }

  function attach() {
    // Later steps are new pages: hand them the parent's origin through every form.
    Array.prototype.forEach.call(document.forms, function (form) {
      if (form.elements.namedItem("target_origin")) {
        return;
      }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "target_origin";
      input.value = targetOrigin;
      form.appendChild(input);
    });

    // Institution search: filter the list in place and report each query, as MX does.
    var search = document.getElementById("institution-search");
    if (search) {
      var items = document.querySelectorAll("[data-institution]");
      var empty = document.getElementById("no-results");
      var timer = null;
      var runSearch = function () {
        var query = search.value.trim();
        var shown = 0;
        Array.prototype.forEach.call(items, function (item) {
          var haystack = item.getAttribute("data-institution");
          var match = !query || haystack.indexOf(query.toLowerCase()) !== -1;
          item.hidden = !match;
          shown += match ? 1 : 0;
        });
        if (empty) {
          empty.hidden = shown > 0;
        }
        if (query) {
          post("mx/connect/institutionSearch", { query: query });
        }
      };
      search.form.addEventListener("submit", function (event) {
        event.preventDefault();
        clearTimeout(timer);
        runSearch();
      });
      search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(runSearch, 300);
      });
    }

    var done = document.getElementById("done");
    if (done) {
      done.addEventListener("click", function () {
        post("mx/connect/connected/primaryAction", {});
        var note = document.getElementById("done-note");
        if (note) {
          note.hidden = false;
        }
      });
    }
  }

  // The SDK's navigateBack(): {mx: true, type: "mx/navigation", payload: {action: "back"}},
  // sent as a JSON string; answer with did_go_back and go back where the step allows it.
  window.addEventListener("message", function (event) {
    if (!parentWindow || event.source !== parentWindow) {
      return;
    }
    if (targetOrigin !== "*" && event.origin !== targetOrigin) {
      return;
    }
    var message = event.data;
    if (typeof message === "string") {
      try {
        message = JSON.parse(message);
      } catch (error) {
        return;
      }
    }
    if (!message || message.mx !== true || message.type !== "mx/navigation") {
      return;
    }
    var back = document.getElementById("back-form");
    var goesBack = Boolean(back && message.payload && message.payload.action === "back");
    post("mx/navigation", { did_go_back: goesBack });
    if (goesBack) {
      back.submit();
    }
  });
})();
