// The smallest react-plaid-link app: renders, asks the hook for Link, and tries to reach an
// outside host (which the offline browser must block).
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { usePlaidLink } from "react-plaid-link";

function App() {
  const { ready, error } = usePlaidLink({ token: window.APP_CONFIG.token, onSuccess() {} });
  const [outside, setOutside] = useState("pending");
  useEffect(() => {
    fetch("https://example.com/")
      .then((response) => setOutside(`reached ${response.status}`))
      .catch(() => setOutside("blocked"));
  }, []);
  return (
    <main>
      <h1>Smoke app</h1>
      <p id="link">{ready ? "link ready" : error ? "link error" : "link loading"}</p>
      <p id="outside">{outside}</p>
    </main>
  );
}

createRoot(document.getElementById("root")).render(<App />);
