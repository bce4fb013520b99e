/*
 * Plaid Link's drop-in script (https://cdn.plaid.com/link/v2/stable/link-initialize.js),
 * as served by BankBridge's Plaid emulator.
 *
 * It mirrors Plaid's documented web surface and nothing more:
 *
 *   var handler = Plaid.create({token, onSuccess, onExit, onEvent, onLoad, receivedRedirectUri});
 *   handler.open(); handler.exit({force}); handler.submit(data); handler.destroy();
 *
 * Link itself is the emulator's hosted page, in a full-window iframe created at once by
 * Plaid.create (open() before it has loaded is queued, as at Plaid). The page and this
 * script talk only by window.postMessage, with an explicit message shape, each side checking
 * the other's origin and window: no cookies, no cross-origin requests.
 *
 * Page -> script: {source: "bankbridge-plaid-link", type: "ready"}
 *                 {source: ..., type: "event", event_name, metadata}
 *                 {source: ..., type: "success", public_token, metadata}
 *                 {source: ..., type: "exit", error, metadata}
 * Script -> page: {source: "bankbridge-plaid-link-handler", type: "open" | "exit" | "submit",
 *                  force?, data?}
 */
(function () {
  "use strict";

  // Written by the emulator when it serves this file: the script cannot learn BankBridge's
  // address from its own src, since test runners route Plaid's CDN URL to it.
  var LINK_URL = "__BANKBRIDGE_EMULATOR_URL__/link";
  var LINK_ORIGIN = new URL(LINK_URL).origin;
  var PAGE_SOURCE = "bankbridge-plaid-link";
  var HANDLER_SOURCE = "bankbridge-plaid-link-handler";

  if (window.Plaid && typeof window.Plaid.create === "function") {
    return; // loaded twice (react-plaid-link checks for an existing script tag, others may not)
  }

  function call(callback, args) {
    if (typeof callback === "function") {
      callback.apply(null, args);
    }
  }

  function frameUrl(config) {
    var params = new URLSearchParams();
    params.set("token", typeof config.token === "string" ? config.token : "");
    params.set("origin", window.location.origin);
    if (typeof config.receivedRedirectUri === "string" && config.receivedRedirectUri) {
      params.set("received_redirect_uri", config.receivedRedirectUri);
    }
    return LINK_URL + "?" + params.toString();
  }

  function create(config) {
    config = config || {};
    // created -> (ready) -> open -> done (onSuccess) | closed (onExit) ; destroyed at the end
    var state = "created";
    var loaded = false;
    var queue = []; // messages for the page, held until it says it is ready
    var frame = null;
    var loadReported = false;

    function makeFrame() {
      frame = document.createElement("iframe");
      frame.title = "Plaid Link";
      frame.src = frameUrl(config);
      frame.setAttribute("data-bankbridge-plaid-link", "");
      var style = frame.style;
      style.position = "fixed";
      style.top = "0";
      style.left = "0";
      style.width = "100%";
      style.height = "100%";
      style.border = "0";
      style.zIndex = "2147483647";
      style.display = "none";
      style.background = "transparent";
      loaded = false;
      queue = [];
      (document.body || document.documentElement).appendChild(frame);
    }

    function send(message) {
      message.source = HANDLER_SOURCE;
      if (!loaded) {
        queue.push(message);
      } else if (frame && frame.contentWindow) {
        frame.contentWindow.postMessage(message, LINK_ORIGIN);
      }
    }

    function hide() {
      if (frame) {
        frame.style.display = "none";
      }
    }

    function onMessage(event) {
      if (event.origin !== LINK_ORIGIN || !frame || event.source !== frame.contentWindow) {
        return;
      }
      var message = event.data;
      if (!message || typeof message !== "object" || message.source !== PAGE_SOURCE) {
        return;
      }
      if (message.type === "ready") {
        var first = !loaded;
        loaded = true;
        if (first && !loadReported) {
          loadReported = true; // once per handler, even when open() came first
          call(config.onLoad, []);
        }
        var pending = queue;
        queue = [];
        pending.forEach(send);
      } else if (message.type === "event") {
        call(config.onEvent, [message.event_name, message.metadata]);
      } else if (message.type === "success" && state === "open") {
        state = "done";
        hide();
        call(config.onSuccess, [message.public_token, message.metadata]);
      } else if (message.type === "exit" && state === "open") {
        state = "closed";
        hide();
        call(config.onExit, [message.error || null, message.metadata]);
      }
    }

    window.addEventListener("message", onMessage);
    makeFrame();

    return {
      open: function () {
        if (state === "destroyed" || state === "open") {
          return;
        }
        if (state === "done" || state === "closed") {
          // A new Link session with the same token: a fresh page, as Plaid starts over.
          frame.parentNode && frame.parentNode.removeChild(frame);
          makeFrame();
        }
        state = "open";
        frame.style.display = "block";
        send({ type: "open" });
      },
      exit: function (options) {
        // After onSuccess (apps call exit() inside it) or once closed, there is nothing to exit.
        if (state !== "open") {
          return;
        }
        send({ type: "exit", force: !!(options && options.force) });
      },
      submit: function (data) {
        if (state === "open") {
          send({ type: "submit", data: data === undefined ? null : data });
        }
      },
      destroy: function () {
        if (state === "destroyed") {
          return;
        }
        state = "destroyed";
        window.removeEventListener("message", onMessage);
        if (frame && frame.parentNode) {
          frame.parentNode.removeChild(frame);
        }
        frame = null;
      },
    };
  }

  window.Plaid = { create: create };
})();
