/* commentsvc embed: the thread and the "Lämna ett svar" form under an article of a host page.
 *   <div id="commentsvc-thread" data-article="KEY" data-title="…" data-url="…" data-lang="sv"></div>
 * The site is the one that owns the host page's origin; data-site="ID" (on the div or the
 * script tag) names it only where the origin cannot tell, and can never name another site.
 *   <script src="https://SERVICE/embed.js" async></script>
 * Elements with data-commentsvc-count="KEY" get the article's comment count (one request).
 * Plain JavaScript, no build step. Renders into a shadow root: host styles stay out, ours in.
 * Edit tokens and (only with the reader's consent) name, email and website live in
 * localStorage of the host page; the API itself reads no cookies. */
(function () {
  "use strict";
  var CSS = "__CSS__";
  var script = document.currentScript || document.querySelector("script[src*='/embed.js']");
  var base = script.src.replace(/\/embed\.js(\?.*)?$/, "");
  var api = base + "/api/v1/";
  var thread0 = document.getElementById("commentsvc-thread");
  var SITE = (thread0 && thread0.getAttribute("data-site")) || script.getAttribute("data-site") || "";
  var TOKENS = "commentsvc:tokens", AUTHOR = "commentsvc:author", POSTED = "commentsvc:posted";

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage refused: the reader just is not remembered */ }
  }
  function query(params) {
    return Object.keys(params).filter(function (k) { return params[k] != null && params[k] !== ""; })
      .map(function (k) {
        return [].concat(params[k]).map(function (v) {
          return encodeURIComponent(k) + "=" + encodeURIComponent(v);
        }).join("&");
      }).join("&");
  }
  function call(method, path, params, body, headers) {
    var init = { method: method, credentials: "omit", headers: headers || {} };
    if (SITE && params.site == null) params.site = SITE;
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(api + path + "?" + query(params), init).then(function (r) {
      if (r.status === 204) return { status: 204, body: {} };
      return r.json().then(function (b) { return { status: r.status, body: b }; },
        function () { return { status: r.status, body: {} }; });
    });
  }
  // h("p.note#x", {role: "status"}, [children]): a small element builder.
  function h(spec, attrs, kids) {
    var m = spec.split(/(?=[.#])/), node = document.createElement(m[0]);
    m.slice(1).forEach(function (s) {
      if (s[0] === ".") node.classList.add(s.slice(1)); else node.id = s.slice(1);
    });
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === false || v == null) return;
      if (k === "text") node.textContent = v;
      else if (k === "html") node.innerHTML = v; // server-sanitized comment HTML only
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
    (kids || []).forEach(function (c) { if (c) node.append(c); });
    return node;
  }

  function counts() {
    var nodes = document.querySelectorAll("[data-commentsvc-count]");
    var keys = [];
    nodes.forEach(function (n) {
      var k = n.getAttribute("data-commentsvc-count");
      if (keys.indexOf(k) < 0) keys.push(k);
    });
    if (!keys.length) return;
    // Counts are cached a while: a browser that posted lately asks past the caches.
    var posted = load(POSTED, 0);
    call("GET", "counts", { article: keys.slice(0, 100), fresh: Date.now() - posted < 3e5 ? posted : null }).then(function (r) {
      if (r.status === 200) keys.forEach(function (k) { showCount(k, r.body.counts[k]); });
    });
  }

  function showCount(key, count) {
    document.querySelectorAll("[data-commentsvc-count]").forEach(function (n) {
      if (count != null && n.getAttribute("data-commentsvc-count") === key) n.textContent = count;
    });
  }

  function thread(host) {
    var d = host.dataset, T = {}, lang = d.lang, page = 1, shown = false, isClosed = false, site = SITE;
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var tokens = load(TOKENS, {}), now = Date.now();
    Object.keys(tokens).forEach(function (id) {
      if (now - tokens[id].at > 30 * 864e5) delete tokens[id];
    });
    save(TOKENS, tokens);
    // A constructed sheet is no inline <style>: a host's strict style-src allows it.
    if (root.adoptedStyleSheets) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else root.append(h("style", { text: CSS }));
    var section = h("section", { "aria-labelledby": "csvc-title" });
    var title = h("h2#csvc-title"), list = h("div"), pages = h("div");
    var closed = h("p", { hidden: true }), privacy = h("p.privacy");
    section.append(title, list, pages, closed);
    root.append(section);
    var form, respond, home = h("div"), fields = {}, summary, parent, stamp, replyTitle, note, limits, proof = Promise.resolve("");

    function own(id) { return tokens[id]; }
    // An edit of a comment a moderator approved waits for review: said beside the comment,
    // which keeps showing the approved text.
    var reviewing = {};
    function reload(focusId) {
      var mine = Object.keys(tokens).map(function (k) { return tokens[k].token; }).join(" ");
      return call("GET", "comments", {
        article: d.article, title: d.title, url: d.url, lang: lang, page: page,
        texts: shown ? null : 1
      }, null, mine ? { "X-Own-Comments": mine } : null).then(function (r) {
        if (r.status !== 200) {
          title.textContent = r.body.message || "commentsvc";
          return;
        }
        render(r.body);
        if (focusId) {
          var item = root.getElementById("comment-" + focusId);
          if (item) { item.firstChild.focus(); item.scrollIntoView({ block: "center" }); }
        }
      }, function () { if (T.failed) title.textContent = T.failed; });
    }

    // The time-trap's stamp comes apart from the thread, which CDNs and caches may share; so
    // does the proof of work's challenge, solved by our altcha.js (loaded only when asked).
    function freshStamp() {
      proof = call("GET", "stamp", {}).then(function (r) {
        if (r.status === 200) stamp.value = r.body.ts;
        return r.body.altcha ? solver().then(function (solve) { return solve(r.body.altcha); }) : "";
      }).catch(function () { return ""; }); // sent without: the comment waits for a moderator
    }
    function solver() {
      return window.commentsvcProof ? Promise.resolve(window.commentsvcProof) : new Promise(function (done) {
        document.head.appendChild(h("script", { src: base + "/static/altcha.js", onload: function () { done(window.commentsvcProof); }, onerror: function () { done(function () { return ""; }); } }));
      });
    }

    function render(b) {
      if (!shown) { T = b.texts; lang = lang || b.lang; build(b); shown = true; freshStamp(); }
      title.textContent = b.heading;
      showCount(d.article, b.count);
      isClosed = b.article.closed;
      site = b.article.site;
      cancelReply(false);
      list.replaceChildren(b.comments.length ? tree(b.comments, 1) : "");
      pages.replaceChildren();
      if (b.pages > 1) {
        var nav = h("nav.pages", { "aria-label": T.pages });
        for (var p = 1; p <= b.pages; p++) {
          nav.append(h("button.link", {
            type: "button", text: p, "aria-current": p === b.page ? "page" : null,
            onclick: (function (n) { return function () { page = n; reload(); }; })(p)
          }));
        }
        pages.append(nav);
      }
      closed.hidden = !isClosed;
      respond.hidden = isClosed;
    }

    function tree(items, level) {
      return h("ol." + (level === 1 ? "comments" : "children"), {}, items.map(function (c) {
        return item(c, level);
      }));
    }

    function item(c, level) {
      if (c.removed && !c.author) {
        return h("li.comment.removed#comment-" + c.id, {}, [
          h("p.note", { text: T.removed }), c.replies.length && tree(c.replies, level + 1)
        ]);
      }
      var mine = own(c.id), open = mine && Date.parse(mine.until) > Date.now();
      var name = /^https?:\/\//i.test(c.website || "") ? h("a", { href: c.website, rel: "nofollow ugc noopener external", text: c.author })
        : c.author;
      var content = c.removed ? h("p.note", { text: T.removed }) : h("div.content", { html: c.html });
      var actions = h("p.actions");
      // Whether a reader may answer or report comes with each comment: the server's one rule.
      if (c.can_reply) {
        actions.append(h("button.link.reply", {
          type: "button", text: T.reply, "aria-label": T.reply_to.replace("{name}", c.author),
          onclick: function () { reply(c, art); }
        }));
      }
      if (c.can_report) {
        // The plain report page, in a new tab: it works there with the reader's own session.
        actions.append(h("a.link.report", {
          href: base + "/comments/" + c.id + "/report?" + query({ lang: lang }), target: "_blank",
          rel: "noopener", text: T.report, "aria-label": T.report_to.replace("{name}", c.author)
        }));
      }
      if (open) {
        actions.append(
          h("button.link", { type: "button", text: T.edit, onclick: function () { edit(c, content, actions); } }),
          h("button.link", { type: "button", text: T.delete, onclick: function () { remove(c); } }));
      }
      var art = h("article", { "aria-labelledby": "comment-" + c.id + "-author", tabindex: -1 }, [
        h("footer.meta", {}, [
          c.avatar && h("img.avatar", { src: new URL(c.avatar, base).href, alt: "", width: 40, height: 40, loading: "lazy" }),
          h("b.author#comment-" + c.id + "-author", {}, [name]),
          h("time.time", {
            datetime: c.created,
            text: c.created_text + (c.edited ? " (" + T.edited + ")" : "")
          })
        ]),
        c.pending && h("p.note", { role: "status", text: T.pending }),
        reviewing[c.id] && h("p.note", { role: "status", text: reviewing[c.id] }),
        content, actions
      ]);
      // Replies beyond what one answer carries: on the plain page, in a new tab.
      var more = c.more_replies > 0 && c.replies_cursor && h("p.more-replies", {}, [h("a", {
        href: base + "/thread?" + query({ article: d.article, site: site, replies: c.replies_cursor, lang: lang }) + "#comment-" + c.id,
        target: "_blank", rel: "noopener", text: T.more_replies.replace("{num}", c.more_replies)
      })]);
      return h("li.comment" + (c.pending ? ".pending" : "") + "#comment-" + c.id, {}, [
        art, c.replies.length && tree(c.replies, level + 1), more
      ]);
    }

    // Each field's limits are the form's (b.form.limits), not numbers of this script's own.
    function field(name, type, extra) {
      var id = "csvc-" + name, error = h("span.error#" + id + "-error", { "aria-live": "polite" });
      var required = limits[name].required;
      var input = h(type === "textarea" ? "textarea" : "input", Object.assign({
        id: id, name: name, type: type === "textarea" ? null : type, rows: type === "textarea" ? 6 : null,
        required: required, "aria-required": required ? "true" : null, maxlength: limits[name].max
      }, extra));
      fields[name] = { input: input, error: error, label: T[name] };
      return h("p.field", {}, [
        h("label", { for: id }, [T[name], required && " ", required && h("span.required", { "aria-hidden": "true", text: "*" })]),
        input, error
      ]);
    }

    function build(b) {
      var me = load(AUTHOR, null);
      limits = b.form.limits;
      summary = h("div.summary", { role: "alert", tabindex: -1, hidden: true });
      parent = h("input", { type: "hidden", name: "parent" });
      stamp = h("input", { type: "hidden", name: "ts" });
      replyTitle = h("h3#csvc-reply-title", { text: T.leave_reply });
      var remember = h("input#csvc-remember", { type: "checkbox", checked: !!me });
      note = h("p.note", { role: "status" });
      form = h("form", { novalidate: true, "aria-labelledby": "csvc-reply-title", onsubmit: submit }, [
        summary,
        h("p.notes", { text: T.email_notes + " " + T.required_note }),
        field("comment", "textarea", {}),
        field("author", "text", { autocomplete: "name", value: me && me.author }),
        field("email", "email", { autocomplete: "email", value: me && me.email }),
        field("url", "url", { autocomplete: "url", value: me && me.url }),
        h("p.field.remember", {}, [remember, " ", h("label", { for: "csvc-remember", text: T.remember })]),
        h("fieldset.subscribe", {}, [h("legend", { text: T.subscribe })].concat(["replies", "article"].map(function (k) {
          return h("p", {}, [h("input#csvc-subscribe-" + k, { type: "checkbox", name: "subscribe", value: k }), " ",
            h("label", { for: "csvc-subscribe-" + k, text: T["subscribe_" + k] })]);
        }))),
        note,
        // Hidden by the attribute, so whatever styles load no reader sees it.
        h("p.hp", { "aria-hidden": "true", hidden: true }, [
          h("label", { for: "csvc-hp", text: T.hp }),
          h("input#csvc-hp", { type: "text", name: "hp", tabindex: -1, autocomplete: "off" })]),
        parent, stamp,
        h("p", {}, [h("button.submit", { type: "submit", text: T.post })])
      ]);
      fields.remember = { input: remember };
      if (b.privacy.url) privacy.append(h("a", { href: b.privacy.url, text: b.privacy.text }));
      else privacy.textContent = b.privacy.text;
      if (b.privacy.accessibility_url) {
        privacy.append(" · ", h("a", { href: b.privacy.accessibility_url, text: T.accessibility }));
      }
      respond = h("div#respond", {}, [replyTitle, form, privacy]);
      closed.textContent = T.closed;
      section.append(home, respond);
    }

    function reply(c, art) {
      showErrors({});
      art.after(respond);
      parent.value = c.id;
      replyTitle.replaceChildren(T.reply_to.replace("{name}", c.author) + " ", h("small", {}, [
        h("button.link", { type: "button", text: T.cancel_reply, onclick: function () { cancelReply(true); } })
      ]));
      fields.comment.input.focus();
    }

    function cancelReply(focus) {
      if (!respond) return;
      home.after(respond);
      parent.value = "";
      replyTitle.textContent = T.leave_reply;
      if (focus) fields.comment.input.focus();
    }

    function showErrors(errors, message) {
      var items = [];
      Object.keys(fields).forEach(function (n) {
        var f = fields[n];
        if (!f.error) return;
        var msgs = errors[n] || [];
        f.error.textContent = msgs.join(" ");
        if (msgs.length) {
          f.input.setAttribute("aria-invalid", "true");
          f.input.setAttribute("aria-describedby", f.error.id);
        } else {
          f.input.removeAttribute("aria-invalid");
          f.input.removeAttribute("aria-describedby");
        }
      });
      Object.keys(errors).forEach(function (n) {
        errors[n].forEach(function (m) {
          var f = fields[n];
          items.push(h("li", {}, [f && f.error ? h("a", {
            href: "#" + f.input.id, text: f.label + ": " + m,
            onclick: function (e) { e.preventDefault(); f.input.focus(); }
          }) : m]));
        });
      });
      if (message && !items.length) items.push(h("li", { text: message }));
      summary.replaceChildren(h("h4", { text: T.summary }), h("ul", {}, items));
      summary.hidden = !items.length;
      if (items.length) summary.focus();
    }

    function submit(event) {
      event.preventDefault();
      var v = {}, errors = {};
      ["comment", "author", "email", "url"].forEach(function (n) { v[n] = fields[n].input.value.trim(); });
      // The server says the same; checking here first saves a round trip.
      if (!v.comment) errors.comment = [T.need_comment];
      if (!v.author) errors.author = [T.need_author];
      if (!v.email) errors.email = [T.need_email];
      if (Object.keys(errors).length) return showErrors(errors);
      var remember = fields.remember.input.checked;
      var wish = ["article", "replies"].filter(function (k) { return root.getElementById("csvc-subscribe-" + k).checked; });
      proof.then(function (altcha) {
        return call("POST", "comments", { lang: lang }, Object.assign(v, {
          article: d.article, parent: parent.value || null, remember: remember, subscribe: wish[0] || "",
          ts: stamp.value, hp: root.getElementById("csvc-hp").value, altcha: altcha
        }));
      }).then(function (r) {
        if (r.status !== 201) return showErrors(r.body.errors && r.status === 422 ? r.body.errors : {}, r.body.message || T.failed);
        showErrors({});
        var c = r.body.comment;
        tokens[c.id] = { token: r.body.edit_token, until: r.body.edit_until, at: Date.now() };
        save(TOKENS, tokens);
        save(POSTED, Date.now());
        save(AUTHOR, remember ? { author: v.author, email: v.email, url: v.url } : null);
        fields.comment.input.value = "";
        note.textContent = r.body.subscription ? T["subscribe_" + r.body.subscription] : "";
        freshStamp();
        page = r.body.page;
        reload(c.id);
      }, function () { showErrors({}, T.failed); });
    }

    function edit(c, content, actions) {
      var id = "csvc-edit-" + c.id, error = h("span.error#" + id + "-error");
      var box = h("textarea#" + id, { rows: 5, maxlength: limits.comment.max });
      box.value = c.text || content.textContent;
      var editor = h("form.editor", {
        novalidate: true, onsubmit: function (e) {
          e.preventDefault();
          if (!box.value.trim()) { error.textContent = T.need_comment; box.setAttribute("aria-invalid", "true"); return box.focus(); }
          call("PATCH", "comments/" + c.id, { lang: lang }, { comment: box.value },
            { "X-Edit-Token": own(c.id).token }).then(function (r) {
            if (r.status === 200) {
              if (r.body.edit_pending) reviewing[c.id] = r.body.message;
              return reload(c.id);
            }
            error.textContent = (r.body.errors && r.body.errors.comment || [r.body.message || T.failed]).join(" ");
            box.setAttribute("aria-invalid", "true");
            box.focus();
          });
        }
      }, [
        h("label", { for: id, text: T.comment }), box, error,
        h("p.actions", {}, [h("button.submit", { type: "submit", text: T.save }),
          h("button.link", { type: "button", text: T.cancel, onclick: function () { editor.replaceWith(content); actions.hidden = false; } })])
      ]);
      box.setAttribute("aria-describedby", error.id);
      content.replaceWith(editor);
      actions.hidden = true;
      box.focus();
    }

    function remove(c) {
      if (!window.confirm(T.confirm_delete)) return;
      call("DELETE", "comments/" + c.id, { lang: lang }, null, { "X-Edit-Token": own(c.id).token })
        .then(function (r) {
          if (r.status !== 204) return window.alert(r.body.message || T.failed);
          delete tokens[c.id];
          save(TOKENS, tokens);
          reload();
        });
    }

    reload(/^#comment-\d+$/.test(location.hash) ? location.hash.slice(9) : null);
  }

  function start() {
    var host = document.getElementById("commentsvc-thread");
    if (host && !host.shadowRoot) thread(host);
    counts();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
