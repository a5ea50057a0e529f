/* wingreport search: client-side, no network, no dependencies.
 *
 * The index (static/search/, written by the build; src/search.rs describes
 * it) is split into small scripts, each calling
 * wingreportSearchShard(name, data): a manifest (the pages and which term
 * shards exist), term shards named after the first two characters of their
 * terms, and one document shard per page with its sections' labels, anchors
 * and opening text. Each is loaded when a query first needs it, by a
 * <script> element whose src is found from this script's own src, so search
 * works at any sub-path and from file:// (fetching JSON would not). The
 * page's CSP allows only same-origin scripts and stylesheets: nothing here
 * is inline, and showing and hiding use the `hidden` attribute and classes.
 *
 * The query engine (createEngine) touches no DOM, so that the tests run it
 * in Node against a built index.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var MIN_CHARS = 2; // src/search.rs MIN_TERM_CHARS
  var TITLE_WEIGHT = 100; // src/search.rs TITLE_WEIGHT
  var HEADING_WEIGHT = 200; // src/search.rs HEADING_WEIGHT

  var wordPattern = null;
  var endsInWord = null;
  var markPattern = null;
  try {
    wordPattern = new RegExp("[\\p{L}\\p{N}]+", "gu");
    endsInWord = new RegExp("[\\p{L}\\p{N}]$", "u");
    markPattern = new RegExp("\\p{M}", "gu");
  } catch (e) {
    // A browser without Unicode property escapes cannot split as the index
    // did: search stays hidden there.
  }

  /* Letters without a decomposition, as src/search.rs `plain_letters`
   * types them: ß ø ł ı đ ð ħ ŧ æ œ þ. */
  var PLAIN_LETTERS = {
    "\u00df": "ss", "\u00f8": "o", "\u0142": "l", "\u0131": "i", "\u0111": "d", "\u00f0": "d",
    "\u0127": "h", "\u0167": "t", "\u00e6": "ae", "\u0153": "oe", "\u00fe": "th"
  };
  var plainPattern = /[\u00df\u00f8\u0142\u0131\u0111\u00f0\u0127\u0167\u00e6\u0153\u00fe]/g;

  /* Text as src/search.rs `fold` makes it: lowercased, accents and other
   * combining marks removed, so "cafe" finds "Café", and the letters above
   * plain, so "soren" finds "Søren". */
  function fold(text) {
    var lower = text.toLowerCase();
    if (/^[\x00-\x7f]*$/.test(lower)) {
      return lower;
    }
    return lower.normalize("NFD").replace(markPattern, "").normalize("NFC").replace(plainPattern, function (c) {
      return PLAIN_LETTERS[c];
    });
  }

  /* The terms of `text` as src/search.rs `terms` makes them: folded, runs
   * of letters and digits, at least MIN_CHARS characters. */
  function terms(text) {
    return (fold(text).match(wordPattern) || []).filter(isTerm);
  }

  function isTerm(word) {
    return Array.from(word).length >= MIN_CHARS;
  }

  /* The shard of a term: src/search.rs `shard_name`. */
  function shardName(term) {
    return Array.from(term).slice(0, MIN_CHARS).map(function (ch) {
      return /^[a-z0-9]$/.test(ch) ? ch : "_" + ch.codePointAt(0).toString(16) + "_";
    }).join("");
  }

  /* Query words: every word must match; the last one, while it is still
   * being typed (nothing after it), matches as a prefix. */
  function parseQuery(text) {
    var folded = fold(text);
    var all = folded.match(wordPattern) || [];
    var words = all.filter(isTerm);
    var ignored = all.filter(function (w) { return !isTerm(w); });
    var prefix = words.length > 0 && endsInWord.test(folded) &&
      folded.slice(-words[words.length - 1].length) === words[words.length - 1];
    var seen = Object.create(null);
    var out = [];
    for (var i = 0; i < words.length; i++) {
      var isPrefix = prefix && i === words.length - 1;
      var key = (isPrefix ? "^" : "=") + words[i];
      if (!seen[key]) {
        seen[key] = true;
        out.push({ text: words[i], prefix: isPrefix });
      }
    }
    return {
      words: out,
      ignored: ignored,
      // The words left out are part of it: the summary names them.
      key: out.map(function (w) { return (w.prefix ? "^" : "=") + w.text; }).concat(ignored.map(function (w) {
        return "!" + w;
      })).join(" ")
    };
  }

  /* Postings as the build writes them (src/search.rs `Postings`): a string of
   * base-32 numbers, most significant digit first, a number's last digit from
   * the first half of DIGITS. Pairs (a, b) are one number 4a + b, or 4a and
   * then b when b is not 1 to 3. Per page: the page difference and a count
   * of sections, then that many (section difference, weight). */
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
  var DIGIT = {};
  for (var d = 0; d < DIGITS.length; d++) {
    DIGIT[DIGITS.charAt(d)] = d;
  }

  function decode(postings, visit) {
    var i = 0;
    var a = 0;
    var b = 0;
    function number() {
      var n = 0;
      while (i < postings.length) {
        var digit = DIGIT[postings.charAt(i++)];
        n = n * 32 + (digit & 31);
        if (digit < 32) {
          return n;
        }
      }
      return -1;
    }
    /* Reads the next pair into a and b; false at the end. */
    function pair() {
      var code = number();
      if (code < 0) {
        return false;
      }
      b = code % 4;
      a = (code - b) / 4;
      if (b === 0) {
        b = number();
      }
      return b >= 0;
    }
    var page = 0;
    while (pair()) {
      page += a;
      var count = b;
      var section = 0;
      for (var k = 0; k < count && pair(); k++) {
        section += a;
        visit(page, section, b);
      }
    }
  }

  /* `load(name, done)` fetches one shard and calls done(data), or
   * done(null) when it is missing. */
  function createEngine(load) {
    var cache = Object.create(null);
    var waiting = Object.create(null);

    function get(name, done) {
      if (name in cache) {
        done(cache[name]);
        return;
      }
      if (waiting[name]) {
        waiting[name].push(done);
        return;
      }
      waiting[name] = [done];
      load(name, function (data) {
        cache[name] = data === undefined ? null : data;
        var callbacks = waiting[name];
        delete waiting[name];
        for (var i = 0; i < callbacks.length; i++) {
          callbacks[i](cache[name]);
        }
      });
    }

    /* All of `names`, then done(array) or done(null) if any is missing. */
    function getAll(names, done) {
      var results = new Array(names.length);
      var left = names.length;
      var missing = false;
      if (left === 0) {
        done(results);
        return;
      }
      names.forEach(function (name, i) {
        get(name, function (data) {
          results[i] = data;
          missing = missing || data === null;
          if (--left === 0) {
            done(missing ? null : results);
          }
        });
      });
    }

    /* done(error, hits): every section holding all the words, best first:
     * the word being typed found whole before only as the start of longer
     * words ("42" before "421"), then most words in the section's label or
     * page title, then the sum of weight x idf, then reading order. A hit
     * is {page, section, exact, headings, score}. */
    function search(query, done) {
      if (query.words.length === 0) {
        done(null, []);
        return;
      }
      get("manifest", function (manifest) {
        if (!manifest) {
          done("missing");
          return;
        }
        var exists = Object.create(null);
        manifest.terms.forEach(function (name) { exists[name] = true; });
        var names = [];
        var words = query.words;
        for (var i = 0; i < words.length; i++) {
          var name = shardName(words[i].text);
          if (!exists[name]) {
            done(null, []); // a word no page holds: nothing holds them all
            return;
          }
          if (names.indexOf(name) === -1) {
            names.push(name);
          }
        }
        getAll(names.map(function (n) { return "t/" + n; }), function (shards) {
          if (!shards) {
            done("missing");
            return;
          }
          done(null, rank(manifest, words, words.map(function (w) {
            return shards[names.indexOf(shardName(w.text))];
          })));
        });
      });
    }

    function rank(manifest, words, shards) {
      var total = manifest.docs;
      var found = null;
      for (var w = 0; w < words.length; w++) {
        var word = words[w];
        var shard = shards[w];
        var hits = new Map();
        var matching = word.prefix
          ? Object.keys(shard).filter(function (t) { return t.lastIndexOf(word.text, 0) === 0; })
          : (Object.prototype.hasOwnProperty.call(shard, word.text) ? [word.text] : []);
        for (var t = 0; t < matching.length; t++) {
          var list = shard[matching[t]];
          var sections = 0;
          decode(list, function () { sections++; });
          var idf = Math.log(1 + total / Math.max(1, sections));
          decode(list, function (page, section, weight) {
            var key = page * 1048576 + section;
            var hit = hits.get(key);
            if (!hit) {
              hit = { page: page, section: section, heading: 0, score: 0, exact: false };
              hits.set(key, hit);
            }
            hit.exact = hit.exact || matching[t] === word.text;
            /* The section's heading (2) over the report's title (1). */
            hit.heading = Math.max(hit.heading, weight >= HEADING_WEIGHT ? 2 : weight >= TITLE_WEIGHT ? 1 : 0);
            hit.score += weight * idf;
          });
        }
        // Only sections holding every word so far stay.
        var next = new Map();
        (found || hits).forEach(function (hit, key) {
          var other = hits.get(key);
          if (other) {
            var kept = found ? hit : { page: hit.page, section: hit.section, exact: 0, headings: 0, score: 0 };
            kept.exact += other.exact ? 1 : 0;
            kept.headings += other.heading;
            kept.score += other.score;
            next.set(key, kept);
          }
        });
        found = next;
        if (found.size === 0) {
          break;
        }
      }
      var out = [];
      found.forEach(function (hit) { out.push(hit); });
      out.sort(function (a, b) {
        return b.exact - a.exact || b.headings - a.headings || b.score - a.score || a.page - b.page ||
          a.section - b.section;
      });
      return out;
    }

    /* done(error, results) for `hits`: {href, report, section, snippet}. */
    function describe(hits, done) {
      get("manifest", function (manifest) {
        if (!manifest) {
          done("missing");
          return;
        }
        var names = [];
        hits.forEach(function (hit) {
          var name = "p/" + hit.page;
          if (names.indexOf(name) === -1) {
            names.push(name);
          }
        });
        getAll(names, function (shards) {
          if (!shards) {
            done("missing");
            return;
          }
          done(null, hits.map(function (hit) {
            var page = manifest.pages[hit.page] || ["", "", 0];
            var doc = shards[names.indexOf("p/" + hit.page)][hit.section] || ["", "", ""];
            return {
              href: doc[1] ? page[0] + "#" + doc[1] : page[0],
              report: page[1],
              section: doc[0],
              snippet: doc[2]
            };
          }));
        });
      });
    }

    return {
      parse: parseQuery,
      search: search,
      describe: describe,
      preload: function () { get("manifest", function () {}); }
    };
  }

  if (typeof module === "object" && module && module.exports) {
    module.exports = { createEngine: createEngine, terms: terms, shardName: shardName };
  }
  if (typeof document === "undefined" || !wordPattern) {
    return;
  }

  var form = document.querySelector("form[data-wr-search]");
  if (!form || !window.addEventListener || !window.Map || !Array.from) {
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
  var arrived = Object.create(null);
  window.wingreportSearchShard = function (name, data) {
    arrived[name] = data;
  };
  /* The manifest is asked for afresh on each page, and names the version
   * of the shards it goes with: a cache that kept an earlier build's files
   * cannot answer with them. (From file:// the query is not read.) */
  var version = "";
  var engine = createEngine(function (name, done) {
    var script = document.createElement("script");
    var query = name === "manifest" ? "?t=" + Date.now() : version ? "?v=" + version : "";
    script.src = root + "static/search/" + name + ".js" + query;
    script.addEventListener("load", function () {
      var data = arrived[name];
      delete arrived[name];
      if (name === "manifest" && data && typeof data.version === "string") {
        version = encodeURIComponent(data.version);
      }
      done(data === undefined ? null : data);
    });
    script.addEventListener("error", function () {
      done(null);
    });
    document.head.appendChild(script);
  });

  var more = document.createElement("button");
  more.type = "button";
  more.className = "search-more";
  more.hidden = true;
  panel.appendChild(more);

  var searchTimer = 0;
  /* What the open list shows, so that a second update for the same query
   * (a late timer, focus coming back) keeps the list, and the result a
   * reader has moved to keeps the focus. */
  var shownFor = null;
  /* The query being searched for, whose answer is still on its way. */
  var pending = null;
  /* The hits of the shown query and how many of them are listed. */
  var current = null;
  /* Enter was pressed before the results of the query arrived. */
  var openFirst = false;
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

  /* Appends `text` to `parent` with the words of the query wrapped in
   * <mark>; marks only whitespace apart merge ("peer mentor"). */
  function appendMarked(parent, text, words) {
    var spans = [];
    var pattern = new RegExp(wordPattern.source, "gu");
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var term = fold(match[0]);
      var hit = words.some(function (w) {
        return w.prefix ? term.lastIndexOf(w.text, 0) === 0 : term === w.text;
      });
      if (!hit) {
        continue;
      }
      var start = match.index;
      var end = start + match[0].length;
      var last = spans[spans.length - 1];
      if (last && /^\s*$/.test(text.slice(last[1], start))) {
        last[1] = end;
      } else {
        spans.push([start, end]);
      }
    }
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

  function resultItem(result, words) {
    var li = document.createElement("li");
    li.className = "search-result";
    var a = document.createElement("a");
    a.className = "search-result-link";
    a.href = root + result.href;

    var section = document.createElement("span");
    section.className = "search-result-section";
    appendMarked(section, result.section || result.report, words);
    a.appendChild(section);

    if (result.section && result.report && result.section !== result.report) {
      var report = document.createElement("span");
      report.className = "search-result-report";
      appendMarked(report, result.report, words);
      a.appendChild(report);
    }

    if (result.snippet) {
      var snip = document.createElement("span");
      snip.className = "search-result-snippet";
      appendMarked(snip, result.snippet, words);
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
    openFirst = false;
    shownFor = null;
    pending = null;
    current = null;
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

  /* 26000 as "26,000", as the pages write numbers. */
  function thousands(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function plural(n) {
    return n === 1 ? "1 result" : thousands(n) + " results";
  }

  /* What the query left out, for the summary: "; “7” is not searched (one letter)". */
  function leftOut(ignored) {
    if (ignored.length === 0) {
      return "";
    }
    var quoted = ignored.map(function (w) { return "\u201c" + w + "\u201d"; }).join(", ");
    return "; " + quoted + (ignored.length === 1 ? " is" : " are") + " not searched (one letter)";
  }

  function unavailable(key) {
    openFirst = false;
    pending = null;
    shownFor = key;
    clear(list);
    more.hidden = true;
    summary.textContent = "Search is not available: the search index is missing.";
    announce(summary.textContent);
  }

  function describeSummary() {
    var total = current.hits.length;
    summary.textContent = (total > current.listed
      ? plural(total) + ", showing the best " + current.listed
      : plural(total)) + leftOut(current.ignored);
    more.hidden = total <= current.listed;
    more.textContent = "Show " + Math.min(PAGE_SIZE, total - current.listed) + " more results";
  }

  /* Lists the next page of the current hits; `focusFirst` moves the focus
   * to the first one added (after "more results"). */
  function listMore(key, focusFirst) {
    var batch = current.hits.slice(current.listed, current.listed + PAGE_SIZE);
    engine.describe(batch, function (error, results) {
      if (!current || current.key !== key || (pending !== null && pending !== key)) {
        return; // a newer query took over
      }
      if (error) {
        unavailable(key);
        return;
      }
      var firstAdded = null;
      for (var i = 0; i < results.length; i++) {
        var item = resultItem(results[i], current.words);
        firstAdded = firstAdded || item.firstChild;
        list.appendChild(item);
      }
      current.listed += results.length;
      pending = null;
      shownFor = key;
      describeSummary();
      if (openFirst) {
        openFirst = false;
        window.location.href = list.querySelector("a").href;
      } else if (focusFirst && firstAdded) {
        firstAdded.focus();
      } else if (!focusFirst) {
        announce(plural(current.hits.length) + leftOut(current.ignored) + ". Press the down arrow to go to them.");
      }
    });
  }

  function update() {
    var query = engine.parse(input.value);
    if (query.words.length === 0) {
      clear(list);
      more.hidden = true;
      shownFor = null;
      pending = null;
      if (!input.value.trim()) {
        summary.textContent = "";
        announce("");
        close();
        return;
      }
      /* Typed, but nothing to look for: say why rather than close. */
      summary.textContent = "Type a word of two or more letters or digits";
      announce(summary.textContent);
      open();
      return;
    }
    var key = query.key;
    if ((key === shownFor && !panel.hidden) || key === pending) {
      return;
    }
    pending = key;
    open();
    engine.search(query, function (error, hits) {
      if (pending !== key) {
        return; // a newer query took over
      }
      if (error) {
        unavailable(key);
        return;
      }
      clear(list);
      current = { key: key, words: query.words, ignored: query.ignored, hits: hits, listed: 0 };
      if (hits.length === 0) {
        openFirst = false;
        pending = null;
        shownFor = key;
        more.hidden = true;
        summary.textContent = "No results for \u201c" + input.value.trim() + "\u201d" + leftOut(query.ignored);
        announce(summary.textContent);
        return;
      }
      listMore(key, false);
    });
    if (pending === key && shownFor !== key) {
      summary.textContent = "Searching\u2026";
    }
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

  /* Escape from a result closes the list and gives the box the focus,
   * which must not open the list again. */
  var closedByEscape = false;
  function escapeToBox() {
    close();
    closedByEscape = true;
    input.focus();
    closedByEscape = false;
  }

  input.addEventListener("focus", function () {
    engine.preload();
    if (input.value.trim() && !closedByEscape) {
      update();
    }
  });
  input.addEventListener("input", scheduleUpdate);

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
      if (index === all.length - 1 && !more.hidden) {
        more.focus();
      } else {
        focusResult(index + 1);
      }
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
      escapeToBox();
    }
  });

  more.addEventListener("click", function () {
    if (current && current.listed < current.hits.length) {
      listMore(current.key, true);
    }
  });
  more.addEventListener("keydown", function (event) {
    if (event.key === "ArrowUp" || event.key === "Up") {
      event.preventDefault();
      focusResult(links().length - 1);
    } else if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      escapeToBox();
    }
  });

  /* The form never submits (the CSP forbids it): Enter in the box opens
   * the first result, once the results of what was typed are listed. */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(searchTimer);
    update();
    var first = links()[0];
    if (pending !== null) {
      openFirst = true;
    } else if (first) {
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
