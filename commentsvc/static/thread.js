// Moves the reply form under the comment being answered, as WordPress's comment-reply.js does.
// Without this script the "Reply" links open the form with the parent set, on the server.
(function () {
  "use strict";
  // After a refused post, take the reader (and their screen reader) to the list of what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  if (!respond || !form) return;
  var home = document.createElement("div");
  home.id = "respond-home";
  respond.parentNode.insertBefore(home, respond);
  var title = document.getElementById("reply-title");
  var parent = form.querySelector("input[name=parent]");

  function cancelLink() {
    var a = document.createElement("a");
    a.id = "cancel-reply";
    a.href = "#respond";
    a.textContent = form.getAttribute("data-cancel-text");
    a.addEventListener("click", function (event) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      parent.value = "";
      title.textContent = form.getAttribute("data-leave-title");
      form.querySelector("textarea").focus();
    });
    return a;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.reply-link");
    if (!link) return;
    event.preventDefault();
    var item = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
    var article = item.querySelector("article");
    article.parentNode.insertBefore(respond, article.nextSibling);
    parent.value = link.getAttribute("data-reply-to");
    var name = item.querySelector(".author").textContent.trim();
    title.textContent = form.getAttribute("data-reply-title").replace("{name}", name) + " ";
    var small = document.createElement("small");
    small.appendChild(cancelLink());
    title.appendChild(small);
    form.querySelector("textarea").focus();
  });
})();
