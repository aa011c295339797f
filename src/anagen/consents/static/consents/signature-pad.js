// Signature pad for the consent form: pointer events cover touch screens, styluses and mice.
// Each stroke ends by writing canvas.toDataURL("image/png") to the hidden field the canvas names
// in data-target; "Clear signature" empties both. The typed-name section is the keyboard path.
(function () {
  "use strict";

  function setUp(canvas) {
    var field = document.getElementById(canvas.dataset.target);
    if (!field) { return; }
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var last = null;
    var inked = false;

    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111827";
    // A refused form is signed again from scratch: the server clears the field.
    field.value = "";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }

    function save() {
      if (inked) { field.value = canvas.toDataURL("image/png"); }
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = point(event);
      if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      inked = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var next = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
    });
    function end() {
      if (!drawing) { return; }
      drawing = false;
      save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);

    document.querySelectorAll(".signature-clear[data-target='" + canvas.dataset.target + "']").forEach(function (button) {
      button.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        field.value = "";
        inked = false;
      });
    });
  }

  // Show only the section of the chosen method; without JavaScript both stay visible.
  function setUpMethodChoice(form) {
    var radios = form.querySelectorAll("input[name='method']");
    var sections = form.querySelectorAll(".consent-method");
    function update() {
      var chosen = form.querySelector("input[name='method']:checked");
      sections.forEach(function (section) {
        section.hidden = !!chosen && section.dataset.method !== chosen.value;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas.signature-pad").forEach(setUp);
    document.querySelectorAll("form.consent-sign").forEach(setUpMethodChoice);
  });
})();
