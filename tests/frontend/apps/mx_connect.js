// An integrator's page written against @mxenabled/web-widget-sdk as MX documents it: mount
// the Connect URL the back end got from Dwolla (GET /exchange-sessions/{id},
// _links.external-provider-session), wait for the member and for the user's Done, then hand
// over to the back end. Every callback is recorded for the test to read.
import { ConnectWidget } from "@mxenabled/web-widget-sdk";

const status = document.createElement("p");
status.id = "status";
status.textContent = "connecting";
const container = document.createElement("div");
container.id = "mx-widget";
document.getElementById("root").append(status, container);

const calls = [];
window.appCalls = calls;
let member = null;

const record = (name) => (payload) => calls.push([name, payload]);
const callbacks = {};
for (const name of [
  "onLoad",
  "onLoaded",
  "onInstitutionSearch",
  "onSelectedInstitution",
  "onEnterCredentials",
  "onUpdateCredentials",
  "onSubmitMFA",
  "onMemberStatusUpdate",
  "onStepChange",
  "onCreateMemberError",
  "onNavigation",
]) {
  callbacks[name] = record(name);
}

window.widget = new ConnectWidget({
  container: "#mx-widget",
  url: window.APP_CONFIG.connectUrl,
  ...callbacks,
  onMemberConnected(payload) {
    calls.push(["onMemberConnected", payload]);
    member = payload;
  },
  onConnectedPrimaryAction(payload) {
    calls.push(["onConnectedPrimaryAction", payload]);
    // The user pressed Done: with a member in hand, the back end takes over.
    status.textContent = member ? `connected ${member.member_guid}` : "closed without a member";
  },
  onInvalidMessageError(message, error) {
    calls.push(["onInvalidMessageError", String(error)]);
  },
});
