// The overlay slider: the range input sets how much of the later photograph (on top) is shown,
// from the left edge, by clipping it. No inline script: the page's CSP forbids it.
(function () {
  "use strict";
  function setUp() {
    var slider = document.getElementById("compare-slider");
    var top = document.getElementById("compare-top");
    var output = document.getElementById("compare-slider-value");
    if (!slider || !top) { return; }
    function apply() {
      var shown = Math.max(0, Math.min(100, Number(slider.value)));
      top.style.clipPath = "inset(0 " + (100 - shown) + "% 0 0)";
      top.dataset.shown = String(shown);
      if (output) { output.textContent = String(shown); }
    }
    slider.addEventListener("input", apply);
    slider.addEventListener("change", apply);
    apply();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
