// Proof of work: solves the ALTCHA challenge our server made (threads/proofofwork.py) with the
// browser's own SHA-256 (SubtleCrypto), so no script or request goes anywhere else. The plain
// page and the iframe mark their form's hidden "altcha" field with the address of a fresh
// challenge; embed.js loads this file and calls window.commentsvcProof(challenge).
// Without JavaScript, or without SubtleCrypto (a page not on https), the field stays empty
// and the comment waits for a moderator: nothing is lost.
(function () {
  "use strict";

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  // The number n with SHA-256(salt + n) = challenge, sent back with the signed challenge as
  // ALTCHA's widget sends it (base64 of JSON); "" when none is found.
  function solve(c) {
    if (!c || !window.crypto || !crypto.subtle || c.algorithm !== "SHA-256") return Promise.resolve("");
    var encoder = new TextEncoder(), BATCH = 256;
    function digest(n) {
      return crypto.subtle.digest("SHA-256", encoder.encode(c.salt + n)).then(hex);
    }
    // Many hashes at once: SubtleCrypto answers each asynchronously.
    function from(start) {
      if (start > c.maxNumber) return Promise.resolve("");
      var batch = [];
      for (var n = start; n <= c.maxNumber && n < start + BATCH; n++) batch.push(digest(n));
      return Promise.all(batch).then(function (hashes) {
        var found = hashes.indexOf(c.challenge);
        if (found < 0) return from(start + BATCH);
        return btoa(JSON.stringify({
          algorithm: c.algorithm, challenge: c.challenge, number: start + found, salt: c.salt, signature: c.signature
        }));
      });
    }
    return from(0);
  }
  window.commentsvcProof = solve;

  Array.prototype.forEach.call(document.querySelectorAll("input[name=altcha][data-challenge-from]"), function (input) {
    var form = input.form, waited = false;
    var solved = fetch(input.getAttribute("data-challenge-from"), { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (body) { return solve(body.altcha); })
      .then(function (value) { input.value = value; }, function () { /* sent without */ });
    // A reader quicker than the solver waits for it once; a failure sends the form as it is.
    form.addEventListener("submit", function (event) {
      if (input.value || waited) return;
      event.preventDefault();
      waited = true;
      var button = event.submitter;
      solved.then(function () {
        if (form.requestSubmit) form.requestSubmit(button || undefined);
        else form.submit();
      });
    });
  });
})();
