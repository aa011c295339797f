// Booking form: choosing an appointment type proposes its usual duration, unless the user has
// typed a duration of their own. Loaded as a file (no inline scripts).
(function () {
  function setup(root) {
    var kind = root.querySelector("select[data-default-durations]");
    var duration = root.querySelector("input[name=duration_minutes]");
    if (!kind || !duration || kind.dataset.durationWired) { return; }
    kind.dataset.durationWired = "1";
    var defaults = {};
    kind.dataset.defaultDurations.split(",").forEach(function (pair) {
      var parts = pair.split(":");
      defaults[parts[0]] = parts[1];
    });
    var typed = duration.value !== "";
    duration.addEventListener("input", function () { typed = duration.value !== ""; });
    kind.addEventListener("change", function () {
      if (!typed && defaults[kind.value]) { duration.value = defaults[kind.value]; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
})();
