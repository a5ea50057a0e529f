//! Which comparison page lists which site, once the comparison is too long
//! for one page: sites grouped by a profile field (`[compare] group_by`),
//! each group cut into pages of `sites_per_page`. Every site lands on
//! exactly one page; pages get distinct slugs.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use crate::markdown::{collapse_whitespace, slugify, unique_name};
use crate::model::{CompareConfig, GroupBy, Site};

/// One page of per-site tables.
pub(super) struct GroupPage<'a> {
    /// Folder under `compare/`.
    pub slug: String,
    /// 1-based position of the page's first site in its group.
    pub first: usize,
    pub sites: Vec<&'a Site>,
}

impl GroupPage<'_> {
    pub fn href(&self) -> String {
        format!("{}/index.html", self.slug)
    }

    /// "Sites 51 to 100"; "Site 7" for a page of one.
    pub fn range(&self) -> String {
        let last = self.first + self.sites.len() - 1;
        if last == self.first { format!("Site {}", self.first) } else { format!("Sites {} to {last}", self.first) }
    }
}

/// The sites sharing one value of the grouping field.
pub(super) struct Group<'a> {
    /// The field's value as written; "Region not recorded" and the like for
    /// the sites whose records leave it out; "All sites" without a field.
    pub name: String,
    pub size: usize,
    pub pages: Vec<GroupPage<'a>>,
}

/// The field the comparison groups by: the configured one, else `region`
/// when any record gives one, else none.
pub(super) fn resolve(config: &CompareConfig, sites: &[&Site]) -> GroupBy {
    config.group_by.unwrap_or_else(|| {
        if sites.iter().any(|s| key_of(s, GroupBy::Region).is_some()) { GroupBy::Region } else { GroupBy::None }
    })
}

/// The field's name in headings: "region".
pub(super) fn field_name(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Region => "region",
        GroupBy::Estate => "estate",
        GroupBy::Category => "category",
        GroupBy::None => "position in the index",
    }
}

/// A site's value of the grouping field, as written, whitespace collapsed;
/// `None` when the record does not state it.
fn key_of(site: &Site, by: GroupBy) -> Option<String> {
    let profile = &site.record.profile.as_ref()?.value;
    let text = match by {
        GroupBy::Region => profile.region.as_deref()?.to_string(),
        GroupBy::Category => profile.category.as_deref()?.to_string(),
        GroupBy::Estate => profile.estate?.label().to_string(),
        GroupBy::None => return None,
    };
    Some(collapse_whitespace(&text)).filter(|t| !t.is_empty())
}

/// Groups `sites` (in index order) by `by`: groups in alphabetical order
/// with the sites that do not state the field last; sites keep index order
/// within a group; each group is cut into pages of at most `per_page`.
pub(super) fn group<'a>(sites: &[&'a Site], by: GroupBy, per_page: usize) -> Vec<Group<'a>> {
    let per_page = per_page.max(1);
    let mut named: BTreeMap<(String, String), Vec<&'a Site>> = BTreeMap::new();
    let mut unstated = Vec::new();
    for &site in sites {
        match key_of(site, by) {
            // Case-insensitive order; the exact text keeps "North east" and
            // "North East" apart rather than merging what authors wrote.
            Some(key) => named.entry((key.to_lowercase(), key)).or_default().push(site),
            None => unstated.push(site),
        }
    }
    let mut groups: Vec<(String, Vec<&Site>)> = named.into_iter().map(|((_, name), sites)| (name, sites)).collect();
    if !unstated.is_empty() {
        let name = match by {
            GroupBy::None => "All sites".to_string(),
            _ => format!("{} not recorded", capitalised(field_name(by))),
        };
        groups.push((name, unstated));
    }
    let mut taken = FxHashSet::default();
    groups
        .into_iter()
        .map(|(name, sites)| {
            let base = match by {
                GroupBy::None => "sites".to_string(),
                _ => Some(slugify(&name)).filter(|s| !s.is_empty()).unwrap_or_else(|| "group".to_string()),
            };
            let chunks = sites.chunks(per_page).count();
            let pages = sites
                .chunks(per_page)
                .enumerate()
                .map(|(i, chunk)| {
                    let first = i * per_page + 1;
                    let wanted = match (by, chunks) {
                        (GroupBy::None, _) => format!("{base}-{first}-to-{}", first + chunk.len() - 1),
                        (_, 1) => base.clone(),
                        _ => format!("{base}-{}", i + 1),
                    };
                    GroupPage { slug: unique_name(&wanted, &mut taken), first, sites: chunk.to_vec() }
                })
                .collect();
            Group { name, size: sites.len(), pages }
        })
        .collect()
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, region: Option<&str>) -> Site {
        let profile = region.map_or(String::new(), |r| format!("profile: {{region: \"{r}\", estate: male}}\n"));
        let yaml =
            format!("id: {id}\ntitle: T {id}\nauthors: [A]\nyear: 2024\nstatus: published\nsummary: S\n{profile}");
        Site {
            folder: id.to_string(),
            record: serde_saphyr::from_str(&yaml).expect("record"),
            record_path: format!("content/sites/{id}/site.yaml"),
            record_text: yaml.as_str().into(),
            narrative: Vec::new(),
            narrative_complete: true,
            record_complete: true,
        }
    }

    fn names<'a>(groups: &[Group<'a>]) -> Vec<(String, Vec<Vec<&'a str>>)> {
        groups
            .iter()
            .map(|g| {
                let pages =
                    g.pages.iter().map(|p| p.sites.iter().map(|s| s.record.id.value.as_str()).collect()).collect();
                (g.name.clone(), pages)
            })
            .collect()
    }

    #[test]
    fn groups_are_alphabetical_with_the_unstated_last_and_sites_keep_their_order() {
        let sites = [site("a", Some("Wales")), site("b", None), site("c", Some("london")), site("d", Some("Wales"))];
        let refs: Vec<&Site> = sites.iter().collect();
        let groups = group(&refs, GroupBy::Region, 50);
        assert_eq!(
            names(&groups),
            [
                ("london".to_string(), vec![vec!["c"]]),
                ("Wales".to_string(), vec![vec!["a", "d"]]),
                ("Region not recorded".to_string(), vec![vec!["b"]]),
            ]
        );
        let slugs: Vec<&str> = groups.iter().flat_map(|g| &g.pages).map(|p| p.slug.as_str()).collect();
        assert_eq!(slugs, ["london", "wales", "region-not-recorded"]);
    }

    #[test]
    fn a_long_group_is_cut_into_pages_and_every_site_is_on_exactly_one() {
        let sites: Vec<Site> = (0..7).map(|i| site(&format!("s{i}"), Some("North East"))).collect();
        let refs: Vec<&Site> = sites.iter().collect();
        let groups = group(&refs, GroupBy::Region, 3);
        let pages = &groups[0].pages;
        assert_eq!(
            pages.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(),
            ["north-east-1", "north-east-2", "north-east-3"]
        );
        assert_eq!(pages.iter().map(GroupPage::range).collect::<Vec<_>>(), ["Sites 1 to 3", "Sites 4 to 6", "Site 7"]);
        let listed: Vec<&str> = pages.iter().flat_map(|p| &p.sites).map(|s| s.record.id.value.as_str()).collect();
        assert_eq!(listed, ["s0", "s1", "s2", "s3", "s4", "s5", "s6"]);
    }

    #[test]
    fn without_a_field_pages_follow_the_index_and_say_which_sites() {
        let sites: Vec<Site> = (0..5).map(|i| site(&format!("s{i}"), Some("Wales"))).collect();
        let refs: Vec<&Site> = sites.iter().collect();
        let groups = group(&refs, GroupBy::None, 2);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].name, "All sites");
        let slugs: Vec<&str> = groups[0].pages.iter().map(|p| p.slug.as_str()).collect();
        assert_eq!(slugs, ["sites-1-to-2", "sites-3-to-4", "sites-5-to-5"]);
    }

    #[test]
    fn clashing_or_empty_slugs_stay_distinct() {
        let sites = [site("a", Some("North East")), site("b", Some("North-East")), site("c", Some("!!!"))];
        let refs: Vec<&Site> = sites.iter().collect();
        let slugs: Vec<String> =
            group(&refs, GroupBy::Region, 50).into_iter().flat_map(|g| g.pages).map(|p| p.slug).collect();
        assert_eq!(slugs, ["group", "north-east", "north-east-2"]);
    }

    #[test]
    fn the_default_field_is_region_only_when_a_record_gives_one() {
        let with = [site("a", None), site("b", Some("Wales"))];
        let without = [site("a", None)];
        let config = CompareConfig::default();
        assert_eq!(resolve(&config, &with.iter().collect::<Vec<_>>()), GroupBy::Region);
        assert_eq!(resolve(&config, &without.iter().collect::<Vec<_>>()), GroupBy::None);
        let estate = CompareConfig { group_by: Some(GroupBy::Estate), ..CompareConfig::default() };
        let groups = group(&with.iter().collect::<Vec<_>>(), resolve(&estate, &[]), 50);
        assert_eq!(groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["Male", "Estate not recorded"]);
    }
}
