//! The output folder: the only place that touches it.
//!
//! A run holds an advisory lock on the folder ([`LOCK`]), so two runs never
//! mix their reports. Every file goes to a new temporary file beside it,
//! created exclusively (never through a symlink, never over anything) under a
//! name nobody can predict, and is hashed as it is written. The commit
//! writes a journal ([`JOURNAL`]) of every rename and removal it is about to
//! do, does them, and removes the journal; a run killed half-way leaves the
//! journal behind, and the next run into the folder rolls that commit
//! forward before anything else. So the folder always holds one complete
//! report: the previous one, or the new one once a journal is rolled
//! forward.
//!
//! Only what an earlier run wrote is ever removed: the `outputs` of the
//! previous run.json (its manifest), and each only while its content still
//! matches the digest there (a file the user edited stays).
//!
//! The per-customer outputs sit one folder down (`customers/FOLDER/NAME`,
//! [`is_output`]). Their temporaries and moved-aside files stay in the top
//! folder (the `/` of the name written as `+`), so a killed run's leftovers
//! are all in one place; the commit creates the folders as it puts the files
//! in place, and removes the folders that a removal leaves empty.

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Every file a run may write: the only names a manifest or a journal may
/// name (so neither can name a path, or a file of the user's).
pub const OUTPUTS: [&str; 19] = [
    "tickets.csv",
    "summary.csv",
    "reclassifications.csv",
    "rejects.csv",
    "warnings.csv",
    "run.json",
    "policy_comparison.csv",
    "mode_sensitive_tickets.csv",
    "reclassification_summary.csv",
    "summary_by_group.csv",
    "summary_by_assignee.csv",
    "summary_by_organization.csv",
    "at_risk.csv",
    "tickets.parquet",
    "summary.parquet",
    "attainment.png",
    "response_times.png",
    "reclassifications.png",
    "report.html",
];

/// The folder of the per-customer outputs: [`CUSTOMER_INDEX`] and one
/// folder per customer holding [`CUSTOMER_FILES`].
pub const CUSTOMERS: &str = "customers";

/// The list of the customers and their folders.
pub const CUSTOMER_INDEX: &str = "customers/index.csv";

/// The files of one customer's folder.
pub const CUSTOMER_FILES: [&str; 3] = ["report.html", "tickets.csv", "summary.csv"];

/// The longest customer folder name accepted in a manifest or a journal.
pub const FOLDER_LIMIT: usize = 100;

/// The manifest: run.json lists every other output with its digest.
const MANIFEST: &str = "run.json";

/// The lock file, created once and kept (removing a lock file races with
/// the next run taking it).
pub const LOCK: &str = ".sla-report.lock";

/// The commit journal: present only while a commit is under way.
pub const JOURNAL: &str = ".sla-report.commit";

/// The first line of a journal.
const JOURNAL_HEADER: &str = "sla-report commit";

/// An earlier run.json larger than this is not read as a manifest (nothing
/// is then removed); real ones are far smaller.
const MANIFEST_LIMIT: u64 = 64 << 20;

/// One written output as run.json lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
}

/// One file of a commit: its temporary `.NAME.ID.tmp` goes in place as
/// `NAME`, and the file it replaces is first moved aside as `.NAME.ID.old`.
///
/// The previous file is moved aside rather than renamed over: renaming over
/// an existing file makes ext4 (`auto_da_alloc`) write the new file's data
/// out before the rename returns, half a second for the 1 GB tickets.csv of
/// ten million tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Put {
    name: String,
    id: String,
}

impl Put {
    fn tmp(&self, dir: &Path) -> PathBuf {
        dir.join(format!(".{}.{}.tmp", flat(&self.name), self.id))
    }

    fn old(&self, dir: &Path) -> PathBuf {
        dir.join(format!(".{}.{}.old", flat(&self.name), self.id))
    }

    /// Moves the file in place aside, if any, and the temporary in place,
    /// creating the folders of a nested output first.
    fn apply(&self, dir: &Path) -> io::Result<()> {
        make_folders(dir, &self.name)?;
        let fin = dir.join(&self.name);
        if exists(&fin)? {
            fs::rename(&fin, self.old(dir))?;
        }
        fs::rename(self.tmp(dir), &fin)
    }

    /// `apply`, from whatever state an interrupted `apply` or `undo` left:
    /// without its temporary, the file is in place already.
    fn resume(&self, dir: &Path) -> io::Result<()> {
        if exists(&self.tmp(dir))? {
            self.apply(dir)?;
        }
        Ok(())
    }

    /// The inverse of `apply`, from whatever state it stopped in: the new
    /// file back to its temporary (first, so that an interrupted undo can
    /// still be rolled forward), then the previous file back in place.
    fn undo(&self, dir: &Path) -> io::Result<()> {
        let (tmp, fin, old) = (self.tmp(dir), dir.join(&self.name), self.old(dir));
        if !exists(&tmp)? && exists(&fin)? {
            fs::rename(&fin, &tmp)?;
        }
        if exists(&old)? {
            fs::rename(&old, &fin)?;
        }
        remove_empty_folders(dir, &self.name);
        Ok(())
    }
}

/// A commit as the journal records it: the files put in place, in order,
/// then the outputs of the previous run that this one did not write, with
/// their digests in the previous manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Journal {
    puts: Vec<Put>,
    removals: Vec<(String, String)>,
}

impl Journal {
    fn text(&self) -> String {
        let mut s = format!("{JOURNAL_HEADER}\n");
        for p in &self.puts {
            s.push_str(&format!("put {} {}\n", p.name, p.id));
        }
        for (name, sha256) in &self.removals {
            s.push_str(&format!("remove {name} {sha256}\n"));
        }
        s
    }

    /// Reads a journal, accepting only output names, temporary ids and
    /// digests: no line can make a commit touch another path.
    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if lines.next()? != JOURNAL_HEADER {
            return None;
        }
        let mut journal = Journal {
            puts: Vec::new(),
            removals: Vec::new(),
        };
        for line in lines {
            let fields: Vec<&str> = line.split(' ').collect();
            match fields[..] {
                ["put", name, id] if is_output(name) && is_id(id) => journal.puts.push(Put {
                    name: name.to_string(),
                    id: id.to_string(),
                }),
                ["remove", name, sha256] if is_output(name) && is_digest(sha256) => journal
                    .removals
                    .push((name.to_string(), sha256.to_string())),
                _ => return None,
            }
        }
        Some(journal)
    }

    /// Completes an interrupted commit: every file not yet in place goes in
    /// place, then [`Journal::finish`]. Rolling forward twice is rolling
    /// forward once.
    fn roll_forward(&self, dir: &Path) -> Result<(), OutputError> {
        for put in &self.puts {
            put.resume(dir)
                .map_err(|e| OutputError::io(&dir.join(&put.name), e))?;
        }
        self.finish(dir);
        Ok(())
    }

    /// Once every file is in place: the previous files moved aside go, so
    /// do the previous run's outputs not written again whose content still
    /// matches its manifest, and then the journal. A file left here by a
    /// failure is only a leftover beside a complete report.
    fn finish(&self, dir: &Path) {
        for put in &self.puts {
            let _ = fs::remove_file(put.old(dir));
        }
        for (name, sha256) in &self.removals {
            let path = dir.join(name);
            let ours = real_folders(dir, name)
                && regular_file(&path)
                && digest_of(&path).is_ok_and(|d| d == *sha256);
            if ours {
                let _ = fs::remove_file(path);
                remove_empty_folders(dir, name);
            }
        }
        let _ = fs::remove_file(dir.join(JOURNAL));
    }
}

/// An output folder receiving a set of files: each is written under a
/// temporary name, and [`OutputDir::commit`] puts them all in place or, when
/// a rename fails, restores the files that were there before.
pub struct OutputDir {
    dir: PathBuf,
    pending: Vec<(Put, Written)>,
    /// Input files (canonical paths) that no output may overwrite.
    inputs: Vec<PathBuf>,
    /// Held until the commit is done (closing it releases the lock).
    _lock: fs::File,
}

/// An output error naming the file or folder.
#[derive(Debug)]
pub struct OutputError {
    pub path: PathBuf,
    pub problem: Problem,
}

#[derive(Debug)]
pub enum Problem {
    /// Writing, renaming or reading failed.
    Io(io::Error),
    /// Something in the folder stands in the way: what, and what to do.
    Refused(String),
}

impl OutputError {
    pub fn io(path: &Path, error: io::Error) -> OutputError {
        OutputError {
            path: path.to_path_buf(),
            problem: Problem::Io(error),
        }
    }

    fn refused(path: &Path, reason: impl Into<String>) -> OutputError {
        OutputError {
            path: path.to_path_buf(),
            problem: Problem::Refused(reason.into()),
        }
    }
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            Problem::Io(e) => write!(f, "{}: cannot write: {e}", self.path.display()),
            Problem::Refused(reason) => write!(f, "{}: {reason}", self.path.display()),
        }
    }
}

impl std::error::Error for OutputError {}

impl OutputDir {
    /// Creates `dir` if missing and takes its lock (failing at once when
    /// another run holds it); then rolls forward a commit that a killed run
    /// left unfinished, and removes the temporaries of killed runs.
    pub fn create(dir: &Path) -> Result<OutputDir, OutputError> {
        check_folder(dir)?;
        fs::create_dir_all(dir).map_err(|e| OutputError::io(dir, e))?;
        let lock = lock(dir)?;
        recover(dir)?;
        remove_stale_temporaries(dir);
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
            inputs: Vec::new(),
            _lock: lock,
        })
    }

    /// Refuses, from now on, any output that would overwrite one of `inputs`.
    pub fn protect<P: AsRef<Path>>(mut self, inputs: &[P]) -> OutputDir {
        self.inputs = inputs
            .iter()
            .filter_map(|p| fs::canonicalize(p).ok())
            .collect();
        self
    }

    /// Writes `name` (one of [`OUTPUTS`], or a per-customer output) through `body` into a new
    /// temporary file beside it, hashing it on the way.
    pub fn write<F>(&mut self, name: &str, body: F) -> Result<(), OutputError>
    where
        F: FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
    {
        debug_assert!(is_output(name), "{name} is not an output name");
        let final_path = self.dir.join(name);
        check_folders(&self.dir, name)?;
        check_regular_or_absent(&final_path)?;
        check_not_input(&final_path, &self.inputs)?;
        let (id, file) = create_temporary(&self.dir, &format!(".{}", flat(name)))
            .map_err(|e| OutputError::io(&final_path, e))?;
        let put = Put {
            name: name.to_string(),
            id,
        };
        let result = (|| {
            let mut w = BufWriter::with_capacity(1 << 20, Digesting::new(file));
            body(&mut w)?;
            let digesting = w.into_inner().map_err(io::IntoInnerError::into_error)?;
            Ok(digesting.finish(name))
        })();
        match result {
            Ok(written) => {
                self.pending.push((put, written));
                Ok(())
            }
            Err(error) => {
                let _ = fs::remove_file(put.tmp(&self.dir));
                Err(OutputError::io(&final_path, error))
            }
        }
    }

    /// The files written so far, sorted by name: the manifest that run.json
    /// lists.
    pub fn written(&self) -> Vec<Written> {
        let mut w: Vec<Written> = self.pending.iter().map(|(_, w)| w.clone()).collect();
        w.sort_by(|a, b| a.file.cmp(&b.file));
        w
    }

    /// Puts every written file in place, all or nothing (see the module
    /// documentation): the journal first, then the renames (run.json, the
    /// manifest, last), then the removals.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let journal = self.journal()?;
        write_journal(&self.dir, &journal)?;
        for (i, put) in journal.puts.iter().enumerate() {
            let Err(error) = put.apply(&self.dir) else {
                continue;
            };
            let undone = journal.puts[..=i]
                .iter()
                .rev()
                .all(|p| p.undo(&self.dir).is_ok());
            if undone {
                let _ = fs::remove_file(self.dir.join(JOURNAL));
            } else {
                // the journal stays and so do the temporaries: the next
                // run into this folder completes this commit
                self.pending.clear();
            }
            return Err(OutputError::io(&self.dir.join(&put.name), error));
        }
        self.pending.clear();
        journal.finish(&self.dir);
        Ok(())
    }

    /// The journal of this commit, after checking once more that no
    /// output path became a symlink or a folder while the files were written.
    fn journal(&mut self) -> Result<Journal, OutputError> {
        // the manifest last: a folder whose run.json is new holds the new
        // report (or the journal to finish it)
        self.pending.sort_by_key(|(p, _)| p.name == MANIFEST);
        for (put, _) in &self.pending {
            check_folders(&self.dir, &put.name)?;
            check_regular_or_absent(&self.dir.join(&put.name))?;
        }
        let removals = previous_manifest(&self.dir)
            .into_iter()
            .filter(|(name, _)| !self.pending.iter().any(|(p, _)| p.name == *name))
            .collect();
        Ok(Journal {
            puts: self.pending.iter().map(|(p, _)| p.clone()).collect(),
            removals,
        })
    }

    #[cfg(test)]
    /// A commit killed after the journal and `puts` files were in place.
    fn commit_killed_after(mut self, puts: usize) {
        let journal = self.journal().unwrap();
        write_journal(&self.dir, &journal).unwrap();
        for put in &journal.puts[..puts] {
            put.apply(&self.dir).unwrap();
        }
        self.pending.clear();
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // not committed: leave the previous report as it was
        for (put, _) in &self.pending {
            let _ = fs::remove_file(put.tmp(&self.dir));
        }
    }
}

/// The `outputs` of the run.json in `dir` as (file, sha256), keeping only
/// output names ([`is_output`]: never a path of the user's) other than
/// run.json itself. An
/// unreadable run.json, or one without `outputs` (an earlier version's), is
/// an empty manifest: nothing is removed.
fn previous_manifest(dir: &Path) -> Vec<(String, String)> {
    let path = dir.join(MANIFEST);
    let mut text = String::new();
    let read = regular_file(&path)
        && fs::File::open(&path)
            .and_then(|f| f.take(MANIFEST_LIMIT).read_to_string(&mut text))
            .is_ok();
    let Some(json) = read
        .then(|| serde_json::from_str::<serde_json::Value>(&text).ok())
        .flatten()
    else {
        return Vec::new();
    };
    let Some(outputs) = json["outputs"].as_array() else {
        return Vec::new();
    };
    outputs
        .iter()
        .filter_map(|o| Some((o["file"].as_str()?, o["sha256"].as_str()?)))
        .filter(|(file, sha256)| is_output(file) && *file != MANIFEST && is_digest(sha256))
        .map(|(file, sha256)| (file.to_string(), sha256.to_string()))
        .collect()
}

/// Takes the folder's lock, or fails at once naming the folder.
fn lock(dir: &Path) -> Result<fs::File, OutputError> {
    let path = dir.join(LOCK);
    check_regular_or_absent(&path)?;
    let file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // read-only: the lock file is never written, whatever it is
            fs::File::open(&path)
        }
        opened => opened,
    }
    .map_err(|e| OutputError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(OutputError::refused(
            dir,
            "is in use by another sla-report run; wait for it or choose another --out",
        )),
        Err(fs::TryLockError::Error(e)) => Err(OutputError::io(&path, e)),
    }
}

/// Rolls forward the commit of a run killed half-way (its journal is there).
fn recover(dir: &Path) -> Result<(), OutputError> {
    let path = dir.join(JOURNAL);
    if !exists(&path).map_err(|e| OutputError::io(&path, e))? {
        return Ok(());
    }
    check_regular_or_absent(&path)?;
    let text = fs::read_to_string(&path).map_err(|e| OutputError::io(&path, e))?;
    let Some(journal) = Journal::parse(&text) else {
        return Err(OutputError::refused(
            &path,
            "is not a commit journal of this sla-report; \
             check the report in the folder and remove it",
        ));
    };
    journal.roll_forward(dir)
}

/// Writes the journal under a temporary name and renames it into place:
/// it appears whole or not at all.
fn write_journal(dir: &Path, journal: &Journal) -> Result<(), OutputError> {
    let path = dir.join(JOURNAL);
    let (id, mut file) = create_temporary(dir, JOURNAL).map_err(|e| OutputError::io(&path, e))?;
    let tmp = dir.join(format!("{JOURNAL}.{id}.tmp"));
    let written = file
        .write_all(journal.text().as_bytes())
        .and_then(|()| fs::rename(&tmp, &path));
    written.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        OutputError::io(&path, e)
    })
}

/// Removes what killed runs left: temporaries and files moved aside
/// (`.NAME.PID-RANDOM.tmp` or `.old`, with NAME an output or the journal).
/// Called with the lock held and any journal rolled forward, so none of
/// them belongs to a live run or an unfinished commit.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_stale = name.to_str().is_some_and(is_temporary_name)
            && entry.file_type().is_ok_and(|t| t.is_file());
        if is_stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn is_temporary_name(name: &str) -> bool {
    let Some(rest) = name
        .strip_suffix(".tmp")
        .or_else(|| name.strip_suffix(".old"))
    else {
        return false;
    };
    let Some((hidden, id)) = rest.rsplit_once('.') else {
        return false;
    };
    is_id(id)
        && (hidden == JOURNAL
            || hidden
                .strip_prefix('.')
                .is_some_and(|flat| is_output(&flat.replace('+', "/"))))
}

/// Whether `name` is a name a run writes: one of [`OUTPUTS`],
/// [`CUSTOMER_INDEX`], or `customers/FOLDER/FILE` with FILE one of
/// [`CUSTOMER_FILES`] and FOLDER a folder name ([`is_folder_name`]). None
/// of them can lead out of the folder.
pub fn is_output(name: &str) -> bool {
    if OUTPUTS.contains(&name) || name == CUSTOMER_INDEX {
        return true;
    }
    name.strip_prefix(CUSTOMERS)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(folder, file)| is_folder_name(folder) && CUSTOMER_FILES.contains(&file))
}

/// A customer folder's name: 1 to [`FOLDER_LIMIT`] bytes of `a-z`, `0-9`,
/// `-` and `_` (no dot, no separator: never `..`, never a path).
pub fn is_folder_name(folder: &str) -> bool {
    !folder.is_empty()
        && folder.len() <= FOLDER_LIMIT
        && folder
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

/// An output name as one file name of the top folder, for its temporary:
/// `customers+acme+report.html`. No output name holds a `+`.
fn flat(name: &str) -> String {
    name.replace('/', "+")
}

/// The folders of a nested output name, outermost first (`customers`,
/// `customers/acme`); none for a top-level name.
fn folders_of(name: &str) -> impl Iterator<Item = &str> {
    name.match_indices('/').map(move |(i, _)| &name[..i])
}

/// Whether every folder of `name` inside `dir` is absent or a real folder
/// (not a symbolic link).
fn real_folders(dir: &Path, name: &str) -> bool {
    folders_of(name).all(|f| match fs::symlink_metadata(dir.join(f)) {
        Ok(meta) => meta.is_dir(),
        Err(e) => e.kind() == io::ErrorKind::NotFound,
    })
}

/// Fails, naming it, at the first folder of `name` inside `dir` that is
/// there as anything but a real folder: nothing is written through a
/// symbolic link, whatever it points to.
fn check_folders(dir: &Path, name: &str) -> Result<(), OutputError> {
    for folder in folders_of(name) {
        let path = dir.join(folder);
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(OutputError::io(&path, e)),
        };
        if !meta.is_dir() {
            let what = if meta.file_type().is_symlink() {
                "is a symbolic link"
            } else {
                "is not a folder"
            };
            return Err(OutputError::refused(
                &path,
                format!(
                    "{what}; sla-report writes its customer reports only into folders - remove it"
                ),
            ));
        }
    }
    Ok(())
}

/// Creates the missing folders of `name` inside `dir`; fails on one that is
/// there as anything but a real folder.
fn make_folders(dir: &Path, name: &str) -> io::Result<()> {
    for folder in folders_of(name) {
        let path = dir.join(folder);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(io::Error::other(format!(
                    "{} is not a folder",
                    path.display()
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(&path)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Removes the folders of `name` inside `dir` that are empty, innermost
/// first (a folder with anything in it stays).
fn remove_empty_folders(dir: &Path, name: &str) {
    let folders: Vec<&str> = folders_of(name).collect();
    for folder in folders.into_iter().rev() {
        if fs::remove_dir(dir.join(folder)).is_err() {
            return;
        }
    }
}

/// `PID-RANDOM`: what [`fresh_id`] makes.
fn is_id(id: &str) -> bool {
    id.split_once('-').is_some_and(|(pid, random)| {
        !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && random.len() == 16
            && random
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

fn is_digest(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A name part nobody can predict: the process id and 64 bits from the
/// operating system's random source (what `RandomState` is keyed with).
fn fresh_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{}-{random:016x}", std::process::id())
}

/// A new file `HIDDEN.ID.tmp` in `dir`, created exclusively: it never
/// follows a symlink and never truncates anything. Returns its id.
fn create_temporary(dir: &Path, hidden: &str) -> io::Result<(String, fs::File)> {
    let mut tries = 0;
    loop {
        let id = fresh_id();
        let opened = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(format!("{hidden}.{id}.tmp")));
        match opened {
            Ok(file) => return Ok((id, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 8 => tries += 1,
            Err(e) => return Err(e),
        }
    }
}

/// A writer that hashes what goes through it: the digest of a file is that
/// of the bytes written, without reading the file again.
struct Digesting<W> {
    inner: W,
    sha256: Sha256,
    bytes: u64,
}

impl<W: Write> Digesting<W> {
    fn new(inner: W) -> Self {
        Digesting {
            inner,
            sha256: Sha256::new(),
            bytes: 0,
        }
    }

    fn finish(self, name: &str) -> Written {
        Written {
            file: name.to_string(),
            sha256: format!("{:x}", self.sha256.finalize()),
            bytes: self.bytes,
        }
    }
}

impl<W: Write> Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha256.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The SHA-256 of a file's bytes, in hex.
fn digest_of(path: &Path) -> io::Result<String> {
    let mut d = Digesting::new(io::sink());
    io::copy(&mut fs::File::open(path)?, &mut d)?;
    Ok(d.finish("").sha256)
}

/// Whether `path` exists (as anything; a symlink is not followed).
fn exists(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn regular_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Fails, naming `path`, when it is there as anything but a regular file.
fn check_regular_or_absent(path: &Path) -> Result<(), OutputError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(OutputError::io(path, e)),
    };
    let what = if meta.is_file() {
        return Ok(());
    } else if meta.file_type().is_symlink() {
        "is a symbolic link"
    } else if meta.is_dir() {
        "is a folder"
    } else {
        "is not a regular file"
    };
    Err(OutputError::refused(
        path,
        format!("{what}; sla-report writes only regular files - remove it"),
    ))
}

/// Fails when `dir`, or the nearest of its parents that exists, is not a
/// folder (a symlink to a folder is one).
fn check_folder(dir: &Path) -> Result<(), OutputError> {
    for path in dir.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(meta) = fs::metadata(path) {
            if meta.is_dir() {
                return Ok(());
            }
            return Err(OutputError::refused(
                path,
                "is a file, not a folder; choose another --out",
            ));
        }
    }
    Ok(())
}

/// Fails when `path` is the same file as one of `inputs` (canonical paths).
fn check_not_input(path: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    if inputs.is_empty() {
        return Ok(());
    }
    if let Ok(canonical) = fs::canonicalize(path) {
        if inputs.contains(&canonical) {
            return Err(OutputError::io(
                path,
                io::Error::other("refusing to overwrite an input file of this run"),
            ));
        }
    }
    Ok(())
}

/// Fails, before anything is read or written, when `dir` cannot be a folder
/// or when writing any of `names` into it would overwrite one of `inputs`
/// (e.g. `--out sample-data` with `sample-data/tickets.csv` as input). A
/// folder that merely holds the inputs is fine.
pub fn refuse_overwriting_inputs<P: AsRef<Path>>(
    dir: &Path,
    names: &[&str],
    inputs: &[P],
) -> Result<(), OutputError> {
    check_folder(dir)?;
    let inputs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect();
    for name in names {
        check_not_input(&dir.join(name), &inputs)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sla-report-outdir-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn put(out: &mut OutputDir, name: &str, text: &str) {
        out.write(name, |w| w.write_all(text.as_bytes())).unwrap();
    }

    /// A whole report as one run writes it: `files`, then run.json listing
    /// them.
    fn report(dir: &Path, files: &[(&str, &str)]) -> OutputDir {
        let mut out = OutputDir::create(dir).unwrap();
        for (name, text) in files {
            put(&mut out, name, text);
        }
        let manifest = manifest_text(&out.written());
        put(&mut out, "run.json", &manifest);
        out
    }

    fn manifest_text(written: &[Written]) -> String {
        let outputs: Vec<serde_json::Value> = written
            .iter()
            .map(|w| serde_json::json!({"file": w.file, "sha256": w.sha256, "bytes": w.bytes}))
            .collect();
        serde_json::json!({ "outputs": outputs }).to_string()
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The visible files, name (a path for those in folders) -> text.
    fn contents(dir: &Path) -> Vec<(String, String)> {
        let mut files = Vec::new();
        for n in listing(dir).into_iter().filter(|n| !n.starts_with('.')) {
            let path = dir.join(&n);
            if path.is_dir() {
                for (m, text) in contents(&path) {
                    files.push((format!("{n}/{m}"), text));
                }
            } else {
                files.push((n, fs::read_to_string(path).unwrap()));
            }
        }
        files
    }

    fn sha256(text: &str) -> String {
        format!("{:x}", Sha256::digest(text.as_bytes()))
    }

    #[test]
    fn commit_replaces_every_file_and_leaves_no_temporaries() {
        let dir = scratch("replace");
        fs::write(dir.join("tickets.csv"), "old a").unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "tickets.csv", "new a");
        put(&mut out, "summary.csv", "new b");
        out.commit().unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("tickets.csv")).unwrap(),
            "new a"
        );
        assert_eq!(
            fs::read_to_string(dir.join("summary.csv")).unwrap(),
            "new b"
        );
        assert_eq!(listing(&dir), [LOCK, "summary.csv", "tickets.csv"]);
    }

    #[test]
    fn the_digest_is_of_the_bytes_written() {
        let dir = scratch("digest");
        let mut out = OutputDir::create(&dir).unwrap();
        let big = "x".repeat(3 << 20);
        put(&mut out, "tickets.csv", &big);
        put(&mut out, "summary.csv", "");
        assert_eq!(
            out.written(),
            [
                Written {
                    file: "summary.csv".into(),
                    sha256: sha256(""),
                    bytes: 0
                },
                Written {
                    file: "tickets.csv".into(),
                    sha256: sha256(&big),
                    bytes: 3 << 20
                },
            ]
        );
    }

    /// A rename that fails half-way (here: a temporary file vanished) puts
    /// back the files already replaced: never a mix of two runs.
    #[test]
    fn a_rename_failing_half_way_restores_the_previous_report() {
        let dir = scratch("rollback");
        let names = ["tickets.csv", "summary.csv", "rejects.csv"];
        for name in names {
            fs::write(dir.join(name), format!("old {name}")).unwrap();
        }
        let before = listing(&dir);
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "tickets.csv", "new a");
        put(&mut out, "run.json", "new file");
        put(&mut out, "summary.csv", "new b");
        put(&mut out, "rejects.csv", "new c");
        let (vanished, _) = &out.pending[2];
        fs::remove_file(vanished.tmp(&dir)).unwrap();
        let err = out.commit().unwrap_err();
        assert_eq!(err.path, dir.join("summary.csv"));
        for name in names {
            assert_eq!(
                fs::read_to_string(dir.join(name)).unwrap(),
                format!("old {name}")
            );
        }
        assert_eq!(listing(&dir), [vec![LOCK.to_string()], before].concat());
    }

    #[test]
    fn a_folder_in_the_way_fails_before_anything_is_replaced() {
        let dir = scratch("folder");
        fs::write(dir.join("tickets.csv"), "old a").unwrap();
        fs::create_dir(dir.join("summary.csv")).unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "tickets.csv", "new a");
        let err = out.write("summary.csv", |_| Ok(())).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: is a folder; sla-report writes only regular files - remove it",
                dir.join("summary.csv").display()
            )
        );
        drop(out);
        assert_eq!(
            fs::read_to_string(dir.join("tickets.csv")).unwrap(),
            "old a"
        );
        assert_eq!(listing(&dir), [LOCK, "summary.csv", "tickets.csv"]);
    }

    /// Regression: a symlink planted at the old fixed temporary name
    /// `.summary.csv.tmp` was written through (the file it pointed to,
    /// outside the folder, became summary.csv). Temporaries have names
    /// nobody can predict and are created exclusively.
    #[test]
    fn a_planted_symlink_at_a_temporary_name_is_never_written_through() {
        let base = scratch("planted-symlink");
        let dir = base.join("out");
        fs::create_dir(&dir).unwrap();
        fs::write(base.join("victim.txt"), "victim").unwrap();
        std::os::unix::fs::symlink("../victim.txt", dir.join(".summary.csv.tmp")).unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "summary.csv", "new");
        out.commit().unwrap();
        assert_eq!(
            fs::read_to_string(base.join("victim.txt")).unwrap(),
            "victim"
        );
        assert!(regular_file(&dir.join("summary.csv")));
        assert!(fs::symlink_metadata(dir.join(".summary.csv.tmp"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn an_output_path_that_is_a_symlink_is_refused_naming_it() {
        let base = scratch("symlink-output");
        let dir = base.join("out");
        fs::create_dir(&dir).unwrap();
        fs::write(base.join("victim.txt"), "victim").unwrap();
        std::os::unix::fs::symlink("../victim.txt", dir.join("summary.csv")).unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        let err = out
            .write("summary.csv", |w| w.write_all(b"new"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: is a symbolic link; sla-report writes only regular files - remove it",
                dir.join("summary.csv").display()
            )
        );
        assert_eq!(
            fs::read_to_string(base.join("victim.txt")).unwrap(),
            "victim"
        );
    }

    #[test]
    fn a_held_lock_fails_at_once_naming_the_folder() {
        let dir = scratch("lock");
        let first = OutputDir::create(&dir).unwrap();
        let err = OutputDir::create(&dir).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: is in use by another sla-report run; wait for it or choose another --out",
                dir.display()
            )
        );
        drop(first);
        assert!(OutputDir::create(&dir).is_ok());
    }

    #[test]
    fn dropping_without_commit_removes_the_temporaries() {
        let dir = scratch("drop");
        fs::write(dir.join("tickets.csv"), "old a").unwrap();
        {
            let mut out = OutputDir::create(&dir).unwrap();
            put(&mut out, "tickets.csv", "new a");
            let failed = out.write("summary.csv", |_| Err(io::Error::other("disk full")));
            assert!(failed
                .unwrap_err()
                .to_string()
                .contains("summary.csv: cannot write: disk full"));
        }
        assert_eq!(listing(&dir), [LOCK, "tickets.csv"]);
        assert_eq!(
            fs::read_to_string(dir.join("tickets.csv")).unwrap(),
            "old a"
        );
    }

    /// A kill at any point of a commit leaves either the previous report
    /// (no journal) or a journal whose roll-forward, at the next opening,
    /// gives the new report; the previous run's outputs not written again
    /// go, and so do the leftovers.
    #[test]
    fn a_commit_killed_at_any_point_is_rolled_forward_at_the_next_opening() {
        let old: &[(&str, &str)] = &[
            ("tickets.csv", "old tickets"),
            ("summary.csv", "old summary"),
            ("report.html", "old page"),
            ("customers/acme/report.html", "old acme"),
            ("customers/gone/tickets.csv", "old gone"),
        ];
        let new: &[(&str, &str)] = &[
            ("tickets.csv", "new tickets"),
            ("summary.csv", "new summary"),
            ("rejects.csv", "new rejects"),
            ("customers/acme/report.html", "new acme"),
            ("customers/new-co/summary.csv", "new co"),
        ];
        let expected = {
            let dir = scratch("killed-expected");
            report(&dir, new).commit().unwrap();
            contents(&dir)
        };
        // the files and run.json last; each kill after `puts` of them, and
        // once more half-way through the next one (the file it replaces
        // moved aside, the temporary not yet in place)
        let all = new.len() + 1;
        for puts in 0..=all {
            for half_way in [false, true] {
                if half_way && puts == all {
                    continue;
                }
                let dir = scratch("killed");
                report(&dir, old).commit().unwrap();
                let out = report(&dir, new);
                let next = out.pending.get(puts).map(|(p, _)| p.clone());
                out.commit_killed_after(puts);
                if let (true, Some(p)) = (half_way, next) {
                    if exists(&dir.join(&p.name)).unwrap() {
                        fs::rename(dir.join(&p.name), p.old(&dir)).unwrap();
                    }
                }
                assert!(dir.join(JOURNAL).is_file());
                drop(OutputDir::create(&dir).unwrap());
                let what = format!("killed after {puts} puts, half-way {half_way}");
                assert_eq!(contents(&dir), expected, "{what}");
                // the folder of the customer no longer written went with it
                assert!(!dir.join("customers/gone").exists(), "{what}");
                assert_eq!(
                    listing(&dir).iter().filter(|n| n.starts_with('.')).count(),
                    1
                );
            }
        }
    }

    /// An interrupted undo (a rename failed, then the process died) is
    /// also rolled forward.
    #[test]
    fn an_interrupted_undo_is_rolled_forward() {
        let dir = scratch("undo");
        report(&dir, &[("tickets.csv", "old")]).commit().unwrap();
        let out = report(&dir, &[("tickets.csv", "new")]);
        let (first, _) = out.pending[0].clone();
        out.commit_killed_after(1);
        // the new file back to its temporary, the old one not yet back
        fs::rename(dir.join("tickets.csv"), first.tmp(&dir)).unwrap();
        drop(OutputDir::create(&dir).unwrap());
        assert_eq!(fs::read_to_string(dir.join("tickets.csv")).unwrap(), "new");
    }

    #[test]
    fn only_listed_files_whose_content_still_matches_are_removed() {
        let dir = scratch("manifest");
        report(
            &dir,
            &[
                ("tickets.csv", "t"),
                ("report.html", "page"),
                ("attainment.png", "png"),
                ("summary_by_group.csv", "groups"),
            ],
        )
        .commit()
        .unwrap();
        // the user edits one listed file; another file was never listed
        fs::write(dir.join("report.html"), "my edits").unwrap();
        fs::write(dir.join("summary_by_assignee.csv"), "mine").unwrap();
        report(&dir, &[("tickets.csv", "t2")]).commit().unwrap();
        let names: Vec<String> = contents(&dir).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "report.html",
                "run.json",
                "summary_by_assignee.csv",
                "tickets.csv"
            ]
        );
        // the edited file is not the new run's: the next run leaves it too
        report(&dir, &[("tickets.csv", "t3")]).commit().unwrap();
        assert_eq!(read(&dir, "report.html"), "my edits");
    }

    #[test]
    fn customer_folders_are_made_by_the_commit_and_removed_when_emptied() {
        let dir = scratch("nested");
        let first = [
            ("customers/index.csv", "index"),
            ("customers/acme/tickets.csv", "acme"),
            ("customers/beta/tickets.csv", "beta"),
        ];
        let out = report(&dir, &first);
        // the temporaries are in the top folder; nothing is in customers/ yet
        assert!(!dir.join(CUSTOMERS).exists());
        out.commit().unwrap();
        assert_eq!(read(&dir, "customers/acme/tickets.csv"), "acme");
        let manifest = read(&dir, "run.json");
        assert!(
            manifest.contains("customers/beta/tickets.csv"),
            "{manifest}"
        );
        // the user adds a file beside one of ours
        fs::write(dir.join("customers/acme/notes.txt"), "mine").unwrap();
        report(&dir, &[("tickets.csv", "t")]).commit().unwrap();
        assert!(!dir.join("customers/beta").exists());
        assert!(!dir.join("customers/index.csv").exists());
        assert!(!dir.join("customers/acme/tickets.csv").exists());
        assert_eq!(read(&dir, "customers/acme/notes.txt"), "mine");
        fs::remove_file(dir.join("customers/acme/notes.txt")).unwrap();
        report(&dir, &first).commit().unwrap();
        report(&dir, &[("tickets.csv", "t")]).commit().unwrap();
        assert!(!dir.join(CUSTOMERS).exists());
        assert_eq!(listing(&dir), [LOCK, "run.json", "tickets.csv"]);
    }

    #[test]
    fn a_customers_folder_that_is_a_symlink_is_never_written_through() {
        let base = scratch("nested-symlink");
        let dir = base.join("out");
        fs::create_dir_all(base.join("elsewhere/acme")).unwrap();
        fs::create_dir(&dir).unwrap();
        std::os::unix::fs::symlink("../elsewhere", dir.join(CUSTOMERS)).unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        let err = out
            .write("customers/acme/report.html", |w| w.write_all(b"x"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: is a symbolic link; sla-report writes its customer reports only into folders - remove it",
                dir.join(CUSTOMERS).display()
            )
        );
        drop(out);
        assert!(!base.join("elsewhere/acme/report.html").exists());
        // nor does a manifest make a run remove a file through it
        fs::write(base.join("elsewhere/acme/report.html"), "x").unwrap();
        fs::write(
            dir.join("run.json"),
            serde_json::json!({"outputs": [{"file": "customers/acme/report.html", "sha256": sha256("x"), "bytes": 1}]})
                .to_string(),
        )
        .unwrap();
        report(&dir, &[("tickets.csv", "t")]).commit().unwrap();
        assert!(base.join("elsewhere/acme/report.html").exists());
    }

    #[test]
    fn nested_output_names_are_folder_names_and_customer_files_only() {
        for name in [
            "customers/index.csv",
            "customers/acme/report.html",
            "customers/_no-organization/tickets.csv",
            "customers/are-bygg-ab-0d081df7/summary.csv",
        ] {
            assert!(is_output(name), "{name}");
        }
        for name in [
            "customers/../report.html",
            "customers/./report.html",
            "customers/acme/../../x/report.html",
            "customers/acme/run.json",
            "customers/Acme/report.html",
            "customers/a.b/report.html",
            "customers//report.html",
            "customers/acme/sub/report.html",
            "/customers/acme/report.html",
            "customers/acme/report.html/",
            "other/acme/report.html",
            "customers/index.csv/report.html",
        ] {
            assert!(!is_output(name), "{name}");
        }
        assert!(!is_output(&format!(
            "customers/{}/report.html",
            "a".repeat(FOLDER_LIMIT + 1)
        )));
        // a nested output's temporary is a top-level leftover like the others
        assert!(is_temporary_name(
            ".customers+acme+report.html.12-0123456789abcdef.tmp"
        ));
        assert!(!is_temporary_name(
            ".customers+..+report.html.12-0123456789abcdef.tmp"
        ));
    }

    fn read(dir: &Path, name: &str) -> String {
        fs::read_to_string(dir.join(name)).unwrap()
    }

    /// The manifest names files, never paths: a run.json listing paths,
    /// hidden files or names that are not outputs removes nothing.
    #[test]
    fn a_manifest_naming_paths_or_other_files_removes_nothing() {
        let base = scratch("manifest-paths");
        let dir = base.join("out");
        fs::create_dir(&dir).unwrap();
        let planted = [
            ("../victim.txt", base.join("victim.txt")),
            ("notes.txt", dir.join("notes.txt")),
            (".hidden", dir.join(".hidden")),
            ("sub/report.html", dir.join("sub/report.html")),
            (LOCK, dir.join(LOCK)),
        ];
        fs::create_dir(dir.join("sub")).unwrap();
        let mut outputs = Vec::new();
        for (name, path) in &planted {
            fs::write(path, "x").unwrap();
            outputs.push(serde_json::json!({"file": name, "sha256": sha256("x"), "bytes": 1}));
        }
        fs::write(
            dir.join("run.json"),
            serde_json::json!({ "outputs": outputs }).to_string(),
        )
        .unwrap();
        report(&dir, &[("tickets.csv", "t")]).commit().unwrap();
        for (name, path) in &planted {
            assert!(path.exists(), "{name} removed");
        }
    }

    #[test]
    fn a_journal_naming_paths_is_refused() {
        for line in [
            "put ../victim.txt 1-0123456789abcdef",
            "put tickets.csv ../../x",
            "remove /etc/passwd 0000000000000000000000000000000000000000000000000000000000000000",
            "remove notes.txt 0000000000000000000000000000000000000000000000000000000000000000",
        ] {
            assert_eq!(
                Journal::parse(&format!("{JOURNAL_HEADER}\n{line}\n")),
                None,
                "{line}"
            );
        }
        let journal = Journal {
            puts: vec![Put {
                name: "tickets.csv".into(),
                id: fresh_id(),
            }],
            removals: vec![("report.html".into(), sha256("x"))],
        };
        assert_eq!(Journal::parse(&journal.text()), Some(journal));
        let dir = scratch("bad-journal");
        fs::write(dir.join(JOURNAL), "put ../victim.txt 1-0123456789abcdef\n").unwrap();
        let err = OutputDir::create(&dir).err().unwrap();
        assert!(err.to_string().contains(JOURNAL), "{err}");
    }

    /// The temporaries of a killed run go at the next opening; any other
    /// hidden file, or a folder with a temporary's name, stays.
    #[test]
    fn leftovers_of_killed_runs_are_removed_and_nothing_else() {
        let dir = scratch("leftovers");
        let stale = [
            ".tickets.csv.123-0123456789abcdef.tmp",
            ".summary.csv.9-fedcba9876543210.old",
            ".sla-report.commit.77-00000000000000ff.tmp",
        ];
        let kept = [
            ".tickets.csv.tmp",
            ".notes.txt.123-0123456789abcdef.tmp",
            ".tickets.csv.123-0123456789ABCDEF.tmp",
            ".my-settings",
        ];
        for name in stale.iter().chain(&kept) {
            fs::write(dir.join(name), "x").unwrap();
        }
        fs::create_dir(dir.join(".rejects.csv.5-0123456789abcdef.tmp")).unwrap();
        drop(OutputDir::create(&dir).unwrap());
        let mut expected: Vec<String> = kept.iter().map(|s| s.to_string()).collect();
        expected.push(LOCK.into());
        expected.push(".rejects.csv.5-0123456789abcdef.tmp".into());
        expected.sort();
        assert_eq!(listing(&dir), expected);
    }

    /// A stale folder at the old fixed temporary name `.tickets.csv.tmp`
    /// blocked every run (`tickets.csv: cannot write: Is a directory`).
    #[test]
    fn a_stale_folder_at_an_old_temporary_name_does_not_block_a_run() {
        let dir = scratch("stale-folder");
        fs::create_dir(dir.join(".tickets.csv.tmp")).unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "tickets.csv", "new");
        out.commit().unwrap();
        assert_eq!(read(&dir, "tickets.csv"), "new");
        assert!(dir.join(".tickets.csv.tmp").is_dir());
    }

    #[test]
    fn an_output_folder_that_is_a_file_is_named_as_the_obstacle() {
        let dir = scratch("out-is-file");
        let file = dir.join("out");
        fs::write(&file, "mine").unwrap();
        for out in [file.clone(), file.join("sub")] {
            let err = OutputDir::create(&out).err().unwrap();
            assert_eq!(
                err.to_string(),
                format!(
                    "{}: is a file, not a folder; choose another --out",
                    file.display()
                )
            );
            assert!(refuse_overwriting_inputs(&out, &["tickets.csv"], &[] as &[&str]).is_err());
        }
        assert_eq!(read(&dir, "out"), "mine");
    }

    #[test]
    fn inputs_are_never_overwritten() {
        let dir = scratch("inputs");
        let input = dir.join("tickets.csv");
        fs::write(&input, "input").unwrap();
        let err = refuse_overwriting_inputs(&dir, &["summary.csv", "tickets.csv"], &[&input])
            .unwrap_err();
        assert_eq!(err.path, dir.join("tickets.csv"));
        // the same file under another spelling of the folder
        let other = dir.join(".").join("..").join(dir.file_name().unwrap());
        assert!(refuse_overwriting_inputs(&other, &["tickets.csv"], &[&input]).is_err());
        // a folder that only holds inputs is fine
        assert!(refuse_overwriting_inputs(&dir, &["summary.csv"], &[&input]).is_ok());
        let mut out = OutputDir::create(&dir).unwrap().protect(&[&input]);
        put(&mut out, "summary.csv", "ok");
        assert!(out
            .write("tickets.csv", |w| w.write_all(b"clobbered"))
            .is_err());
        out.commit().unwrap();
        assert_eq!(fs::read_to_string(&input).unwrap(), "input");
    }
}
