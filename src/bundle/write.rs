//! Writing outputs so that nothing is lost: a new directory or a new
//! file appears whole or not at all, and never over an earlier one.

use crate::base::error::{Error, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Held while an output is written: the end of an interrupted process
/// waits for the write under way ([`stop_writing`]).
static WRITING: Mutex<()> = Mutex::new(());

fn writing() -> MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits for the write under way, if any, to end (its output whole, its
/// temporary files gone) and keeps any other from starting while the
/// guard is held: for a process about to exit on an interrupt (Ctrl-C),
/// which then leaves no partial output and no temporary file.
pub fn stop_writing() -> MutexGuard<'static, ()> {
    writing()
}

/// `path` written relative to `base` when both can be resolved, else as
/// an absolute path.
pub fn relative_path(path: &Path, base: &Path) -> String {
    let (Ok(path), Ok(base)) = (absolute(path), absolute(base)) else {
        return path.display().to_string();
    };
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    out.display().to_string()
}

/// An absolute, symlink-free form of a path: its nearest existing
/// ancestor canonicalized, the rest appended.
fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut rest = Vec::new();
    let mut cur = path.as_path();
    loop {
        if let Ok(p) = cur.canonicalize() {
            let mut out = p;
            for c in rest.iter().rev() {
                out.push(c);
            }
            return Ok(out);
        }
        rest.push(
            cur.file_name()
                .ok_or_else(|| std::io::Error::other("no file name"))?
                .to_os_string(),
        );
        cur = cur
            .parent()
            .ok_or_else(|| std::io::Error::other("no existing ancestor"))?;
    }
}

/// Writes `files` as the new directory `dir`: into a temporary sibling
/// first, then renamed into place in one step. Refuses when `dir` exists,
/// and leaves nothing behind on failure.
pub fn write_new_dir(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<()> {
    crate::base::progress::phase("writing");
    let _writing = writing();
    if dir.symlink_metadata().is_ok() {
        return Err(Error::OutputExists(dir.to_path_buf()));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let name = dir.file_name().ok_or_else(|| Error::Bundle {
        path: dir.display().to_string(),
        message: "not a directory name".into(),
    })?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.partial-", name.to_string_lossy()))
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    // A batch's thousands of folders and files cost the kernel more than
    // writing their bytes: they are made on every processor.
    use rayon::prelude::*;
    let few = files.len() <= FEW_FILES;
    files.par_iter().try_for_each(|(file, bytes)| {
        let path = tmp.path().join(file);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
        }
        let mut f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        f.write_all(bytes).map_err(|e| Error::io(&path, e))?;
        if few {
            f.sync_all().map_err(|e| Error::io(&path, e))?;
        }
        Ok::<(), Error>(())
    })?;
    // Everything reaches the disk before the directory takes its name: a
    // few files each as it is written, then the folder that names them;
    // many (a batch writes thousands) by one flush of the file system; or
    // where that is not available, one file at a time.
    let flushed = std::fs::File::open(tmp.path()).ok().is_some_and(|d| {
        if few {
            // The files are on the disk; their names are the folder's.
            d.sync_all().is_ok()
        } else {
            rustix::fs::syncfs(&d).is_ok()
        }
    });
    if !flushed {
        for file in files.keys() {
            let path = tmp.path().join(file);
            let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
            f.sync_all().map_err(|e| Error::io(&path, e))?;
        }
    }
    rename_no_replace(tmp.path(), dir)?;
    // The directory now lives at `dir`; make sure the guard does not remove it.
    let _ = tmp.keep();
    if let Ok(d) = std::fs::File::open(&parent) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Up to this many files, each is flushed to the disk on its own: a
/// flush of the whole file system would also wait for what other
/// programs wrote.
const FEW_FILES: usize = 64;

fn rename_no_replace(from: &Path, to: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::EXIST) | Err(rustix::io::Errno::NOTEMPTY) => Err(Error::OutputExists(to.to_path_buf())),
        Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOSYS) => {
            // File systems without RENAME_NOREPLACE: check, then rename.
            if to.symlink_metadata().is_ok() {
                return Err(Error::OutputExists(to.to_path_buf()));
            }
            std::fs::rename(from, to).map_err(|e| Error::io(to, e))
        }
        Err(e) => Err(Error::io(to, e.into())),
    }
}

/// Writes a file that must not exist yet, atomically (temporary file,
/// then a link that fails if the name is taken). `private` makes it
/// readable by its owner only.
pub fn write_new_file(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let _writing = writing();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".spotcheck-")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if private { 0o600 } else { 0o644 };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::OutputExists(path.to_path_buf())
        } else {
            Error::io(path, e.error)
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("data")).unwrap();
        std::fs::write(d.path().join("data/e.csv"), "x").unwrap();
        let rel = relative_path(&d.path().join("data/e.csv"), &d.path().join("out/b1"));
        assert_eq!(rel, "../../data/e.csv");
        let rel = relative_path(&d.path().join("data/../data/e.csv"), &d.path().join("out/new/b1"));
        assert_eq!(rel, "../../../data/e.csv");
    }

    #[test]
    fn never_overwrites() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("b");
        let mut files = BTreeMap::new();
        files.insert("a.txt".to_string(), b"1".to_vec());
        write_new_dir(&target, &files).unwrap();
        files.insert("a.txt".to_string(), b"2".to_vec());
        assert!(matches!(write_new_dir(&target, &files), Err(Error::OutputExists(_))));
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"1");
        std::fs::create_dir(d.path().join("empty")).unwrap();
        assert!(matches!(
            write_new_dir(&d.path().join("empty"), &files),
            Err(Error::OutputExists(_))
        ));
        let left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }
}
