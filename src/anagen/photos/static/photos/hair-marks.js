// Hair count marks: a click on the picture sends its position in the picture's own pixels to the
// server (HTMX), which removes the mark under it or adds one there and sends back the marks and
// figures. The overlay's viewBox is the picture's pixel grid, so the SVG's screen transform turns a
// click into picture pixels whatever size the picture is shown at.
(function () {
  "use strict";
  function onClick(event) {
    var svg = event.target.closest("svg.hair-overlay.editable");
    if (!svg) return;
    var pt = svg.createSVGPoint();
    pt.x = event.clientX; pt.y = event.clientY;
    var local = pt.matrixTransform(svg.getScreenCTM().inverse());
    var values = { x_px: local.x.toFixed(1), y_px: local.y.toFixed(1) };
    if (svg.dataset.visit) values.visit = svg.dataset.visit;
    window.htmx.ajax("POST", svg.dataset.markUrl, { target: "#hair-panel", swap: "outerHTML", values: values });
  }
  document.addEventListener("click", onClick);
})();
