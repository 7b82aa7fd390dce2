//! The CLI's error: a message for the user and the exit code.

use platform_api::platform::FieldErrors;
use std::fmt;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub code: i32,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 1,
        }
    }

    /// Invalid input: every problem, each naming its flag or field.
    pub fn invalid(errors: &FieldErrors) -> Self {
        let mut message = String::from("invalid input:");
        for e in &errors.0 {
            message.push_str(&format!("\n  {e}"));
        }
        Self { message, code: 2 }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::new(format!("I/O error: {e}"))
    }
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;
