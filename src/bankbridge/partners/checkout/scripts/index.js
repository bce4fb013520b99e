/*
 * BankBridge's Checkout.com Flow drop-in: `window.CheckoutWebComponents`, served in place of
 * https://checkout-web-components.checkout.com/index.js by the BankBridge Checkout.com emulator.
 *
 * It mirrors Checkout.com's documented Flow web API (the types published in
 * @checkout.com/checkout-web-components): CheckoutWebComponents(options) resolves to
 * {create(name, options), update(details)}; create("flow") and create("card") give a component
 * with mount, unmount, submit, tokenize, isValid, isAvailable, isPayButtonRequired and unselect;
 * callbacks onReady, onChange, onSubmit, onCardBinChanged, onTokenized, onPaymentCompleted and
 * onError receive (component, ...) with Checkout's argument shapes. Errors are CheckoutError
 * objects {name, type, code, message, details}.
 *
 * The card form lives in an iframe served by the emulator (the Flow frame). The two talk only by
 * postMessage, every message being {source: "bankbridge-checkout-flow", type, payload}; this
 * script accepts a message only from its own frame's window and from the emulator's origin, and
 * sends the payment session secret only to that origin. No cookies, no cross-origin fetch.
 */
(function () {
  "use strict";

  // Written in by the emulator when it serves this file: the app loads it from whatever URL its
  // test runner routes, so the script cannot learn BankBridge's address from its own src.
  var EMULATOR_URL = "__BANKBRIDGE_EMULATOR_URL__";
  var FRAME_ORIGIN = new URL(EMULATOR_URL).origin;
  var MESSAGE_SOURCE = "bankbridge-checkout-flow";
  var PAYMENT_SESSION_ID = /^ps_[A-Za-z0-9]+$/;
  var PAYMENT_SESSION_SECRET = /^pss_[A-Za-z0-9-]+$/;
  var DISPLAY_NAMES = { flow: "Flow", card: "Card" };
  var DEFAULT_FRAME_HEIGHT = 380;

  class CheckoutError extends Error {
    constructor(type, code, message, details) {
      super(message);
      this.name = "CheckoutError";
      this.type = type;
      this.code = code;
      this.details = details;
    }
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("")
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function firstDefined() {
    for (var i = 0; i < arguments.length; i++) {
      if (arguments[i] !== undefined) return arguments[i];
    }
    return undefined;
  }

  // A callback's answer to "continue?": undefined means yes; otherwise {continue: boolean}.
  function continueAnswer(result) {
    if (result === undefined || result === null) return { continue: true };
    if (isObject(result) && typeof result.continue === "boolean") {
      var message = typeof result.errorMessage === "string" ? result.errorMessage : undefined;
      return { continue: result.continue, errorMessage: message };
    }
    return null;
  }

  function CheckoutWebComponentsInstance(options) {
    this._options = options;
    this._browserSessionId = randomId();
    this._components = [];
    this._amount = undefined;
    this._currency = undefined;
  }

  CheckoutWebComponentsInstance.prototype.create = function (name, options) {
    var component = new Component(this, String(name), isObject(options) ? options : {});
    this._components.push(component);
    return component;
  };

  CheckoutWebComponentsInstance.prototype.update = function (details) {
    var self = this;
    var errors = {};
    details = isObject(details) ? details : {};
    Object.keys(details).forEach(function (key) {
      if (key !== "amount" && key !== "currency") errors[key] = "not supported field";
    });
    if ("amount" in details) {
      var amount = details.amount;
      if (typeof amount !== "number" || !Number.isInteger(amount) || amount < 0) {
        errors.amount = "must be a non-negative integer in minor units";
      }
    }
    if ("currency" in details) {
      if (typeof details.currency !== "string" || !/^[A-Z]{3}$/.test(details.currency)) {
        errors.currency = "must be a 3-character uppercase ISO 4217 code";
      }
    }
    if (Object.keys(errors).length) {
      return Promise.reject(
        new CheckoutError("Validation", "update_parameters_invalid", "Invalid update() parameters", {
          browserSessionId: this._browserSessionId,
          paymentSessionId: this._paymentSessionId(),
          validationErrors: errors,
        })
      );
    }
    if ("amount" in details) this._amount = details.amount;
    if ("currency" in details) this._currency = details.currency;
    this._components.forEach(function (component) {
      component._post("update", { amount: self._amount, currency: self._currency });
    });
    return Promise.resolve();
  };

  CheckoutWebComponentsInstance.prototype._paymentSessionId = function () {
    var session = this._options.paymentSession;
    return isObject(session) && typeof session.id === "string" ? session.id : undefined;
  };

  function Component(instance, name, options) {
    this.type = name;
    this.selectedType = "card";
    this.selectedPaymentMethodId = undefined;
    this.name = DISPLAY_NAMES[name] || name;
    Object.defineProperty(this, "_state", {
      value: {
        instance: instance,
        options: options,
        frame: null,
        listener: null,
        valid: false,
        availabilityChecked: false,
        requests: {},
      },
    });
  }

  Component.prototype._callback = function (name) {
    var own = this._state.options[name];
    if (typeof own === "function") return own;
    var shared = this._state.instance._options[name];
    return typeof shared === "function" ? shared : null;
  };

  Component.prototype._details = function (extra) {
    var details = {
      browserSessionId: this._state.instance._browserSessionId,
      paymentSessionId: this._state.instance._paymentSessionId(),
      type: this.type === "flow" ? this.selectedType : this.type,
    };
    return Object.assign(details, extra || {});
  };

  Component.prototype._fail = function (type, code, message, extra) {
    this._report(new CheckoutError(type, code, message, this._details(extra)));
  };

  Component.prototype._report = function (error) {
    var onError = this._callback("onError");
    if (!onError) {
      console.error(error);
      return;
    }
    try {
      onError(this, error);
    } catch (thrown) {
      console.error(thrown);
    }
  };

  // Runs an integrator callback; a throw becomes callback_invocation_failed.
  Component.prototype._invoke = function (name, args) {
    var callback = this._callback(name);
    if (!callback) return Promise.resolve(undefined);
    var self = this;
    return Promise.resolve()
      .then(function () {
        return callback.apply(null, [self].concat(args || []));
      })
      .catch(function (thrown) {
        self._fail("Integration", "callback_invocation_failed", "The " + name + " callback failed: " + thrown);
        throw thrown;
      });
  };

  // Runs a callback that may say {continue: false}; answers {continue, errorMessage}.
  Component.prototype._ask = function (name, args) {
    var self = this;
    return this._invoke(name, args).then(
      function (result) {
        var answer = continueAnswer(result);
        if (answer) return answer;
        self._fail(
          "Integration",
          "callback_result_invalid",
          "The " + name + " callback must return nothing or {continue: boolean}"
        );
        return { continue: false };
      },
      function () {
        return { continue: false };
      }
    );
  };

  Component.prototype._cardOptions = function () {
    var instance = this._state.instance._options;
    var own = this._state.options;
    var shared = isObject(instance.componentOptions) ? instance.componentOptions : {};
    var card = isObject(shared.card) ? shared.card : {};
    var flow = isObject(shared.flow) ? shared.flow : {};
    var forCard = this.type === "card" ? own : {};
    var forFlow = this.type === "flow" ? own : {};
    var data = Object.assign(
      {},
      isObject(shared.data) ? shared.data : {},
      isObject(flow.data) ? flow.data : {},
      isObject(forFlow.data) ? forFlow.data : {},
      isObject(card.data) ? card.data : {},
      isObject(forCard.data) ? forCard.data : {}
    );
    return {
      acceptedCardTypes: firstDefined(forCard.acceptedCardTypes, card.acceptedCardTypes, forFlow.acceptedCardTypes, flow.acceptedCardTypes),
      acceptedCardSchemes: firstDefined(
        forCard.acceptedCardSchemes,
        card.acceptedCardSchemes,
        forFlow.acceptedCardSchemes,
        flow.acceptedCardSchemes
      ),
      displayCardholderName: firstDefined(forCard.displayCardholderName, card.displayCardholderName),
      cardholderName: typeof data.cardholderName === "string" ? data.cardholderName : undefined,
      showPayButton: firstDefined(own.showPayButton, forFlow.showPayButton, flow.showPayButton) !== false,
    };
  };

  Component.prototype.isAvailable = function () {
    this._state.availabilityChecked = true;
    return Promise.resolve(Object.prototype.hasOwnProperty.call(DISPLAY_NAMES, this.type));
  };

  Component.prototype.isValid = function () {
    return this._state.valid;
  };

  Component.prototype.isPayButtonRequired = function () {
    return true; // cards are paid with a button (only wallets bring their own)
  };

  Component.prototype.unselect = function () {
    // Only stored cards can be unselected; the emulator's Flow offers none.
  };

  Component.prototype.mount = function (element) {
    var state = this._state;
    if (state.frame) {
      this._fail("Integration", "component_already_mounted", "The component is already mounted; call unmount() first");
      return this;
    }
    var target = element;
    if (typeof element === "string") {
      try {
        target = document.querySelector(element);
      } catch (invalid) {
        target = null;
      }
    }
    if (!(target instanceof Element) || !target.isConnected) {
      this._fail("Integration", "element_not_found", "The element to mount the component to was not found", {
        element: element,
      });
      return this;
    }
    if (!Object.prototype.hasOwnProperty.call(DISPLAY_NAMES, this.type)) {
      this._fail("Integration", "component_not_supported", 'The component "' + this.type + '" is not supported by this payment session');
      return this;
    }
    if (this.type !== "flow" && !state.availabilityChecked) {
      this._fail("Integration", "component_is_available_not_checked", "Call isAvailable() before mount()");
      return this;
    }
    var options = state.instance._options;
    var session = options.paymentSession;
    if (session === undefined || session === null) {
      this._fail("Integration", "payment_session_required", "Pass the payment session response as paymentSession");
      return this;
    }
    if (
      !isObject(session) ||
      typeof session.id !== "string" ||
      !PAYMENT_SESSION_ID.test(session.id) ||
      typeof session.payment_session_secret !== "string" ||
      !PAYMENT_SESSION_SECRET.test(session.payment_session_secret)
    ) {
      this._fail("Integration", "payment_session_invalid", "paymentSession must be the whole payment session response (id, payment_session_secret, payment_session_token)");
      return this;
    }
    if (options.environment !== undefined && options.environment !== "sandbox") {
      this._fail("Integration", "payment_session_invalid", 'BankBridge emulates the sandbox only: set environment: "sandbox"');
      return this;
    }
    var frame = document.createElement("iframe");
    frame.src =
      EMULATOR_URL +
      "/web-components/flow/" +
      encodeURIComponent(session.id) +
      "?component=" +
      encodeURIComponent(this.type);
    frame.title = "Checkout.com " + this.name;
    frame.setAttribute("allow", "payment");
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = DEFAULT_FRAME_HEIGHT + "px";
    state.frame = frame;
    var self = this;
    state.listener = function (event) {
      self._receive(event);
    };
    window.addEventListener("message", state.listener);
    target.appendChild(frame);
    return this;
  };

  Component.prototype.unmount = function () {
    var state = this._state;
    if (state.listener) window.removeEventListener("message", state.listener);
    if (state.frame && state.frame.parentNode) state.frame.parentNode.removeChild(state.frame);
    state.frame = null;
    state.listener = null;
    state.valid = false;
    Object.keys(state.requests).forEach(function (id) {
      state.requests[id](undefined);
    });
    state.requests = {};
    return this;
  };

  Component.prototype.submit = function () {
    if (!this._state.frame) {
      this._fail("Submit", "component_invalid", "Mount the component before submitting it");
      return this;
    }
    this._post("submit", {});
    return this;
  };

  Component.prototype.tokenize = function () {
    var state = this._state;
    if (!state.frame) {
      this._fail("Submit", "component_invalid", "Mount the component before tokenizing");
      return Promise.resolve(undefined);
    }
    var requestId = randomId();
    var promise = new Promise(function (resolve) {
      state.requests[requestId] = resolve;
    });
    this._post("tokenize", { requestId: requestId });
    return promise;
  };

  Component.prototype._post = function (type, payload) {
    var frame = this._state.frame;
    if (!frame || !frame.contentWindow) return;
    frame.contentWindow.postMessage({ source: MESSAGE_SOURCE, type: type, payload: payload }, FRAME_ORIGIN);
  };

  Component.prototype._receive = function (event) {
    var state = this._state;
    if (!state.frame || event.source !== state.frame.contentWindow) return;
    if (event.origin !== FRAME_ORIGIN) return;
    var message = event.data;
    if (!isObject(message) || message.source !== MESSAGE_SOURCE || typeof message.type !== "string") return;
    var payload = isObject(message.payload) ? message.payload : {};
    var handler = HANDLERS[message.type];
    if (handler) handler.call(this, payload);
  };

  // What the Flow frame may tell the component, by message type.
  var HANDLERS = {
    frame_ready: function () {
      var instance = this._state.instance;
      var options = instance._options;
      this._post("init", {
        publicKey: typeof options.publicKey === "string" ? options.publicKey : "",
        paymentSession: {
          id: options.paymentSession.id,
          payment_session_secret: options.paymentSession.payment_session_secret,
        },
        component: this.type,
        browserSessionId: instance._browserSessionId,
        options: this._cardOptions(),
        amount: instance._amount,
        currency: instance._currency,
        askOnCardBinChanged: Boolean(this._callback("onCardBinChanged")),
      });
    },
    ready: function () {
      this._invoke("onReady").catch(function () {});
    },
    resize: function (payload) {
      if (typeof payload.height === "number" && payload.height > 0 && this._state.frame) {
        this._state.frame.style.height = Math.ceil(payload.height) + "px";
      }
    },
    change: function (payload) {
      this._state.valid = payload.valid === true;
      this._invoke("onChange").catch(function () {});
    },
    submit: function () {
      this._invoke("onSubmit").catch(function () {});
    },
    bin_changed: function (payload) {
      var self = this;
      this._ask("onCardBinChanged", [payload.cardMetadata]).then(function (answer) {
        self._post("bin_answer", { requestId: payload.requestId, answer: answer });
      });
    },
    tokenized: function (payload) {
      var self = this;
      this._ask("onTokenized", [payload.result]).then(function (answer) {
        self._post("tokenized_answer", { requestId: payload.requestId, answer: answer });
      });
    },
    tokenize_result: function (payload) {
      var resolve = this._state.requests[payload.requestId];
      if (!resolve) return;
      delete this._state.requests[payload.requestId];
      if (payload.result) this._invoke("onTokenized", [payload.result]).catch(function () {});
      resolve(payload.result || undefined);
    },
    payment_completed: function (payload) {
      var payment = isObject(payload.payment) ? payload.payment : {};
      this._invoke("onPaymentCompleted", [{ id: payment.id, status: "Approved", type: payment.type || "card" }]).catch(
        function () {}
      );
    },
    error: function (payload) {
      var error = isObject(payload.error) ? payload.error : {};
      var details = isObject(error.details) ? error.details : {};
      this._report(new CheckoutError(String(error.type), String(error.code), String(error.message), this._details(details)));
    },
  };

  window.CheckoutWebComponents = function CheckoutWebComponents(options) {
    return Promise.resolve(new CheckoutWebComponentsInstance(isObject(options) ? options : {}));
  };
})();
