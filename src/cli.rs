//! The command line: clap derive structs whose doc comments are the `--help` text.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// mekong: a fast, dependable static documentation site generator.
#[derive(Debug, Parser)]
#[command(name = "mekong", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        /// The site folder, holding site.yaml, content/, templates/ and static/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; default: public/ under the root.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override base_url from site.yaml, e.g. https://user.github.io/repo/.
        #[arg(long)]
        base_url: Option<String>,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Do not sync the new files to disk before swapping them in: faster, but a power
        /// loss soon after the build may leave empty files in the site.
        #[arg(long)]
        no_fsync: bool,
    },
    /// Run the whole pipeline in memory and report every problem; writes nothing.
    Check {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Build, serve on http://127.0.0.1:1111/, and rebuild and reload on every change.
    Serve {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// The address to bind (default 127.0.0.1); anything but loopback exposes the site
        /// to the network. Without --bind only requests for localhost, 127.0.0.1 and [::1]
        /// are answered (against DNS rebinding); with it, requests for any host name.
        #[arg(long)]
        bind: Option<std::net::IpAddr>,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Write a small working site (pages, site.yaml, a GitHub Pages workflow) into a new folder.
    Init {
        /// The folder to create; it must be new or empty unless --force is given.
        dir: PathBuf,
        /// Write into a non-empty folder, overwriting files of the same name.
        #[arg(long)]
        force: bool,
    },
    /// Bring an mdBook, Zola or Hugo site in as a new mekong site, and say what could not be
    /// converted (file:line and what to do). SOURCE is only read.
    Import {
        /// The folder of the site to import.
        source: PathBuf,
        /// The new site's folder; it must be new or empty.
        dest: PathBuf,
        /// The generator that made SOURCE; detected when left out.
        #[arg(long, value_parser = ["mdbook", "zola", "hugo"])]
        from: Option<String>,
    },
    /// Print the licence notices of the code highlighter and the syntax definitions compiled
    /// into this binary.
    Licenses,
}
