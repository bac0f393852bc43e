//! Reading large inputs on every core. A splitter (on its own thread) cuts the input into blocks of whole
//! records without parsing them; workers parse the blocks; the records reach the sink in input order, on the
//! calling thread, so that deduplication and reports see exactly what a plain sequential reading would.
//! At most `Limits::in_flight` blocks are between the splitter and the sink at any time, however many
//! workers there are: memory follows that bound, not the number of cores.

use std::collections::BTreeMap;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;
use std::thread;

use super::reading::Reading;
use super::sink::{ReadFail, Sink};
use super::split::{Block, Splitter};
use crate::record::Parsed;

/// Reads every block of `splitter`, parsing with `parse` (the part that runs on the workers; a closure, so
/// that it may hold what the input told before its records, such as a CSV header) on up to
/// `reading.threads` workers.
pub fn run(
    mut splitter: impl Splitter,
    parse: impl Fn(&Block, &Reading) -> Vec<Parsed> + Sync,
    reading: &Reading,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    let in_flight = reading.limits.in_flight.max(1);
    let workers = reading.threads.min(in_flight);
    if workers <= 1 {
        while let Some(block) = splitter.next_block()? {
            for p in parse(&block, reading) {
                sink.push_event(p.key, p.record)?;
            }
        }
        return Ok(());
    }
    // A block may be read only against a token, which the merger gives back once the block's records are
    // in the sink: the bound on blocks in flight. The merger dropping its side ends the reading.
    let (token_tx, token_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    let (work_tx, work_rx) = sync_channel::<(u64, Block)>(in_flight);
    let (done_tx, done_rx) = sync_channel::<(u64, Option<Vec<Parsed>>)>(in_flight);
    let work_rx = Mutex::new(work_rx);
    let parse = &parse;
    thread::scope(|s| {
        let reader = s.spawn(move || -> io::Result<()> {
            let mut seq = 0;
            while token_rx.recv().is_ok() {
                let Some(block) = splitter.next_block()? else {
                    break;
                };
                if work_tx.send((seq, block)).is_err() {
                    break;
                }
                seq += 1;
            }
            Ok(())
        });
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                let (work_rx, done_tx) = (&work_rx, done_tx.clone());
                s.spawn(move || {
                    while let Some((seq, block)) = next_work(work_rx) {
                        // A parser that panics costs its block, reported, and never stalls the merger.
                        let parsed = catch_unwind(AssertUnwindSafe(|| parse(&block, reading))).ok();
                        if done_tx.send((seq, parsed)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(done_tx);
        let merged = merge(done_rx, token_tx, sink);
        // Joined one by one, not left to the scope: a join waits for the thread itself to end, its
        // thread-local destructors included, where the scope only waits for its closure.
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread failed")));
        for worker in threads {
            let _ = worker.join();
        }
        merged?;
        read?;
        Ok(())
    })
}

fn next_work(rx: &Mutex<Receiver<(u64, Block)>>) -> Option<(u64, Block)> {
    rx.lock().ok()?.recv().ok()
}

/// Hands the workers' results to the sink in input order, giving a token back for each block done. Ends
/// at the first stop or failed block, dropping the channels so that the reader and the workers end too.
fn merge(
    done: Receiver<(u64, Option<Vec<Parsed>>)>,
    tokens: std::sync::mpsc::SyncSender<()>,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    let mut pending: BTreeMap<u64, Option<Vec<Parsed>>> = BTreeMap::new();
    let mut next = 0;
    for (seq, parsed) in &done {
        pending.insert(seq, parsed);
        while let Some(ready) = pending.remove(&next) {
            let Some(ready) = ready else {
                return Err(ReadFail::Input(anyhow::anyhow!(
                    "a parsing thread failed on block {next}"
                )));
            };
            for p in ready {
                sink.push_event(p.key, p.record)?;
            }
            next += 1;
            let _ = tokens.send(());
        }
    }
    Ok(())
}

/// The number of workers to parse with: `PROVDIAG_THREADS` if set, else the cores this process may use.
/// One worker means a plain sequential reading, with no threads at all. A value that is not a positive
/// number is an error, not silently replaced.
pub fn threads() -> anyhow::Result<usize> {
    match std::env::var("PROVDIAG_THREADS") {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(anyhow::anyhow!(
                "PROVDIAG_THREADS must be a positive whole number of workers, not {v:?}: set it to e.g. 4, or unset it to use every core"
            )),
        },
        Err(std::env::VarError::NotPresent) => {
            Ok(thread::available_parallelism().map_or(1, usize::from))
        }
        Err(std::env::VarError::NotUnicode(_)) => Err(anyhow::anyhow!(
            "PROVDIAG_THREADS must be a positive whole number of workers: set it to e.g. 4, or unset it"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::split::{Frame, FrameKind};
    use crate::input::Limits;
    use crate::record::EventKey;
    use crate::record::Record;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    /// Hands out `blocks` blocks of one frame each, counting them.
    struct Counting {
        blocks: u64,
        produced: Arc<AtomicU64>,
    }

    impl Splitter for Counting {
        fn next_block(&mut self) -> io::Result<Option<Block>> {
            let n = self.produced.load(Ordering::SeqCst);
            if n == self.blocks {
                return Ok(None);
            }
            self.produced.store(n + 1, Ordering::SeqCst);
            let frame = Frame {
                start: 0,
                end: 0,
                line: n + 1,
                kind: FrameKind::Value,
            };
            Ok(Some(Block {
                bytes: Vec::new(),
                frames: vec![frame],
            }))
        }
    }

    /// One ignored record per frame, or a panic on line 5 for `panics`.
    fn ignore(block: &Block, _: &Reading) -> Vec<Parsed> {
        block
            .frames
            .iter()
            .map(|_| Parsed {
                key: None,
                record: Record::Ignored,
            })
            .collect()
    }

    fn panics(block: &Block, reading: &Reading) -> Vec<Parsed> {
        assert!(block.frames[0].line != 5, "a parser bug");
        ignore(block, reading)
    }

    /// Checks at each record that the splitter is no more than `in_flight` blocks ahead of the sink.
    struct Ahead {
        produced: Arc<AtomicU64>,
        pushed: u64,
        in_flight: u64,
    }

    impl Sink for Ahead {
        fn push(&mut self, _: Record) -> Result<(), crate::input::Stop> {
            let ahead = self.produced.load(Ordering::SeqCst) - self.pushed;
            assert!(ahead <= self.in_flight, "{ahead} blocks in flight");
            self.pushed += 1;
            Ok(())
        }
        fn push_event(&mut self, _: Option<EventKey>, r: Record) -> Result<(), crate::input::Stop> {
            self.push(r)
        }
    }

    fn reading(threads: usize, in_flight: usize) -> Reading {
        Reading {
            path: "-".into(),
            threads,
            limits: Limits {
                in_flight,
                ..Limits::default()
            },
            users_word: false,
        }
    }

    #[test]
    fn blocks_in_flight_are_bounded_whatever_the_number_of_workers() {
        for (threads, in_flight) in [(64, 3), (2, 1), (8, 8)] {
            let produced = Arc::new(AtomicU64::new(0));
            let splitter = Counting {
                blocks: 2000,
                produced: produced.clone(),
            };
            let mut sink = Ahead {
                produced: produced.clone(),
                pushed: 0,
                in_flight: in_flight as u64,
            };
            let read = run(splitter, ignore, &reading(threads, in_flight), &mut sink);
            assert!(read.is_ok());
            assert_eq!(sink.pushed, 2000, "every block reached the sink, in order");
        }
    }

    #[test]
    fn a_worker_that_dies_ends_the_reading_without_buffering_the_rest() {
        let produced = Arc::new(AtomicU64::new(0));
        let splitter = Counting {
            blocks: 100_000,
            produced: produced.clone(),
        };
        let mut sink = Ahead {
            produced: produced.clone(),
            pushed: 0,
            in_flight: 4,
        };
        let read = run(splitter, panics, &reading(4, 4), &mut sink);
        assert!(matches!(read, Err(ReadFail::Input(_))));
        assert_eq!(sink.pushed, 4, "the blocks before the failed one");
        assert!(produced.load(Ordering::SeqCst) <= 4 + 4, "the splitter stopped");
    }
}
