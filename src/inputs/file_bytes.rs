//! The bytes of an input file, as the readers see them: either copied
//! into memory or, for a large file, mapped from the system's file cache.

use std::fmt;
use std::ops::Deref;
use std::path::Path;

/// Files at least this large are mapped rather than copied. Below it, the
/// copy costs less than setting up and tearing down a mapping.
const MAP_BYTES: u64 = 1 << 20;

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
}

impl FileBytes {
    /// Reads the file at `path`. A large regular file is mapped, which
    /// saves copying it and zeroing fresh memory for the copy (most of the
    /// time of reading a directory of 80,000 firms went there); any file
    /// that cannot be mapped is read the plain way.
    pub fn read(path: &Path) -> std::io::Result<FileBytes> {
        use std::io::Read;
        let (mut file, meta) = open_regular(path)?;
        if meta.len() >= MAP_BYTES
            && let Some(map) = map(&file)
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
            Storage::Mapped(m) => m,
        }
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

/// Maps `file` read-only, its pages filled in at once.
///
/// A mapping shows the file as it is while it is read: a program that
/// changed the file during a draw would change what the draw reads, and
/// one that shortened it would stop the process (the system signals a
/// read past the end). Neither can pass unnoticed: the file's hash is
/// taken from the same mapping, so a file changed under a draw gives a
/// bundle whose recorded hash or draw disagrees with the file, and
/// `verify` says so; a stopped process writes no bundle.
#[allow(unsafe_code)]
fn map(file: &std::fs::File) -> Option<memmap2::Mmap> {
    // SAFETY: the mapping is read-only and private to this process, and
    // only ever read as plain bytes; the consequences of another program
    // changing the file meanwhile are described above.
    unsafe { memmap2::MmapOptions::new().populate().map(file) }.ok()
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
