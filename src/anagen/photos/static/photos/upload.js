// Several photographs, uploaded one by one with per-file progress. Without JavaScript (or without
// XMLHttpRequest upload events) the form posts all files at once and the server assigns the views.
(function () {
  "use strict";

  function setUp() {
    var form = document.getElementById("photo-upload");
    if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
    var input = form.querySelector("input[type=file][name=files]");
    var viewSelect = form.querySelector("select[name=view]");
    var list = document.getElementById("upload-list");
    var uploaded = document.getElementById("uploaded");
    var grid = document.getElementById("uploaded-grid");
    var standard = (form.dataset.standardViews || "").split(",");
    var rows = [];
    var busy = false;

    function viewOptions() {
      return Array.prototype.filter.call(viewSelect.options, function (o) { return o.value !== "standard_order"; });
    }

    function defaultView(index) {
      if (viewSelect.value === "standard_order") { return standard[index] || standard[0]; }
      return viewSelect.value;
    }

    function buildRows() {
      list.textContent = "";
      rows = [];
      Array.prototype.forEach.call(input.files || [], function (file, index) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.className = "file-name";
        name.textContent = file.name;
        var label = document.createElement("label");
        label.textContent = "View ";
        var select = document.createElement("select");
        select.name = "file-view-" + index;
        viewOptions().forEach(function (o) {
          var option = document.createElement("option");
          option.value = o.value;
          option.textContent = o.textContent;
          select.appendChild(option);
        });
        select.value = defaultView(index);
        label.appendChild(select);
        var progress = document.createElement("progress");
        progress.max = 100;
        progress.value = 0;
        progress.setAttribute("aria-label", "Upload of " + file.name);
        var state = document.createElement("span");
        state.className = "state";
        state.textContent = "waiting";
        li.append(name, label, progress, state);
        list.appendChild(li);
        rows.push({ file: file, select: select, progress: progress, state: state, done: false });
      });
    }

    function showThumbnail(photo) {
      var li = document.createElement("li");
      var figure = document.createElement("figure");
      var link = document.createElement("a");
      link.href = photo.image_url;
      var img = document.createElement("img");
      img.src = photo.thumbnail_url;
      img.alt = photo.view_label + ", " + photo.visit_date;
      img.width = 160;
      link.appendChild(img);
      var caption = document.createElement("figcaption");
      caption.textContent = photo.view_label;
      figure.append(link, caption);
      li.appendChild(figure);
      grid.appendChild(li);
      uploaded.hidden = false;
    }

    function field(name) {
      var el = form.elements.namedItem(name);
      return el ? el.value : "";
    }

    function send(row) {
      return new Promise(function (resolve) {
        var data = new FormData();
        ["csrfmiddlewaretoken", "visit_date", "site_zone", "site_offset_cm", "site_note"].forEach(function (name) {
          data.append(name, field(name));
        });
        data.append("view", row.select.value);
        data.append("files", row.file, row.file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action || window.location.href);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) { row.progress.value = Math.round((event.loaded / event.total) * 100); }
        });
        row.state.className = "state";
        row.state.textContent = "uploading";
        xhr.addEventListener("load", function () {
          var body = null;
          try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
          if (xhr.status === 201 && body) {
            row.progress.value = 100;
            row.done = true;
            row.state.className = "state state-done";
            row.state.textContent = "uploaded";
            body.photos.forEach(showThumbnail);
          } else {
            row.state.className = "state state-error";
            row.state.textContent = body && body.errors
              ? body.errors.map(function (e) { return e.message; }).join(" ")
              : "Not uploaded (the server answered " + xhr.status + ").";
          }
          resolve();
        });
        xhr.addEventListener("error", function () {
          row.state.className = "state state-error";
          row.state.textContent = "Not uploaded: the connection failed. Try again.";
          resolve();
        });
        xhr.send(data);
      });
    }

    input.addEventListener("change", buildRows);
    viewSelect.addEventListener("change", function () {
      rows.forEach(function (row, index) { if (!row.done) { row.select.value = defaultView(index); } });
    });
    form.addEventListener("submit", function (event) {
      if (!input.files || input.files.length === 0) { return; }  // the server explains what is missing
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      var pending = rows.filter(function (row) { return !row.done; });
      pending.reduce(function (chain, row) { return chain.then(function () { return send(row); }); }, Promise.resolve())
        .then(function () { busy = false; });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
