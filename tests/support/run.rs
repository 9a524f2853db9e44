//! Running the real binary and checking what it did: shared by the test
//! targets (`#[path]`-included, so each target compiles its own copy).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fmt;
use std::path::Path;
use std::process::Command;

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_spotcheck")
}

/// What one run of the binary did.
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "spotcheck {}\n--- exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

impl Run {
    /// Panics, showing the whole run, unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code:\n{self:?}");
        self
    }

    /// Panics unless the run succeeded.
    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.expect_code(0)
    }

    /// Panics unless the run failed with an error (exit 1) whose message
    /// starts `spotcheck: error:` and contains every one of `needles`.
    #[track_caller]
    pub fn error(&self, needles: &[&str]) -> &Run {
        self.expect_code(1);
        assert!(
            self.stderr.starts_with("spotcheck: error:"),
            "stderr does not start with `spotcheck: error:`:\n{self:?}"
        );
        for n in needles {
            assert!(self.stderr.contains(n), "stderr lacks {n:?}:\n{self:?}");
        }
        self
    }

    /// Panics unless stdout contains every one of `needles`.
    #[track_caller]
    pub fn stdout_has(&self, needles: &[&str]) -> &Run {
        for n in needles {
            assert!(self.stdout.contains(n), "stdout lacks {n:?}:\n{self:?}");
        }
        self
    }

    /// Panics unless stdout or stderr contains every one of `needles`.
    #[track_caller]
    pub fn has(&self, needles: &[&str]) -> &Run {
        for n in needles {
            assert!(
                self.stdout.contains(n) || self.stderr.contains(n),
                "output lacks {n:?}:\n{self:?}"
            );
        }
        self
    }

    /// Panics unless the run is a failed verification (exit 3, stdout
    /// starting `NOT VERIFIED`) whose report contains every one of `needles`.
    #[track_caller]
    pub fn not_verified(&self, needles: &[&str]) -> &Run {
        self.expect_code(3);
        assert!(
            self.stdout.starts_with("NOT VERIFIED"),
            "stdout does not start with NOT VERIFIED:\n{self:?}"
        );
        self.stdout_has(needles)
    }
}

/// Runs the binary with `args` in the current directory.
pub fn spotcheck<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    spotcheck_in(None, args)
}

/// Runs the binary with `args`, in `cwd` when given.
pub fn spotcheck_in<I, S>(cwd: Option<&Path>, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_os_string()).collect();
    let mut cmd = Command::new(bin());
    cmd.args(&args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = cmd.output().expect("run spotcheck");
    Run {
        args: args.iter().map(|a| a.to_string_lossy().into_owned()).collect(),
        code: out.status.code().expect("spotcheck ended by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}
