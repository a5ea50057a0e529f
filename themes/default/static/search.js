/* wingreport search: client-side, no network, no dependencies.
 *
 * The index (static/search-index.js, written by the build) is a script that
 * sets window.wingreportSearch to [{report, section, href, text}, ...]. It is
 * loaded the first time the search box gets focus or input, by a <script>
 * element whose src is found from this script's own src, so search works at
 * any sub-path and from file:// (fetching JSON would not). The page's CSP
 * allows only same-origin scripts and stylesheets: nothing here is inline,
 * and showing and hiding use the `hidden` attribute and classes only.
 */
(function () {
  "use strict";

  var MAX_RESULTS = 20;
  var SNIPPET_BEFORE = 60;
  var SNIPPET_LENGTH = 200;

  var form = document.querySelector("form[data-wr-search]");
  if (!form || !window.addEventListener || !String.prototype.normalize) {
    return;
  }
  var input = form.querySelector("input[type=search]");
  var panel = form.querySelector(".search-panel");
  var list = form.querySelector(".search-results");
  var summary = form.querySelector(".search-summary");
  var status = form.querySelector(".search-status");
  if (!input || !panel || !list || !summary || !status) {
    return;
  }

  var root = findRoot();
  var docs = null; // folded index once loaded
  var loading = false;
  var failed = false;
  var searchTimer = 0;
  /* What the open list shows, so that a second update for the same query
   * (the index arriving, a late timer) keeps the list, and the result a
   * reader has moved to keeps the focus. */
  var shownFor = null;
  var statusTimer = 0;

  form.hidden = false;

  /* ROOT: the relative path from this page to the output root, taken from
   * this script's own src attribute ("../../static/search.js" -> "../../"). */
  function findRoot() {
    var script = document.currentScript;
    if (!script) {
      var scripts = document.querySelectorAll("script[src]");
      for (var i = 0; i < scripts.length; i++) {
        if (/(^|\/)static\/search\.js([?#].*)?$/.test(scripts[i].getAttribute("src"))) {
          script = scripts[i];
        }
      }
    }
    var src = script ? script.getAttribute("src") || "" : "static/search.js";
    src = src.replace(/[?#].*$/, "");
    var at = src.lastIndexOf("static/search.js");
    return at >= 0 ? src.slice(0, at) : "";
  }

  /* Case- and accent-insensitive folding that keeps the string's length, so
   * positions found in folded text are positions in the original. */
  var foldCache = Object.create(null);
  function foldChar(ch) {
    var cached = foldCache[ch];
    if (cached !== undefined) {
      return cached;
    }
    var folded = ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    if (folded.length !== 1) {
      folded = ch.toLowerCase();
      if (folded.length !== 1) {
        folded = ch;
      }
    }
    foldCache[ch] = folded;
    return folded;
  }
  function fold(text) {
    // Non-ASCII characters one by one (cached), then ASCII case in one go:
    // foldChar never returns a character that lower-cases to two.
    return text.replace(/[^\x00-\x7f]/g, foldChar).toLowerCase();
  }

  /* Query words: runs of letters and digits. Single letters are dropped
   * when there is more than one word ("women's" should not mark every s). */
  var splitter;
  try {
    splitter = new RegExp("[^\\p{L}\\p{N}]+", "u");
  } catch (e) {
    splitter = /[^0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+/;
  }
  function queryWords(query) {
    var words = fold(query).split(splitter);
    var seen = Object.create(null);
    var out = [];
    for (var i = 0; i < words.length; i++) {
      if (words[i] && !seen[words[i]]) {
        seen[words[i]] = true;
        out.push(words[i]);
      }
    }
    if (out.length > 1) {
      out = out.filter(function (w) { return w.length > 1 || /[0-9]/.test(w); });
    }
    // Longest first: a highlight of "mentoring" wins over one of "men".
    return out.sort(function (a, b) { return b.length - a.length; });
  }

  function loadIndex() {
    if (docs || loading || failed) {
      return;
    }
    if (Array.isArray(window.wingreportSearch)) {
      prepare(window.wingreportSearch);
      return;
    }
    loading = true;
    var script = document.createElement("script");
    script.src = root + "static/search-index.js";
    script.addEventListener("load", function () {
      loading = false;
      if (Array.isArray(window.wingreportSearch)) {
        prepare(window.wingreportSearch);
      } else {
        failed = true;
      }
      update();
    });
    script.addEventListener("error", function () {
      loading = false;
      failed = true;
      update();
    });
    document.head.appendChild(script);
  }

  function prepare(raw) {
    docs = [];
    for (var i = 0; i < raw.length; i++) {
      var d = raw[i];
      if (!d || typeof d.href !== "string") {
        continue;
      }
      var report = String(d.report || "");
      var section = String(d.section || "");
      var text = String(d.text || "");
      docs.push({
        report: report,
        section: section,
        href: d.href,
        text: text,
        foldedReport: fold(report),
        foldedSection: fold(section),
        foldedText: fold(text),
        order: docs.length
      });
    }
  }

  function countIn(haystack, word, cap) {
    var n = 0;
    var at = haystack.indexOf(word);
    while (at !== -1 && n < cap) {
      n++;
      at = haystack.indexOf(word, at + word.length);
    }
    return n;
  }

  /* Every word must occur somewhere in the report title, section label or
   * text. Section matches count most, then report title, then how often the
   * words occur in the text; ties keep index (reading) order. */
  function search(words) {
    var hits = [];
    for (var i = 0; i < docs.length; i++) {
      var d = docs[i];
      var score = 0;
      var all = true;
      for (var w = 0; w < words.length; w++) {
        var word = words[w];
        var inSection = d.foldedSection.indexOf(word) !== -1;
        var inReport = d.foldedReport.indexOf(word) !== -1;
        var inText = d.foldedText.indexOf(word) !== -1;
        if (!inSection && !inReport && !inText) {
          all = false;
          break;
        }
        score += (inSection ? 100 : 0) + (inReport ? 20 : 0) + (inText ? countIn(d.foldedText, word, 50) : 0);
      }
      if (all) {
        hits.push({ doc: d, score: score });
      }
    }
    hits.sort(function (a, b) { return b.score - a.score || a.doc.order - b.doc.order; });
    return hits;
  }

  /* [start, end) ranges of the words in `folded`, sorted and merged. */
  function ranges(folded, words) {
    var found = [];
    for (var w = 0; w < words.length; w++) {
      var at = folded.indexOf(words[w]);
      while (at !== -1) {
        found.push([at, at + words[w].length]);
        at = folded.indexOf(words[w], at + words[w].length);
      }
    }
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    for (var i = 0; i < found.length; i++) {
      var last = merged[merged.length - 1];
      // Overlapping, touching or only whitespace apart: one mark ("peer mentor").
      if (last && (found[i][0] <= last[1] || /^\s+$/.test(folded.slice(last[1], found[i][0])))) {
        last[1] = Math.max(last[1], found[i][1]);
      } else {
        merged.push([found[i][0], found[i][1]]);
      }
    }
    return merged;
  }

  /* Appends `text` to `parent` with the words wrapped in <mark>. */
  function appendMarked(parent, text, folded, words) {
    var spans = ranges(folded, words);
    var pos = 0;
    for (var i = 0; i < spans.length; i++) {
      if (spans[i][0] > pos) {
        parent.appendChild(document.createTextNode(text.slice(pos, spans[i][0])));
      }
      var mark = document.createElement("mark");
      mark.textContent = text.slice(spans[i][0], spans[i][1]);
      parent.appendChild(mark);
      pos = spans[i][1];
    }
    if (pos < text.length) {
      parent.appendChild(document.createTextNode(text.slice(pos)));
    }
  }

  /* A window of the text around the first occurrence of any word, cut at
   * spaces, with ellipses where it was cut. */
  function snippet(doc, words) {
    var text = doc.text;
    var first = -1;
    for (var w = 0; w < words.length; w++) {
      var at = doc.foldedText.indexOf(words[w]);
      if (at !== -1 && (first === -1 || at < first)) {
        first = at;
      }
    }
    var start = first === -1 ? 0 : Math.max(0, first - SNIPPET_BEFORE);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space !== -1 && space < first ? space + 1 : start;
    }
    var end = Math.min(text.length, start + SNIPPET_LENGTH);
    if (end < text.length) {
      var cut = text.lastIndexOf(" ", end);
      end = cut > start + SNIPPET_LENGTH / 2 ? cut : end;
    }
    return {
      text: text.slice(start, end),
      folded: doc.foldedText.slice(start, end),
      before: start > 0,
      after: end < text.length
    };
  }

  function resultItem(hit, words) {
    var d = hit.doc;
    var li = document.createElement("li");
    li.className = "search-result";
    var a = document.createElement("a");
    a.className = "search-result-link";
    a.href = root + d.href;

    var section = document.createElement("span");
    section.className = "search-result-section";
    appendMarked(section, d.section || d.report, d.section ? d.foldedSection : d.foldedReport, words);
    a.appendChild(section);

    if (d.section && d.report) {
      var report = document.createElement("span");
      report.className = "search-result-report";
      appendMarked(report, d.report, d.foldedReport, words);
      a.appendChild(report);
    }

    var s = snippet(d, words);
    if (s.text) {
      var snip = document.createElement("span");
      snip.className = "search-result-snippet";
      if (s.before) {
        snip.appendChild(document.createTextNode("\u2026 "));
      }
      appendMarked(snip, s.text, s.folded, words);
      if (s.after) {
        snip.appendChild(document.createTextNode(" \u2026"));
      }
      a.appendChild(snip);
    }
    li.appendChild(a);
    return li;
  }

  function clear(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
  }

  function open() {
    panel.hidden = false;
    form.classList.add("is-open");
  }

  function close() {
    shownFor = null;
    panel.hidden = true;
    form.classList.remove("is-open");
  }

  /* The live region speaks only once typing pauses, not on every key. */
  function announce(message) {
    window.clearTimeout(statusTimer);
    statusTimer = window.setTimeout(function () {
      status.textContent = message;
    }, 600);
  }

  function plural(n) {
    return n === 1 ? "1 result" : n + " results";
  }

  function update() {
    var query = input.value.trim();
    var state = (failed ? "failed " : docs ? "ready " : "waiting ") + query;
    if (state === shownFor && !panel.hidden) {
      return;
    }
    shownFor = state;
    var words = queryWords(query);
    clear(list);
    if (!query || (words.length === 1 && words[0].length < 2) || words.length === 0) {
      summary.textContent = "";
      announce("");
      close();
      return;
    }
    open();
    if (failed) {
      summary.textContent = "Search is not available: the search index is missing.";
      announce(summary.textContent);
      return;
    }
    if (!docs) {
      summary.textContent = "Loading the search index\u2026";
      loadIndex();
      return;
    }
    var hits = search(words);
    if (hits.length === 0) {
      summary.textContent = "No results for \u201c" + query + "\u201d";
      announce(summary.textContent);
      return;
    }
    var shown = Math.min(hits.length, MAX_RESULTS);
    summary.textContent = hits.length > shown
      ? plural(hits.length) + ", showing the best " + shown
      : plural(hits.length);
    for (var i = 0; i < shown; i++) {
      list.appendChild(resultItem(hits[i], words));
    }
    announce(plural(hits.length) + ". Press the down arrow to go to them.");
  }

  function scheduleUpdate() {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(update, 80);
  }

  function links() {
    return list.querySelectorAll("a");
  }

  function focusResult(index) {
    var all = links();
    if (all.length === 0) {
      return;
    }
    all[Math.max(0, Math.min(index, all.length - 1))].focus();
  }

  input.addEventListener("focus", function () {
    loadIndex();
    if (input.value.trim()) {
      update();
    }
  });
  input.addEventListener("input", function () {
    loadIndex();
    scheduleUpdate();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "Down") {
      if (panel.hidden && input.value.trim()) {
        update();
      }
      if (links().length) {
        event.preventDefault();
        focusResult(0);
      }
    } else if (event.key === "Escape" || event.key === "Esc") {
      if (!panel.hidden) {
        event.preventDefault();
        close();
      }
    }
  });

  list.addEventListener("keydown", function (event) {
    var all = Array.prototype.slice.call(links());
    var index = all.indexOf(document.activeElement);
    if (index === -1) {
      return;
    }
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      focusResult(index + 1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      event.preventDefault();
      if (index === 0) {
        input.focus();
      } else {
        focusResult(index - 1);
      }
    } else if (event.key === "Home") {
      event.preventDefault();
      focusResult(0);
    } else if (event.key === "End") {
      event.preventDefault();
      focusResult(all.length - 1);
    } else if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      close();
      input.focus();
    }
  });

  /* The form never submits (the CSP forbids it): Enter in the box opens
   * the first result. */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(searchTimer);
    update();
    var first = links()[0];
    if (first) {
      window.location.href = first.href;
    }
  });

  /* A chosen result on this same page only changes the hash: close. */
  list.addEventListener("click", function (event) {
    var target = event.target;
    while (target && target !== list && target.tagName !== "A") {
      target = target.parentNode;
    }
    if (target && target.tagName === "A") {
      close();
    }
  });

  /* Clicking or tabbing elsewhere closes the panel. */
  document.addEventListener("mousedown", function (event) {
    if (!form.contains(event.target)) {
      close();
    }
  });
  document.addEventListener("focusin", function (event) {
    if (!form.contains(event.target)) {
      close();
    }
  });
})();
