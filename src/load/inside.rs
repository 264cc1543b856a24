//! Only regular files inside the handbook folder are ever read.
//!
//! Contributions may hold symbolic links (git stores them), and a build
//! machine may hold special files. Following a link out of the folder would
//! publish whatever it points at (`/proc/self/environ` holds CI secrets,
//! `/etc/passwd` the accounts), and reading a FIFO blocks for ever. So a
//! file is read only when its real path lies inside the handbook's real
//! folder and it is a regular file; links that stay inside are fine.
//!
//! The check is made where the walk meets a link, and again when a file is
//! opened: the opened handle itself is checked, so a file swapped for a link
//! or a FIFO between the walk and the read is refused too.

use crate::diag::Code;
use crate::diag::Diagnostic;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The handbook folder, by its real path.
#[derive(Debug, Clone)]
pub struct Root {
    real: PathBuf,
}

/// Why a file of the handbook is not read.
#[derive(Debug)]
pub enum Refusal {
    /// There is no such file.
    Missing,
    /// A finding to report.
    Finding(Diagnostic),
}

impl Root {
    pub fn new(root: &Path) -> Root {
        Root { real: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()) }
    }

    /// Whether a real (canonical) path lies inside the handbook.
    fn holds(&self, real: &Path) -> bool {
        real.starts_with(&self.real)
    }

    /// Checks that `rel`, reached by a symbolic link somewhere on its way,
    /// leads to a file or folder inside the handbook.
    pub fn check_link(&self, root: &Path, rel: &str) -> Result<(), Refusal> {
        let path = root.join(rel);
        match std::fs::canonicalize(&path) {
            Ok(real) if self.holds(&real) => Ok(()),
            Ok(real) => Err(Refusal::Finding(outside(rel, &path, &real))),
            Err(e) => Err(unresolved(rel, &path, e)),
        }
    }

    /// Opens `rel` for reading when it is a regular file inside the
    /// handbook; never blocks (FIFOs are refused, not opened for good).
    pub fn open(&self, root: &Path, rel: &str) -> Result<File, Refusal> {
        let path = root.join(rel);
        // The common case, in a few system calls: the name is no link at its
        // last step, so open it as it is and ask the system where the handle
        // really is. Links (inside or out) and systems that cannot say where a
        // handle is take the longer way below.
        if let Ok(file) = open_no_follow(&path) {
            let meta = file.metadata().map_err(|e| unresolved(rel, &path, e))?;
            if !meta.is_file() {
                return Err(Refusal::Finding(special(rel, &meta)));
            }
            match opened_path(&file) {
                Some(opened) if self.holds(&opened) => return Ok(file),
                Some(opened) => return Err(Refusal::Finding(outside(rel, &path, &opened))),
                None => {}
            }
        }
        let real = match std::fs::canonicalize(&path) {
            Ok(real) => real,
            Err(e) => return Err(unresolved(rel, &path, e)),
        };
        if !self.holds(&real) {
            return Err(Refusal::Finding(outside(rel, &path, &real)));
        }
        let meta = std::fs::metadata(&real).map_err(|e| unresolved(rel, &path, e))?;
        if !meta.is_file() {
            return Err(Refusal::Finding(special(rel, &meta)));
        }
        let file = open_no_follow(&real).map_err(|e| unresolved(rel, &path, e))?;
        // The handle is what gets read: check it, not the name, in case the
        // file was swapped between the checks above and the open.
        let meta = file.metadata().map_err(|e| unresolved(rel, &path, e))?;
        if !meta.is_file() {
            return Err(Refusal::Finding(special(rel, &meta)));
        }
        if let Some(opened) = opened_path(&file) {
            if !self.holds(&opened) {
                return Err(Refusal::Finding(outside(rel, &path, &opened)));
            }
        }
        Ok(file)
    }
}

/// Opens without following a final symbolic link and without waiting for a
/// FIFO's writer.
fn open_no_follow(real: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(real)
}

/// Where an open handle really is, when the system says (Linux does).
fn opened_path(file: &File) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// What a link says, else the real path it leads to.
fn target_of(path: &Path, real: Option<&Path>) -> String {
    match std::fs::read_link(path) {
        Ok(target) => target.display().to_string(),
        Err(_) => real.map_or_else(|| "?".into(), |r| r.display().to_string()),
    }
}

fn outside(rel: &str, path: &Path, real: &Path) -> Diagnostic {
    Diagnostic::error(
        Code::OutsideHandbook,
        format!(
            "'{rel}' is a symbolic link to {}, outside the handbook folder; it is not read or published",
            target_of(path, Some(real))
        ),
    )
    .at(rel, 0)
    .hint("copy the file into the handbook folder, or remove the link: only files inside the folder are published")
}

/// A file that is not regular: a FIFO, a socket, a device.
pub fn special(rel: &str, meta: &std::fs::Metadata) -> Diagnostic {
    Diagnostic::error(
        Code::SpecialFile,
        format!("'{rel}' is {}, not a regular file; it is not read or published", kind_of(meta)),
    )
    .at(rel, 0)
    .hint("remove it from the handbook folder")
}

/// A finding for a path that cannot be resolved: a dangling or looping link,
/// or a plain read error.
fn unresolved(rel: &str, path: &Path, e: io::Error) -> Refusal {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if e.kind() == io::ErrorKind::NotFound && is_link {
        return Refusal::Finding(dangling(rel, &target_of(path, None)));
    }
    if e.kind() == io::ErrorKind::NotFound {
        return Refusal::Missing;
    }
    Refusal::Finding(Diagnostic::error(Code::Unreadable, format!("'{rel}' cannot be read: {e}")).at(rel, 0))
}

/// A symbolic link whose target does not exist.
pub fn dangling(rel: &str, target: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::DanglingSymlink,
        format!("'{rel}' is a symbolic link to {target}, which does not exist; it is skipped"),
    )
    .at(rel, 0)
    .hint("fix the link's target or remove the link")
}

/// "a FIFO", "a device"...: what a file that is not regular is.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn code(r: Result<File, Refusal>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(Refusal::Missing) => "missing",
            Err(Refusal::Finding(d)) => d.code.as_str(),
        }
    }

    #[test]
    fn links_inside_are_read_links_outside_are_refused() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("handbook");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();
        std::fs::write(outer.path().join("secret.txt"), "s").unwrap();
        symlink("sub/a.txt", root.join("inside.txt")).unwrap();
        symlink(outer.path().join("secret.txt"), root.join("out.txt")).unwrap();
        symlink("nowhere.txt", root.join("dangling.txt")).unwrap();
        symlink(outer.path(), root.join("up")).unwrap();
        let r = Root::new(&root);
        assert_eq!(code(r.open(&root, "sub/a.txt")), "ok");
        assert_eq!(code(r.open(&root, "inside.txt")), "ok");
        assert_eq!(code(r.open(&root, "out.txt")), "outside-handbook");
        assert_eq!(code(r.open(&root, "up/secret.txt")), "outside-handbook");
        assert_eq!(code(r.open(&root, "dangling.txt")), "dangling-symlink");
        assert_eq!(code(r.open(&root, "absent.txt")), "missing");
        assert!(r.check_link(&root, "inside.txt").is_ok());
        assert!(r.check_link(&root, "up").is_err());
        let Err(Refusal::Finding(d)) = r.open(&root, "out.txt") else { panic!() };
        assert!(d.message.contains("secret.txt"), "{}", d.message);
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let Err(Refusal::Finding(d)) = Root::new(dir.path()).open(dir.path(), "pipe") else { panic!() };
        assert_eq!(d.code, "special-file");
        assert!(d.message.contains("FIFO"), "{}", d.message);
    }

    #[test]
    fn a_file_swapped_for_a_fifo_after_the_checks_is_refused_by_its_handle() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        // What `open` does once the name checks have passed.
        let file = open_no_follow(&fifo).expect("a FIFO opens at once without blocking");
        assert!(!file.metadata().unwrap().is_file());
        symlink(dir.path().join("pipe"), dir.path().join("link")).unwrap();
        assert!(open_no_follow(&dir.path().join("link")).is_err(), "a final link is not followed");
    }
}
