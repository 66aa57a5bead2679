//! Reads definitions from disk and hands their texts to the pure core.
//!
//! A project directory (the *root*) holds `workflows/*.yaml` (one workflow per file),
//! `workflows/departments.yaml` (departments shared by every workflow), `rules/*.rhai`
//! (rules scripts) and `rules/calendars/<id>/<year>.yaml` (business calendars). A workflow
//! may also live anywhere else: [`Project::workflow_source`] accepts an id or a path, and a
//! rules script next to such a file (or in a `rules/` folder beside its folder) is found too.
//!
//! File names in diagnostics are the paths as the user would type them: relative to the
//! current directory when the root is relative.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use greenlane_engine::calendar::Calendar;
use greenlane_engine::ids::CalendarId;
use greenlane_engine::plan::CompiledWorkflow;
use greenlane_engine::source::{Diagnostic, Diagnostics, SourceText};
use greenlane_engine::workflow::{self, Sources};

/// Errors of reading definitions from disk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The path as the user would type it.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `--workflow` value names no workflow.
    #[error("no workflow `{0}`: give a workflow id from workflows/ or the path of a YAML file")]
    UnknownWorkflow(String),
    /// Definitions were read but are invalid.
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// The shared departments file, relative to the root.
pub const DEPARTMENTS_FILE: &str = "workflows/departments.yaml";

/// A project directory with `workflows/` and `rules/`.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

impl Project {
    /// A project rooted at `root` (often `.`).
    pub fn new(root: impl Into<PathBuf>) -> Project {
        Project { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `workflows/` under the root.
    pub fn workflows_dir(&self) -> PathBuf {
        self.root.join("workflows")
    }

    /// `rules/` under the root.
    pub fn rules_dir(&self) -> PathBuf {
        self.root.join("rules")
    }

    /// Every workflow file under `workflows/`, sorted (the shared departments file is not a
    /// workflow).
    pub fn workflow_files(&self) -> Result<Vec<PathBuf>, Error> {
        let mut files = yaml_files(&self.workflows_dir())?;
        files.retain(|f| f.file_name().is_none_or(|n| n != "departments.yaml"));
        Ok(files)
    }

    /// The text of a workflow given as an id (looked up in `workflows/`) or as a path.
    pub fn workflow_source(&self, id_or_path: &str) -> Result<SourceText, Error> {
        let as_path = Path::new(id_or_path);
        if as_path.is_file() {
            return read(as_path);
        }
        let by_id = self.workflows_dir().join(format!("{id_or_path}.yaml"));
        if by_id.is_file() {
            return read(&by_id);
        }
        Err(Error::UnknownWorkflow(id_or_path.to_string()))
    }

    /// Everything a workflow may refer to: the shared departments, every rules script and
    /// every calendar. Scripts beside `workflow_file` (or in `rules/` next to its folder)
    /// are added when the root has no script of that name.
    pub fn sources(&self, workflow_file: Option<&Path>) -> Result<Sources, Error> {
        let departments_path = self.root.join(DEPARTMENTS_FILE);
        let departments = if departments_path.is_file() {
            Some(read(&departments_path)?)
        } else {
            None
        };

        let mut rules = BTreeMap::new();
        let mut rule_dirs = vec![self.rules_dir()];
        if let Some(dir) = workflow_file.and_then(Path::parent) {
            rule_dirs.push(dir.to_path_buf());
            rule_dirs.push(dir.join("..").join("rules"));
        }
        for dir in rule_dirs {
            for script in files_with_extension(&dir, "rhai")? {
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    rules.entry(file_name(&script))
                {
                    slot.insert(read(&script)?);
                }
            }
        }

        let calendars = self.calendars()?;
        Ok(Sources {
            departments,
            rules,
            calendars,
        })
    }

    /// The year files of every calendar under `rules/calendars/`, by calendar id, each
    /// named by its path from the project folder (`rules/calendars/cn/2027.yaml`).
    pub fn calendar_sources(&self) -> Result<BTreeMap<CalendarId, Vec<SourceText>>, Error> {
        let mut calendars = BTreeMap::new();
        let dir = self.rules_dir().join("calendars");
        for calendar_dir in sub_dirs(&dir)? {
            let id = CalendarId::new(file_name(&calendar_dir));
            let years = yaml_files(&calendar_dir)?
                .iter()
                .map(|f| read(f))
                .collect::<Result<Vec<_>, _>>()?;
            calendars.insert(id, years);
        }
        Ok(calendars)
    }

    /// Every calendar under `rules/calendars/`, each built from its year files.
    pub fn calendars(&self) -> Result<BTreeMap<CalendarId, Arc<Calendar>>, Error> {
        let mut calendars = BTreeMap::new();
        let mut problems = Vec::new();
        let dir = self.rules_dir().join("calendars");
        for calendar_dir in sub_dirs(&dir)? {
            let id = CalendarId::new(file_name(&calendar_dir));
            let years = yaml_files(&calendar_dir)?
                .iter()
                .map(|f| read(f))
                .collect::<Result<Vec<_>, _>>()?;
            match Calendar::from_sources(id.clone(), &years) {
                Ok(calendar) => {
                    calendars.insert(id, Arc::new(calendar));
                }
                Err(diagnostics) => problems.extend(diagnostics),
            }
        }
        if problems.is_empty() {
            Ok(calendars)
        } else {
            Err(Error::Invalid(Diagnostics(problems)))
        }
    }

    /// Reads, validates and compiles one workflow (by id or path).
    pub fn load_workflow(&self, id_or_path: &str) -> Result<CompiledWorkflow, Error> {
        let source = self.workflow_source(id_or_path)?;
        let sources = self.sources(Some(Path::new(&source.name)))?;
        workflow::build(&source, &sources).map_err(Error::Invalid)
    }

    /// Reads and compiles every workflow under `workflows/`.
    pub fn load_all(&self) -> Result<Vec<CompiledWorkflow>, Error> {
        let mut compiled = Vec::new();
        let mut problems = Vec::new();
        for file in self.workflow_files()? {
            let path = file.to_string_lossy().into_owned();
            match self.load_workflow(&path) {
                Ok(workflow) => compiled.push(workflow),
                Err(Error::Invalid(Diagnostics(found))) => problems.extend(found),
                Err(other) => return Err(other),
            }
        }
        if problems.is_empty() {
            Ok(compiled)
        } else {
            dedup(&mut problems);
            Err(Error::Invalid(Diagnostics(problems)))
        }
    }
}

/// Removes repeated diagnostics (a bad shared file is reported once, not per workflow).
pub fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| seen.insert(d.clone()));
}

/// Reads one file into a [`SourceText`] named by its path.
pub fn read(path: &Path) -> Result<SourceText, Error> {
    let name = display(path);
    let text = fs::read_to_string(path).map_err(|source| Error::Read {
        path: name.clone(),
        source,
    })?;
    Ok(SourceText { name, text })
}

/// A path as the user would type it: without a leading `./`.
pub fn display(path: &Path) -> String {
    let path = path.strip_prefix(".").unwrap_or(path);
    path.to_string_lossy().into_owned()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn entries(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let read_error = |source| Error::Read {
        path: display(dir),
        source,
    };
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(read_error)? {
        paths.push(entry.map_err(read_error)?.path());
    }
    paths.sort();
    Ok(paths)
}

fn sub_dirs(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    Ok(entries(dir)?.into_iter().filter(|p| p.is_dir()).collect())
}

/// Files in `dir` (not recursive) whose extension is `extension`, sorted.
pub fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, Error> {
    Ok(entries(dir)?
        .into_iter()
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == extension))
        .collect())
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = files_with_extension(dir, "yaml")?;
    files.extend(files_with_extension(dir, "yml")?);
    files.sort();
    Ok(files)
}
