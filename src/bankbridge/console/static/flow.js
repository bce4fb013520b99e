/*
 * Walk a flow, step 2: run the partner's own front end in the page, then hand its result to
 * step 3's form (#flow-result) and submit it: the server makes the API call.
 *
 * The session's details come from <script type="application/json" id="flow-data"> (data, not
 * code: the page's CSP runs no inline script). The partners' front ends are BankBridge's
 * drop-ins, loaded by the page before this file, exactly as an integrator's app uses them:
 *
 * - Plaid:        Plaid.create({token, onSuccess(public_token, metadata), onExit}).open()
 * - Checkout.com: CheckoutWebComponents({publicKey, paymentSession, onPaymentCompleted, onError})
 *                 .create("flow").mount("#flow-container")
 * - MX:           the Connect page in #mx-connect; its postMessage events ({mx: true, type,
 *                 metadata}) are read from that frame and its origin only.
 *
 * Without JavaScript the page still works: MX Connect runs in its frame, and the public token
 * or payment id can be pasted into the form by hand.
 */
(function () {
  "use strict";

  var node = document.getElementById("flow-data");
  var form = document.getElementById("flow-result");
  if (!node || !form) {
    return;
  }
  var data = JSON.parse(node.textContent);
  var statusLine = document.getElementById("flow-status");
  // What the result form's submission does next: a re-authentication only reads the exchange.
  var next = data.reauth ? "reading the exchange again…" : "creating the exchange…";

  function say(text) {
    if (statusLine) {
      statusLine.textContent = text;
    }
  }

  function setField(name, value) {
    var input = form.elements.namedItem(name);
    if (input) {
      input.value = value;
    }
  }

  function submit() {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function startPlaid() {
    var button = document.getElementById("open-link");
    if (!window.Plaid || !button) {
      say("Plaid Link's script did not load.");
      return;
    }
    var handler = window.Plaid.create({
      token: data.linkToken,
      onSuccess: function (publicToken, metadata) {
        var accounts = (metadata && metadata.accounts) || [];
        setField("token", publicToken);
        setField("account_type", accounts.length ? accounts[0].subtype || "" : "");
        say("Plaid Link succeeded: " + next);
        submit();
      },
      onExit: function (error) {
        say(error ? "Plaid Link closed: " + error.error_code : "Plaid Link closed.");
      },
    });
    button.disabled = false;
    button.addEventListener("click", function () {
      handler.open();
    });
  }

  function startCheckout() {
    if (typeof window.CheckoutWebComponents !== "function") {
      say("Checkout.com Flow's script did not load.");
      return;
    }
    window
      .CheckoutWebComponents({
        publicKey: data.publicKey,
        environment: "sandbox",
        locale: "en-US",
        paymentSession: data.paymentSession,
        onPaymentCompleted: function (component, payment) {
          setField("token", payment.id);
          say("Payment " + payment.id + " approved: " + next);
          submit();
        },
        onError: function (component, error) {
          say("Checkout.com: " + (error && error.message ? error.message : "error"));
        },
      })
      .then(function (checkout) {
        var flow = checkout.create("flow");
        return flow.isAvailable().then(function (available) {
          if (available) {
            flow.mount("#flow-container");
          } else {
            say("Checkout.com Flow is not available for this session.");
          }
        });
      })
      .catch(function (error) {
        say("Checkout.com Flow did not start: " + (error && error.message));
      });
  }

  function startMx() {
    var frame = document.getElementById("mx-connect");
    if (!frame) {
      return;
    }
    var origin = new URL(data.connectUrl, window.location.href).origin;
    var member = null;
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) {
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
      if (!message || message.mx !== true || typeof message.type !== "string") {
        return;
      }
      var metadata = message.metadata || {};
      if (message.type === "mx/connect/memberConnected") {
        member = metadata.member_guid || "";
        say("MX connected member " + member + ": press Done to continue.");
      } else if (message.type === "mx/connect/connected/primaryAction" && member !== null) {
        say(data.reauth ? "MX connected: " + next : "Listing the customer's connected accounts…");
        submit();
      }
    });
  }

  if (data.partner === "plaid") {
    startPlaid();
  } else if (data.partner === "checkout") {
    startCheckout();
  } else if (data.partner === "mx") {
    startMx();
  }
})();
