// Starts Swagger UI on /openapi against the server's own description (no outside URLs).
window.addEventListener('load', function () {
  window.SwaggerUIBundle({ url: '/openapi/json', dom_id: '#api', deepLinking: true, validatorUrl: null });
});
