//! The README's examples run as tests, so it cannot drift from what provdiag does.

#[test]
fn readme_examples_hold() {
    trycmd::TestCases::new()
        .register_bin("provdiag", trycmd::cargo::cargo_bin("provdiag"))
        .env("NO_COLOR", "1")
        .case("README.md");
}
