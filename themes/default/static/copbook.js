/* copbook default theme: full-text search. No dependencies, no requests
   outside the site.

   Every form[role=search][data-index] is shown (it is hidden without JS).
   Nothing is fetched before a search box gets focus. The index is in
   pieces (see src/render/search.rs): index.json lists where each shard of
   the dictionary starts; a query fetches the shard of each of its words,
   then the fragment of each result shown, for its title and snippet.

   The header box is a WAI-ARIA combobox: arrows move through the results,
   Enter opens the highlighted one (or the first), Escape closes the list,
   and the number of results is announced. The /search/ page (a form with
   data-full) lists every result. "/" focuses the search box. */
(function () {
  "use strict";

  var KINDS = {
    page: "Page", home: "Home", section: "Section", community: "Community",
    communities: "Communities", person: "Person", people: "People",
    term: "Glossary", glossary: "Glossary", principle: "Principle",
    principles: "Principles", guideline: "Guideline", guidelines: "Guidelines",
    standard: "Standard", standards: "Standards", review: "Review"
  };
  var SHOWN = 8;       // results in the drop-down list
  var PAGE = 20;       // results per "Show more" on the search page
  var MAX_WORD = 40;   // longer words are not in the index (MAX_WORD in search.rs)
  var WORD = /[\p{L}\p{N}]+/gu;
  var cache = {};

  function get(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
      cache[url].catch(function () { delete cache[url]; });
    }
    return cache[url];
  }

  // As fold() in search.rs: lowercase, accents removed.
  function fold(s) {
    s = String(s || "").toLowerCase();
    return s.normalize ? s.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : s;
  }

  function words(s) {
    return (String(s).match(WORD) || []).map(fold).filter(function (w) { return w.length <= MAX_WORD; });
  }

  // The shard whose range holds a word: the last one starting at or before it.
  function shardOf(meta, word) {
    var lo = 0, hi = meta.shards.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (meta.shards[mid] <= word) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // Pages (id -> weight) for one query word, and the words of the index
  // that matched it (for highlighting). The last word of a query being
  // typed also matches longer words it starts, at half weight.
  function lookup(base, meta, word, prefix) {
    var first = shardOf(meta, word);
    var wanted = [first];
    if (prefix && meta.shards[first + 1] !== undefined && meta.shards[first + 1].indexOf(word) === 0) wanted.push(first + 1);
    return Promise.all(wanted.map(function (n) { return get(base + "s/" + n + ".json"); })).then(function (shards) {
      var pages = {}, forms = [];
      shards.forEach(function (shard) {
        var stems = {};
        Object.keys(shard.w).forEach(function (w) {
          var factor = w === word ? 1 : (prefix && w.indexOf(word) === 0 ? 0.5 : 0);
          if (!factor) return;
          var s = shard.w[w];
          stems[s] = Math.max(stems[s] || 0, factor);
        });
        Object.keys(shard.w).forEach(function (w) { if (stems[shard.w[w]]) forms.push(w); });
        Object.keys(stems).forEach(function (s) {
          var list = shard.p[s], id = 0;
          for (var i = 0; i + 1 < list.length; i += 2) {
            id += list[i];
            var weight = list[i + 1] * stems[s];
            if (!(pages[id] >= weight)) pages[id] = weight;
          }
        });
      });
      return { pages: pages, forms: forms };
    });
  }

  // Every page that has all the words, best first.
  function search(base, query) {
    var typing = !/\s$/.test(query);
    var ws = words(query);
    if (!ws.length) return Promise.resolve({ hits: [], forms: {} });
    return get(base + "index.json").then(function (meta) {
      return Promise.all(ws.map(function (w, i) { return lookup(base, meta, w, typing && i === ws.length - 1); }));
    }).then(function (found) {
      var forms = {};
      found.forEach(function (f) { f.forms.forEach(function (w) { forms[w] = true; }); });
      var hits = [];
      Object.keys(found[0].pages).forEach(function (id) {
        var score = 0;
        for (var i = 0; i < found.length; i++) {
          var w = found[i].pages[id];
          if (w === undefined) return;
          score += w;
        }
        hits.push({ id: +id, score: score });
      });
      hits.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
      return { hits: hits, forms: forms };
    });
  }

  // Where a page answers the query: the first heading, else the first
  // passage, that has one of the matched words; with its anchor.
  function passage(fragment, forms) {
    var blocks = fragment.b || [];
    function has(text) { return words(text).some(function (w) { return forms[w]; }); }
    for (var i = 0; i < blocks.length; i++) {
      if (blocks[i][1] && has(blocks[i][1])) return { anchor: blocks[i][0], text: blocks[i][2] || blocks[i][1] };
    }
    for (var j = 0; j < blocks.length; j++) {
      if (has(blocks[j][2])) return { anchor: blocks[j][0], text: blocks[j][2] };
    }
    return { anchor: "", text: blocks.length ? blocks[0][2] : "" };
  }

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }

  // A snippet of about 200 characters around the first matched word, the
  // matched words in <mark>. Built from text nodes: nothing is parsed as HTML.
  function snippet(text, forms) {
    var out = el("span", "result-snippet");
    text = String(text || "").replace(/\s+/g, " ");
    var spans = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (forms[fold(m[0])]) spans.push([m.index, m.index + m[0].length]);
    }
    var start = spans.length ? Math.max(0, spans[0][0] - 60) : 0;
    var end = Math.min(text.length, start + 200);
    if (start > 0) start = text.indexOf(" ", start) + 1 || start;
    var at = start;
    if (start > 0) out.appendChild(document.createTextNode("\u2026"));
    spans.forEach(function (s) {
      if (s[0] < at || s[1] > end) return;
      out.appendChild(document.createTextNode(text.slice(at, s[0])));
      out.appendChild(el("mark", "", text.slice(s[0], s[1])));
      at = s[1];
    });
    out.appendChild(document.createTextNode(text.slice(at, end)));
    if (end < text.length) out.appendChild(document.createTextNode("\u2026"));
    return out;
  }

  // Title, kind, section, snippet and link of each hit.
  function describe(base, hits, forms) {
    return Promise.all(hits.map(function (h) {
      // FRAGMENTS_PER_FILE in search.rs
      return get(base + "p/" + (h.id >> 3) + ".json").then(function (chunk) {
        var f = chunk[h.id & 7];
        var at = passage(f, forms);
        var url = f.u;
        if (at.anchor && url.indexOf("#") === -1) url += "#" + at.anchor;
        return { url: url, title: f.t || f.u, kind: KINDS[f.k] || "", section: f.s || "", text: at.text };
      });
    }));
  }

  function fill(parent, r, forms) {
    parent.appendChild(el("span", "result-title", r.title));
    var where = [r.kind, r.section].filter(Boolean).join(" \u00b7 ");
    if (where) parent.appendChild(el("span", "result-kind", where));
    if (r.text) parent.appendChild(snippet(r.text, forms));
  }

  function announce(status, n) {
    status.textContent = n === 0 ? "No results" : n === 1 ? "1 result" : n + " results";
  }

  // The drop-down combobox of the header (and the 404 page).
  function combobox(form, input, list, status, base) {
    var seq = 0, timer = null, shown = [], active = -1, pending = null;

    function expanded(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) highlight(-1);
    }

    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && options[i]) {
        options[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[i].id);
        if (options[i].scrollIntoView) options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function run() {
      var q = input.value, mine = ++seq;
      clearTimeout(timer);
      timer = null;
      if (!q.trim()) { shown = []; list.textContent = ""; status.textContent = ""; expanded(false); return Promise.resolve(); }
      pending = search(base, q).then(function (found) {
        return describe(base, found.hits.slice(0, SHOWN), found.forms).then(function (results) {
          if (mine !== seq) return;
          shown = results.map(function (r) { return r.url; });
          list.textContent = "";
          results.forEach(function (r, i) {
            var li = el("li", "result");
            li.id = list.id + "-" + i;
            li.setAttribute("role", "option");
            li.setAttribute("aria-selected", "false");
            li.setAttribute("data-href", r.url);
            fill(li, r, found.forms);
            list.appendChild(li);
          });
          var n = found.hits.length;
          if (n > SHOWN || !n) {
            var all = el("li", n ? "result-all" : "result-empty", n ? "See all " + n + " results" : "No pages match \u201c" + q.trim() + "\u201d.");
            if (n) {
              all.id = list.id + "-all";
              all.setAttribute("role", "option");
              all.setAttribute("aria-selected", "false");
              all.setAttribute("data-href", base + "?q=" + encodeURIComponent(q.trim()));
              shown.push(all.getAttribute("data-href"));
            } else {
              all.setAttribute("role", "presentation");
            }
            list.appendChild(all);
          }
          active = -1;
          expanded(true);
          announce(status, n);
        });
      }, function () {
        if (mine !== seq) return;
        shown = [];
        list.textContent = "";
        list.appendChild(el("li", "result-empty", "Search is not available right now."));
        expanded(true);
        status.textContent = "Search is not available";
      });
      return pending;
    }

    function open(i) {
      var href = shown[i];
      if (href) location.href = href;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (ev) {
      var n = list.querySelectorAll("[role=option]").length;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (list.hidden) { if (input.value.trim()) run(); return; }
        if (!n) return;
        ev.preventDefault();
        var step = ev.key === "ArrowDown" ? 1 : -1;
        highlight(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        if (!input.value.trim()) return;
        // Results of what is typed now: wait for a search still running.
        var chosen = active;
        (timer || !shown.length ? run() : Promise.resolve(pending)).then(function () { open(chosen >= 0 ? chosen : 0); });
      } else if (ev.key === "Escape" || ev.key === "Esc") {
        if (!list.hidden) { ev.preventDefault(); expanded(false); }
        else if (input.value) { ev.preventDefault(); input.value = ""; run(); }
      }
    });
    list.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    list.addEventListener("click", function (ev) {
      var li = ev.target.closest ? ev.target.closest("[data-href]") : null;
      if (li) location.href = li.getAttribute("data-href");
    });
    input.addEventListener("blur", function () { expanded(false); });
    input.addEventListener("focus", function () { if (shown.length) expanded(true); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  }

  // The /search/ page: every result, PAGE at a time.
  function fullPage(form, input, list, status, base) {
    var more = el("button", "search-more", "Show more results");
    more.type = "button";
    more.hidden = true;
    list.parentNode.insertBefore(more, list.nextSibling);
    var seq = 0, found = null, done = 0;

    function next() {
      var mine = seq, slice = found.hits.slice(done, done + PAGE);
      return describe(base, slice, found.forms).then(function (results) {
        if (mine !== seq) return;
        results.forEach(function (r) {
          var li = el("li", "result");
          var a = el("a");
          a.href = r.url;
          fill(a, r, found.forms);
          li.appendChild(a);
          list.appendChild(li);
        });
        done += slice.length;
        more.hidden = done >= found.hits.length;
      });
    }

    function run() {
      var q = input.value, mine = ++seq;
      list.textContent = "";
      more.hidden = true;
      if (!q.trim()) { status.textContent = ""; return; }
      search(base, q).then(function (f) {
        if (mine !== seq) return;
        found = f;
        done = 0;
        list.hidden = false;
        announce(status, f.hits.length);
        if (!f.hits.length) list.appendChild(el("li", "result-empty", "No pages match \u201c" + q.trim() + "\u201d."));
        return next();
      }, function () {
        if (mine === seq) status.textContent = "Search is not available right now.";
      });
    }

    more.addEventListener("click", function () {
      var first = done;
      next().then(function () {
        var link = list.querySelectorAll("a")[first];
        if (link) link.focus();
      });
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (history.replaceState) history.replaceState(null, "", "?q=" + encodeURIComponent(input.value.trim()));
      run();
    });
    status.classList.remove("visually-hidden");
    var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = q; run(); }
  }

  function setup(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector(".search-results");
    var status = form.querySelector("[role=status]");
    var base = form.getAttribute("data-index");
    if (!input || !list || !status || !base) return;
    form.hidden = false;
    if (form.hasAttribute("data-full")) fullPage(form, input, list, status, base);
    else combobox(form, input, list, status, base);
    input.addEventListener("focus", function () { get(base + "index.json").catch(function () {}); }, { once: true });
  }

  // Opens the phone header's search box, when there is one behind a button.
  var openSearch = null;

  // "/" focuses the first visible search box, unless the reader is typing.
  function slash(ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var boxes = document.querySelectorAll("form[role=search] input[type=search]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].offsetParent !== null || boxes[i].getClientRects().length) {
        ev.preventDefault();
        boxes[i].focus();
        return;
      }
    }
    if (openSearch) {
      ev.preventDefault();
      openSearch();
    }
  }

  // The glossary's sticky A-Z bar: entries scroll to just below it (see
  // scroll-margin-top in style.css), whatever its height at this width.
  function jumpBar() {
    var bar = document.querySelector(".jump");
    if (!bar) return;
    function measure() { document.documentElement.style.setProperty("--jump-height", bar.offsetHeight + "px"); }
    measure();
    window.addEventListener("resize", measure);
    // A link followed before the height was known: land again.
    if (location.hash) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
  }

  // The phone header's two buttons: each opens what it controls (the
  // search box, the menu) and says so in aria-expanded. Escape closes the
  // open one and gives focus back to the button that opened it.
  function headerToggles() {
    var header = document.querySelector(".site-header");
    var menu = document.getElementById("cb-menu");
    var menuButton = document.querySelector(".menu-toggle");
    var searchButton = document.querySelector(".search-toggle");
    var form = document.getElementById("search-form");
    if (!header) return;
    header.classList.add("compact");
    function visible(el) { return !!el && !el.hidden && el.getClientRects().length > 0; }
    // aria-expanded at once: the details' own toggle event comes a task later.
    function setMenu(open) {
      menu.open = open;
      if (menuButton) menuButton.setAttribute("aria-expanded", String(open));
    }
    if (searchButton && form) {
      searchButton.hidden = false;
      searchButton.addEventListener("click", function () {
        var open = !form.classList.contains("is-open");
        form.classList.toggle("is-open", open);
        searchButton.setAttribute("aria-expanded", String(open));
        if (open) form.querySelector("input[type=search]").focus();
      });
    }
    if (menuButton && menu) {
      menuButton.hidden = false;
      menuButton.addEventListener("click", function () { setMenu(!menu.open); });
      // Opened or closed some other way (its summary, on a wider screen).
      menu.addEventListener("toggle", function () { menuButton.setAttribute("aria-expanded", String(menu.open)); });
    }
    document.addEventListener("keydown", function (ev) {
      if ((ev.key !== "Escape" && ev.key !== "Esc") || ev.defaultPrevented) return;
      var at = document.activeElement;
      if (menu && menu.open && (menu.contains(at) || at === menuButton)) {
        var summary = menu.querySelector("summary");
        var back = visible(menuButton) ? menuButton : visible(summary) ? summary : null;
        if (!back) return; // a wide screen's menu is always open
        ev.preventDefault();
        setMenu(false);
        back.focus();
      } else if (form && form.classList.contains("is-open") && (form.contains(at) || at === searchButton)) {
        ev.preventDefault();
        form.classList.remove("is-open");
        searchButton.setAttribute("aria-expanded", "false");
        searchButton.focus();
      }
    });
    return searchButton && form ? function () { if (!form.classList.contains("is-open")) searchButton.click(); } : null;
  }

  // A "link to this section" after each heading of a page's text, outside
  // it: the heading's name stays its text, and the link, right after it,
  // takes its purpose from it (WCAG technique H80) rather than repeating it.
  function headingAnchors() {
    var headings = document.querySelectorAll(".page-body > :is(h2, h3, h4, h5, h6)[id]");
    for (var i = 0; i < headings.length; i++) {
      var h = headings[i];
      var row = document.createElement("div");
      row.className = "heading-row";
      h.parentNode.insertBefore(row, h);
      row.appendChild(h);
      var a = el("a", "heading-anchor", "#");
      a.href = "#" + encodeURIComponent(h.id);
      a.setAttribute("aria-label", "Link to this section");
      row.appendChild(a);
    }
  }

  // Keeps a shown glossary pop-up inside the viewport: near the right edge
  // (a term at the end of a line on a phone) it moves left as far as it
  // must, and near the bottom it opens above the term if there is room
  // there. Either way it still touches the term, so the pointer can move
  // straight onto it.
  function placeTip(tip) {
    var margin = 8;
    tip.style.left = tip.style.top = tip.style.bottom = "";
    var view = document.documentElement;
    var box = tip.getBoundingClientRect();
    var shift = 0;
    if (box.right > view.clientWidth - margin) shift = view.clientWidth - margin - box.right;
    if (box.left + shift < margin) shift = margin - box.left;
    if (shift) tip.style.left = parseFloat(getComputedStyle(tip).left) + shift + "px";
    var term = tip.parentNode.getBoundingClientRect();
    if (box.bottom > view.clientHeight - margin && term.top - box.height >= margin) {
      tip.style.top = "auto";
      tip.style.bottom = "100%";
    }
  }

  // Glossary terms in page text (src/markdown/glossary.rs): the definition,
  // hidden without JavaScript, shows while the term or the pop-up is
  // hovered or the term has focus (so the pointer can move onto it), and
  // Escape hides it without moving focus (WCAG 2.2 SC 1.4.13).
  function glossaryTips() {
    var refs = document.querySelectorAll(".glossary-ref");
    var open = [];
    function wire(ref) {
      var link = ref.querySelector("a.glossary-term");
      var tip = ref.querySelector(".glossary-tip");
      if (!link || !tip) return;
      var hovered = false, focused = false;
      function update() {
        var shown = hovered || focused;
        if (shown && tip.hidden) {
          tip.hidden = false;
          placeTip(tip);
          // Focus scrolls the term into view after this handler: place it again there.
          requestAnimationFrame(function () { if (!tip.hidden) placeTip(tip); });
        }
        tip.hidden = !shown;
        if (shown && open.indexOf(tip) < 0) open.push(tip);
      }
      ref.addEventListener("mouseenter", function () { hovered = true; update(); });
      ref.addEventListener("mouseleave", function () { hovered = false; update(); });
      link.addEventListener("focus", function () { focused = true; update(); });
      link.addEventListener("blur", function () { focused = false; update(); });
    }
    for (var i = 0; i < refs.length; i++) wire(refs[i]);
    if (!refs.length) return;
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      // Dismissed until the pointer or focus leaves and comes back.
      for (var j = 0; j < open.length; j++) open[j].hidden = true;
      open = [];
    });
  }

  function init() {
    jumpBar();
    headingAnchors();
    openSearch = headerToggles();
    glossaryTips();
    var forms = document.querySelectorAll("form[role=search][data-index]");
    for (var i = 0; i < forms.length; i++) setup(forms[i]);
    document.addEventListener("keydown", slash);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
