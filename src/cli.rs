//! Command-line interface: parses arguments with clap, calls the library,
//! prints results and maps failures to exit codes. No content logic here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::build::{self, Failure, Summary};
use crate::diagnostics;

/// Build site-specific evaluation reports from YAML records and Markdown.
#[derive(Debug, Parser)]
#[command(name = "wingreport", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build every report, the series index and free pages into the output folder.
    ///
    /// The output is written to a fresh folder and swapped in only when the
    /// whole build succeeds, so a failed build leaves the previous output as it was.
    Build {
        /// Project folder holding wingreport.toml and content/.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Where to write the site [default: ROOT/output]. Refused if it is the
        /// project, holds content/, or exists and was not written by wingreport.
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Include sites with `status: draft` and narrative files with `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
        /// Also print how long each stage took (load, render, search index, ...).
        #[arg(long)]
        timings: bool,
    },
    /// Validate everything a build would (records, front matter, shortcodes, templates) without writing.
    Check {
        /// Project folder holding wingreport.toml and content/.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Also check draft sites and files.
        #[arg(long)]
        drafts: bool,
        /// `human` for people, `json` for editors and scripts (one array of diagnostics on stdout).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also print how long each stage took (load, render, search index, ...).
        #[arg(long)]
        timings: bool,
    },
    /// Print site reports to A4 PDFs through headless Chromium, Google Chrome or Microsoft Edge.
    ///
    /// Builds the site into a temporary folder and prints each report with the
    /// print stylesheet to OUTPUT/<id>.pdf: a cover, a contents page with page
    /// numbers, running headers, page numbers, bookmarks and tags. The browser is
    /// --browser when given, else WINGREPORT_CHROMIUM when set, else the first
    /// Chromium, Chrome or Edge found on PATH or in its usual install folder.
    Pdf {
        #[command(flatten)]
        export: ExportArgs,
        /// The browser to print with (a path, or a name on PATH); overrides WINGREPORT_CHROMIUM.
        #[arg(long, value_name = "PATH")]
        browser: Option<PathBuf>,
    },
    /// Convert site reports to Word documents (.docx), one per report.
    ///
    /// Builds the site into a temporary folder and writes each report's
    /// rendered content to OUTPUT/<id>.docx: Word heading styles, numbered
    /// captions, tables with header rows, charts as images with alt text,
    /// footnotes, and a DRAFT header on drafts.
    Docx {
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Preview the reports, drafts included, rebuilding and reloading the browser on every save.
    ///
    /// Pages are served from memory (output/ is never touched). When the
    /// content has mistakes, every page shows them over the last good version
    /// until the file is fixed.
    Serve {
        /// Project folder holding wingreport.toml and content/.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// Port to listen on [default: 1111, or the next free one]; 0 picks any free port.
        #[arg(long, value_name = "N")]
        port: Option<u16>,
        /// Address to listen on. Anything but 127.0.0.1 or ::1 lets other machines see your drafts.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1", value_parser = bind_address)]
        bind: std::net::IpAddr,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
        /// Connections served at once (tests set it low).
        #[arg(long, hide = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        max_connections: Option<u32>,
        /// Milliseconds a connection may wait without sending a request (tests set it low).
        #[arg(long, hide = true, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
        idle_timeout_ms: Option<u64>,
    },
    /// Create new content from a template: `wingreport new project [DIR] --title ...`, `wingreport new site <ID>`
    /// or `wingreport new theme <NAME>`.
    New {
        #[command(subcommand)]
        what: Template,
    },
    /// Print the JSON Schema of site.yaml, for editors (yaml-language-server) and scripts.
    ///
    /// Generated from the types the loader reads records into, so the two
    /// cannot drift apart. See "Editing records in VS Code and other editors"
    /// in README.md.
    Schema {
        /// Write the schema to FILE (such as site.schema.json) instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
enum Template {
    /// Start a project: wingreport.toml, content/series.yaml, one draft report and one free page.
    ///
    /// The result builds and passes `check` as it is. Refuses a folder that
    /// already holds a project (wingreport.toml, content/ or site.schema.json),
    /// and the current folder unless it is empty.
    Project {
        /// The project folder, created when missing [default: the current folder, if it is empty].
        dir: Option<PathBuf>,
        /// The study's title, such as "Peer mentoring in men's prisons"; fills wingreport.toml, series.yaml and the report.
        #[arg(long, value_name = "TEXT")]
        title: String,
        /// The report's id and folder name under content/sites/.
        #[arg(long, value_name = "ID", default_value = crate::scaffold::FIRST_SITE)]
        site: String,
    },
    /// Scaffold content/sites/<ID>/: a draft site.yaml with every key explained, and two narrative files.
    ///
    /// Also writes site.schema.json at the project root, which the record's
    /// first line points editors to. Refuses a site folder that has a site.yaml; to a folder of sections without one it adds only the record.
    Site {
        /// The site's id and folder name: lower-case letters, digits and `-`, such as `drake-hall`.
        id: String,
        /// The prison's name, such as "HMP Drake Hall"; fills `prison:` and the title.
        #[arg(long, value_name = "NAME")]
        prison: Option<String>,
        /// Project folder holding wingreport.toml and content/.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
    },
    /// Write the built-in theme to themes/<NAME>/ for editing: every template and static file.
    ///
    /// Select it with `theme = "NAME"` in wingreport.toml. Refuses to
    /// overwrite any file, and then writes nothing.
    Theme {
        /// The theme's name and folder name under themes/, such as `acme`.
        name: String,
        /// Project folder holding wingreport.toml and content/.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
    },
}

/// Entry point for `main`: runs the command and returns its exit code
/// (0 success, 1 content or disk errors, 2 usage errors). `release_memory`
/// gives what the allocator holds freed back to the system (see
/// [`crate::serve::ServeOptions`]).
pub fn run(release_memory: fn()) -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::New { what: Template::Project { dir, title, site } } => {
            let result = crate::scaffold::new_project(dir.as_deref(), &title, &site).map(|project| project.summary());
            report_written(result)
        }
        Command::New { what: Template::Site { id, prison, root } } => {
            let result = crate::scaffold::new_site(&root, &id, prison.as_deref()).map(|site| site.summary(&root));
            report_written(result)
        }
        Command::New { what: Template::Theme { name, root } } => {
            let result =
                crate::scaffold::new_theme(&root, &name).map(|files| crate::scaffold::theme_summary(&name, &files));
            report_written(result)
        }
        Command::Schema { output } => schema(output.as_deref()),
        Command::Build { root, output, drafts, quiet, timings } => {
            let result = build::build(&root, output.as_deref(), drafts);
            if timings {
                print_timings(&result);
            }
            finish(&root, result, quiet, Format::Human, "build")
        }
        Command::Check { root, drafts, format, timings } => {
            let result = build::check(&root, drafts);
            if timings {
                print_timings(&result);
            }
            finish(&root, result, false, format, "check")
        }
        Command::Pdf { export, browser } => {
            let printed = crate::pdf::pdf(&export.request(), browser.as_deref());
            exported(&export.root, printed, "PDF", "pdf", "in its PDF")
        }
        Command::Docx { export } => {
            let converted = crate::docx::docx(&export.request());
            exported(&export.root, converted, "Word document", "docx", "in its Word document's pictures")
        }
        Command::Serve { root, port, bind, open, max_connections, idle_timeout_ms } => {
            let defaults = crate::serve::Limits::default();
            let limits = crate::serve::Limits {
                max_connections: max_connections.map_or(defaults.max_connections, |n| n as usize),
                idle_timeout: idle_timeout_ms.map_or(defaults.idle_timeout, std::time::Duration::from_millis),
            };
            let options = crate::serve::ServeOptions { root: root.clone(), port, bind, open, limits, release_memory };
            match crate::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => finish(&root, Err(failure), false, Format::Human, "serve"),
            }
        }
    }
}

/// The options `pdf` and `docx` share (see [`crate::export`]).
#[derive(clap::Args, Debug)]
struct ExportArgs {
    /// Project folder holding wingreport.toml and content/.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Only this site's report (its id, the folder name under content/sites/).
    #[arg(long, value_name = "ID")]
    site: Option<String>,
    /// Where to write the files [default: ROOT/pdf or ROOT/docx]. Refused if it is the project or holds content/.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Include sites with `status: draft` and narrative files with `draft: true`.
    #[arg(long)]
    drafts: bool,
}

impl ExportArgs {
    fn request(&self) -> crate::export::Request<'_> {
        crate::export::Request {
            root: &self.root,
            site: self.site.as_deref(),
            output: self.output.as_deref(),
            drafts: self.drafts,
        }
    }
}

/// Reports what `pdf` or `docx` wrote ("Wrote 4 PDFs into ..."), or why it
/// failed; `drawn` says where this machine's fonts draw a report's text.
fn exported(
    root: &Path,
    result: Result<crate::export::Exported, Failure>,
    noun: &str,
    verb: &str,
    drawn: &str,
) -> ExitCode {
    match result {
        Ok(exported) => {
            let n = exported.files.len();
            eprintln!("Wrote {n} {noun}{} into {}", if n == 1 { "" } else { "s" }, exported.output.display());
            for stale in &exported.removed {
                eprintln!("Removed {}: a draft, which only --drafts exports", stale.display());
            }
            if !exported.drafts.is_empty() {
                eprintln!(
                    "warning: {} {} drafts (--drafts or `[build] drafts = true`), marked DRAFT on every page: do \
                     not send {} out",
                    exported.drafts.join(", "),
                    if exported.drafts.len() == 1 { "is or holds" } else { "are or hold" },
                    if exported.drafts.len() == 1 { "it" } else { "them" }
                );
            }
            for report in &exported.unprintable {
                eprintln!("warning: {}", report.warning(drawn));
            }
            ExitCode::SUCCESS
        }
        Err(failure) => finish(root, Err(failure), false, Format::Human, verb),
    }
}

fn finish(root: &Path, result: Result<Summary, Failure>, quiet: bool, format: Format, verb: &str) -> ExitCode {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match result {
        Ok(summary) => {
            if format == Format::Human {
                for warning in &summary.warnings {
                    eprintln!("warning: {}: {}", warning.location(), warning.message);
                    if let Some(hint) = &warning.hint {
                        eprintln!("  help: {hint}");
                    }
                }
            }
            if format == Format::Json {
                println!("[]");
            } else if !quiet {
                let mut sites = diagnostics::plural(summary.sites, "site report");
                if summary.draft_reports > 0 {
                    let drafts = diagnostics::plural(summary.draft_reports, "draft");
                    sites.push_str(&format!(" ({drafts} left out: `wingreport serve` or `--drafts` shows them)"));
                }
                let pages = diagnostics::plural(summary.pages, "page");
                let ms = summary.elapsed().as_millis();
                for record in &summary.withheld {
                    eprintln!("note: {record}: left out, as only draft sections show them");
                }
                let files = diagnostics::plural(summary.files, "file");
                let files = match summary.reused {
                    0 => files,
                    n => format!("{files}; {} read back from the build cache", diagnostics::plural(n, "report")),
                };
                match &summary.output {
                    Some(out) => eprintln!("Built {sites} and {pages} into {} ({files}) in {ms} ms", out.display()),
                    None => {
                        eprintln!("Checked {sites} and {pages}: no problems found ({ms} ms)");
                        print_external_links(&summary.external_links);
                    }
                }
            }
            // Said even with --quiet: an output with drafts must not be published.
            if let (Some(out), true, Format::Human) = (&summary.output, summary.drafts, format) {
                eprintln!(
                    "warning: {} holds drafts (--drafts or `[build] drafts = true`), each marked DRAFT: do not publish it",
                    out.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Content(diags)) => {
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&diags).unwrap_or_else(|_| "[]".to_string()));
            } else {
                eprint!("{}", diagnostics::report(root, &diags, colour));
                let kept = match verb {
                    // Built before the list named it, or with the same text: it may hold the name.
                    "build" if diags.iter().any(crate::privacy::is_leak) => {
                        "; the previous output was left as it was, and may hold the same real name: do not publish \
                         it again until a build passes"
                    }
                    "build" => "; the previous output was left as it was",
                    "pdf" | "docx" if diags.iter().any(crate::privacy::is_leak) => {
                        "; the files already in the output folder may hold the same real name: do not send them out \
                         until a run passes"
                    }
                    _ => "",
                };
                eprintln!("error: {verb} failed: {}{kept}", diagnostics::plural(diags.len(), "problem"));
            }
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Io(message)) => {
            // Only a build replaces an output folder; pdf and docx say what
            // they kept in their own words, and serve writes nothing.
            let kept = if verb == "build" { "; the previous output was left as it was" } else { "" };
            eprintln!("error: {message}{kept}");
            ExitCode::from(1)
        }
    }
}

/// The time each stage of a successful run took (`--timings`): on stderr,
/// before the summary, even with `--quiet`.
fn print_timings(result: &Result<Summary, Failure>) {
    let Ok(summary) = result else { return };
    let total = summary.elapsed().as_secs_f64().max(f64::MIN_POSITIVE);
    eprintln!("Time by stage (wall clock):");
    for (stage, took) in &summary.stages {
        let share = took.as_secs_f64() / total * 100.0;
        eprintln!("  {stage:<13}{:>8} ms {share:>4.0}%", took.as_millis());
    }
}

/// Each external address once, with how many pages link to it: listed
/// for the author to review, never fetched.
fn print_external_links(links: &[crate::links::ExternalLink]) {
    let mut pages: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> = Default::default();
    for link in links {
        pages.entry(link.href.as_str()).or_default().insert(link.page.as_str());
    }
    if pages.is_empty() {
        return;
    }
    eprintln!("{} (not fetched; check they still work):", diagnostics::plural(pages.len(), "external link"));
    for (href, on) in pages {
        eprintln!("  {href}  ({})", diagnostics::plural(on.len(), "page"));
    }
}

/// Prints what `new` wrote, or why it wrote nothing.
fn report_written(result: Result<String, Failure>) -> ExitCode {
    match result {
        Ok(message) => {
            eprint!("{message}");
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Io(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Content(diags)) => {
            eprint!("{}", diagnostics::report(Path::new("."), &diags, false));
            ExitCode::from(1)
        }
    }
}

/// `wingreport schema`: the site.yaml schema to stdout or to `output`.
fn schema(output: Option<&Path>) -> ExitCode {
    use std::io::Write;
    let text = crate::schema::site_schema_json();
    match output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                eprintln!("Wrote the JSON Schema of site.yaml to {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ExitCode::from(1)
            }
        },
        None => match std::io::stdout().lock().write_all(text.as_bytes()) {
            // A reader that stops early (`| head`) is not an error.
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write the schema: {e}");
                ExitCode::from(1)
            }
        },
    }
}

/// `--bind`: an IP address, or `localhost` for the loopback one.
fn bind_address(text: &str) -> Result<std::net::IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(std::net::Ipv4Addr::LOCALHOST.into());
    }
    text.parse().map_err(|_| {
        format!("`{text}` is not an IP address: write one such as 127.0.0.1, ::1 or 0.0.0.0, or `localhost`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by a preview audit: `--bind localhost` was refused.
    #[test]
    fn bind_takes_localhost_or_an_ip_address() {
        assert_eq!(bind_address("localhost"), Ok(std::net::Ipv4Addr::LOCALHOST.into()));
        assert_eq!(bind_address("::1"), Ok(std::net::Ipv6Addr::LOCALHOST.into()));
        assert!(bind_address("my-laptop").unwrap_err().contains("`localhost`"));
    }
}
