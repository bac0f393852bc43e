//! Ctrl-C and SIGTERM, in one place: the process has one handler (`ctrlc` allows no more), which removes
//! `-o`'s temporary file before the process ends, and which a `pull` asks to end its reading instead of the
//! process, so that what was read is still reported.

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// What the handler knows about the run.
struct Handler {
    /// `-o`'s temporary file, while it exists.
    temp: Mutex<Option<PathBuf>>,
    /// Set by a `pull` that ends its reading on a signal instead of being ended by it.
    listening: AtomicBool,
    /// The signal came: a listener ends its reading.
    interrupted: Arc<AtomicBool>,
}

static HANDLER: OnceLock<Handler> = OnceLock::new();

/// Installs the handler once; later calls return the same one.
fn handler() -> Result<&'static Handler> {
    if let Some(h) = HANDLER.get() {
        return Ok(h);
    }
    let h = HANDLER.get_or_init(|| Handler {
        temp: Mutex::new(None),
        listening: AtomicBool::new(false),
        interrupted: Arc::new(AtomicBool::new(false)),
    });
    ctrlc::set_handler(on_signal).context("cannot catch Ctrl-C")?;
    Ok(h)
}

/// A first signal ends a listener's reading; otherwise (or on a second one) the temporary file is removed and
/// the process ends with 130, as a shell reports an interrupted command.
fn on_signal() {
    let Some(h) = HANDLER.get() else {
        std::process::exit(130)
    };
    if h.listening.load(Ordering::SeqCst) && !h.interrupted.swap(true, Ordering::SeqCst) {
        return;
    }
    remove_temp(h);
    std::process::exit(130);
}

fn remove_temp(h: &Handler) {
    let temp = match h.temp.lock() {
        Ok(mut t) => t.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    };
    if let Some(path) = temp {
        let _ = std::fs::remove_file(path);
    }
}

/// Installs the handler before a temporary file is made, so that none can be left behind.
pub(crate) fn install() -> Result<()> {
    handler().map(|_| ())
}

/// Makes a temporary file with `make` and has a signal remove it (its path is `path(&made)`). A signal that
/// comes while it is being made waits until its path is known, so that none is left behind.
pub(crate) fn make_temp<T>(
    make: impl FnOnce() -> std::io::Result<T>,
    path: impl FnOnce(&T) -> PathBuf,
) -> std::io::Result<T> {
    let Some(h) = HANDLER.get() else {
        return make();
    };
    // The handler runs on a thread of its own (ctrlc's), so it may wait for this lock.
    let mut temp = match h.temp.lock() {
        Ok(t) => t,
        Err(poisoned) => poisoned.into_inner(),
    };
    let made = make()?;
    *temp = Some(path(&made));
    Ok(made)
}

/// A signal removes `path` (None: nothing to remove any more: it was renamed or dropped).
pub(crate) fn set_temp(path: Option<PathBuf>) {
    if let Some(h) = HANDLER.get() {
        match h.temp.lock() {
            Ok(mut t) => *t = path,
            Err(poisoned) => *poisoned.into_inner() = path,
        }
    }
}

/// A first signal sets the flag returned instead of ending the process (a second one ends it).
pub(crate) fn listen() -> Result<Arc<AtomicBool>> {
    let h = handler()?;
    h.listening.store(true, Ordering::SeqCst);
    Ok(h.interrupted.clone())
}
