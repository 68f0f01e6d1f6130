//! The thin binary: parse the command line, call one library function, print the error once,
//! set the exit code (0 success, 1 site errors, 2 usage errors — clap exits with 2 itself).

use clap::Parser;
use mekong::cli::{Cli, Command};
use std::process::ExitCode;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // No transparent huge pages for this process: with them every fault of fresh heap memory
    // zeroed a whole 2 MB page (`clear_page_erms` was 8% of a 10,000-page build with search
    // on). Without them that build takes 1.3 s less wall, 1.3 s less system time and 100 MB
    // less memory; a search-off build the same time and 25 MB less (bench/search.md).
    // mimalloc's `MIMALLOC_ALLOW_THP=0` does the same; failing is harmless.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    let started = Instant::now();
    let result = match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            no_fsync,
        } => {
            let opts = mekong::Options {
                root,
                output,
                base_url,
                drafts,
                no_fsync,
            };
            mekong::build(&opts).map(|s| {
                print_warnings(&s.produced.warnings);
                println!(
                    "built {} pages into {} in {} ms: {} files written, {} unchanged, {} removed{}",
                    s.produced.pages,
                    opts.output_dir().display(),
                    started.elapsed().as_millis(),
                    s.written.written,
                    s.written.unchanged,
                    s.written.removed,
                    if s.produced.config.search {
                        let p = &s.produced;
                        match p.parsed < p.indexed {
                            true => format!(
                                ", {} pages indexed for search ({} parsed, the rest as the last build parsed them)",
                                p.indexed, p.parsed
                            ),
                            false => format!(", {} pages indexed for search", p.indexed),
                        }
                    } else {
                        String::new()
                    },
                );
            })
        }
        Command::Check { root, drafts } => {
            let opts = mekong::Options {
                root,
                drafts,
                ..Default::default()
            };
            mekong::check(&opts).map(|p| {
                print_warnings(&p.warnings);
                println!(
                    "checked {} pages in {} ms: no problems found",
                    p.pages,
                    started.elapsed().as_millis()
                );
            })
        }
        Command::Init { dir, force } => mekong::init::init(&dir, force).map(|files| {
            for f in &files {
                println!("  wrote {}", dir.join(f).display());
            }
            println!(
                "created a new site in {}: run `mekong build --root {}`, then read content/guide/getting-started.md",
                dir.display(),
                dir.display()
            );
        }),
        Command::Import { source, dest, from } => {
            let from = from.as_deref().and_then(mekong::import::Format::parse);
            mekong::import::import(&source, &dest, from).map(|report| {
                print!("{report}");
                println!("next: mekong build --root {}", dest.display());
            })
        }
        Command::Licenses => {
            print!("{}", mekong::markdown::highlight::notices());
            Ok(())
        }
        Command::Serve { root, port, bind, open, drafts } => {
            // An address given on purpose may be reached under any name (a proxy, the LAN).
            let hosts = match bind {
                Some(_) => mekong::serve::Hosts::Any,
                None => mekong::serve::Hosts::Local,
            };
            let bind = bind.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
            let opts = mekong::serve::ServeOptions { root, port, bind, open, drafts };
            mekong::serve::serve(&opts, hosts)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            let n = e.diagnostics.len();
            eprintln!(
                "{n} error{} found; nothing was written",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
    }
}

fn print_warnings(warnings: &[mekong::error::Diagnostic]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
