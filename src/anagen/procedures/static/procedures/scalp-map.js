// The injection map: click a zone of the scalp diagram to record a point there with the chosen
// volume; points are kept as data (zone, x and y as fractions of the diagram, volume in mL) in a
// hidden field, and the server draws the map again from that data.
(function () {
  "use strict";
  var WIDTH = 200, HEIGHT = 240;

  function init(svg) {
    var input = document.getElementById(svg.dataset.input);
    var volume = document.getElementById(svg.dataset.volume);
    var table = document.getElementById(svg.dataset.table);
    var totals = document.getElementById(svg.dataset.totals);
    // The tablet flow (tablet-flow.js) steps a zone up or down by 0.1 mL and follows the totals.
    var STEP = 0.1;
    var points = [];
    try { points = JSON.parse(input.value || "[]"); } catch (e) { points = []; }
    var layer = svg.querySelector("g.points");

    function round(n, places) { var f = Math.pow(10, places); return Math.round(n * f) / f; }

    function render() {
      input.value = JSON.stringify(points);
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      var byZone = {}, total = 0;
      if (table) table.innerHTML = "";
      points.forEach(function (p, i) {
        var c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        c.setAttribute("class", "point");
        c.setAttribute("cx", p.x * WIDTH);
        c.setAttribute("cy", p.y * HEIGHT);
        c.setAttribute("r", 2.5 + 6 * parseFloat(p.volume_ml));
        layer.appendChild(c);
        var v = parseFloat(p.volume_ml);
        byZone[p.zone] = round((byZone[p.zone] || 0) + v, 2);
        total = round(total + v, 2);
        if (!table) return;
        var row = document.createElement("tr");
        row.innerHTML = "<td>" + (i + 1) + "</td><td>" + p.zone.replace("_", " ") + "</td><td>" + p.volume_ml + " mL</td>";
        var cell = document.createElement("td");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "Remove point " + (i + 1);
        remove.addEventListener("click", function () { points.splice(i, 1); render(); });
        cell.appendChild(remove);
        row.appendChild(cell);
        table.appendChild(row);
      });
      if (totals) {
        var parts = Object.keys(byZone).map(function (z) { return z.replace("_", " ") + " " + byZone[z] + " mL"; });
        totals.textContent = "Total " + total + " mL" + (parts.length ? " (" + parts.join(", ") + ")" : "");
        totals.dataset.total = total;
      }
      svg.dispatchEvent(new CustomEvent("mapchange", { detail: { total: total, byZone: byZone } }));
    }

    function zoneRect(zone) { return svg.querySelector('rect.zone[data-zone="' + zone + '"]'); }
    svg.mapApi = {
      // One 0.1 mL point in the zone, spread over it so the drawn map shows where.
      add: function (zone) {
        var rect = zoneRect(zone);
        if (!rect) return;
        var n = points.filter(function (p) { return p.zone === zone; }).length;
        var rx = parseFloat(rect.getAttribute("x")), ry = parseFloat(rect.getAttribute("y"));
        var rw = parseFloat(rect.getAttribute("width")), rh = parseFloat(rect.getAttribute("height"));
        var col = n % 4, line = Math.floor(n / 4) % 4;
        var x = (rx + rw * (0.2 + 0.2 * col)) / WIDTH, y = (ry + rh * (0.2 + 0.2 * line)) / HEIGHT;
        points.push({ zone: zone, x: round(x, 3), y: round(y, 3), volume_ml: STEP.toFixed(2) });
        render();
      },
      remove: function (zone) {
        for (var i = points.length - 1; i >= 0; i--) {
          if (points[i].zone === zone) { points.splice(i, 1); render(); return; }
        }
      },
      refresh: function () { render(); }
    };

    function add(zone, clientX, clientY, rect) {
      var x, y;
      if (clientX === null) {
        x = (parseFloat(rect.getAttribute("x")) + parseFloat(rect.getAttribute("width")) / 2) / WIDTH;
        y = (parseFloat(rect.getAttribute("y")) + parseFloat(rect.getAttribute("height")) / 2) / HEIGHT;
      } else {
        var pt = svg.createSVGPoint();
        pt.x = clientX; pt.y = clientY;
        var local = pt.matrixTransform(svg.getScreenCTM().inverse());
        x = local.x / WIDTH; y = local.y / HEIGHT;
      }
      var v = volume ? parseFloat(volume.value) : STEP;
      if (!(v > 0)) { if (volume) volume.focus(); return; }
      points.push({ zone: zone, x: round(Math.min(1, Math.max(0, x)), 3), y: round(Math.min(1, Math.max(0, y)), 3), volume_ml: v.toFixed(2) });
      render();
    }

    svg.querySelectorAll("rect.zone").forEach(function (rect) {
      rect.addEventListener("click", function (event) { add(rect.dataset.zone, event.clientX, event.clientY, rect); });
      rect.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); add(rect.dataset.zone, null, null, rect); }
      });
    });
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("svg.scalp-map.editable").forEach(init);
  });
})();
