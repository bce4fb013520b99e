// Every way a Node app sends an HTTP request, under BankBridge's preload, against a local echo
// server standing in for BankBridge (BANKBRIDGE_URL=http://127.0.0.1:$ECHO_PORT/bb). Prints the
// echoes as JSON: which host, method, path and body each request arrived with.
"use strict";

const http = require("http");
const https = require("https");

const port = Number(process.env.ECHO_PORT);
const SANDBOX = "https://api-sandbox.dwolla.com";

function read(stream) {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => (text += chunk));
    stream.on("end", () => resolve(text));
    stream.on("error", reject);
  });
}

function viaNode(send) {
  return new Promise((resolve, reject) => {
    const request = send((response) => read(response).then(JSON.parse).then(resolve, reject));
    request.on("error", reject);
  });
}

const probes = {
  "fetch string": () => fetch(`${SANDBOX}/token?grant=1`, { method: "POST", body: "a=b" }),
  "fetch URL": () => fetch(new URL(`${SANDBOX}/customers`)),
  "fetch Request": () =>
    fetch(new Request(`${SANDBOX}/bb/customers/2`, { method: "POST", body: "hi" })),
  "https.get string": () => viaNode((done) => https.get(`${SANDBOX}/customers/1`, done)),
  "https.request URL and options": () =>
    viaNode((done) => {
      const request = https.request(new URL(`${SANDBOX}/a`), { method: "DELETE" }, done);
      request.end();
      return request;
    }),
  "https.request options": () =>
    viaNode((done) => {
      const request = https.request(
        { hostname: "API-SANDBOX.dwolla.com", path: "/b", method: "POST", headers: { Host: "x" } },
        done
      );
      request.end("body");
      return request;
    }),
  // Production is never redirected: resolved to the echo server, it arrives as itself.
  "http.request production": () =>
    viaNode((done) => {
      const lookup = (host, options, callback) =>
        options && options.all ? callback(null, [{ address: "127.0.0.1", family: 4 }])
          : callback(null, "127.0.0.1", 4);
      const request = http.request(
        { hostname: "api.dwolla.com", port, path: "/c", lookup },
        done
      );
      request.end();
      return request;
    }),
};

async function main() {
  const server = http.createServer(async (request, response) => {
    const body = await read(request);
    response.setHeader("content-type", "application/json");
    response.end(
      JSON.stringify({ host: request.headers.host, method: request.method, path: request.url, body })
    );
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const echoes = {};
  for (const [name, probe] of Object.entries(probes)) {
    const answer = await probe();
    echoes[name] = typeof answer.json === "function" ? await answer.json() : answer;
  }
  server.close();
  console.log(JSON.stringify(echoes));
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
