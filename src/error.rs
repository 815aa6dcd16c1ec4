//! The one error type of a run: usage, configuration and I/O problems. Each renders once, at the
//! top, naming the file, key or flag it concerns; all of them exit with code 2.

use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    Usage(String),
    Config {
        path: PathBuf,
        message: String,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output could not be written in full (a full disk, a closed descriptor): what CI
    /// would upload is cut short, so the run fails.
    Write {
        /// `standard output`, or the `--output` file.
        to: String,
        source: std::io::Error,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}"),
            Error::Config { path, message } => {
                write!(f, "invalid configuration in {}: {message}", path.display())
            }
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Write { to, source } => {
                write!(f, "could not write the output to {to}: {source}")
            }
        }
    }
}

impl std::error::Error for Error {}
