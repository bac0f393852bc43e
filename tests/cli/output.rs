//! `-o FILE` (spec, "Output and files"): a regular file replaced atomically with its mode kept, a special
//! file written in place, the run's own files refused, and no temporary file left by a signal. Every FIFO
//! and file here is made in a temporary directory.

use super::*;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

const LLE: &str =
    "Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded.";

fn temporaries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Process::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(ok.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_written_in_place_not_replaced_by_a_file() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the fifo"))
    };
    provdiag()
        .args(["-m", LLE, "--color", "never", "-o"])
        .arg(&fifo)
        .assert()
        .code(1)
        .stdout("");
    let read = reader.join().expect("reader");
    assert!(read.contains("License Limit Exceeded"), "{read}");
    let kind = std::fs::symlink_metadata(&fifo).expect("still there").file_type();
    assert!(kind.is_fifo(), "the FIFO is still a FIFO: {kind:?}");
    assert!(temporaries(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn an_existing_reports_mode_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.txt");
    std::fs::write(&report, "earlier").expect("write");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    provdiag().args(["-m", LLE, "-o"]).arg(&report).assert().code(1);
    let meta = std::fs::metadata(&report).expect("written");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&report)
        .expect("read")
        .contains("License Limit Exceeded"));
}

#[cfg(unix)]
#[test]
fn a_symlink_stays_a_symlink_and_its_target_gets_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let real = dir.path().join("real.txt");
    std::fs::write(&real, "earlier").expect("write");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    provdiag().args(["-m", LLE, "-o"]).arg(&link).assert().code(1);
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .expect("read")
        .contains("License Limit Exceeded"));
}

#[test]
fn output_naming_an_input_or_the_save_file_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("export.ndjson");
    let export = std::fs::read(fixture("syslog.ndjson")).expect("fixture");
    std::fs::write(&input, &export).expect("write");
    // The same file by another name: a relative path through its directory.
    provdiag()
        .current_dir(dir.path())
        .args(["-o", "./export.ndjson"])
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-o"));
    assert_eq!(
        std::fs::read(&input).expect("read"),
        export,
        "the export is untouched"
    );
    // A --save file not made yet.
    let save = dir.path().join("events.ndjson");
    provdiag()
        .args(["pull", "--org", "http://127.0.0.1:9", "--save"])
        .arg(&save)
        .arg("-o")
        .arg(&save)
        .env("OKTA_API_TOKEN", "x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("-o"));
    assert!(!save.exists());
}

#[cfg(unix)]
#[test]
fn sigterm_removes_the_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.txt");
    let bin = assert_cmd::cargo::cargo_bin("provdiag");
    // Reading a stdin that stays open: the temporary file exists while it waits.
    let mut child = Process::new(bin)
        .arg("-o")
        .arg(&report)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    while temporaries(dir.path()).is_empty() {
        assert!(Instant::now() < deadline, "no temporary file was made");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Process::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    // Child::wait closes stdin first: the run would then end on its own, racing the signal's handler.
    let stdin = child.stdin.take();
    let status = child.wait().expect("ends");
    drop(stdin);
    assert!(!status.success());
    assert_eq!(
        temporaries(dir.path()),
        Vec::<PathBuf>::new(),
        "no temporary file left"
    );
    assert!(!report.exists(), "no partial report");
}
