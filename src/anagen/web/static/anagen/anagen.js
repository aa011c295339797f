// Anagen's small amount of page behaviour. Loaded as a file, never inline, so the
// Content-Security-Policy can forbid inline scripts.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  if (status === 401 || status === 403) {
    window.location.reload();
  }
});
