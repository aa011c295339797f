// Anagen's small amount of page behaviour. Loaded as a file, never inline, so the
// Content-Security-Policy can forbid inline scripts.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  if (status === 401 || status === 403) {
    window.location.reload();
  }
});

// A "Print" button on a document (invoice, aftercare sheet, consent): data-print, no inline handler.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// A proposed time of day (the course form's times free for every session): fills the time field,
// whose change event refreshes the preview.
document.addEventListener("click", function (event) {
  var chip = event.target.closest ? event.target.closest("[data-session-time]") : null;
  if (!chip) return;
  var field = document.getElementById("id_session_time");
  if (!field) return;
  field.value = chip.dataset.sessionTime;
  field.dispatchEvent(new Event("change", { bubbles: true }));
});
