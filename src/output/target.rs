//! What `-o FILE` names: a regular file (or none yet), replaced atomically; or a device, a FIFO or a
//! descriptor, written in place. And whether it is a file the run reads or keeps.

use anyhow::{bail, Result};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub(crate) enum Kind {
    /// Written in place: a character or block device, a FIFO, a socket, or anything under `/dev` or `/proc`
    /// (`/dev/stdout` is a symlink to whatever stdout is, a file opened by the shell among them: replacing
    /// that file would leave the shell's descriptor writing into a removed one).
    Special,
    /// Replaced by a temporary file renamed over `path` (a symlink's target, not the symlink), which takes
    /// `mode` (the existing file's, if there is one).
    Regular { path: PathBuf, mode: Option<u32> },
}

pub(crate) fn kind(path: &Path) -> Result<Kind> {
    if path.starts_with("/dev") || path.starts_with("/proc") {
        return Ok(Kind::Special);
    }
    let link = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Kind::Regular {
                path: path.to_owned(),
                mode: None,
            })
        }
        Err(e) => return Err(e.into()),
    };
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        // A symlink to nothing yet: the file it names is made.
        Err(e) if e.kind() == io::ErrorKind::NotFound && link.file_type().is_symlink() => {
            return Ok(Kind::Regular {
                path: link_target(path)?,
                mode: None,
            })
        }
        Err(e) => return Err(e.into()),
    };
    let kind = meta.file_type();
    if kind.is_dir() {
        bail!("{} is a directory", path.display());
    }
    if !kind.is_file() {
        return Ok(Kind::Special);
    }
    let real = if link.file_type().is_symlink() {
        fs::canonicalize(path)?
    } else {
        path.to_owned()
    };
    Ok(Kind::Regular {
        path: real,
        mode: mode(&meta),
    })
}

/// Where a dangling symlink points, relative to its own directory.
fn link_target(path: &Path) -> Result<PathBuf> {
    let target = fs::read_link(path)?;
    Ok(match path.parent() {
        Some(dir) if target.is_relative() => dir.join(target),
        _ => target,
    })
}

#[cfg(unix)]
fn mode(meta: &fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode(_: &fs::Metadata) -> Option<u32> {
    None
}

/// True if `a` and `b` are the same file: the same device and inode when both exist, else the same place
/// once their directories are resolved (`--save` and `-o` both naming a file not made yet).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) {
        if let Some(same) = same_inode(&ma, &mb) {
            return same;
        }
    }
    match (place(a), place(b)) {
        (Some(pa), Some(pb)) => pa == pb,
        _ => false,
    }
}

#[cfg(unix)]
fn same_inode(a: &fs::Metadata, b: &fs::Metadata) -> Option<bool> {
    use std::os::unix::fs::MetadataExt;
    Some(a.dev() == b.dev() && a.ino() == b.ino())
}

#[cfg(not(unix))]
fn same_inode(_: &fs::Metadata, _: &fs::Metadata) -> Option<bool> {
    None
}

/// A path with its directory resolved: where it is, whether or not it exists yet.
fn place(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(name))
}
