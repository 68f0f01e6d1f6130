//! The one integration-test binary: a module per feature, each building fixture sites from
//! tests/fixtures/ through the library (or the real binary) and asserting on what they produce.

#[cfg(unix)]
mod browser;
mod build;
mod compat;
mod errors;
mod flagship;
mod hardening;
mod highlight;
mod i18n;
mod import;
mod init;
mod layout;
mod links;
mod model;
mod reader;
mod rich;
mod scale;
mod search;
mod serve;
mod serve_safety;
mod stale;
mod support;
mod vnu;
mod workflow;
mod write_safety;
