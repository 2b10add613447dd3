//! Output files. Each writer takes an `impl Write`; `OutputDir` is the only
//! place that touches the output folder: every file is written to a
//! temporary name first and renamed into place once all are complete, so a
//! failed run never leaves a half-written report that looks whole.

pub mod analysis;
pub mod charts;
pub mod csv;
pub mod html;
pub mod json;
pub mod parquet;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// An output folder receiving a set of files atomically (per file).
pub struct OutputDir {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
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
        })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `name` through `body` into a temporary file beside it.
    pub fn write<F>(&mut self, name: &str, body: F) -> Result<(), OutputError>
    where
        F: FnOnce(&mut dyn Write) -> io::Result<()>,
    {
        let final_path = self.dir.join(name);
        let tmp_path = self.dir.join(format!(".{name}.tmp"));
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

    /// Renames every written file into place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        for (tmp, fin) in std::mem::take(&mut self.pending) {
            fs::rename(&tmp, &fin).map_err(|error| OutputError { path: fin, error })?;
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // not committed: leave the previous report as it was
        for (tmp, _) in &self.pending {
            let _ = fs::remove_file(tmp);
        }
    }
}
