//! The GitHub Pages workflows: the repository's own (.github/workflows/pages.yml) and the one
//! `mekong init` writes (src/init/pages.yml). Both are checked for what Pages needs; the second
//! is checked against the first so that they do not drift apart. (actionlint runs in .ci/run.)

use crate::support::repo_root;
use serde_yaml::Value;

fn load(rel: &str) -> Value {
    let path = repo_root().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not valid YAML: {e}"))
}

fn repo_workflow() -> Value {
    load(".github/workflows/pages.yml")
}

fn init_workflow() -> Value {
    load("src/init/pages.yml")
}

fn steps<'a>(wf: &'a Value, job: &str) -> &'a [Value] {
    wf["jobs"][job]["steps"]
        .as_sequence()
        .unwrap_or_else(|| panic!("job {job} has no steps"))
}

/// The action a step uses, without its version: `actions/checkout`.
fn action(step: &Value) -> Option<&str> {
    step["uses"].as_str().map(|u| u.split('@').next().unwrap())
}

fn position(steps: &[Value], what: &str, pred: impl Fn(&Value) -> bool) -> usize {
    steps
        .iter()
        .position(pred)
        .unwrap_or_else(|| panic!("no step {what}"))
}

fn uses(steps: &[Value], name: &str) -> usize {
    position(steps, &format!("uses {name}"), |s| action(s) == Some(name))
}

fn runs(steps: &[Value], command: &str) -> usize {
    position(steps, &format!("runs `{command}`"), |s| {
        s["run"].as_str().is_some_and(|r| r.contains(command))
    })
}

fn mapping(pairs: &[(&str, &str)]) -> Value {
    let mut m = serde_yaml::Mapping::new();
    for (k, v) in pairs {
        m.insert(Value::from(*k), Value::from(*v));
    }
    Value::Mapping(m)
}

/// What both workflows must have: triggers, permissions, concurrency, the deploy job.
fn check_common(wf: &Value, name: &str) {
    let on = &wf["on"];
    let branches = on["push"]["branches"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{name}: no push branches"));
    assert_eq!(branches, &vec![Value::from("main")], "{name}: push to main");
    assert!(
        on.get("workflow_dispatch").is_some(),
        "{name}: workflow_dispatch"
    );
    assert_eq!(
        wf["permissions"],
        mapping(&[
            ("contents", "read"),
            ("pages", "write"),
            ("id-token", "write")
        ]),
        "{name}: permissions exactly contents: read, pages: write, id-token: write"
    );
    assert!(
        wf["concurrency"]["group"].is_string(),
        "{name}: concurrency group"
    );
    assert_eq!(
        wf["concurrency"]["cancel-in-progress"],
        Value::Bool(false),
        "{name}: cancel-in-progress false"
    );

    let build = steps(wf, "build");
    let checkout = uses(build, "actions/checkout");
    let toolchain = uses(build, "dtolnay/rust-toolchain");
    let configure = uses(build, "actions/configure-pages");
    assert_eq!(
        build[configure]["id"],
        Value::from("pages"),
        "{name}: configure-pages has id: pages"
    );
    let site = runs(
        build,
        "build --base-url \"${{ steps.pages.outputs.base_url }}/\"",
    );
    let upload = uses(build, "actions/upload-pages-artifact");
    assert_eq!(
        build[upload]["with"]["path"],
        Value::from("public/"),
        "{name}: upload public/"
    );
    assert!(
        checkout < toolchain && toolchain < site && configure < site && site < upload,
        "{name}: step order"
    );

    let deploy = &wf["jobs"]["deploy"];
    assert_eq!(
        deploy["needs"],
        Value::from("build"),
        "{name}: deploy needs build"
    );
    assert_eq!(
        deploy["environment"]["name"],
        Value::from("github-pages"),
        "{name}"
    );
    assert_eq!(
        deploy["environment"]["url"],
        Value::from("${{ steps.deployment.outputs.page_url }}"),
        "{name}"
    );
    let d = steps(wf, "deploy");
    let at = uses(d, "actions/deploy-pages");
    assert_eq!(
        d[at]["id"],
        Value::from("deployment"),
        "{name}: deploy-pages has id: deployment"
    );
}

#[test]
fn the_repository_workflow_tests_builds_and_deploys() {
    let wf = repo_workflow();
    check_common(&wf, ".github/workflows/pages.yml");
    let build = steps(&wf, "build");
    let cache = uses(build, "Swatinem/rust-cache");
    let test = runs(build, "cargo test");
    let site = runs(build, "cargo run --release -- build --base-url");
    let upload = uses(build, "actions/upload-pages-artifact");
    assert!(
        cache < test && test < site && site < upload,
        "cache, then tests, then build, then upload"
    );
}

#[test]
fn the_init_workflow_installs_mekong_and_builds_the_site() {
    let wf = init_workflow();
    check_common(&wf, "src/init/pages.yml");
    let build = steps(&wf, "build");
    let install = runs(build, "cargo install mekong --locked");
    let site = runs(build, "mekong build --base-url");
    assert!(install < site);
    // A site repository has no Cargo.toml: nothing may run cargo on it.
    for s in build {
        let run = s["run"].as_str().unwrap_or("");
        assert!(
            !run.contains("cargo run") && !run.contains("cargo test"),
            "{run}"
        );
    }
    assert!(
        wf["env"]["MEKONG_VERSION"].is_string(),
        "the version is pinned in env"
    );
}

#[test]
fn the_init_workflow_does_not_drift_from_the_repository_workflow() {
    let repo = repo_workflow();
    let init = init_workflow();
    for key in ["on", "permissions", "concurrency"] {
        assert_eq!(repo[key], init[key], "`{key}` differs");
    }
    assert_eq!(
        repo["jobs"]["deploy"], init["jobs"]["deploy"],
        "the deploy jobs differ"
    );
    // The same actions at the same versions, but for the Rust cache (the site has no Cargo.lock).
    let versions = |wf: &Value| -> Vec<String> {
        steps(wf, "build")
            .iter()
            .filter_map(|s| s["uses"].as_str())
            .filter(|u| !u.contains("cache"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(versions(&repo), versions(&init));
    // The comment on the traps of Pages artifacts is the same in both.
    let traps = |rel: &str| -> String {
        let text = std::fs::read_to_string(repo_root().join(rel)).unwrap();
        let start = text
            .find("# Traps")
            .unwrap_or_else(|| panic!("{rel}: no traps comment"));
        let end = start + text[start..].find("\n\n").unwrap();
        text[start..end].to_string()
    };
    assert_eq!(
        traps(".github/workflows/pages.yml"),
        traps("src/init/pages.yml")
    );
}

#[test]
fn init_writes_the_workflow_with_this_version_of_mekong() {
    let dir = crate::support::tempdir();
    mekong::init::init(dir.path(), false).unwrap();
    let text = std::fs::read_to_string(dir.path().join(".github/workflows/pages.yml")).unwrap();
    let wf: Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(
        wf["env"]["MEKONG_VERSION"],
        Value::from(env!("CARGO_PKG_VERSION"))
    );
    let mut template = init_workflow();
    template["env"]["MEKONG_VERSION"] = Value::from(env!("CARGO_PKG_VERSION"));
    assert_eq!(
        wf, template,
        "the written workflow is src/init/pages.yml with the version filled in"
    );
}
