//! The Nu HTML checker (vnu, from the npm package `vnu-jar`) over every HTML file of the AMM-51
//! site, built under a sub-path as GitHub Pages serves it (issue 19): 0 errors.
//!
//! Without `java` or the jar build.rs marks the test ignored (`mekong_no_vnu`); `.ci/run`
//! installs both (Debian's `default-jre-headless`, `vnu-jar` into `target/vnu/`), and under
//! `CI=true` the test runs and fails when they are missing.

use crate::support::{SiteTest, repo_root, unavailable};
use std::path::PathBuf;
use std::process::Command;

/// Where the jar is; keep in step with build.rs's `has_vnu`.
fn vnu_jar() -> PathBuf {
    match std::env::var_os("MEKONG_VNU_JAR") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("target/vnu/node_modules/vnu-jar/build/dist/vnu.jar"),
    }
}

#[cfg_attr(
    mekong_no_vnu,
    ignore = "the Nu HTML checker needs java and vnu.jar: run .ci/run, or apt-get install default-jre-headless and npm install --prefix target/vnu vnu-jar"
)]
#[test]
fn every_page_of_the_flagship_site_is_valid_html() {
    let jar = vnu_jar();
    if !jar.is_file() {
        unavailable(&format!("no Nu HTML checker at {}", jar.display()));
    }
    let t = SiteTest::flagship();
    if let Err(e) = t.build_with(|o| o.base_url = Some("https://example.org/repo/".into())) {
        panic!("the flagship site does not build:\n{e}");
    }
    let public = t.root().join("public");
    let html: Vec<PathBuf> = walkdir::WalkDir::new(&public)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    assert!(html.len() >= 20, "only {} HTML files", html.len());
    let out = match Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(&html)
        .output()
    {
        Ok(out) => out,
        Err(e) => unavailable(&format!("cannot run java: {e}")),
    };
    let report = String::from_utf8_lossy(&out.stderr).replace(&*public.to_string_lossy(), "public");
    let report = report + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "the Nu HTML checker finds errors in {} files ({}):\n{report}",
        html.len(),
        out.status
    );
    println!("vnu: {} HTML files, 0 errors", html.len());
}
