/*
 * The Flow frame: the card form that BankBridge's CheckoutWebComponents drop-in mounts in an
 * iframe. It talks to its parent only by postMessage ({source: "bankbridge-checkout-flow", type,
 * payload}), learns the parent's origin from the parent's `init` message and then answers only
 * that origin and window. It reaches the emulator with same-origin fetch calls (no cookies),
 * each carrying the public key and payment session secret the integrator gave the drop-in.
 */
(function () {
  "use strict";

  var MESSAGE_SOURCE = "bankbridge-checkout-flow";
  var SCHEME_NAMES = { visa: "Visa", mastercard: "Mastercard", american_express: "American Express" };
  var root = document.getElementById("flow");
  var api = root.getAttribute("data-api");
  var form = document.getElementById("card-form");
  var fields = {
    card_number: document.getElementById("card_number"),
    expiry: document.getElementById("expiry"),
    cvv: document.getElementById("cvv"),
    name: document.getElementById("name"),
  };
  var payButton = document.getElementById("pay");
  var notice = document.getElementById("notice");
  var amountLine = document.getElementById("amount");

  var parentOrigin = null;
  var config = null; // the parent's init payload
  var session = null; // what the emulator said about the payment session
  var card = { bin: "", metadata: null, rejection: null, aborted: false, checking: null };
  var busy = false;
  var done = false;
  var waiting = {}; // requestId -> resolve, for answers from the parent

  function post(type, payload) {
    if (parentOrigin === null) return;
    window.parent.postMessage({ source: MESSAGE_SOURCE, type: type, payload: payload || {} }, parentOrigin);
  }

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function ask(type, payload) {
    var requestId = randomId();
    return new Promise(function (resolve) {
      waiting[requestId] = resolve;
      post(type, Object.assign({ requestId: requestId }, payload));
    });
  }

  function call(action, body) {
    var payload = Object.assign(
      {
        public_key: config.publicKey,
        payment_session_secret: config.paymentSession.payment_session_secret,
      },
      body || {}
    );
    return fetch(api + "/" + action, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
      credentials: "omit",
      cache: "no-store",
    }).then(function (response) {
      return response.json().then(
        function (json) {
          return { status: response.status, body: json };
        },
        function () {
          return { status: response.status, body: {} };
        }
      );
    });
  }

  function requestFailed(code, status) {
    return {
      type: "Request",
      code: code,
      message: "The request to Checkout.com failed (HTTP " + status + ")",
      details: { status: status },
    };
  }

  function say(text, kind) {
    notice.textContent = text || "";
    notice.className = text ? "notice " + (kind || "error") : "notice";
    notice.setAttribute("role", kind === "ok" ? "status" : "alert");
    resize();
  }

  function resize() {
    post("resize", { height: document.documentElement.scrollHeight });
  }

  function digits(value) {
    return value.replace(/[\s-]/g, "");
  }

  function luhn(number) {
    if (!/^\d{12,19}$/.test(number)) return false;
    var total = 0;
    for (var i = 0; i < number.length; i++) {
      var digit = Number(number[number.length - 1 - i]);
      if (i % 2) digit = digit > 4 ? digit * 2 - 9 : digit * 2;
      total += digit;
    }
    return total % 10 === 0;
  }

  function expiry() {
    var match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(fields.expiry.value);
    if (!match) return null;
    var month = Number(match[1]);
    var year = Number(match[2]);
    if (year < 100) year += 2000;
    if (month < 1 || month > 12) return null;
    var now = new Date();
    if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) return null;
    return { month: month, year: year };
  }

  // Field -> error text, for what the customer typed so far.
  function problems() {
    var found = {};
    var number = digits(fields.card_number.value);
    if (!luhn(number)) found.card_number = "Your card number is incomplete";
    else if (card.rejection) found.card_number = card.rejection;
    if (!expiry()) found.expiry = "Your card's expiry date is in the past";
    if (!/^\d{3,4}$/.test(fields.cvv.value.trim())) found.cvv = "Your card's security code is incomplete";
    if (fields.name.value.length > 100) found.name = "Must be less than 100 characters";
    return found;
  }

  function showProblems(found) {
    Object.keys(fields).forEach(function (name) {
      var error = document.getElementById(name + "-error");
      var message = found[name] || "";
      error.textContent = message;
      if (message) fields[name].setAttribute("aria-invalid", "true");
      else fields[name].removeAttribute("aria-invalid");
    });
    resize();
  }

  function isValid() {
    return !busy && !done && card.checking === null && Object.keys(problems()).length === 0;
  }

  var lastValid = null;
  function changed() {
    lastValid = isValid();
    post("change", { valid: lastValid });
  }

  function accepted(metadata) {
    var options = config.options || {};
    var types = options.acceptedCardTypes;
    var schemes = options.acceptedCardSchemes;
    var scheme = String(metadata.scheme || "").toLowerCase();
    var type = String(metadata.card_type || "").toLowerCase().replace(/ /g, "_");
    var label = (SCHEME_NAMES[scheme] || scheme || "This card") + (type ? " " + type.replace(/_/g, " ") : "");
    if (Array.isArray(schemes) && scheme && schemes.indexOf(scheme) < 0) return label + " not supported";
    if (Array.isArray(types) && type && types.indexOf(type) < 0) return label + " not supported";
    return null;
  }

  function binChanged() {
    var number = digits(fields.card_number.value);
    var bin = /^\d{8}/.test(number) ? number.slice(0, 8) : "";
    if (bin === card.bin) return;
    card.bin = bin;
    card.metadata = null;
    card.rejection = null;
    card.aborted = false;
    card.checking = null;
    if (!bin) return;
    var checking = (card.checking = call("card-metadata", { bin: bin })
      .then(function (answer) {
        if (card.checking !== checking) return;
        if (answer.status !== 200) return;
        card.metadata = answer.body;
        card.rejection = accepted(answer.body);
        if (card.rejection || !config.askOnCardBinChanged) return;
        return ask("bin_changed", { cardMetadata: answer.body }).then(function (reply) {
          if (card.checking !== checking || reply.continue) return;
          card.rejection = reply.errorMessage || "Card not supported";
          card.aborted = true;
        });
      })
      .catch(function () {})
      .then(function () {
        if (card.checking !== checking) return;
        card.checking = null;
        showProblems(visibleProblems());
        changed();
      }));
  }

  // Only fields the customer has left or filled show their problem before a submission.
  var touched = {};
  function visibleProblems() {
    var found = problems();
    Object.keys(found).forEach(function (name) {
      if (!touched[name]) delete found[name];
    });
    return found;
  }

  function cardFields() {
    var date = expiry();
    return {
      card_number: digits(fields.card_number.value),
      expiry_month: date ? date.month : 0,
      expiry_year: date ? date.year : 0,
      cvv: fields.cvv.value.trim(),
      name: fields.name.value.trim(),
    };
  }

  function settle() {
    return card.checking || Promise.resolve();
  }

  // Validate, then tokenize; answers the tokenization result or null (errors already shown/sent).
  function tokenizeCard(report) {
    return settle().then(function () {
      var found = problems();
      if (Object.keys(found).length) {
        Object.keys(fields).forEach(function (name) {
          touched[name] = true;
        });
        showProblems(found);
        if (report) {
          post("error", {
            error: {
              type: "Submit",
              code: "component_invalid",
              message: "The customer has not yet provided valid card details",
              details: {},
            },
          });
        }
        return null;
      }
      return call("tokens", cardFields()).then(function (answer) {
        if (answer.status === 201) return answer.body;
        if (answer.status === 422 && answer.body.errors) {
          showProblems(answer.body.errors);
          post("error", {
            error: { type: "Submit", code: "component_invalid", message: "The card details are not valid", details: {} },
          });
          return null;
        }
        var error = answer.body.error || requestFailed("tokenize_request_failed", answer.status);
        post("error", { error: error });
        say(error.message);
        return null;
      });
    });
  }

  function pay(fromIntegrator) {
    if (busy || done || session === null) return;
    post("submit", {});
    busy = true;
    payButton.disabled = true;
    say("");
    changed();
    settle()
      .then(function () {
        if (card.aborted && card.rejection) {
          var message = card.rejection;
          post("error", {
            error: {
              type: "Request",
              code: "payment_request_aborted",
              message: "The payment request was aborted: " + message,
              details: { abortReason: "card_not_supported", customMessage: message },
            },
          });
          touched.card_number = true;
          showProblems(problems());
          return;
        }
        return tokenizeCard(fromIntegrator).then(function (result) {
          if (!result) return;
          return ask("tokenized", { result: result }).then(function (reply) {
            if (!reply.continue) {
              var message = reply.errorMessage || "Payment cancelled";
              say(message);
              post("error", {
                error: {
                  type: "Request",
                  code: "payment_request_aborted",
                  message: "The payment request was aborted by onTokenized",
                  details: { customMessage: reply.errorMessage },
                },
              });
              return;
            }
            return call("payments", { token: result.data.token }).then(finish);
          });
        });
      })
      .catch(function () {
        var error = requestFailed("network_error", 0);
        post("error", { error: error });
        say("Payment declined – try again or use another payment method");
      })
      .then(function () {
        busy = false;
        payButton.disabled = done;
        changed();
      });
  }

  function finish(answer) {
    var body = answer.body || {};
    if (answer.status === 201 && body.status === "Approved") {
      done = true;
      form.querySelectorAll("input, button").forEach(function (element) {
        element.disabled = true;
      });
      say(body.display_message || "Payment successful", "ok");
      post("payment_completed", { payment: { id: body.id, status: body.status, type: body.type } });
      return;
    }
    if (answer.status === 201 && body.status === "Declined") {
      say(body.display_message);
      post("error", {
        error: {
          type: "Request",
          code: "payment_request_declined",
          message: "The payment request was declined: " + body.response_summary,
          details: {
            paymentId: body.id,
            requestErrorCodes: [body.decline_reason],
            requestId: body.request_id,
            status: answer.status,
          },
        },
      });
      return;
    }
    if (answer.status === 422 && body.errors) {
      showProblems(body.errors);
      return;
    }
    var error = body.error || requestFailed("payment_request_failed", answer.status);
    if (error.details === undefined) error.details = {};
    say(error.message);
    post("error", { error: error });
  }

  function tokenizeForIntegrator(requestId) {
    if (busy || done || session === null) {
      post("tokenize_result", { requestId: requestId, result: null });
      return;
    }
    busy = true;
    tokenizeCard(true)
      .catch(function () {
        post("error", { error: requestFailed("tokenize_request_failed", 0) });
        return null;
      })
      .then(function (result) {
        busy = false;
        post("tokenize_result", { requestId: requestId, result: result });
        changed();
      });
  }

  function showAmount() {
    var amount = config.amount !== undefined ? config.amount : session.amount;
    var currency = config.currency !== undefined ? config.currency : session.currency;
    amountLine.textContent =
      amount === 0 ? "Card verification: you will not be charged." : "Amount: " + amount + " " + currency + " (minor units)";
  }

  function start(payload) {
    config = payload;
    var options = config.options || {};
    if (options.showPayButton === false) payButton.hidden = true;
    var nameField = document.getElementById("name-field");
    if (options.displayCardholderName === "hidden") nameField.hidden = true;
    else if (options.displayCardholderName === "top") form.insertBefore(nameField, form.firstElementChild);
    call("init", { component: config.component })
      .then(function (answer) {
        if (answer.status !== 200) {
          var error = answer.body.error || requestFailed("network_error", answer.status);
          say(error.message);
          post("error", { error: error });
          return;
        }
        session = answer.body;
        if (options.cardholderName !== undefined) fields.name.value = options.cardholderName;
        else if (session.cardholder_name) fields.name.value = session.cardholder_name;
        showAmount();
        form.hidden = false;
        resize();
        post("ready", {});
      })
      .catch(function () {
        say("Flow could not reach Checkout.com");
        post("error", { error: requestFailed("network_error", 0) });
      });
  }

  var RECEIVERS = {
    submit: function () {
      pay(true);
    },
    tokenize: function (payload) {
      tokenizeForIntegrator(payload.requestId);
    },
    bin_answer: answered,
    tokenized_answer: answered,
    update: function (payload) {
      config.amount = payload.amount;
      config.currency = payload.currency;
      if (session) showAmount();
    },
  };

  function answered(payload) {
    var resolve = waiting[payload.requestId];
    if (!resolve) return;
    delete waiting[payload.requestId];
    var answer = payload.answer || {};
    resolve({ continue: answer.continue !== false, errorMessage: answer.errorMessage });
  }

  window.addEventListener("message", function (event) {
    if (window.parent === window || event.source !== window.parent) return;
    var message = event.data;
    if (message === null || typeof message !== "object" || message.source !== MESSAGE_SOURCE) return;
    var payload = message.payload && typeof message.payload === "object" ? message.payload : {};
    if (message.type === "init") {
      if (parentOrigin !== null) return; // one parent, once
      parentOrigin = event.origin;
      start(payload);
      return;
    }
    if (event.origin !== parentOrigin) return;
    var receiver = RECEIVERS[message.type];
    if (receiver) receiver(payload);
  });

  Object.keys(fields).forEach(function (name) {
    fields[name].addEventListener("input", function () {
      if (name === "card_number") binChanged();
      showProblems(visibleProblems());
      changed();
    });
    fields[name].addEventListener("blur", function () {
      touched[name] = fields[name].value !== "";
      showProblems(visibleProblems());
    });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    pay(false);
  });

  if (window.parent === window) {
    document.getElementById("standalone").hidden = false;
  } else {
    window.parent.postMessage({ source: MESSAGE_SOURCE, type: "frame_ready", payload: {} }, "*");
  }
})();
