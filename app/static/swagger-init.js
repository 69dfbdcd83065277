// Swagger UI's bootstrap, as a file: the page's Content-Security-Policy allows no inline script.
window.ui = SwaggerUIBundle({
  url: "/docs/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout",
  persistAuthorization: true,
});
