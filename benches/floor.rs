//! The exact floor for reading NDJSON, for `scripts/bench`: every byte read (plain reads, as provdiag
//! does) and every line validated with serde_json on every core, nothing else. Prints the number of lines
//! and how many were valid JSON.
//!
//!     floor FILE

use serde::de::IgnoredAny;
use std::io::Read;
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;
use std::thread;

/// What one read takes in, as provdiag's blocks.
const BLOCK: usize = 64 << 10;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args_os().nth(1) else {
        return Err(std::io::Error::other("usage: floor FILE"));
    };
    let mut file = std::fs::File::open(path)?;
    let workers = thread::available_parallelism().map_or(1, usize::from);
    let (tx, rx) = sync_channel::<Vec<u8>>(workers * 2);
    let rx = Mutex::new(rx);
    let (lines, valid) = thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let rx = &rx;
                s.spawn(move || {
                    let (mut lines, mut valid) = (0u64, 0u64);
                    while let Some(block) = rx.lock().ok().and_then(|r| r.recv().ok()) {
                        for line in block.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                            lines += 1;
                            valid += u64::from(serde_json::from_slice::<IgnoredAny>(line).is_ok());
                        }
                    }
                    (lines, valid)
                })
            })
            .collect();
        let mut carry = Vec::new();
        loop {
            let mut block = std::mem::take(&mut carry);
            let len = block.len();
            block.resize(len + BLOCK, 0);
            let n = match file.read(&mut block[len..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => panic!("read failed: {e}"),
            };
            block.truncate(len + n);
            if n == 0 {
                if !block.is_empty() {
                    let _ = tx.send(block);
                }
                break;
            }
            match memchr::memrchr(b'\n', &block) {
                Some(i) => {
                    carry = block.split_off(i + 1);
                    let _ = tx.send(block);
                }
                None => carry = block,
            }
        }
        drop(tx);
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or((0, 0)))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    #[allow(clippy::print_stdout)]
    {
        println!("{lines} lines, {valid} valid JSON");
    }
    Ok(())
}
