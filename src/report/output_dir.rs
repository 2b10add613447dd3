//! The output folder: the only place that touches it. Every file is
//! written to a temporary name first and renamed into place once all are
//! complete, so a failed run never leaves a half-written report that looks
//! whole.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// An output folder receiving a set of files: each is written under a
/// temporary name, and [`OutputDir::commit`] puts them all in place or, when
/// a rename fails, restores the files that were there before.
/// The outputs that only some runs write (by flag or by input columns).
pub const OPTIONAL_OUTPUTS: [&str; 8] = [
    "tickets.parquet",
    "summary.parquet",
    "summary_by_group.csv",
    "summary_by_assignee.csv",
    "attainment.png",
    "response_times.png",
    "reclassifications.png",
    "report.html",
];

pub struct OutputDir {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
    /// Input files (canonical paths) that no output may overwrite.
    inputs: Vec<PathBuf>,
}

/// An output error naming the file.
#[derive(Debug)]
pub struct OutputError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: cannot write: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for OutputError {}

impl OutputDir {
    pub fn create(dir: &Path) -> Result<OutputDir, OutputError> {
        fs::create_dir_all(dir).map_err(|error| OutputError {
            path: dir.to_path_buf(),
            error,
        })?;
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
            inputs: Vec::new(),
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

    /// Writes `name` through `body` into a temporary file beside it.
    pub fn write<F>(&mut self, name: &str, body: F) -> Result<(), OutputError>
    where
        F: FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
    {
        let final_path = self.dir.join(name);
        let tmp_path = self.dir.join(format!(".{name}.tmp"));
        for path in [
            &final_path,
            &tmp_path,
            &self.dir.join(format!(".{name}.old")),
        ] {
            check_not_input(path, &self.inputs)?;
        }
        let result = (|| {
            let file = fs::File::create(&tmp_path)?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            body(&mut w)?;
            w.flush()?;
            Ok(())
        })();
        match result {
            Ok(()) => {
                self.pending.push((tmp_path, final_path));
                Ok(())
            }
            Err(error) => {
                let _ = fs::remove_file(&tmp_path);
                Err(OutputError {
                    path: final_path,
                    error,
                })
            }
        }
    }

    /// Renames every written file into place, all or nothing: an existing
    /// file is first moved aside as `.NAME.old`, so that when
    /// a later rename fails the files already replaced are put back and the
    /// previous report stays whole.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let written: Vec<PathBuf> = self.pending.iter().map(|(_, fin)| fin.clone()).collect();
        // a folder (or anything but a file) in the way fails before any rename
        for (_, fin) in &self.pending {
            if let Ok(meta) = fs::symlink_metadata(fin) {
                if !meta.is_file() {
                    return Err(OutputError {
                        path: fin.clone(),
                        error: io::Error::other("exists and is not a regular file"),
                    });
                }
            }
        }
        let mut done: Vec<(PathBuf, PathBuf, Option<PathBuf>)> = Vec::new();
        let mut failure = None;
        let mut pending = std::mem::take(&mut self.pending).into_iter();
        for (tmp, fin) in pending.by_ref() {
            match replace(&tmp, &fin) {
                Ok(backup) => done.push((tmp, fin, backup)),
                Err(error) => {
                    let _ = fs::remove_file(&tmp);
                    failure = Some(OutputError { path: fin, error });
                    break;
                }
            }
        }
        // the files not reached are dropped with their temporaries
        self.pending.extend(pending);
        if let Some(error) = failure {
            // undo, newest first: the previous files come back
            for (tmp, fin, backup) in done.into_iter().rev() {
                match backup {
                    Some(old) => {
                        let _ = fs::rename(&old, &fin);
                    }
                    None => {
                        let _ = fs::remove_file(&fin);
                    }
                }
                let _ = fs::remove_file(&tmp);
            }
            return Err(error);
        }
        for (_, _, backup) in done {
            if let Some(old) = backup {
                let _ = fs::remove_file(old);
            }
        }
        // an optional output of an earlier run that this run did not write
        // (e.g. charts before --no-charts) would sit beside the new report
        // looking current: it goes
        for name in OPTIONAL_OUTPUTS {
            let path = self.dir.join(name);
            let is_file = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            if is_file && !written.contains(&path) && check_not_input(&path, &self.inputs).is_ok() {
                let _ = fs::remove_file(&path);
            }
        }
        Ok(())
    }
}

/// Puts `tmp` in place as `fin`, keeping the previous `fin` (if any) as
/// `.NAME.old` beside it; returns that backup.
///
/// The previous file is moved aside rather than renamed over: renaming over
/// an existing file makes ext4 (`auto_da_alloc`) write the new file's data
/// out before the rename returns, half a second for the 1 GB tickets.csv of
/// ten million tickets. For an instant, `fin` does not exist.
fn replace(tmp: &Path, fin: &Path) -> io::Result<Option<PathBuf>> {
    let backup = fin.with_file_name(format!(
        ".{}.old",
        fin.file_name().unwrap_or_default().to_string_lossy()
    ));
    let kept = match fs::symlink_metadata(fin) {
        Ok(_) => {
            let _ = fs::remove_file(&backup);
            fs::rename(fin, &backup)?;
            Some(backup)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    match fs::rename(tmp, fin) {
        Ok(()) => Ok(kept),
        Err(e) => {
            if let Some(old) = kept {
                let _ = fs::rename(old, fin);
            }
            Err(e)
        }
    }
}

/// Fails when `path` is the same file as one of `inputs` (canonical paths).
fn check_not_input(path: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    if inputs.is_empty() {
        return Ok(());
    }
    if let Ok(canonical) = fs::canonicalize(path) {
        if inputs.contains(&canonical) {
            return Err(OutputError {
                path: path.to_path_buf(),
                error: io::Error::other("refusing to overwrite an input file of this run"),
            });
        }
    }
    Ok(())
}

/// Fails, before anything is read or written, when writing any of `names`
/// into `dir` would overwrite one of `inputs` (e.g. `--out sample-data`
/// with `sample-data/tickets.csv` as input). A folder that merely holds the
/// inputs is fine.
pub fn refuse_overwriting_inputs<P: AsRef<Path>>(
    dir: &Path,
    names: &[&str],
    inputs: &[P],
) -> Result<(), OutputError> {
    let inputs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect();
    for name in names {
        for path in [
            dir.join(name),
            dir.join(format!(".{name}.tmp")),
            dir.join(format!(".{name}.old")),
        ] {
            check_not_input(&path, &inputs)?;
        }
    }
    Ok(())
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // not committed: leave the previous report as it was
        for (tmp, _) in &self.pending {
            let _ = fs::remove_file(tmp);
        }
    }
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

    fn put(out: &mut OutputDir, name: &str, text: &'static str) {
        out.write(name, |w| w.write_all(text.as_bytes())).unwrap();
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn commit_replaces_every_file_and_leaves_no_temporaries() {
        let dir = scratch("replace");
        fs::write(dir.join("a.csv"), "old a").unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "a.csv", "new a");
        put(&mut out, "b.csv", "new b");
        out.commit().unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.csv")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(dir.join("b.csv")).unwrap(), "new b");
        assert_eq!(listing(&dir), ["a.csv", "b.csv"]);
    }

    /// A rename that fails half-way (here: a temporary file vanished) puts
    /// back the files already replaced: never a mix of two runs.
    #[test]
    fn a_rename_failing_half_way_restores_the_previous_report() {
        let dir = scratch("rollback");
        for name in ["a.csv", "b.csv", "c.csv"] {
            fs::write(dir.join(name), format!("old {name}")).unwrap();
        }
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "a.csv", "new a");
        put(&mut out, "new.csv", "new file");
        put(&mut out, "b.csv", "new b");
        put(&mut out, "c.csv", "new c");
        fs::remove_file(dir.join(".b.csv.tmp")).unwrap();
        let err = out.commit().unwrap_err();
        assert_eq!(err.path, dir.join("b.csv"));
        for name in ["a.csv", "b.csv", "c.csv"] {
            assert_eq!(
                fs::read_to_string(dir.join(name)).unwrap(),
                format!("old {name}")
            );
        }
        assert_eq!(listing(&dir), ["a.csv", "b.csv", "c.csv"]);
    }

    #[test]
    fn a_folder_in_the_way_fails_before_anything_is_replaced() {
        let dir = scratch("folder");
        fs::write(dir.join("a.csv"), "old a").unwrap();
        fs::create_dir(dir.join("b.csv")).unwrap();
        let mut out = OutputDir::create(&dir).unwrap();
        put(&mut out, "a.csv", "new a");
        put(&mut out, "b.csv", "new b");
        let err = out.commit().unwrap_err();
        assert!(err.to_string().contains("b.csv"), "{err}");
        assert_eq!(fs::read_to_string(dir.join("a.csv")).unwrap(), "old a");
        assert_eq!(listing(&dir), ["a.csv", "b.csv"]);
    }

    #[test]
    fn dropping_without_commit_removes_the_temporaries() {
        let dir = scratch("drop");
        fs::write(dir.join("a.csv"), "old a").unwrap();
        {
            let mut out = OutputDir::create(&dir).unwrap();
            put(&mut out, "a.csv", "new a");
            let failed = out.write("b.csv", |_| Err(io::Error::other("disk full")));
            assert!(failed
                .unwrap_err()
                .to_string()
                .contains("b.csv: cannot write: disk full"));
        }
        assert_eq!(listing(&dir), ["a.csv"]);
        assert_eq!(fs::read_to_string(dir.join("a.csv")).unwrap(), "old a");
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
