/* Keyboard work in the moderation queue: j/k move, a approves, s spam, d trash.
   The keys press the row's real buttons, so everything also works by Tab and Enter,
   and the result is announced by the page's aria-live status after the reload. */
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  if (!rows.length) return;

  function current() {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest(".queue-item") : null;
    return row ? rows.indexOf(row) : -1;
  }

  function focusRow(index) {
    var row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    rows.forEach(function (r) { r.classList.toggle("is-current", r === row); });
    row.focus();
    row.scrollIntoView({block: "nearest"});
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var index = current();
    if (event.key === "j") { focusRow(index + 1); event.preventDefault(); return; }
    if (event.key === "k") { focusRow(index < 0 ? 0 : index - 1); event.preventDefault(); return; }
    if ("asd".indexOf(event.key) === -1 || event.key.length !== 1) return;
    if (index < 0) { focusRow(0); return; }  // first choose a row, then act on it
    var button = rows[index].querySelector('button[data-shortcut="' + event.key + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  var selectAll = document.querySelector(".select-all");
  if (selectAll) {
    selectAll.hidden = false;
    selectAll.addEventListener("click", function () {
      rows.forEach(function (r) { var box = r.querySelector('input[name="ids"]'); if (box) box.checked = true; });
    });
  }

  // After an action the page comes back with #row-N: continue from that row.
  var wanted = location.hash && document.getElementById(location.hash.slice(1));
  if (wanted && wanted.classList.contains("queue-item")) {
    focusRow(rows.indexOf(wanted));
  } else if (document.querySelector(".flash")) {
    focusRow(0);
  }
})();
