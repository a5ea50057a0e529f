/* wingreport: the series index's filter, shown past one screen of reports.
 *
 * Hides the cards whose title, prison, wing, region and year do not hold
 * a word starting with each word typed (in any case, with or without
 * accents: "bench 4" keeps HMP Bench 4 and 41, not every card of 2024),
 * and says how many are shown. Without JavaScript the filter stays hidden and every card
 * is listed. No network, nothing inline: the page's CSP allows only this
 * same-origin script.
 */
(function () {
  "use strict";

  var markPattern = null;
  var wordPattern = null;
  try {
    markPattern = new RegExp("\\p{M}", "gu");
    wordPattern = new RegExp("[\\p{L}\\p{N}]+", "gu");
  } catch (e) {
    return; // Without Unicode property escapes, accents could not be folded.
  }

  /* Letters without a decomposition typed plain, as search.js reads them:
   * "soren" keeps Søren, "lodz" Łódź. */
  var plain = { "\u00df": "ss", "\u00f8": "o", "\u0142": "l", "\u0131": "i", "\u0111": "d", "\u00f0": "d",
    "\u0127": "h", "\u0167": "t", "\u00e6": "ae", "\u0153": "oe", "\u00fe": "th" };

  function words(text) {
    var folded = text.toLowerCase().normalize("NFD").replace(markPattern, "");
    return folded.replace(/[^\x00-\x7f]/g, function (c) { return plain[c] || c; }).match(wordPattern) || [];
  }

  function start() {
    var box = document.querySelector("[data-wr-filter]");
    var input = document.getElementById("wr-cards-filter");
    var status = document.getElementById("wr-cards-shown");
    if (!box || !input || !status) return;
    var cards = Array.prototype.map.call(document.querySelectorAll(".cards > .card"), function (card) {
      var title = card.querySelector(".card-title");
      var meta = card.querySelector(".card-meta");
      return { card: card, words: words((title ? title.textContent : "") + " " + (meta ? meta.textContent : "")) };
    });
    var total = cards.length;
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined);

    function apply() {
      var typed = words(input.value);
      var shown = 0;
      cards.forEach(function (entry) {
        var match = typed.every(function (word) {
          return entry.words.some(function (own) { return own.lastIndexOf(word, 0) === 0; });
        });
        entry.card.hidden = !match;
        if (match) shown += 1;
      });
      if (!typed.length) {
        status.textContent = "";
      } else if (shown === 0) {
        status.textContent = "No report's title, prison, wing, region or year holds “" + input.value.trim() + "”.";
      } else {
        status.textContent = "Showing " + number.format(shown) + " of " + number.format(total) + " reports.";
      }
    }

    var pending = null;
    input.addEventListener("input", function () {
      // One pass over a thousand cards per pause in typing, not per key.
      if (pending) clearTimeout(pending);
      pending = setTimeout(apply, 120);
    });
    box.hidden = false;
    if (input.value) apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
