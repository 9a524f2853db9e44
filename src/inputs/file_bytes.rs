//! The bytes of an input file, as the readers see them: either copied
//! into memory or, for a large file, mapped from the system's file cache.

use std::fmt;
use std::ops::Deref;
use std::path::Path;

/// Files at least this large are mapped rather than copied. Below it, the
/// copy costs less than setting up and tearing down a mapping.
const MAP_BYTES: u64 = 1 << 20;

/// Files at least this large are mapped without filling in their pages:
/// they are read a window at a time, and each window's pages are given
/// back once it is read ([`FileBytes::release`]), so that a province's
/// directory of gigabytes does not become gigabytes of the process's
/// memory. Smaller files have their pages filled in at once, which costs
/// less than taking each page when first read.
const WINDOWED_BYTES: u64 = 128 << 20;

/// The bytes of a file, or of its tail once a prefix (a byte-order mark)
/// has been dropped.
pub struct FileBytes {
    storage: Storage,
    /// Bytes dropped from the front.
    start: usize,
}

enum Storage {
    Copied(Vec<u8>),
    Mapped(memmap2::Mmap),
    /// A large file, mapped without filling in its pages, and the file
    /// itself, which rows are read back from ([`FileBytes::read_at`]).
    Windowed(memmap2::Mmap, std::fs::File),
}

impl FileBytes {
    /// Reads the file at `path`. A large regular file is mapped, which
    /// saves copying it and zeroing fresh memory for the copy (most of the
    /// time of reading a directory of 80,000 firms went there); any file
    /// that cannot be mapped is read the plain way.
    pub fn read(path: &Path) -> std::io::Result<FileBytes> {
        use std::io::Read;
        let (mut file, meta) = open_regular(path)?;
        if meta.len() >= WINDOWED_BYTES
            && let Some(map) = map(&file, false)
        {
            return Ok(FileBytes {
                storage: Storage::Windowed(map, file),
                start: 0,
            });
        }
        if meta.len() >= MAP_BYTES
            && let Some(map) = map(&file, true)
        {
            return Ok(FileBytes {
                storage: Storage::Mapped(map),
                start: 0,
            });
        }
        // The file already open is read, as `std::fs::read` would.
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        Ok(FileBytes::from(bytes))
    }

    /// The same bytes without their first `n` (at most all of them).
    pub fn without_prefix(mut self, n: usize) -> FileBytes {
        self.start = (self.start + n).min(self.storage().len());
        self
    }

    fn storage(&self) -> &[u8] {
        match &self.storage {
            Storage::Copied(v) => v,
            Storage::Mapped(m) | Storage::Windowed(m, _) => m,
        }
    }

    /// Gives back the pages of `range` (of these bytes) of a large file
    /// that has been read: they stop counting as the process's memory,
    /// and are read from the file again (the system's cache) if they are
    /// looked at again. Nothing for any other file.
    pub fn release(&self, range: std::ops::Range<usize>) {
        if let Storage::Windowed(map, _) = &self.storage {
            let start = self.start + range.start;
            let len = range.end.min(self.len()) - range.start.min(range.end);
            release_pages(map, start, len);
        }
    }

    /// Copies the bytes from `offset` (of these bytes) into `buf`, as many
    /// as there are; how many. A large file's are read from the file,
    /// without taking its pages into the process's memory.
    pub fn read_at(&self, offset: usize, buf: &mut [u8]) -> usize {
        let end = self.len().min(offset.saturating_add(buf.len()));
        let n = end.saturating_sub(offset);
        if let Storage::Windowed(_, file) = &self.storage {
            use std::os::unix::fs::FileExt;
            let mut done = 0;
            while done < n {
                match file.read_at(&mut buf[done..n], (self.start + offset + done) as u64) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => done += k,
                }
            }
            // A file shortened meanwhile: the bytes as mapped, which
            // stops the process (as any read past its end would).
            if done < n {
                buf[..n].copy_from_slice(&self[offset..end]);
            }
            return n;
        }
        buf[..n].copy_from_slice(&self[offset..end]);
        n
    }

    /// Whether the file is read in windows, and rows are read back from
    /// the file rather than the mapping.
    pub fn is_windowed(&self) -> bool {
        matches!(self.storage, Storage::Windowed(..))
    }
}

/// Opens `path` for reading, refusing anything but a regular file (or a
/// link to one): opening a named pipe (FIFO) would wait for a writer for
/// ever, and a device or a socket has no fixed contents to hash and
/// replay. The kind of file is looked at before opening and again on the
/// file opened.
pub fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    regular(&std::fs::metadata(path)?)?;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    regular(&meta)?;
    Ok((file, meta))
}

/// An error unless `meta` is a regular file's.
fn regular(meta: &std::fs::Metadata) -> std::io::Result<()> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a folder"
    } else {
        "a pipe, socket or device"
    };
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("is {what}, not a regular file; spotcheck reads its inputs from plain files only"),
    ))
}

/// Maps `file` read-only, its pages filled in at once when `populate`.
///
/// A mapping shows the file as it is while it is read: a program that
/// changed the file during a draw would change what the draw reads, and
/// one that shortened it would stop the process (the system signals a
/// read past the end). Neither can pass unnoticed: the file's hash is
/// taken from the same mapping, so a file changed under a draw gives a
/// bundle whose recorded hash or draw disagrees with the file, and
/// `verify` says so; a stopped process writes no bundle.
#[allow(unsafe_code)]
fn map(file: &std::fs::File, populate: bool) -> Option<memmap2::Mmap> {
    let mut options = memmap2::MmapOptions::new();
    if populate {
        options.populate();
    }
    // SAFETY: the mapping is read-only and private to this process, and
    // only ever read as plain bytes; the consequences of another program
    // changing the file meanwhile are described above.
    unsafe { options.map(file) }.ok()
}

/// Drops the pages of `len` bytes from `start` of a read-only mapping of
/// a file from the process's memory (`MADV_DONTNEED`).
#[allow(unsafe_code)]
fn release_pages(map: &memmap2::Mmap, start: usize, len: usize) {
    // SAFETY: the mapping is read-only and of a file: a dropped page holds
    // nothing that the file does not, and is read from it again when it
    // is next looked at, so every reference into the mapping still reads
    // the file's bytes. A failure only leaves the pages where they were.
    let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, len) };
}

impl Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.storage()[self.start..]
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes {
            storage: Storage::Copied(bytes),
            start: 0,
        }
    }
}

/// Equal when the bytes are, however they are held.
impl PartialEq for FileBytes {
    fn eq(&self, other: &FileBytes) -> bool {
        self[..] == other[..]
    }
}

impl Eq for FileBytes {}

/// A clone is a copy in memory, whatever the original was.
impl Clone for FileBytes {
    fn clone(&self) -> FileBytes {
        FileBytes::from(self.to_vec())
    }
}

impl fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.storage {
            Storage::Copied(_) => "copied",
            Storage::Mapped(_) => "mapped",
            Storage::Windowed(..) => "mapped in windows",
        };
        write!(f, "FileBytes({} bytes, {how})", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_are_mapped_small_ones_copied_and_both_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        for len in [
            0,
            10,
            MAP_BYTES as usize - 1,
            MAP_BYTES as usize,
            3 * MAP_BYTES as usize + 7,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &bytes).unwrap();
            let read = FileBytes::read(&path).unwrap();
            assert_eq!(&read[..], &bytes[..], "length {len}");
            let mapped = matches!(read.storage, Storage::Mapped(_));
            assert_eq!(mapped, len as u64 >= MAP_BYTES, "length {len}");
            assert_eq!(&read.clone()[..], &bytes[..]);
            assert_eq!(&read.without_prefix(3)[..], &bytes[len.min(3)..]);
        }
    }

    #[test]
    fn a_prefix_longer_than_the_bytes_leaves_none() {
        let b = FileBytes::from(b"ab".to_vec()).without_prefix(1).without_prefix(5);
        assert!(b.is_empty());
    }
}
