/* Keyboard work in the moderation queue: j/k move, a approves, s spam, d trash, u undoes the
   last decision, r replies, p opens the person. The keys press the row's real buttons and
   links, so everything also works by Tab and Enter.

   Where this script runs, a decision is sent with fetch (the form's own fields, its CSRF token
   included, asking for JSON) and the page stays: the row is updated or leaves the list, the
   confirmation and "Undo" are put in the sticky status region (aria-live), and focus moves to
   the next row. Without it, the same forms post and the page comes back as before. */
(function () {
  "use strict";
  var status = document.getElementById("mod-status");
  var results = document.getElementById("queue-results");
  // Where each row that left the list stood, so that an undo can put it back in its place.
  var removed = {};

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  }

  function current() {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest(".queue-item") : null;
    return row ? rows().indexOf(row) : -1;
  }

  function focusRow(index) {
    var all = rows();
    if (!all.length) return;
    var row = all[Math.max(0, Math.min(all.length - 1, index))];
    all.forEach(function (r) { r.classList.toggle("is-current", r === row); });
    row.focus({preventScroll: true});
    row.scrollIntoView({block: "nearest"});
  }

  function press(selector) {
    var target = document.querySelector(selector);
    if (target) target.click();
    return !!target;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var index = current();
    if (event.key === "j") { focusRow(index + 1); event.preventDefault(); return; }
    if (event.key === "k") { focusRow(index < 0 ? 0 : index - 1); event.preventDefault(); return; }
    if (event.key === "u") {
      if (press('#mod-status [data-shortcut="u"]')) event.preventDefault();
      return;
    }
    if ("asdrp".indexOf(event.key) === -1 || event.key.length !== 1) return;
    if (index < 0) { focusRow(0); return; }  // first choose a row, then act on it
    var control = rows()[index].querySelector('[data-shortcut="' + event.key + '"]');
    if (control) { event.preventDefault(); control.click(); }
  });

  var selectAll = document.querySelector(".select-all");
  if (selectAll) {
    selectAll.hidden = false;
    selectAll.addEventListener("click", function () {
      rows().forEach(function (r) { var box = r.querySelector('input[name="ids"]'); if (box) box.checked = true; });
    });
  }

  // --- decisions without a page load ------------------------------------------------------

  function tab() { return results ? results.getAttribute("data-status") : null; }

  function belongs(state) {
    var here = tab();
    return here === "all" || here === state;
  }

  function fromHtml(html) {
    var holder = document.createElement(rows()[0] && rows()[0].tagName === "LI" ? "ol" : "tbody");
    if (holder.tagName === "TBODY") {
      var table = document.createElement("table");
      table.appendChild(holder);
    }
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function recount(before, after) {
    [[before, -1], [after, 1]].forEach(function (change) {
      var item = document.querySelector('.tabs li[data-tab="' + change[0] + '"] .count');
      if (!item) return;
      var value = parseInt(item.textContent.replace(/\D/g, ""), 10) || 0;
      item.textContent = "(" + Math.max(0, value + change[1]) + ")";
    });
  }

  // The confirmation and, where there is one, the undo button: in the status region, which
  // stays at the top of the window and is read out when its content changes.
  function say(message, kind, undo) {
    if (!status) return;
    status.textContent = "";
    var line = document.createElement("p");
    line.className = "flash flash-" + kind;
    line.textContent = message;
    status.appendChild(line);
    if (!undo) return;
    var form = document.createElement("form");
    form.method = "post";
    form.action = undo.url;
    form.className = "undo";
    var token = document.querySelector('input[name="csrf_token"]');
    if (token) form.appendChild(token.cloneNode());
    var back = document.createElement("input");
    back.type = "hidden";
    back.name = "next";
    back.value = location.pathname + location.search;
    form.appendChild(back);
    var button = document.createElement("button");
    button.type = "submit";
    button.setAttribute("data-shortcut", "u");
    button.setAttribute("aria-keyshortcuts", "u");
    button.textContent = undo.label;
    form.appendChild(button);
    status.appendChild(form);
  }

  // When the last row has left, the next rows of the same filters come in without a page
  // load: the queue page is fetched and its results put in place.
  function refill() {
    return fetch(location.href, {credentials: "same-origin", headers: {Accept: "text/html"}})
      .then(function (answer) { return answer.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var next = fresh.getElementById("queue-results");
        var tabs = fresh.querySelector(".tabs");
        if (next && results) results.innerHTML = next.innerHTML;
        if (tabs && document.querySelector(".tabs")) document.querySelector(".tabs").innerHTML = tabs.innerHTML;
        removed = {};
        var again = document.querySelector(".select-all");
        if (again) {
          again.hidden = false;
          again.addEventListener("click", function () {
            rows().forEach(function (r) { var box = r.querySelector('input[name="ids"]'); if (box) box.checked = true; });
          });
        }
        focusRow(0);
      });
  }

  function decided(row, data, fromUndo) {
    var all = rows();
    var index = row ? all.indexOf(row) : -1;
    var fresh = fromHtml(data.row);
    if (row && belongs(data.status)) {
      row.parentNode.replaceChild(fresh, row);
      if (fromUndo) focusRow(rows().indexOf(fresh)); else focusRow(index + 1);
    } else if (row) {
      removed[data.id] = {parent: row.parentNode, next: row.nextElementSibling};
      row.parentNode.removeChild(row);
      if (rows().length) focusRow(index); else refill();
    } else if (belongs(data.status) && removed[data.id]) {
      var place = removed[data.id];
      var anchor = place.next && place.next.parentNode === place.parent ? place.next : null;
      place.parent.insertBefore(fresh, anchor);
      delete removed[data.id];
      focusRow(rows().indexOf(fresh));
    }
    if (data.before !== data.status) recount(data.before, data.status);
    say(data.message, "info", data.undo ? {url: data.undo, label: data.undo_label} : null);
  }

  function send(form) {
    var row = form.closest(".queue-item");
    var fromUndo = !row && form.classList.contains("undo");
    if (fromUndo) {
      var id = (form.action.match(/comments\/(\d+)\//) || [])[1];
      row = id ? document.getElementById("row-" + id) : null;
    }
    var body = new FormData(form);
    body.append("view", results ? results.getAttribute("data-view") : "list");
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {Accept: "application/json"}
    }).then(function (answer) {
      var type = answer.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) throw new Error("not an answer of the desk");
      return answer.json().then(function (data) { return {ok: answer.ok, data: data}; });
    }).then(function (answer) {
      form.removeAttribute("aria-busy");
      if (!answer.ok) { say(answer.data.message, "error", null); return; }
      decided(row, answer.data, fromUndo);
    }).catch(function () {
      form.submit();  // the plain form, as without this script: the page says what happened
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.fetch || !window.FormData || !results) return;
    if (!form.matches(".queue-item .actions form, #mod-status form.undo")) return;
    event.preventDefault();
    send(form);
  });

  // After a plain post the page comes back with #row-N: continue from that row.
  var wanted = location.hash && document.getElementById(location.hash.slice(1));
  if (wanted && wanted.classList.contains("queue-item")) {
    focusRow(rows().indexOf(wanted));
  } else if (document.querySelector(".flash")) {
    focusRow(0);
  }
})();
