//! What a published report's record holds only for its draft sections.
//! A section marked `draft: true` is left out of a build, but the quotes,
//! tables and charts it shows live in `site.yaml`, and the record is
//! published whole: in `site.json`, the CSV downloads and the comparison.
//! So a build without drafts withholds every entry of the record that only
//! draft sections show, as it withholds the sections.

use crate::markdown::shortcode_calls;
use crate::model::{Narrative, SiteRecord};

/// Removes from `record` what only the draft files of `narrative` show,
/// and names what it removed (`quote \`sam-trust\``, `attributes`), in the
/// record's order. A report without draft sections is left as it is,
/// without reading its sections again.
pub fn withhold(record: &mut SiteRecord, narrative: &[Narrative]) -> Vec<String> {
    if !narrative.iter().any(|file| file.front.draft) {
        return Vec::new();
    }
    let mut shown = Shown::default();
    let mut drafted = Shown::default();
    for file in narrative {
        let into = if file.front.draft { &mut drafted } else { &mut shown };
        // The load keeps the text of every file of a report with a draft
        // section (`load::Bodies`).
        let Some(text) = file.body.text() else { continue };
        for (name, args) in shortcode_calls(text) {
            let key = args.get("key").or_else(|| args.get("id")).and_then(|v| v.as_str()).map(str::to_string);
            into.calls.push((name, key));
        }
    }
    let mut out = Withholding { shown, drafted, withheld: Vec::new() };
    out.block(&mut record.profile, "profile", "profile");
    out.block(&mut record.delivery, "delivery", "delivery");
    out.block(&mut record.phases, "phases", "phases");
    out.block(&mut record.attributes, "attributes_chart", "attributes");
    out.block(&mut record.social_capital, "social_capital", "social_capital");
    out.block(&mut record.ladder, "ladder", "ladder");
    out.block(&mut record.roles, "roles", "roles");
    if let Some(lists) = &mut record.lists {
        lists.retain(|key, _| out.keeps("list", key));
    }
    if let Some(tables) = &mut record.tables {
        tables.retain(|key, _| out.keeps("table", key));
    }
    out.block(&mut record.recommendations, "recommendations", "recommendations");
    if let Some(quotes) = &mut record.quotes {
        quotes.retain(|quote| out.keeps("quote", &quote.id.value));
    }
    // An emptied list of entries is no block: `site.json` leaves it out.
    record.lists.take_if(|lists| lists.is_empty());
    record.tables.take_if(|tables| tables.is_empty());
    record.quotes.take_if(|quotes| quotes.is_empty());
    out.withheld
}

/// What the sections show, and what is withheld so far, in the record's order.
struct Withholding {
    shown: Shown,
    drafted: Shown,
    withheld: Vec<String>,
}

impl Withholding {
    fn only_drafted(&self, name: &str, key: Option<&str>) -> bool {
        self.drafted.has(name, key) && !self.shown.has(name, key)
    }

    /// Empties the block `key` that only draft sections' `shortcode` shows.
    fn block<T>(&mut self, slot: &mut Option<T>, shortcode: &str, key: &str) {
        if slot.is_some() && self.only_drafted(shortcode, None) {
            *slot = None;
            self.withheld.push(format!("`{key}`"));
        }
    }

    /// Whether the entry `key` of a `shortcode`'s block (a list, a table, a
    /// quote) stays: some published section shows it, or no draft does.
    fn keeps(&mut self, shortcode: &str, key: &str) -> bool {
        let keep = !self.only_drafted(shortcode, Some(key));
        if !keep {
            self.withheld.push(format!("{shortcode} `{key}`"));
        }
        keep
    }
}

/// The calls of some sections: shortcode names, with the key or id of
/// those that show one entry (`quote`, `table`, `list`).
#[derive(Default)]
struct Shown {
    calls: Vec<(String, Option<String>)>,
}

impl Shown {
    fn has(&self, name: &str, key: Option<&str>) -> bool {
        self.calls.iter().any(|(n, k)| n == name && (key.is_none() || k.as_deref() == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(stem: &str, draft: bool, body: &str) -> Narrative {
        let front = format!("title: {stem}\ndraft: {draft}\n");
        Narrative {
            path: format!("content/sites/x/{stem}.md"),
            stem: stem.to_string(),
            front: crate::load::parse_yaml(&front, "f.yaml", 0).unwrap(),
            body: crate::model::Body::Text(body.to_string()),
            body_line: 1,
        }
    }

    fn record() -> SiteRecord {
        let yaml = "id: x\ntitle: T\nauthors: [A]\nyear: 2024\nstatus: published\nsummary: S\n\
                    attributes: {n: 5, items: [{name: Trust, count: 4}]}\n\
                    tables:\n  kept: {caption: K, columns: [A], rows: [[a]]}\n  drafted: {caption: D, columns: [A], rows: [[b]]}\n\
                    quotes:\n  - {id: both, text: Shown twice.}\n  - {id: hidden, text: Only in a draft.}\n";
        crate::load::parse_yaml(yaml, "site.yaml", 0).unwrap()
    }

    #[test]
    fn what_only_draft_sections_show_is_withheld() {
        let narrative = [
            section("01", false, "Text.\n\n{{ quote(id=\"both\") }}\n\n{{ table(key=\"kept\") }}\n"),
            section(
                "02",
                true,
                "{{ quote(id=\"both\") }}\n\n{{ quote(id=\"hidden\") }}\n\n{{ table(key=\"drafted\", id=\"t\") }}\n\n\
                 {{ attributes_chart(id=\"fig-a\") }}\n",
            ),
        ];
        let mut record = record();
        let withheld = withhold(&mut record, &narrative);
        assert_eq!(withheld, ["`attributes`", "table `drafted`", "quote `hidden`"]);
        assert!(record.attributes.is_none());
        assert_eq!(record.tables.unwrap().keys().collect::<Vec<_>>(), ["kept"]);
        let quotes: Vec<_> = record.quotes.unwrap().into_iter().map(|q| q.id.value).collect();
        assert_eq!(quotes, ["both"]);
    }

    #[test]
    fn without_draft_sections_or_draft_calls_the_record_is_whole() {
        let published = [section("01", false, "{{ quote(id=\"hidden\") }}\n")];
        let mut whole = record();
        assert!(withhold(&mut whole, &published).is_empty());
        assert!(whole.attributes.is_some() && whole.quotes.unwrap().len() == 2);
        // A draft section's text that mentions a call, in code, shows nothing.
        let mut whole = record();
        let drafted =
            [section("02", true, "Use `{{ quote(id=\"hidden\") }}`.\n\n```\n{{ attributes_chart() }}\n```\n")];
        assert!(withhold(&mut whole, &drafted).is_empty());
    }
}
