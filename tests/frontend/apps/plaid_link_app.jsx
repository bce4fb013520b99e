// An integrator's React app on react-plaid-link, written against Plaid's documentation only.
// Its back end (the test) gives it a link token in APP_CONFIG; the app opens Link with
// usePlaidLink and records every callback in window.plaidLog, for the back end to read the
// public token and for the test to check Plaid's documented argument shapes.
import { useCallback, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { usePlaidLink } from "react-plaid-link";

const config = window.APP_CONFIG;
window.plaidLog = [];

function App() {
  const [entries, setEntries] = useState([]);
  const record = useCallback((entry) => {
    window.plaidLog.push(entry);
    setEntries([...window.plaidLog]);
  }, []);

  const exitLink = useRef(() => {});
  const onSuccess = useCallback(
    (publicToken, metadata) => {
      record({ callback: "onSuccess", publicToken, metadata });
      // Apps often close Link here; after a success it must do nothing.
      exitLink.current();
    },
    [record],
  );
  const onExit = useCallback(
    (error, metadata) => record({ callback: "onExit", error, metadata }),
    [record],
  );
  const onEvent = useCallback(
    (eventName, metadata) => record({ callback: "onEvent", eventName, metadata }),
    [record],
  );
  const onLoad = useCallback(() => record({ callback: "onLoad" }), [record]);

  const { open, exit, ready, error } = usePlaidLink({
    token: config.token,
    onSuccess,
    onExit,
    onEvent,
    onLoad,
  });
  exitLink.current = exit;

  useEffect(() => {
    // Open as soon as the hook is ready: Link's iframe may not have loaded yet.
    if (config.openWhenReady && ready) {
      open();
    }
  }, [ready, open]);

  const last = entries.filter((e) => e.callback !== "onEvent").at(-1);
  return (
    <main>
      <h1>Link your bank</h1>
      <button id="open" disabled={!ready} onClick={() => open()}>
        Connect a bank account
      </button>
      <button id="close" onClick={() => exit({ force: true })}>
        Close Link
      </button>
      <p id="status">
        {error ? "error" : last ? last.callback : ready ? "ready" : "loading"}
      </p>
    </main>
  );
}

createRoot(document.getElementById("root")).render(<App />);
