//! Work on every processor.

/// How many threads the parallel parts use: one per processor, at most 8.
/// Asked of the system once (each asking reads the process's CPU limits).
pub fn processors() -> usize {
    static PROCESSORS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PROCESSORS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
}

/// `(0..n).map(f)` as a vector, worked out in parts on every processor.
/// `blank` fills the vector before the parts overwrite it.
///
/// There are several parts per processor, and each thread takes the next
/// part when it is done with one, so that a thread whose processor is
/// also busy with other work takes fewer: equal shares would leave the
/// others waiting for it.
pub fn map_in_parts<T: Clone + Send>(n: usize, blank: T, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    const PARTS_PER_THREAD: usize = 8;
    let mut out = vec![blank; n];
    let threads = processors().min(n).max(1);
    let size = n.div_ceil(threads * PARTS_PER_THREAD).max(1);
    let parts = std::sync::Mutex::new(out.chunks_mut(size).enumerate());
    let work = || {
        loop {
            // The lock is let go before the part is worked on.
            let next = parts.lock().expect("parts").next();
            let Some((k, part)) = next else { break };
            for (j, slot) in part.iter_mut().enumerate() {
                *slot = f(k * size + j);
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_map_every_index_in_place() {
        // Lengths that do and do not divide among the processors.
        for n in [0, 1, 2, 3, 7, 64, 1001] {
            let squares: Vec<usize> = (0..n).map(|i| i * i).collect();
            assert_eq!(super::map_in_parts(n, usize::MAX, |i| i * i), squares, "{n}");
        }
    }
}
