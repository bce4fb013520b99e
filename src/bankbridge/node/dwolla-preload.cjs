"use strict";
/*
 * BankBridge's Node.js preload: sends Dwolla's sandbox API host to BankBridge, so a Node back
 * end built on Dwolla's SDK runs unchanged, with environment "sandbox".
 *
 *   NODE_OPTIONS="--require $(bankbridge node-preload)" BANKBRIDGE_URL=http://127.0.0.1:8000 node app.js
 *
 * dwolla-v2 hard-codes https://api-sandbox.dwolla.com (token URL included) and rebuilds every
 * href it is given on that base; it sends requests with node-fetch 2, which calls
 * http(s).request. Every request to api-sandbox.dwolla.com made through http.request,
 * https.request, http(s).get or the global fetch (Dwolla's newer TypeScript SDK, or an app's
 * own calls) goes to BANKBRIDGE_URL instead (default http://127.0.0.1:8000), path and query
 * kept. A BANKBRIDGE_URL with a path (https://host/bankbridge) is put in front of the path,
 * unless the path already starts with it (an href BankBridge wrote, rebuilt by the SDK).
 *
 * Only the sandbox host is redirected: production (api.dwolla.com) and Dwolla's OAuth pages
 * (accounts-sandbox.dwolla.com) are left alone, so a production process that inherits this
 * preload by mistake still talks to Dwolla, never to a sandbox.
 */

const http = require("http");
const https = require("https");
const { syncBuiltinESMExports } = require("module");
const { URL, urlToHttpOptions } = require("url");

const DWOLLA_SANDBOX_HOST = "api-sandbox.dwolla.com";
const DEFAULT_TARGET = "http://127.0.0.1:8000";

const target = parseTarget(process.env.BANKBRIDGE_URL || DEFAULT_TARGET);
const original = {
  httpRequest: http.request,
  httpsRequest: https.request,
  fetch: globalThis.fetch,
};

function parseTarget(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new Error(`bankbridge preload: BANKBRIDGE_URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (!["http:", "https:"].includes(url.protocol) || url.search || url.hash || url.username) {
    throw new Error(
      "bankbridge preload: BANKBRIDGE_URL must be an http(s) base URL without query, " +
        `fragment or credentials, e.g. ${DEFAULT_TARGET}; got ${JSON.stringify(raw)}`
    );
  }
  return { url, prefix: url.pathname.replace(/\/+$/, "") };
}

function isDwollaSandbox(hostname) {
  return (
    typeof hostname === "string" &&
    hostname.toLowerCase().replace(/\.$/, "") === DWOLLA_SANDBOX_HOST
  );
}

/** The path (with query) on BankBridge for a path on Dwolla's sandbox host. */
function targetPath(path) {
  const prefix = target.prefix;
  const pathname = path.split("?")[0];
  if (!prefix || pathname === prefix || pathname.startsWith(prefix + "/")) return path;
  return prefix + path;
}

/** A URL, or null when unparsable (fetch then rejects it as it would without the preload). */
function parsedUrl(text) {
  try {
    return new URL(text);
  } catch (error) {
    return null;
  }
}

/** BankBridge's URL for a URL on Dwolla's sandbox host. */
function redirectedUrl(url) {
  return new URL(targetPath(url.pathname + url.search), target.url.origin);
}

/** Node's own reading of request(url?, options?, callback?) as one options object. */
function requestArguments(args) {
  let [first, second, third] = args;
  let options = {};
  if (typeof first === "string" || first instanceof URL) {
    options = urlToHttpOptions(typeof first === "string" ? new URL(first) : first);
  } else if (first && typeof first === "object") {
    options = { ...first };
    third = second;
    second = undefined;
  }
  if (typeof second === "function") {
    third = second;
  } else if (second && typeof second === "object") {
    options = { ...options, ...second };
  }
  return { options, callback: typeof third === "function" ? third : undefined };
}

/** The same request sent to BankBridge: its host, port, scheme and path prefix. */
function redirectedOptions(options) {
  const secure = target.url.protocol === "https:";
  const moved = {
    ...options,
    protocol: target.url.protocol,
    hostname: target.url.hostname.replace(/^\[|\]$/g, ""),
    host: undefined,
    port: target.url.port || (secure ? 443 : 80),
    path: targetPath(options.path || "/"),
    servername: undefined,
  };
  // An https.Agent cannot carry a plain-HTTP request: let Node pick the right global agent.
  if (!secure) moved.agent = undefined;
  if (options.headers && !Array.isArray(options.headers)) {
    moved.headers = Object.fromEntries(
      Object.entries(options.headers).filter(([name]) => name.toLowerCase() !== "host")
    );
  }
  return moved;
}

function redirecting(send) {
  return function request(...args) {
    const { options, callback } = requestArguments(args);
    if (!isDwollaSandbox(options.hostname || options.host)) return send.apply(this, args);
    const moved = redirectedOptions(options);
    const transport =
      target.url.protocol === "https:" ? original.httpsRequest : original.httpRequest;
    return callback ? transport(moved, callback) : transport(moved);
  };
}

function getting(request) {
  return function get(...args) {
    const sent = request(...args);
    sent.end();
    return sent;
  };
}

http.request = redirecting(original.httpRequest);
https.request = redirecting(original.httpsRequest);
http.get = getting(http.request);
https.get = getting(https.request);

if (typeof original.fetch === "function") {
  globalThis.fetch = function fetch(input, init) {
    if (input instanceof Request) {
      const url = new URL(input.url);
      if (isDwollaSandbox(url.hostname)) {
        input = new Request(redirectedUrl(url), {
          method: input.method,
          headers: input.headers,
          body: input.body,
          duplex: "half",
          redirect: input.redirect,
          signal: input.signal,
        });
      }
    } else if (typeof input === "string" || input instanceof URL) {
      const url = parsedUrl(String(input));
      if (url && isDwollaSandbox(url.hostname)) input = redirectedUrl(url);
    }
    return original.fetch.call(this, input, init);
  };
}

// ES modules that import { request } from "node:https" see the patched functions too.
syncBuiltinESMExports();
