//! The deployment files say what the binary does: the subcommands they run exist, and the
//! systemd environment file reads as written.

use std::process::Command;

fn runs(args: &[&str]) -> bool {
    Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn every_subcommand_the_deployment_files_run_exists() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |p: &str| std::fs::read_to_string(format!("{root}/{p}")).unwrap();
    let dockerfile = read("Dockerfile");
    assert!(dockerfile.contains(r#"CMD ["/usr/local/bin/throughline", "healthcheck"]"#));
    let deployment = read("manifests/kubernetes/deployment.yaml");
    assert!(deployment.contains(r#"args: ["migrate"]"#));
    let unit = read("manifests/deploy/throughline.service");
    assert!(unit.contains("ExecStartPre=/usr/local/bin/throughline migrate"));
    for sub in ["serve", "migrate", "healthcheck"] {
        assert!(runs(&[sub]), "throughline {sub} exists");
    }
    assert!(!runs(&["no-such-command"]), "the check can fail");

    let compose: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&read("manifests/compose.yaml")).unwrap();
    for (name, service) in compose["services"].as_mapping().unwrap() {
        assert!(
            service["healthcheck"].is_mapping(),
            "{name:?} has a healthcheck"
        );
    }
    let throughline = &compose["services"]["throughline"];
    assert_eq!(
        throughline["depends_on"]["postgres"]["condition"],
        "service_healthy"
    );
}

#[test]
fn the_systemd_environment_file_has_no_comment_after_a_value() {
    // systemd keeps everything after '=' in the value, a trailing "# …" included.
    let env = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/manifests/deploy/throughline.env"
    ))
    .unwrap();
    for line in env.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not NAME=value: {line}"));
        assert!(
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "{line}"
        );
        assert!(
            !value.contains(" #") && !value.contains("\t#"),
            "a comment inside the value: {line}"
        );
    }
}
