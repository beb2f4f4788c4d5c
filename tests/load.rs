//! Regression tests for reading inputs from disk (issue 9, "Stack folders", "Test files", "Hangs,
//! unbounded reads, leaks"): nothing in a stack folder is skipped silently, nothing outside a
//! test file's folder tree is read, nothing hangs or reads without bound. Each test is named
//! after the finding it pins; the table in docs/robustness.md names them. The folders are built
//! in a temporary folder by each test, since they need links, FIFOs and odd names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ALLOW: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
const DENY: &str = r#"{"Version": "2012-10-17", "Statement": {"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}}"#;

/// A folder made for one test, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let dir = std::env::temp_dir().join(format!("polsim-load-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }
    /// Writes `text` to `rel`, creating the folders on the way.
    fn file(&self, rel: &str, text: &str) -> &Temp {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }
    fn dir(&self, rel: &str) -> &Temp {
        std::fs::create_dir_all(self.0.join(rel)).unwrap();
        self
    }
    fn link(&self, target: &str, rel: &str) -> &Temp {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
        self
    }
    fn fifo(&self, rel: &str) -> &Temp {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let ok = Command::new("mkfifo").arg(&p).status().unwrap().success();
        assert!(ok, "mkfifo {}", p.display());
        self
    }
    /// A stack allowing everything, with a Deny-everything policy that the test then spoils.
    fn stack(name: &str) -> Temp {
        let t = Temp::new(name);
        t.file("identity/allow.json", ALLOW);
        t
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs polsim in `dir` with `args`, killed after 20 seconds (a hang fails the test).
fn polsim_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_polsim"))
        .current_dir(dir)
        .arg("--color")
        .arg("never")
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("polsim {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `polsim eval` of `s3:GetObject` on the stack in `t`, with `extra` options.
fn eval(t: &Temp, extra: &[&str]) -> Output {
    let mut args = vec![
        "eval",
        "--policy",
        ".",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ];
    args.extend(extra);
    polsim_in(&t.0, &args, &[])
}

/// The stack is refused (exit 2) with an error naming `path` and saying `fragment`.
fn refused(t: &Temp, path: &str, fragment: &str) {
    let o = eval(t, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{path}: exit code\n{out}");
    assert!(
        out.contains(&format!("`./{path}`")),
        "{path}: not named\n{out}"
    );
    assert!(out.contains(fragment), "{path}: message\n{out}");
    assert!(!out.contains("ALLOWED"), "{out}");
}

// ---- Stack folders ---------------------------------------------------------------------------

#[test]
fn stack_allows_before_it_is_spoilt() {
    let t = Temp::stack("baseline");
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn stack_dangling_symlink_policy_is_an_error() {
    let t = Temp::stack("dangling");
    t.link("gone.json", "identity/deny.json");
    refused(&t, "identity/deny.json", "symbolic link to `gone.json`");
}

#[test]
fn stack_uppercase_json_extension_is_an_error() {
    let t = Temp::stack("upper");
    t.file("identity/deny.JSON", DENY);
    refused(&t, "identity/deny.JSON", "rename it to `deny.json`");
}

#[test]
fn stack_subfolder_in_identity_is_an_error() {
    let t = Temp::stack("sub");
    t.file("identity/sub/deny.json", DENY);
    refused(&t, "identity/sub", "would not be read");
}

#[test]
fn stack_subfolder_in_scp_level_is_an_error() {
    let t = Temp::stack("scp-sub");
    t.file("scp/1-root/all.json", ALLOW)
        .file("scp/1-root/sub/deny.json", DENY);
    refused(&t, "scp/1-root/sub", "would not be read");
}

#[test]
fn stack_scp_symlink_to_missing_folder_is_an_error() {
    let t = Temp::stack("scp-link");
    t.link("no-such-folder", "scp");
    refused(&t, "scp", "symbolic link to `no-such-folder`");
}

#[test]
fn stack_fifo_policy_is_an_error_without_hanging() {
    let t = Temp::stack("fifo");
    t.fifo("identity/deny.json");
    refused(&t, "identity/deny.json", "FIFO");
    // The issue's hang: a FIFO named *.json at the top of the stack.
    let t = Temp::stack("fifo-top");
    t.fifo("deny.json");
    refused(&t, "deny.json", "FIFO");
}

#[test]
fn stack_socket_or_device_policy_is_an_error() {
    let t = Temp::stack("device");
    t.link("/dev/null", "identity/deny.json");
    refused(&t, "identity/deny.json", "a device, not a policy file");
}

#[test]
fn stack_dev_zero_policy_is_not_read_without_bound() {
    let t = Temp::stack("zero");
    t.link("/dev/zero", "identity/deny.json");
    refused(&t, "identity/deny.json", "a device");
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn stack_policy_larger_than_max_file_size_is_an_error() {
    let t = Temp::stack("large");
    let padding = " ".repeat(2 * 1024 * 1024);
    t.file("identity/deny.json", &format!("{DENY}{padding}"));
    refused(&t, "identity/deny.json", "larger than 1048576 bytes");
    // --max-file-size raises the limit: the Deny is read and decides.
    let o = eval(&t, &["--max-file-size", "4000000"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("DENIED (explicit deny)"));
}

#[test]
fn context_file_dev_zero_is_not_read_without_bound() {
    let t = Temp::stack("ctx-zero");
    let o = eval(&t, &["--context-file", "/dev/zero"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("`/dev/zero`") && out.contains("a device"),
        "{out}"
    );
}

#[test]
fn stack_non_json_file_in_layer_is_an_error() {
    let t = Temp::stack("readme-in-layer");
    t.file("identity/README.md", "notes");
    refused(&t, "identity/README.md", "is not a policy file");
    let t = Temp::stack("backup-in-layer");
    t.file("identity/deny.json.bak", DENY);
    refused(&t, "identity/deny.json.bak", "is not a policy file");
}

#[test]
fn stack_hidden_json_in_layer_is_an_error() {
    let t = Temp::stack("hidden");
    t.file("identity/.deny.json", DENY);
    refused(&t, "identity/.deny.json", "hidden policy file");
}

#[test]
fn stack_dot_files_and_top_level_notes_are_ignored() {
    let t = Temp::stack("dotfiles");
    t.file("identity/.gitkeep", "")
        .file("scp/1-root/all.json", ALLOW)
        .file("scp/1-root/.gitkeep", "")
        .file("README.md", "# notes")
        .file(".git/config", "x")
        .file(
            "test.json",
            r#"{"cases": [{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"}]}"#,
        );
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("warning"), "{}", text(&o));
}

#[test]
fn stack_misspelt_layer_folder_is_an_error() {
    let t = Temp::stack("identiy");
    t.file("identiy/deny.json", DENY);
    refused(&t, "identiy", "did you mean `identity/`?");
}

#[test]
fn stack_policy_at_top_level_is_an_error() {
    let t = Temp::stack("top-json");
    t.file("deny.json", DENY);
    refused(&t, "deny.json", "is in no layer");
}

#[test]
fn stack_layer_under_both_spellings_is_an_error() {
    let t = Temp::stack("both-spellings");
    t.file("permissions-boundary/a.json", ALLOW)
        .file("permissions_boundary/deny.json", DENY);
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("both `./permissions-boundary` and `./permissions_boundary`"));
}

#[test]
fn stack_dangling_polsim_json_is_an_error() {
    let t = Temp::stack("polsim-json");
    t.link("gone.json", "polsim.json");
    refused(&t, "polsim.json", "symbolic link");
}

#[test]
fn stack_empty_scp_level_allows_nothing() {
    let t = Temp::stack("empty-level");
    t.file("scp/1-root/all.json", ALLOW).dir("scp/2-ou");
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("DENIED (implicit deny)"), "{}", text(&o));
}

#[test]
fn stack_every_problem_is_reported_at_once() {
    let t = Temp::stack("many");
    t.file("identity/deny.JSON", DENY)
        .link("gone.json", "resource/bucket.json");
    let out = text(&eval(&t, &[]));
    assert!(
        out.contains("deny.JSON") && out.contains("bucket.json"),
        "{out}"
    );
}

#[test]
fn stack_level_folder_that_cannot_be_entered_is_an_error() {
    // A level folder that can be listed but not entered (mode r--). Root reads through any
    // mode, so this is tested only when the permission holds; the dangling-link and FIFO tests
    // above take the same path (an entry whose metadata cannot be read is an error naming it).
    use std::os::unix::fs::PermissionsExt as _;
    let t = Temp::stack("no-x");
    t.file("scp/1-root/deny.json", DENY);
    let level = t.0.join("scp/1-root");
    std::fs::set_permissions(&level, std::fs::Permissions::from_mode(0o444)).unwrap();
    let enforced = std::fs::metadata(level.join("deny.json")).is_err();
    if enforced {
        refused(&t, "scp/1-root/deny.json", "cannot read");
    } else {
        eprintln!("running with privileges that ignore permissions: not checked here");
    }
    std::fs::set_permissions(&level, std::fs::Permissions::from_mode(0o755)).unwrap();
}

// ---- Test files and the files they name -----------------------------------------------------

fn test_file(policy: &str) -> String {
    format!(
        r#"{{"principal": "arn:aws:iam::111122223333:user/D", "policies": {{"identity": ["{policy}"]}},
  "cases": [{{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "expect": "allow"}}]}}"#
    )
}

fn test(t: &Temp, args: &[&str]) -> Output {
    polsim_in(&t.0, &[&["test"], args].concat(), &[])
}

fn summary(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

#[test]
fn test_dir_with_two_symlinks_to_dot_runs_each_test_once() {
    let t = Temp::new("loops");
    t.file("a/p.json", ALLOW)
        .file("a/test.json", &test_file("p.json"))
        .link(".", "l1")
        .link(".", "l2")
        .link("..", "a/up");
    let o = test(&t, &["."]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(summary(&o), "1 passed, 0 failed");
    // The same through a pattern with `**`.
    let o = test(&t, &["./**/*.json"]);
    assert_eq!(summary(&o), "1 passed, 0 failed", "{}", text(&o));
}

#[test]
fn test_file_naming_proc_self_environ_never_prints_it() {
    let t = Temp::new("environ");
    t.file("t.json", &test_file("/proc/self/environ"));
    let o = polsim_in(
        &t.0,
        &["test", "t.json"],
        &[("POLSIM_SECRET", "hunter2-secret")],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("outside the test file's folder"), "{out}");
    assert!(!out.contains("hunter2-secret"), "{out}");
    assert!(!out.contains("POLSIM_SECRET"), "{out}");
}

#[test]
fn test_file_naming_a_path_outside_its_folder_is_an_error() {
    let t = Temp::new("dotdot");
    t.file("outside/p.json", ALLOW)
        .file("tests/t.json", &test_file("../outside/p.json"));
    let o = test(&t, &["tests/t.json"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("cannot read policy file `../outside/p.json`: it is outside"),
        "{out}"
    );
    // --allow-path widens the tree.
    let o = test(&t, &["--allow-path", "outside", "tests/t.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn test_file_naming_a_link_out_of_its_folder_is_an_error() {
    let t = Temp::new("link-out");
    t.file("secret/p.json", "{\"SECRET-LINE\": ")
        .link("../secret/p.json", "tests/p.json")
        .file("tests/t.json", &test_file("p.json"));
    let o = test(&t, &["tests/t.json"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("through a symbolic link"), "{out}");
    assert!(!out.contains("SECRET-LINE"), "{out}");
}

#[test]
fn test_fifo_test_file_does_not_hang() {
    let t = Temp::new("fifo-test");
    t.fifo("t.json");
    let o = test(&t, &["t.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("FIFO"));
    // A FIFO found by walking, and one named by a test file.
    t.file("good/p.json", ALLOW)
        .file("good/test.json", &test_file("p.json"))
        .fifo("good/fifo.json")
        .fifo("named/p.json")
        .file("named/t.json", &test_file("p.json"));
    let o = test(&t, &["good", "named"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("1 passed, 0 failed"), "{}", text(&o));
}

#[test]
fn test_named_file_dev_zero_is_not_read_without_bound() {
    let t = Temp::new("named-zero");
    t.link("/dev/zero", "z.json")
        .file("t.json", &test_file("z.json"));
    let o = test(&t, &["t.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("outside the test file's folder"),
        "{}",
        text(&o)
    );
    let o = test(&t, &["--allow-path", "/dev", "t.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("a device"), "{}", text(&o));
}

#[test]
fn test_folder_glob_or_file_with_no_cases_exits_2() {
    let t = Temp::new("no-cases");
    t.dir("empty").file("policies/p.json", ALLOW).file(
        "none.json",
        r#"{"principal": "arn:aws:iam::111122223333:user/D", "cases": []}"#,
    );
    for arg in ["empty", "policies", "nothing-*/x.json", "none.json"] {
        let o = test(&t, &[arg]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{arg}\n{out}");
        assert!(
            out.contains(&format!("no test case found in `{arg}`"))
                || out.contains("`cases` must be a non-empty array"),
            "{arg}\n{out}"
        );
    }
    // An empty folder beside a good test file: the good file runs, the run still fails.
    t.file("good/p.json", ALLOW)
        .file("good/t.json", &test_file("p.json"));
    let o = test(&t, &["good", "empty"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("1 passed, 0 failed"), "{}", text(&o));
}

#[test]
fn test_unreadable_file_is_counted_and_the_others_run() {
    let t = Temp::new("unreadable");
    t.file("a/p.json", ALLOW)
        .file("a/test.json", &test_file("p.json"))
        .link("gone.json", "a/broken.json");
    let o = test(&t, &["a"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("a/broken.json"), "{out}");
    assert!(
        out.contains("1 file(s) could not be read or parsed"),
        "{out}"
    );
    assert!(out.contains("1 passed, 0 failed"), "{out}");
    let o = test(&t, &["--format", "json", "a"]);
    assert!(o.stderr.is_empty(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({"passed": 1, "failed": 0, "invalid_files": 1})
    );
}

#[test]
fn test_named_file_larger_than_max_file_size_is_an_error() {
    let t = Temp::new("named-large");
    let padding = " ".repeat(64 * 1024);
    t.file("p.json", &format!("{ALLOW}{padding}"))
        .file("t.json", &test_file("p.json"));
    let o = test(&t, &["--max-file-size", "4096", "t.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("larger than 4096 bytes"), "{}", text(&o));
    assert_eq!(test(&t, &["t.json"]).status.code(), Some(0));
}

#[test]
fn test_glob_walk_is_linear() {
    // A wide, deep tree with a link loop and many `**`: the glob crate's own walk takes
    // exponential time here; the walk must visit each folder once.
    let t = Temp::new("glob-linear");
    for i in 0..40 {
        for j in 0..10 {
            t.file(&format!("d{i}/e{j}/f/g/p.json"), ALLOW);
        }
    }
    t.file("d0/t.json", &test_file("e0/f/g/p.json"))
        .link(".", "d1/loop")
        .link("..", "d2/e0/up");
    let started = Instant::now();
    let o = test(&t, &["**/**/**/**/*.json"]);
    assert_eq!(summary(&o), "1 passed, 0 failed", "{}", text(&o));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

// ---- Output ----------------------------------------------------------------------------------

/// Panics if `out` holds a control character polsim did not write itself: only newlines and
/// colour codes (`ESC [ digits;... m`) may be raw; no BEL, no OSC, no bidi control.
fn assert_no_raw_controls(out: &str) {
    let mut rest = out;
    while let Some(i) = rest.find('\u{1b}') {
        let sgr = rest[i + 1..].strip_prefix('[').and_then(|r| {
            let n = r.find(|c: char| !c.is_ascii_digit() && c != ';')?;
            r[n..].starts_with('m').then(|| &r[n + 1..])
        });
        rest = sgr.unwrap_or_else(|| panic!("a raw ESC reached the terminal: {out:?}"));
    }
    let bad = out.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\u{1b}')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    });
    assert!(bad.is_none(), "{bad:?} reached the terminal: {out:?}");
}

#[test]
fn output_escapes_control_characters_from_input() {
    // ESC, OSC (ending in BEL), CSI and a right-to-left override in a policy id, a case name, a
    // resource and a context value; the case fails, so the whole explanation is printed.
    let t = Temp::new("escapes");
    t.file(
        "t.json",
        r#"{"principal": "arn:aws:iam::111122223333:user/D",
  "policies": {"identity": [
    {"id": "p\u001b]0;pwned\u0007", "document": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]}}]},
  "cases": [{"name": "case \u001b[2J\u202e", "action": "s3:GetObject",
    "resource": "arn:aws:s3:::b/\u009b31m\u001b]8;;http://x\u0007",
    "context": {"aws:SourceVpce": "\u001b[41mvpce-2\u200f"}, "expect": "allow"}]}"#,
    );
    for color in ["never", "always"] {
        let o = Command::new(env!("CARGO_BIN_EXE_polsim"))
            .current_dir(&t.0)
            .args(["--color", color, "test", "--verbose", "t.json"])
            .output()
            .unwrap();
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert_no_raw_controls(&out);
        // Escaped, not dropped: the reader still sees what the input holds.
        assert!(out.contains("p\\u{1b}]0;pwned\\u{7}"), "{out}");
        assert!(out.contains("case \\u{1b}[2J\\u{202e}"), "{out}");
        assert!(out.contains("\\u{1b}[41mvpce-2\\u{200f}"), "{out}");
        assert!(out.contains("\\u{9b}31m"), "{out}");
    }
}

#[test]
fn output_escapes_control_characters_in_file_names() {
    let t = Temp::stack("escaped-names");
    t.file("identity/\u{1b}]0;x\u{7}.json", ALLOW);
    let o = eval(&t, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_no_raw_controls(&out);
    assert!(out.contains("\\u{1b}]0;x\\u{7}"), "{out}");
}

// ---- Format version 2: eval flags, state files, kms-key/ (issue 10, "Inputs") ---------------

/// `polsim eval` on the stack in `t` with exactly `args` after `--policy .`.
fn eval_v2(t: &Temp, args: &[&str]) -> Output {
    let mut all = vec!["eval", "--policy", ".", "--resource", "arn:aws:s3:::b/k"];
    all.extend(args);
    polsim_in(&t.0, &all, &[])
}

#[test]
fn eval_takes_action_or_operation() {
    let t = Temp::stack("v2-action-or-operation");
    let o = eval_v2(&t, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--action <ACTION>|--operation <OPERATION>"),
        "{}",
        text(&o)
    );
    // An operation alone is accepted (the core resolves it to its actions).
    let o = eval_v2(&t, &["--operation", "GetObject"]);
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    // Both.
    let o = eval_v2(
        &t,
        &["--operation", "GetObject", "--action", "s3:GetObject"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn eval_request_flags_are_read() {
    // The request policy lies outside the stack (at its top it would be a policy in no layer).
    let t = Temp::new("v2-flags-request-policy");
    t.file(
        "put-policy.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    let t2 = Temp::stack("v2-flags");
    let policy = t.0.join("put-policy.json").display().to_string();
    let o = eval_v2(
        &t2,
        &[
            "--action",
            "s3:GetObject",
            "--header",
            "x-amz-acl=public-read",
            "--header",
            "x-amz-request-payer=requester",
            "--copy-source",
            "arn:aws:s3:::src/k",
            "--version-id",
            "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
            "--signed",
            "url",
            "--request-policy",
            &policy,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn eval_bad_request_flags_are_errors() {
    let t = Temp::stack("v2-bad-flags");
    let a = ["--action", "s3:GetObject"];
    let cases: &[(&[&str], &str)] = &[
        (&["--header", "x-amz-acl"], "is not NAME=VALUE"),
        (&["--header", "=x"], "names no header"),
        (
            &[
                "--header",
                "x-amz-acl=private",
                "--header",
                "X-Amz-Acl=public-read",
            ],
            "given twice",
        ),
        (
            &["--signed", "presigned"],
            "possible values: header, url, none",
        ),
        (
            &["--request-policy", "missing.json"],
            "cannot read `missing.json`",
        ),
    ];
    for (args, fragment) in cases {
        let mut all = a.to_vec();
        all.extend(*args);
        let o = eval_v2(&t, &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}\n{}", text(&o));
        assert!(text(&o).contains(fragment), "{args:?}\n{}", text(&o));
    }
    // A request policy is lowered as a resource policy: it needs a Principal.
    let d = Temp::new("v2-request-policy-dir");
    d.file("p.json", ALLOW);
    let p = d.0.join("p.json").display().to_string();
    let o = eval_v2(&t, &["--action", "s3:GetObject", "--request-policy", &p]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no `Principal`"), "{}", text(&o));
}

#[test]
fn stack_state_file_is_read_and_checked() {
    let t = Temp::stack("v2-state");
    t.file(
        "s3.json",
        r#"{"bucket_owner": "111122223333", "object_ownership": "ObjectWriter",
            "bucket_acl": {"Owner": {"ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
                           "Grants": [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]},
            "object": {"exists": true}}"#,
    );
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A bad value is located in the state file.
    t.file("s3.json", r#"{"object_ownership": "ObjectWriters"}"#);
    let o = eval(&t, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("s3.json:1:22"), "{out}");
    assert!(out.contains("did you mean `ObjectWriter`?"), "{out}");
    // So is an unknown member.
    t.file(
        "s3.json",
        r#"{"bucket_acl": [{"grantee": "AllUsers", "permission": "READ"}], "requester_pay": true}"#,
    );
    let o = eval(&t, &[]);
    assert!(
        text(&o).contains("did you mean `requester_pays`?"),
        "{}",
        text(&o)
    );
}

#[test]
fn stack_state_file_of_another_cloud_is_an_error() {
    let t = Temp::stack("v2-state-cloud");
    t.file("oss.json", r#"{"bucket_acl": "public-read"}"#);
    let o = eval(&t, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("`./oss.json` describes Alibaba Cloud state, but the stack is for AWS"),
        "{out}"
    );
    // With no policy to say otherwise, the state file names the cloud.
    let t = Temp::new("v2-state-only");
    t.file("oss.json", r#"{"bucket_acl": "public-read"}"#);
    let o = polsim_in(
        &t.0,
        &[
            "eval",
            "--policy",
            ".",
            "--action",
            "oss:GetObject",
            "--resource",
            "acs:oss:*:1746495857602745:b/k",
            "--principal",
            "anonymous",
        ],
        &[],
    );
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn stack_dangling_state_file_is_an_error() {
    let t = Temp::stack("v2-state-dangling");
    t.link("nowhere.json", "s3.json");
    refused(&t, "s3.json", "cannot read");
}

#[test]
fn stack_kms_key_folder_is_a_layer() {
    let t = Temp::stack("v2-kms-key");
    t.file(
        "kms-key/key-policy.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}}"#,
    );
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Its policies are read (and checked as key policies).
    t.file("kms-key/bad.json", ALLOW);
    let o = eval(&t, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("kms-key/bad.json"), "{out}");
    // And its folder is fail-closed like every layer's.
    t.file("kms-key/bad.json", "");
    std::fs::remove_file(t.0.join("kms-key/bad.json")).unwrap();
    t.file("kms-key/notes.txt", "x");
    refused(&t, "kms-key/notes.txt", "is not a policy file");
}

#[test]
fn polsim_json_canonical_ids() {
    let t = Temp::stack("v2-canonical-ids");
    t.file(
        "polsim.json",
        r#"{"canonical_ids": {"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be": "111122223333"}}"#,
    );
    let o = eval(&t, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    t.file(
        "polsim.json",
        r#"{"canonical_ids": {"111122223333": "111122223333"}}"#,
    );
    let o = eval(&t, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("polsim.json:1:20"), "{out}");
    assert!(
        out.contains("is an account ID, not a canonical user ID"),
        "{out}"
    );
}

/// Regression: a `principal` of the wrong type in polsim.json was dropped, and the request was
/// evaluated for an assumed default caller; an unknown `cloud` was dropped likewise.
#[test]
fn polsim_json_values_of_the_wrong_type_are_errors() {
    for (json, fragment) in [
        (
            r#"{"principal": 123}"#,
            "`principal` in polsim.json must be a string",
        ),
        (
            r#"{"principal_id": ["x"]}"#,
            "`principal_id` in polsim.json must be a string",
        ),
        (r#"{"cloud": "awz"}"#, "unknown cloud `awz` in polsim.json"),
        (
            r#"{"resource_account": {}}"#,
            "`resource_account` in polsim.json must be an account id",
        ),
    ] {
        let t = Temp::stack("polsim-json-types");
        t.file("polsim.json", json);
        let o = eval(&t, &[]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{json}\n{out}");
        assert!(out.contains(fragment), "{json}\n{out}");
        assert!(!out.contains("ALLOWED"), "{out}");
    }
}
