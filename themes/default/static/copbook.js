/* copbook default theme: client-side search. No dependencies.
   Every form[role=search][data-index] is shown (it is hidden without JS),
   loads the search index on first use and lists up to 10 matches. */
(function () {
  "use strict";

  var KINDS = {
    page: "Page", home: "Home", section: "Section", community: "Community",
    communities: "Communities", person: "Person", people: "People",
    term: "Glossary", glossary: "Glossary", principle: "Principle",
    principles: "Principles", guideline: "Guideline", guidelines: "Guidelines",
    standard: "Standard", standards: "Standards", review: "Review"
  };
  var MAX = 10;
  var indexes = {};

  function load(url) {
    if (!indexes[url]) {
      indexes[url] = fetch(url, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (entries) {
          return (Array.isArray(entries) ? entries : []).map(prepare);
        });
      indexes[url].catch(function () { delete indexes[url]; });
    }
    return indexes[url];
  }

  function fold(s) {
    s = String(s || "").toLowerCase();
    return s.normalize ? s.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : s;
  }

  function list(v) {
    if (!v) return [];
    return Array.isArray(v) ? v : [v];
  }

  // Abbreviations ("DoD", "WCAG") match only as a whole word, case included;
  // other keywords are aliases and match like titles.
  var ABBR = /^[A-Z0-9][A-Za-z0-9]*[A-Z][A-Za-z0-9]*s?$|^[A-Z]{2,}$/;

  function prepare(e) {
    var headings = list(e.headings).map(function (h) { return typeof h === "string" ? h : (h && (h.title || h.text)) || ""; });
    var keywords = list(e.keywords).concat(list(e.abbreviation), list(e.abbreviations), list(e.aliases)).filter(Boolean).map(String);
    return {
      entry: e,
      title: fold(e.title),
      description: fold(e.description),
      headings: headings.map(fold),
      aliases: keywords.filter(function (k) { return !ABBR.test(k); }).map(fold),
      exact: keywords.filter(function (k) { return ABBR.test(k); }),
      exactFolded: keywords.filter(function (k) { return ABBR.test(k); }).map(fold)
    };
  }

  // Scores one entry for a query; 0 means no match. Every word must match
  // somewhere. Abbreviations only match exactly (case included).
  function score(item, raw, words) {
    var s = 0;
    if (item.exact.indexOf(raw) !== -1) s += 1000;
    else if (item.exactFolded.indexOf(fold(raw)) !== -1) s += 200;
    var all = true;
    for (var i = 0; i < words.length; i++) {
      var w = words[i], ws = 0;
      var t = item.title.indexOf(w);
      if (t === 0) ws = 60;
      else if (t > 0) ws = item.title.charAt(t - 1) === " " ? 40 : 25;
      for (var a = 0; a < item.aliases.length && ws < 30; a++) {
        if (item.aliases[a].indexOf(w) !== -1) ws = 30;
      }
      for (var h = 0; h < item.headings.length && ws < 15; h++) {
        if (item.headings[h].indexOf(w) !== -1) ws = 15;
      }
      if (!ws && item.description.indexOf(w) !== -1) ws = 8;
      if (!ws) { all = false; break; }
      s += ws;
    }
    if (!all) return s >= 200 ? s : 0;
    if (item.title === words.join(" ")) s += 100;
    return s;
  }

  function search(entries, query) {
    var raw = query.trim();
    var words = fold(raw).split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], raw, words);
      if (s > 0) hits.push({ s: s, i: i, e: entries[i].entry });
    }
    hits.sort(function (a, b) { return b.s - a.s || a.i - b.i; });
    return hits;
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }

  function setup(form) {
    var input = form.querySelector("input[type=search]");
    var results = form.querySelector(".search-results");
    var status = form.querySelector("[role=status]");
    var url = form.getAttribute("data-index");
    if (!input || !results || !status || !url) return;
    form.hidden = false;
    var timer = null;
    var seq = 0;

    function clear() {
      results.hidden = true;
      results.textContent = "";
      status.textContent = "";
    }

    function run() {
      var q = input.value;
      var mine = ++seq;
      if (!q.trim()) { clear(); return; }
      load(url).then(function (entries) {
        if (mine !== seq) return;
        var hits = search(entries, q);
        results.textContent = "";
        if (!hits.length) {
          results.appendChild(el("li", "result-empty", "No pages match \u201c" + q.trim() + "\u201d."));
        }
        hits.slice(0, MAX).forEach(function (h) {
          var li = el("li");
          var a = el("a");
          a.href = h.e.url;
          a.appendChild(el("span", "result-title", h.e.title || h.e.url));
          var kind = KINDS[h.e.kind] || h.e.kind;
          if (kind) a.appendChild(el("span", "result-kind", kind));
          if (h.e.description) a.appendChild(el("span", "result-desc", h.e.description));
          li.appendChild(a);
          results.appendChild(li);
        });
        results.hidden = false;
        var n = hits.length;
        status.textContent = n === 0 ? "No results" :
          n > MAX ? n + " results, showing the first " + MAX :
          n === 1 ? "1 result" : n + " results";
      }, function () {
        if (mine !== seq) return;
        results.textContent = "";
        results.appendChild(el("li", "result-empty", "Search is not available right now."));
        results.hidden = false;
        status.textContent = "Search is not available";
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    input.addEventListener("focus", function () { load(url).catch(function () {}); }, { once: true });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      run();
      var first = results.querySelector("a");
      if (first) first.focus();
    });
    form.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" || ev.key === "Esc") {
        if (input.value || !results.hidden) {
          ev.preventDefault();
          input.value = "";
          clear();
          input.focus();
        }
      } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        var links = Array.prototype.slice.call(results.querySelectorAll("a"));
        if (!links.length || results.hidden) return;
        var at = links.indexOf(document.activeElement);
        ev.preventDefault();
        if (ev.key === "ArrowDown") (links[at + 1] || links[0]).focus();
        else if (at <= 0) input.focus();
        else links[at - 1].focus();
      }
    });
    // Close the list when focus or a click leaves the form.
    document.addEventListener("click", function (ev) {
      if (!form.contains(ev.target)) results.hidden = true;
    });
    form.addEventListener("focusout", function (ev) {
      if (ev.relatedTarget && !form.contains(ev.relatedTarget)) results.hidden = true;
    });
    input.addEventListener("focus", function () {
      if (input.value.trim() && results.childNodes.length) results.hidden = false;
    });
    // ?q= on the home page (the form's no-JS action) runs the search.
    var q = new URLSearchParams(location.search).get("q");
    if (q && form === document.querySelector("form[role=search][data-index]")) {
      input.value = q;
      run();
    }
  }

  function init() {
    var forms = document.querySelectorAll("form[role=search][data-index]");
    for (var i = 0; i < forms.length; i++) setup(forms[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
