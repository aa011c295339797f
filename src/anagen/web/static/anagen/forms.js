// Errors that clear when fixed (issue 20): in a form marked data-live-errors, changing a field
// that was marked wrong takes its error away, and the summary at the top says how many are left.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-live-errors]").forEach(function (form) {
    function clear(event) {
      var field = event.target.closest(".has-error");
      if (!field) return;
      field.classList.remove("has-error");
      field.querySelectorAll(".errorlist").forEach(function (list) { list.remove(); });
      var summary = document.getElementById("error-summary");
      if (!summary) return;
      var id = event.target.id;
      summary.querySelectorAll("a").forEach(function (link) {
        if (link.getAttribute("href") === "#" + id) link.closest("li").remove();
      });
      if (!summary.querySelector("li")) summary.remove();
    }
    form.addEventListener("input", clear);
    form.addEventListener("change", clear);
  });
});
