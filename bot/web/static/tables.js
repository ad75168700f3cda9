// Filters a table's rows in place as one types in its filter box (an input with
// data-filters="<table id>"); without this script the box works as a form sent to the server.
"use strict";
document.querySelectorAll("input[data-filters]").forEach(function (box) {
  var table = document.getElementById(box.getAttribute("data-filters"));
  if (!table || !table.tBodies.length) return;
  box.addEventListener("input", function () {
    var typed = box.value.trim().toLocaleLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var name = row.cells[0] ? row.cells[0].textContent.toLocaleLowerCase() : "";
      var other = row.cells[1] ? row.cells[1].textContent.toLocaleLowerCase() : "";
      row.hidden = typed !== "" && name.indexOf(typed) < 0 && other.indexOf(typed) < 0;
    });
  });
});
