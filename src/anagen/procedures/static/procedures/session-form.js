// Show the needle or the mesogun fields for the technique chosen.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var technique = document.getElementById("id_technique");
    if (!technique) return;
    function group(name) { var el = document.getElementById("id_" + name); return el ? el.closest(".field") : null; }
    function sync() {
      var needle = technique.value === "needle";
      ["needle_gauge", "needle_length_mm"].forEach(function (n) { var g = group(n); if (g) g.hidden = !needle; });
      var g = group("mesogun_settings"); if (g) g.hidden = needle;
    }
    technique.addEventListener("change", sync);
    sync();
  });
})();
