// Register filters: show only rows whose data-* attributes match every chosen value.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.commlog-filter").forEach(function (form) {
    var table = form.parentElement.querySelector("table.commlog-register");
    var count = form.querySelector(".commlog-filter-count");
    function apply() {
      var chosen = {};
      form.querySelectorAll("select[data-filter]").forEach(function (s) { if (s.value) chosen[s.dataset.filter] = s.value; });
      var shown = 0;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var ok = Object.keys(chosen).every(function (k) { return row.dataset[k] === chosen[k]; });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " 条";
    }
    form.addEventListener("change", apply);
    apply();
  });
});
