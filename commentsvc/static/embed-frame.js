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

  // The author's edit tokens come in the address after a post. They are kept where they last:
  // in this frame's storage where the browser allows it (as embed.js keeps them), and with
  // the host page, which hands them back when the iframe loads again (the snippet in
  // docs/embedding.md).
  // So after the host page reloads the author still sees their own pending comment.
  var OWN = "commentsvc:own", params = new URLSearchParams(location.search);
  var script = document.currentScript;
  var hosts = ((script && script.getAttribute("data-hosts")) || "").split(" ").filter(Boolean);
  var inAddress = params.getAll("own"), kept = [];
  try { kept = JSON.parse(localStorage.getItem(OWN)) || []; } catch (e) { /* storage refused */ }
  function merge(more) {
    var all = more.filter(function (t) {
      return typeof t === "string" && t.length < 200 && inAddress.indexOf(t) < 0;
    }).concat(inAddress).slice(-20);
    try { localStorage.setItem(OWN, JSON.stringify(all)); } catch (e) { /* not kept here */ }
    // Tokens go only to the allowed host sites, never to "*"; an empty list would erase theirs.
    if (all.length && window.parent !== window) {
      hosts.forEach(function (origin) { window.parent.postMessage({ commentsvc: "own", tokens: all }, origin); });
    }
    if (all.length > inAddress.length) {
      params.delete("own");
      all.forEach(function (t) { params.append("own", t); });
      location.replace(location.pathname + "?" + params + location.hash);
      return true;
    }
    return false;
  }
  window.addEventListener("message", function (e) {
    if (e.source !== window.parent || hosts.indexOf(e.origin) < 0 || !e.data) return;
    if (e.data.commentsvc === "own" && Array.isArray(e.data.tokens)) merge(e.data.tokens);
  });
  if (merge(kept)) return;
  if (window.parent !== window) window.parent.postMessage({ commentsvc: "ready" }, "*");

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
