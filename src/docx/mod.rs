//! `wingreport docx`: one Word document per site report.
//!
//! The site is built with [`crate::build::build`] into a fresh temporary
//! folder, as `pdf` does, and each report page's rendered `<main>` is turned
//! into a .docx ([`convert`]), so the document holds exactly what the page
//! does, numbered the same way. The documents are written into the temporary
//! folder too and moved into the output folder only when every report was
//! converted. The same input gives the same bytes: nothing in a document
//! depends on the time, the order reports are converted in or the machine's
//! state beyond its fonts (which draw the chart labels).

mod chart;
mod convert;
mod package;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::build::Failure;

pub use chart::Rasteriser;

/// What a successful `docx` run wrote.
#[derive(Debug)]
pub struct Written {
    /// The .docx files, one per report, in site-id order.
    pub files: Vec<PathBuf>,
    /// The folder they were written into.
    pub output: PathBuf,
}

/// Builds the project into a temporary folder and converts each site report
/// (or only `site`) to `<output>/<id>.docx`; `output` defaults to `ROOT/docx`.
pub fn docx(root: &Path, site: Option<&str>, output: Option<&Path>, drafts: bool) -> Result<Written, Failure> {
    let output = output.map_or_else(|| root.join("docx"), Path::to_path_buf);
    if let Some(reason) = refuse_reason(root, &output) {
        return Err(Failure::Usage(reason));
    }
    let work = tempfile::Builder::new()
        .prefix("wingreport-docx-")
        .tempdir()
        .map_err(|e| Failure::Io(format!("cannot make a temporary folder: {e}")))?;
    let built = work.path().join("site");
    crate::build::build(root, Some(&built), drafts)?;

    let known = site_ids(&built).map_err(|e| Failure::Io(format!("cannot read the built site: {e}")))?;
    let ids: Vec<String> = match site {
        Some(id) if known.iter().any(|k| k == id) => vec![id.to_string()],
        Some(id) => return Err(Failure::Usage(unknown_site(root, id, &known, drafts))),
        None => known,
    };
    if ids.is_empty() {
        return Err(Failure::Usage(format!(
            "{} has no site reports to convert{}",
            root.display(),
            if drafts { "" } else { " (drafts are left out unless --drafts is given)" }
        )));
    }

    let converted = work.path().join("docx");
    std::fs::create_dir_all(&converted)
        .map_err(|e| Failure::Io(format!("cannot make {}: {e}", converted.display())))?;
    let raster = Rasteriser::new();
    ids.par_iter().try_for_each(|id| {
        let bytes = report(&built.join("sites").join(id), &raster)
            .map_err(|e| Failure::Io(format!("cannot convert site {id} to Word: {e}")))?;
        let path = converted.join(format!("{id}.docx"));
        std::fs::write(&path, bytes).map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))
    })?;

    std::fs::create_dir_all(&output).map_err(|e| Failure::Io(format!("cannot make {}: {e}", output.display())))?;
    let mut files = Vec::with_capacity(ids.len());
    for id in &ids {
        let target = output.join(format!("{id}.docx"));
        move_into(&converted.join(format!("{id}.docx")), &target)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", target.display())))?;
        files.push(target);
    }
    Ok(Written { files, output })
}

/// One built report folder (index.html, site.json) to .docx bytes.
pub fn report(folder: &Path, raster: &Rasteriser) -> Result<Vec<u8>, String> {
    let page = folder.join("index.html");
    let html = std::fs::read_to_string(&page).map_err(|e| format!("cannot read {}: {e}", page.display()))?;
    let meta = convert::Meta { authors: record_authors(&folder.join("site.json")) };
    let converted = convert::convert(&html, &meta, raster)?;
    package::finish(converted.xml, &converted.properties, &converted.marks)
}

/// The authors listed in the report's data download, when it has them; the
/// cover's list is the fallback.
fn record_authors(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let Ok(record) = serde_json::from_str::<serde_json::Value>(&text) else { return Vec::new() };
    record
        .get("authors")
        .and_then(|a| a.as_array())
        .map(|list| list.iter().filter_map(|a| a.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Why the Word folder may not be used: it is the project (or holds it), or
/// it looks like a project itself. Like `pdf`, `docx` only adds or replaces
/// `<id>.docx` files, so an existing folder of other files is fine.
pub fn refuse_reason(root: &Path, output: &Path) -> Option<String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let output_abs = crate::write::absolute(output);
    if root.starts_with(&output_abs) {
        return Some(format!(
            "{} is the project folder or holds it; pass --output with a folder for the Word documents",
            output.display()
        ));
    }
    if output_abs.join("content").exists() || output_abs.join("wingreport.toml").exists() {
        return Some(format!(
            "{} holds a project (content/ or wingreport.toml); it is not a folder for Word documents",
            output.display()
        ));
    }
    if output_abs.exists() && !output_abs.is_dir() {
        return Some(format!("{} exists and is not a folder", output.display()));
    }
    None
}

/// Ids of the site reports a build wrote, sorted.
fn site_ids(built: &Path) -> std::io::Result<Vec<String>> {
    let sites = built.join("sites");
    if !sites.is_dir() {
        return Ok(Vec::new());
    }
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(&sites)? {
        let entry = entry?;
        if entry.path().join("index.html").is_file() {
            ids.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    ids.sort();
    Ok(ids)
}

fn unknown_site(root: &Path, id: &str, known: &[String], drafts: bool) -> String {
    let known_list = if known.is_empty() { "none".to_string() } else { known.join(", ") };
    let draft_hint = if !drafts && root.join("content/sites").join(id).join("site.yaml").is_file() {
        " (it is a draft or has no report page; add --drafts to include drafts)"
    } else {
        ""
    };
    format!("unknown site `{id}`{draft_hint}; known sites: {known_list}")
}

/// Moves a finished document into place: renamed when on the same disk,
/// else copied beside the target and renamed, so no half-written file is seen.
fn move_into(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let partial = to.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    std::fs::copy(from, &partial)?;
    std::fs::rename(&partial, to).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_folder_and_projects_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        assert!(refuse_reason(dir.path(), dir.path()).is_some());
        assert!(refuse_reason(&dir.path().join("sub"), dir.path()).is_some());
        assert!(refuse_reason(dir.path(), &dir.path().join("docx")).is_none());
        std::fs::write(dir.path().join("file"), "x").unwrap();
        assert!(refuse_reason(dir.path(), &dir.path().join("file")).is_some());
    }

    #[test]
    fn authors_come_from_the_record_when_it_lists_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.json");
        std::fs::write(&path, r#"{"authors": ["A. Author", "B. Author"]}"#).unwrap();
        assert_eq!(record_authors(&path), ["A. Author", "B. Author"]);
        std::fs::write(&path, "not json").unwrap();
        assert!(record_authors(&path).is_empty());
    }
}
