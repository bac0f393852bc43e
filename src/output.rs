//! Where the report goes: stdout, or with `-o FILE` a file written whole or not at all; and the one
//! decision on color, which depends on it.

use anyhow::{bail, Context, Result};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

use crate::cli::ColorChoice;

mod target;

/// The report's destination, buffered.
pub(crate) enum Output {
    Stdout(BufWriter<StdoutLock<'static>>),
    /// A temporary file beside `path`, which takes `path`'s place in `finish`.
    File {
        file: BufWriter<NamedTempFile>,
        path: PathBuf,
        /// Tells the signal handler the temporary file is gone once it is renamed or dropped.
        _temp: TempGuard,
    },
    /// A device, a FIFO or a descriptor (`/dev/null`, `/dev/stdout`, `/dev/fd/N`): written in place, never
    /// replaced by a file.
    Special {
        file: BufWriter<File>,
        path: PathBuf,
    },
}

impl Output {
    /// Stdout; a special file, opened in place; or (for a regular FILE or a new one) a temporary file in the
    /// directory of FILE (of a symlink's target), so that the final rename stays on one file system and is
    /// atomic. `guarded` are the files the run reads or keeps (inputs, `--save`, `--state`): FILE naming one
    /// of them is a usage error.
    pub fn open(file: Option<&Path>, guarded: &[&Path]) -> Result<Self> {
        let Some(path) = file.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout(BufWriter::with_capacity(
                64 << 10,
                io::stdout().lock(),
            )));
        };
        if let Some(same) = guarded.iter().find(|g| target::same_file(path, g)) {
            bail!(
                "-o {} names {}, which this run reads or keeps: write the report elsewhere",
                path.display(),
                same.display()
            );
        }
        match target::kind(path).with_context(|| cannot_write(path))? {
            target::Kind::Special => {
                let file = OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(path)
                    .with_context(|| cannot_write(path))?;
                Ok(Output::Special {
                    file: BufWriter::with_capacity(64 << 10, file),
                    path: path.to_owned(),
                })
            }
            target::Kind::Regular { path: real, mode } => Self::temporary(path, real, mode),
        }
    }

    /// A temporary file that will take the place of `real` (`path` itself, or the file a symlink names),
    /// with `mode`: an existing file's, else what File::create gives.
    fn temporary(path: &Path, real: PathBuf, mode: Option<u32>) -> Result<Self> {
        let dir = match real.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        crate::signal::install()?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".provdiag-").suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // What File::create gives (0666 less the umask), rather than a temporary file's 0600.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let file = crate::signal::make_temp(|| builder.tempfile_in(dir), |f| f.path().to_owned())
            .with_context(|| cannot_write(path))?;
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            file.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))
                .with_context(|| cannot_write(path))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        Ok(Output::File {
            file: BufWriter::with_capacity(64 << 10, file),
            path: real,
            _temp: TempGuard,
        })
    }

    /// True if a person reads the report as it is written: color and wrapping help.
    pub fn to_terminal(&self) -> bool {
        matches!(self, Output::Stdout(_)) && io::stdout().is_terminal()
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(out) => out,
            Output::File { file, .. } => file,
            Output::Special { file, .. } => file,
        }
    }

    /// The report is complete: flush it, and put a file in its place. Not called when the run fails, so
    /// that the temporary file is removed and an earlier FILE stays as it was.
    pub fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::Special { mut file, path } => file.flush().with_context(|| cannot_write(&path)),
            Output::File { file, path, .. } => {
                let file = file
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| cannot_write(&path))?;
                file.persist(&path).with_context(|| cannot_write(&path))?;
                Ok(())
            }
        }
    }
}

/// Dropped with the temporary file (renamed into place, or removed by a run that failed): the signal handler
/// has nothing left to remove.
pub(crate) struct TempGuard;

impl Drop for TempGuard {
    fn drop(&mut self) {
        crate::signal::set_temp(None);
    }
}

fn cannot_write(path: &Path) -> String {
    format!("cannot write {} (--output)", path.display())
}

/// Decides color once for the whole run. `--color always/never` win. For `auto`, `colored` reads NO_COLOR,
/// CLICOLOR (0: off), CLICOLOR_FORCE and whether stdout is a terminal; what it cannot know is added here:
/// `TERM=dumb` (a terminal without color) and a report going to a file rather than to stdout, both of which
/// only CLICOLOR_FORCE overrides, as it overrides the terminal check in `colored`.
pub(crate) fn set_color(choice: ColorChoice, to_terminal: bool) {
    match choice {
        ColorChoice::Always => colored::control::set_override(true),
        ColorChoice::Never => colored::control::set_override(false),
        ColorChoice::Auto => {
            colored::control::unset_override();
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
            if (dumb || !to_terminal) && !forced {
                colored::control::set_override(false);
            }
        }
    }
}
