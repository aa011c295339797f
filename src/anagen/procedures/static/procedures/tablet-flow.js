// The session record as a tablet flow (issue 20): four screens shown one at a time, large yes/no
// answers that turn red on "yes", lot cards, a per-zone ±0.1 mL map with a running total against
// the volume drawn, pain as 0-10 buttons. Without JavaScript all four screens show, one below the
// other, and the form works the same: the server checks everything when the nurse signs.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("session-form");
    if (!form) return;
    form.classList.add("stepped");
    var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
    var tabs = Array.prototype.slice.call(document.querySelectorAll(".step-tabs button"));
    function show(index) {
      steps.forEach(function (s, i) { s.hidden = i !== index; });
      tabs.forEach(function (t, i) { t.setAttribute("aria-current", i === index ? "step" : "false"); });
      form.dataset.step = index;
      window.scrollTo(0, 0);
    }
    tabs.forEach(function (t, i) { t.addEventListener("click", function () { show(i); }); });
    form.querySelectorAll("[data-go]").forEach(function (b) {
      b.addEventListener("click", function () { show(parseInt(b.dataset.go, 10)); });
    });
    var start = parseInt(form.dataset.start || "0", 10);
    show(isNaN(start) ? 0 : start);

    // Yes/no questions: a "yes" turns the row red and says to call the trichologist.
    function syncAnswers() {
      var anyYes = false;
      form.querySelectorAll(".yesno").forEach(function (row) {
        var yes = row.querySelector('input[value="true"]');
        var on = yes && yes.checked && row.dataset.alarm === "yes";
        row.classList.toggle("is-yes", !!on);
        if (on) anyYes = true;
      });
      var call = document.getElementById("call-trichologist");
      if (call) call.hidden = !anyYes;
    }
    form.addEventListener("change", function (e) { if (e.target.closest(".yesno")) syncAnswers(); });
    syncAnswers();

    // Lot cards: the running volume drawn.
    function drawn() {
      var total = 0;
      form.querySelectorAll(".lot-card").forEach(function (card) {
        var use = card.querySelector('input[type="checkbox"]');
        var ml = parseFloat(card.querySelector('input[type="number"]').value);
        card.classList.toggle("is-chosen", use.checked);
        if (use.checked && ml > 0) total += ml;
      });
      return Math.round(total * 100) / 100;
    }
    form.querySelectorAll(".lot-card [data-step-ml]").forEach(function (b) {
      b.addEventListener("click", function () {
        var input = b.closest(".lot-card").querySelector('input[type="number"]');
        var v = Math.max(0, (parseFloat(input.value) || 0) + parseFloat(b.dataset.stepMl));
        input.value = v.toFixed(2);
        b.closest(".lot-card").querySelector('input[type="checkbox"]').checked = true;
        totals();
      });
    });

    // The words come from the page (data-* attributes the template translates), with "%s" where the
    // volume goes: the script itself holds no English.
    function words(element, key, ml) {
      return (element.dataset[key] || "%s").replace("%s", ml.toFixed(2));
    }

    // The map: ± per zone, and the totals against what was drawn and what is prescribed.
    var svg = document.querySelector("svg.scalp-map.editable");
    var mapped = 0;
    function totals() {
      var d = drawn();
      var prescribed = parseFloat(form.dataset.prescribed || "0");
      var out = document.getElementById("running-total");
      if (out) {
        out.textContent = words(out, "onMap", mapped) + " · " + words(out, "drawn", d) + " · " + words(out, "prescribed", prescribed);
        var mismatch = Math.abs(mapped - d) > 0.001 || Math.abs(mapped - prescribed) > 0.001;
        out.classList.toggle("is-mismatch", mismatch);
        // The reason for differing volumes is asked for while they differ (or once written, or
        // refused): the map screen then still fits a tablet without scrolling.
        var reason = form.querySelector(".zone-controls .reason");
        if (reason) {
          var text = reason.querySelector("textarea");
          var asked = mismatch || (text && text.value.trim() !== "") || reason.classList.contains("has-error");
          reason.hidden = !asked;
          var hint = form.querySelector(".map-hint");
          if (hint) hint.hidden = asked;
        }
      }
      var drawnOut = document.getElementById("drawn-total");
      if (drawnOut) drawnOut.textContent = words(drawnOut, "drawn", d);
    }
    if (svg) {
      svg.addEventListener("mapchange", function (e) {
        mapped = e.detail.total;
        document.querySelectorAll("[data-zone-total]").forEach(function (cell) {
          var v = e.detail.byZone[cell.dataset.zoneTotal] || 0;
          cell.textContent = (cell.dataset.unit || "%s").replace("%s", v.toFixed(1));
        });
        totals();
      });
      form.querySelectorAll("[data-zone-add]").forEach(function (b) {
        b.addEventListener("click", function () { svg.mapApi.add(b.dataset.zoneAdd); });
      });
      form.querySelectorAll("[data-zone-remove]").forEach(function (b) {
        b.addEventListener("click", function () { svg.mapApi.remove(b.dataset.zoneRemove); });
      });
      if (svg.mapApi) svg.mapApi.refresh();
    }
    form.addEventListener("input", totals);
    form.addEventListener("change", totals);
    totals();
  });
})();
