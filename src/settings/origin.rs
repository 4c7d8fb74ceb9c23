//! Where a setting's value came from, and the raw lookup through the layers
//! flag > environment > `.env` > settings file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use usage_tracker_core::settings::Origin;

/// The variables of the `.env` files found, the first file winning for each variable.
#[derive(Clone, Debug, Default)]
pub struct DotEnv {
    vars: HashMap<String, (String, PathBuf)>,
    pub files: Vec<PathBuf>,
}

impl DotEnv {
    /// Reads every `.env` among `candidates` that exists, in order.
    pub fn load(candidates: &[PathBuf]) -> Result<DotEnv, super::SettingsError> {
        let mut out = DotEnv::default();
        for path in candidates {
            if !path.is_file() || out.files.contains(path) {
                continue;
            }
            let iter = dotenvy::from_path_iter(path).map_err(|e| dotenv_error(path, e))?;
            for item in iter {
                let (k, v) = item.map_err(|e| dotenv_error(path, e))?;
                out.vars.entry(k).or_insert_with(|| (v, path.clone()));
            }
            out.files.push(path.clone());
        }
        Ok(out)
    }

    pub fn get(&self, var: &str) -> Option<(&str, &Path)> {
        self.vars.get(var).map(|(v, p)| (v.as_str(), p.as_path()))
    }

    #[cfg(test)]
    pub fn from_pairs(path: &str, pairs: &[(&str, &str)]) -> DotEnv {
        DotEnv {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), (v.to_string(), PathBuf::from(path))))
                .collect(),
            files: vec![PathBuf::from(path)],
        }
    }
}

fn dotenv_error(path: &Path, e: dotenvy::Error) -> super::SettingsError {
    let reason = match e {
        dotenvy::Error::LineParse(line, at) => {
            // The line may hold a secret: say where it is, not what it says.
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let n = text
                .find(line.as_str())
                .map(|i| text[..i].matches('\n').count() + 1);
            let place = n.map_or_else(|| "a line".to_owned(), |n| format!("line {n}"));
            format!(
                "{place} cannot be parsed (at character {}); expected NAME=value",
                at + 1
            )
        }
        other => other.to_string(),
    };
    super::SettingsError::DotEnv {
        path: path.to_owned(),
        reason,
    }
}
