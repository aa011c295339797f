/* Swagger UI for /api/v1/docs: settings come from data attributes, so the page needs no inline script. */
(function () {
  var body = document.body;
  window.ui = SwaggerUIBundle({
    url: body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: function (req) {
      // "Try it out" from a signed-in browser uses the session: send the CSRF token with it.
      if (body.dataset.csrfToken) { req.headers["X-CSRFToken"] = body.dataset.csrfToken; }
      return req;
    }
  });
})();
