//! wingreport: a static site generator for site-specific evaluation reports.
//!
//! Data flows one way: [`load`] reads the content into a [`model::Project`],
//! [`validate`] cross-checks it, [`render`] turns it into output files in
//! memory (Markdown, shortcodes, charts, templates), [`privacy`] stops real
//! names from leaking, and [`write`] puts them on disk atomically. [`build`] runs the stages in order.

pub mod accessibility;
pub mod build;
pub mod charts;
pub mod cli;
pub mod css;
pub mod diagnostics;
pub(crate) mod digest;
pub mod docx;
pub mod export;
pub mod fonts;
pub(crate) mod interrupt;
pub mod links;
pub mod load;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod privacy;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub(crate) mod tags;
pub mod templates;
pub mod validate;
pub mod write;
