//! Progress of a long wait. On a terminal: a spinner, with each event printed above it. Anywhere
//! else (a pipe, a file, a CI log, the tests): plain lines only, so the output stays greppable.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, Write};
use std::time::Duration;

/// What the command's stdout is: a person's terminal (a spinner helps) or anything else.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stdout {
    /// A pipe, a file, a CI log or a test's buffer: plain lines only.
    #[default]
    Plain,
    /// A terminal: a spinner below the lines while waiting.
    Terminal,
}

impl Stdout {
    /// The process's own stdout.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            Self::Terminal
        } else {
            Self::Plain
        }
    }
}

/// Where the lines of a wait go, with or without a spinner.
pub struct Progress<'a> {
    out: &'a mut dyn Write,
    spinner: Option<ProgressBar>,
}

impl<'a> Progress<'a> {
    /// Prints `waiting` as the first line; on a terminal, a spinner then repeats it below the
    /// event lines with the time spent so far.
    pub fn start(out: &'a mut dyn Write, stdout: Stdout, waiting: &str) -> io::Result<Self> {
        writeln!(out, "{waiting}")?;
        let spinner = (stdout == Stdout::Terminal).then(|| {
            // Drawn on stdout, where the lines go, so a redirected stdout gets no spinner.
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                spinner.set_style(style);
            }
            spinner.set_message(waiting.trim_end_matches(['.', ':']).to_string());
            spinner.enable_steady_tick(Duration::from_millis(120));
            spinner
        });
        Ok(Self { out, spinner })
    }

    /// Prints one event line (above the spinner, if any).
    pub fn line(&mut self, text: &str) -> io::Result<()> {
        let out = &mut *self.out;
        match &self.spinner {
            Some(spinner) => spinner.suspend(|| {
                writeln!(out, "{text}")?;
                out.flush()
            }),
            None => writeln!(out, "{text}"),
        }
    }
}

impl Drop for Progress<'_> {
    /// The spinner leaves no trace: the lines printed are the record of the wait.
    fn drop(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }
}
