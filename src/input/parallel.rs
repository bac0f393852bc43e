//! Reading large inputs on every core. A splitter (on its own thread) cuts the input into blocks of whole
//! records without parsing them; workers parse the blocks; the records reach the sink in input order, on the
//! calling thread, so that deduplication and reports see exactly what a plain sequential reading would.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;

use super::{ReadFail, Sink, Stop};
use crate::record::{InputError, Parsed, Record, Source};

/// How much one read takes in at most, so about what a block holds (a record longer than that gets a block
/// of its own). Each read zero-fills this much buffer first, so it must stay small for pipes that hand
/// out a few KiB at a time; 64 KiB blocks are as fast as 512 KiB ones on files, in less memory.
pub const BLOCK: usize = 64 << 10;

/// Whole records cut from the input, in order.
#[derive(Default)]
pub struct Block {
    pub bytes: Vec<u8>,
    pub frames: Vec<Frame>,
}

/// One record of a block: where its bytes lie, the line it starts on, and what the splitter saw.
pub struct Frame {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    pub kind: FrameKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// A JSON value to parse.
    Value,
    /// Something that cannot start a JSON value.
    Garbage,
    /// A value the input ends inside.
    CutOff,
    /// A record over `MAX_RECORD`, skipped without being kept.
    TooBig,
}

/// Cuts an input into blocks; `None` at its end.
pub trait Splitter: Send {
    fn next_block(&mut self) -> io::Result<Option<Block>>;
}

/// Turns one block into records: the part that runs on the workers.
pub type ParseBlock = fn(&Block, &Arc<str>) -> Vec<Parsed>;

/// Reads every block of `splitter`, parsing with `parse` on up to `threads` workers.
pub fn run(
    mut splitter: impl Splitter,
    parse: ParseBlock,
    path: &Arc<str>,
    threads: usize,
    sink: &mut dyn Sink,
) -> Result<(), ReadFail> {
    if threads <= 1 {
        while let Some(block) = splitter.next_block()? {
            for p in parse(&block, path) {
                sink.push_event(p.key, p.record)?;
            }
        }
        return Ok(());
    }
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = sync_channel::<(u64, Block)>(threads);
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<Parsed>)>(threads);
    let work_rx = Mutex::new(work_rx);
    thread::scope(|s| {
        let stop = &stop;
        let reader = s.spawn(move || -> io::Result<()> {
            let mut seq = 0;
            while !stop.load(Ordering::Relaxed) {
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
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (work_rx, done_tx) = (&work_rx, done_tx.clone());
                s.spawn(move || {
                    while let Some((seq, block)) = next_work(work_rx) {
                        let parsed = if stop.load(Ordering::Relaxed) {
                            Vec::new()
                        } else {
                            parse(&block, path)
                        };
                        if done_tx.send((seq, parsed)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(done_tx);
        let merged = merge(done_rx, sink, stop);
        // Joined one by one, not left to the scope: a join waits for the thread itself to end, its
        // thread-local destructors included, where the scope only waits for its closure.
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread failed")));
        let parsed = workers
            .into_iter()
            .map(|w| w.join())
            .collect::<Result<Vec<()>, _>>();
        merged?;
        read?;
        parsed
            .map(drop)
            .map_err(|_| ReadFail::Input(anyhow::anyhow!("a parsing thread failed")))
    })
}

fn next_work(rx: &Mutex<Receiver<(u64, Block)>>) -> Option<(u64, Block)> {
    rx.lock().ok()?.recv().ok()
}

/// Hands the workers' results to the sink in input order. On a stop, tells the others and drains.
fn merge(done: Receiver<(u64, Vec<Parsed>)>, sink: &mut dyn Sink, stop: &AtomicBool) -> Result<(), Stop> {
    let mut pending: BTreeMap<u64, Vec<Parsed>> = BTreeMap::new();
    let mut next = 0;
    let mut result = Ok(());
    for (seq, parsed) in done {
        if result.is_err() {
            continue;
        }
        pending.insert(seq, parsed);
        while let Some(ready) = pending.remove(&next) {
            next += 1;
            if let Err(e) = ready
                .into_iter()
                .try_for_each(|p| sink.push_event(p.key, p.record))
            {
                stop.store(true, Ordering::Relaxed);
                result = Err(e);
                break;
            }
        }
    }
    result
}

/// The number of workers to parse with: `PROVDIAG_THREADS` if set to a number, else the cores this process
/// may use. One worker means a plain sequential reading, with no threads at all.
pub fn threads() -> usize {
    std::env::var("PROVDIAG_THREADS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, usize::from))
}

/// The record of a frame the splitter already knows to be broken.
pub fn broken_frame(frame: &Frame, path: &Arc<str>) -> Option<Record> {
    let message = match frame.kind {
        FrameKind::Value => return None,
        FrameKind::Garbage => "not a JSON object".to_owned(),
        FrameKind::CutOff => "event cut off: the input ends inside it".to_owned(),
        FrameKind::TooBig => format!(
            "record longer than {} MiB, skipped",
            super::lines::MAX_RECORD >> 20
        ),
    };
    let source = Source {
        path: path.clone(),
        line: frame.line,
    };
    Some(Record::Malformed(InputError { source, message }))
}
