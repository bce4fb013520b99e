// An integrator's card page, written against Checkout.com's documented Flow API: the payment
// session comes from the app's back end (window.APP_CONFIG, here Dwolla's
// externalProviderSessionData), Checkout's own npm loader injects the CDN script, Flow mounts
// into #flow-container. Every callback is recorded in window.flowEvents for the test to read,
// as an app would log or forward them.
import { loadCheckoutWebComponents } from "@checkout.com/checkout-web-components";

const config = window.APP_CONFIG;
const events = (window.flowEvents = []);

function plain(value) {
  if (value instanceof Error) {
    return {
      isError: true,
      name: value.name,
      type: value.type,
      code: value.code,
      message: value.message,
      details: plain(value.details),
    };
  }
  if (value instanceof Element) return `<${value.tagName.toLowerCase()}>`;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

function record(name, component, value) {
  const entry = { name, component: component ? { type: component.type, name: component.name } : null };
  if (value !== undefined) entry.value = plain(value);
  events.push(entry);
  const item = document.createElement("li");
  item.textContent = JSON.stringify(entry);
  document.getElementById("events").appendChild(item);
}

function onCardBinChanged(component, cardMetadata) {
  record("cardBinChanged", component, cardMetadata);
  // Checkout's documented way to refuse a card type before payment.
  if (config.rejectCreditCards && String(cardMetadata.card_type).toLowerCase() === "credit") {
    return { continue: false, errorMessage: "Credit cards are not accepted" };
  }
  return { continue: true };
}

async function start() {
  document.getElementById("root").innerHTML =
    '<h1>Add a debit card</h1><div id="flow-container"></div>' +
    '<button id="own-pay" type="button">Save card</button><ol id="events"></ol>';
  const options = {
    publicKey: config.publicKey,
    environment: "sandbox",
    locale: "en-US",
    componentOptions: config.componentOptions || {},
    onReady: (component) => record("ready", component),
    onChange: (component) => record("change", component, { valid: component.isValid() }),
    onSubmit: (component) => record("submit", component),
    onPaymentCompleted: (component, payment) => record("paymentCompleted", component, payment),
    onError: (component, error) => record("error", component, error),
  };
  if (config.paymentSession) options.paymentSession = config.paymentSession;
  if (config.rejectCreditCards) options.onCardBinChanged = onCardBinChanged;
  const checkout = await loadCheckoutWebComponents(options);
  const component = checkout.create(config.component || "flow", config.createOptions || {});
  window.flowComponent = component;
  document.getElementById("own-pay").addEventListener("click", () => component.submit());
  if (await component.isAvailable()) {
    component.mount(config.mountTo || "#flow-container");
    record("mounted", component, { payButtonRequired: component.isPayButtonRequired() });
  } else {
    record("unavailable", component);
  }
}

start().catch((error) => record("startFailed", null, error));
