// Ventanilla's own small script (progressive enhancement; every page works without it):
// keyboard shortcuts with a help overlay, forms posted in the background with their buttons
// disabled while posting, and the queue refreshing itself in place.
(function () {
  "use strict";
  function helpEl() { return document.getElementById("help"); }
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  var helpOpener = null;
  function showHelp(show) {
    var help = helpEl();
    if (!help) return;
    if (show && help.hidden) helpOpener = document.activeElement;
    help.hidden = !show;
    if (show) { var b = help.querySelector("[data-close]"); if (b) b.focus(); }
    else if (helpOpener && helpOpener.focus) { helpOpener.focus(); helpOpener = null; }
  }
  // While the shortcuts dialog is open, Tab and Shift+Tab stay inside it.
  function trapFocus(e) {
    var help = helpEl();
    if (e.key !== "Tab" || !help || help.hidden) return false;
    var f = help.querySelectorAll("a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])");
    if (!f.length) return false;
    var first = f[0], last = f[f.length - 1];
    if (!help.contains(document.activeElement)) { first.focus(); e.preventDefault(); return true; }
    if (e.shiftKey && document.activeElement === first) { last.focus(); e.preventDefault(); return true; }
    if (!e.shiftKey && document.activeElement === last) { first.focus(); e.preventDefault(); return true; }
    return false;
  }
  document.addEventListener("change", function (e) {
    // The queue's "all" box ticks every row's box for the bulk form.
    if (e.target && e.target.id === "bulk-all") {
      Array.prototype.forEach.call(document.querySelectorAll("#queue-rows input[name=ids]"), function (b) { b.checked = e.target.checked; });
    }
  });
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.closest && t.closest("[data-help]")) showHelp(true);
    if (t.closest && t.closest("[data-close]")) showHelp(false);
  });
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll("#queue-rows tr[data-href]")); };
  var current = -1;
  function select(i) {
    var r = rows();
    if (!r.length) return;
    current = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
    var a = r[current].querySelector("a");
    if (a) a.focus();
  }
  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    if (trapFocus(e)) return;
    if (e.key === "Escape") { var h = helpEl(); if (h && !h.hidden) showHelp(false); return; }
    var help = helpEl();
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey || !help) return;
    if (pendingG) {
      pendingG = false;
      if (e.key === "q") { window.location.href = "/console"; e.preventDefault(); }
      return;
    }
    switch (e.key) {
      case "?": showHelp(help.hidden); e.preventDefault(); break;
      case "g": pendingG = true; break;
      case "/": var s = document.getElementById("f-q"); if (s) { s.focus(); e.preventDefault(); } break;
      case "j": select(current + 1); e.preventDefault(); break;
      case "k": select(current - 1); e.preventDefault(); break;
      // Bulk actions (issue 17): x ticks the current row's box.
      case "x":
        var xr = rows()[current];
        var box = xr && xr.querySelector("input[name=ids]");
        if (box) { box.checked = !box.checked; e.preventDefault(); }
        break;
      case "r": case "n":
        var body = document.getElementById("action-body");
        var kind = document.getElementById(e.key === "r" ? "kind-reply" : "kind-note");
        if (body && kind) { kind.checked = true; body.focus(); e.preventDefault(); }
        break;
    }
  });
  // A canned response (issue 17) is filled in for the ticket and inserted where the cursor
  // is in the reply box, keeping what was typed; without the script the page comes back
  // with it in the box.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f || f.id !== "canned-form" || !window.fetch) return;
    var box = document.getElementById("action-body");
    var pick = document.getElementById("canned-pick");
    if (!box || !pick) return;
    e.preventDefault();
    fetch("/api/v1/tickets/" + f.getAttribute("data-ticket") + "/canned-responses/" + pick.value, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("canned"); return r.json(); })
      .then(function (j) {
        var at = box.selectionStart || box.value.length;
        box.value = box.value.slice(0, at) + j.text + box.value.slice(box.selectionEnd || at);
        var reply = document.getElementById("kind-reply");
        if (reply) reply.checked = true;
        box.focus();
      })
      .catch(function () { f.submit(); });
  }, true);
  // Forms post in the background and the answer replaces the page, so a reply or a move does
  // not reload scripts and styles; any failure falls back to an ordinary submit.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!window.fetch || !window.DOMParser || f.method.toLowerCase() !== "post" || f.hasAttribute("data-full")) return;
    var data;
    try { data = new FormData(f, e.submitter || null); } catch (err) { data = new FormData(f); }
    e.preventDefault();
    // One post per form: a second click while this one is on its way does nothing (the
    // server applies a form's one-time key once anyway). The answer replaces the page, so
    // the buttons come back enabled with it.
    if (f.getAttribute("data-posting")) return;
    f.setAttribute("data-posting", "1");
    Array.prototype.forEach.call(f.querySelectorAll("button, input[type=submit]"), function (b) { b.disabled = true; });
    // Forms with files go as multipart (as without the script); the others urlencoded.
    var body = (f.enctype || "").toLowerCase() === "multipart/form-data" ? data : new URLSearchParams(data);
    fetch(f.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (html) { return { url: r.url, html: html }; }); })
      .then(function (res) {
        var doc = new DOMParser().parseFromString(res.html, "text/html");
        document.title = doc.title;
        document.body.replaceWith(doc.body);
        if (res.url && res.url !== window.location.href) window.history.pushState({}, "", res.url);
        current = -1;
        rowsTag = null;
        // After a refused form, focus goes to the summary of what to fix.
        var m = document.getElementById("error-summary") || document.getElementById("main");
        if (m) m.focus();
      })
      .catch(function () { f.submit(); });
  });
  // The new-ticket form suggests FAQs as the requester types (subject and description);
  // each can be opened or marked as the solution (a deflection: no ticket is opened).
  var box = document.getElementById("kb-suggest");
  if (box && window.fetch) {
    var subject = document.getElementById("subject");
    var desc = document.getElementById("description");
    var timer = null, last = "";
    var ask = function () {
      var q = (subject ? subject.value : "") + (desc && desc.value ? " " + desc.value : "");
      if (q === last) return;
      last = q;
      if (q.trim().length < 3) { box.hidden = true; return; }
      fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          if (q !== last) return;
          var ul = box.querySelector("ul");
          ul.innerHTML = "";
          items.forEach(function (it) {
            var li = document.getElementById("kb-suggest-item").content.firstElementChild.cloneNode(true);
            var a = li.querySelector("a");
            a.textContent = it.title;
            a.href = "/portal/kb/" + it.id + "?q=" + encodeURIComponent(q);
            // The snippet is escaped by the server; its only markup is <mark>.
            li.querySelector(".snippet").innerHTML = it.snippet;
            var f = li.querySelector("form");
            f.action = "/portal/kb/" + it.id + "/solved";
            f.querySelector("input[name=q]").value = q;
            ul.appendChild(li);
          });
          box.hidden = items.length === 0;
        })
        .catch(function () {});
    };
    var onInput = function () { clearTimeout(timer); timer = setTimeout(ask, 250); };
    if (subject) subject.addEventListener("input", onInput);
    if (desc) desc.addEventListener("input", onInput);
  }
  // The queue refreshes its rows every 30 seconds while visible and not being worked in,
  // asking with the last validator: unchanged rows come back as an empty 304.
  var rowsTag = null;
  if (window.fetch) {
    setInterval(function () {
      var table = document.getElementById("queue");
      if (!table || document.hidden || current >= 0) return;
      // Rows ticked for a bulk action stay as they are.
      if (document.querySelector("#queue-rows input[name=ids]:checked")) return;
      var headers = rowsTag ? { "If-None-Match": rowsTag } : {};
      fetch(table.getAttribute("data-refresh"), { credentials: "same-origin", cache: "no-store", headers: headers })
        .then(function (r) {
          if (r.status !== 200) return null;
          rowsTag = r.headers.get("ETag");
          return r.text();
        })
        .then(function (html) { if (html !== null) document.getElementById("queue-rows").innerHTML = html; })
        .catch(function () {});
    }, 30000);
  }
  // A page shown again with errors (without the script's post) focuses its summary too.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
