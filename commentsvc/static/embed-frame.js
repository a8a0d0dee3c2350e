// The iframe page (/embed): tells the host page its height, so the iframe can fit the thread,
// and keeps "Save my name…" in this browser's storage (no cookie reaches a cross-site iframe).
(function () {
  "use strict";
  var last = 0;
  function report() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last || window.parent === window) return;
    last = height;
    // Only a height is sent: nothing in it is private, so any host may read it.
    window.parent.postMessage({ commentsvc: "height", height: height }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
  window.addEventListener("load", report);
  report();

  // The author's edit tokens come in the address after a post; kept in this frame's storage
  // (as embed.js keeps them), so a reload of the host page still shows their own comments.
  var OWN = "commentsvc:own", params = new URLSearchParams(location.search);
  var inAddress = params.getAll("own"), kept = [];
  try { kept = JSON.parse(localStorage.getItem(OWN)) || []; } catch (e) { /* storage refused */ }
  var all = kept.filter(function (t) { return inAddress.indexOf(t) < 0; }).concat(inAddress).slice(-20);
  try { localStorage.setItem(OWN, JSON.stringify(all)); } catch (e) { /* not remembered */ }
  if (all.length > inAddress.length) {
    params.delete("own");
    all.forEach(function (t) { params.append("own", t); });
    location.replace(location.pathname + "?" + params + location.hash);
    return;
  }

  var form = document.getElementById("commentform");
  if (!form) return;
  var KEY = "commentsvc:author", names = ["author", "email", "url"];
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(KEY)); } catch (e) { /* storage refused */ }
  if (saved && !form.elements.author.value) {
    names.forEach(function (n) { form.elements[n].value = saved[n] || ""; });
    form.elements.remember.checked = true;
  }
  form.addEventListener("submit", function () {
    try {
      if (form.elements.remember.checked) {
        var data = {};
        names.forEach(function (n) { data[n] = form.elements[n].value.trim(); });
        localStorage.setItem(KEY, JSON.stringify(data));
      } else {
        localStorage.removeItem(KEY);
      }
    } catch (e) { /* storage refused: nothing is remembered */ }
  });
})();
