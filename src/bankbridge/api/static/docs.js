// BankBridge's /docs page: Swagger UI (npm's swagger-ui-dist, served by BankBridge itself)
// rendering /openapi.json. Nothing here reaches another host.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    filter: true,
    docExpansion: "list",
    // Swagger UI would otherwise send the document to validator.swagger.io for a badge.
    validatorUrl: null,
  });
});
