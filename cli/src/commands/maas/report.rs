//! `-o table|json|yaml` for the maas commands. Unlike `create --render` (Kubernetes objects,
//! YAML by default) these print reports for people, so a table is the default and json/yaml
//! print one structured object for scripts.

use crate::error::Result;
use clap::{Args, ValueEnum};
use serde_json::Value;
use std::io::Write;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Yaml,
}

#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format: a table for people, or one JSON/YAML object for scripts.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    pub output: Format,
}

/// Prints `table` (already rendered) or `object` in the chosen format.
pub fn emit(out: &mut dyn Write, format: Format, table: &str, object: &Value) -> Result<()> {
    match format {
        Format::Table => out.write_all(table.as_bytes())?,
        Format::Json => {
            let text = serde_json::to_string_pretty(object).expect("JSON values serialise");
            writeln!(out, "{text}")?;
        }
        Format::Yaml => out.write_all(platform_api::yaml::to_yaml(object).as_bytes())?,
    }
    Ok(())
}

/// Left-aligned columns separated by two spaces, like kubectl's tables.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}
