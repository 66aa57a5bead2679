//! `greenlane audit`: check the audit trail of a store (`verify`: every case's hash chain
//! and every signed checkpoint, naming the first broken record of each case), sign a
//! checkpoint now (`checkpoint`), export part of the trail (`export`), check an export
//! offline with the public key (`verify-export`), and print the public key (`public-key`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args as ClapArgs, Subcommand};
use greenlane_engine::audit::checkpoint::parse_public_key;
use greenlane_engine::audit::{export, hex, VerifyingKey};
use greenlane_engine::ids::{CenterId, DepartmentId, PrincipalId};
use greenlane_redis::RedisBackend;
use greenlane_runtime::audit::{self, ExportFilter};
use greenlane_runtime::ports::{Backend, Clock, SystemClock};

/// Arguments of `greenlane audit`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

/// Where the trail is.
#[derive(Debug, ClapArgs)]
struct StoreArgs {
    /// The SQLite database file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["redis", "redis_cluster"])]
    db: Option<PathBuf>,
    /// A Redis server instead.
    #[arg(long, value_name = "URL", conflicts_with = "redis_cluster")]
    redis: Option<String>,
    /// A Redis Cluster instead, by one or more of its nodes.
    #[arg(long, value_name = "URL[,URL…]", value_delimiter = ',')]
    redis_cluster: Vec<String>,
    /// Key prefix on Redis (as `serve --redis-prefix`).
    #[arg(long, default_value = "greenlane")]
    redis_prefix: String,
}

/// Whose key checks signatures.
#[derive(Debug, ClapArgs)]
struct KeyArgs {
    /// The server's audit key file (its public key is used).
    #[arg(long, value_name = "FILE", conflicts_with = "public_key")]
    key: Option<PathBuf>,
    /// The server's public key (64 hex digits).
    #[arg(long, value_name = "HEX")]
    public_key: Option<String>,
}

impl KeyArgs {
    fn verifying_key(&self) -> anyhow::Result<Option<VerifyingKey>> {
        if let Some(path) = &self.key {
            return Ok(Some(crate::audit_key::load(path)?.verifying_key()));
        }
        self.public_key
            .as_deref()
            .map(|text| {
                parse_public_key(text)
                    .context("--public-key: not an Ed25519 public key (64 hex digits)")
            })
            .transpose()
    }
}

#[derive(Debug, Subcommand)]
enum Action {
    /// 校验 Check every case's hash chain and every checkpoint; name the first broken record.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// 签署 Sign a checkpoint of the chain heads now, per center.
    Checkpoint {
        #[command(flatten)]
        store: StoreArgs,
        /// The server's audit key file (created when missing).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// 导出 Export the trail of a period, center, department or officer.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// The server's audit key file (its public key goes in the export).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Records at or after this instant (RFC 3339).
        #[arg(long)]
        from: Option<chrono::DateTime<chrono::Utc>>,
        /// Records before this instant (RFC 3339).
        #[arg(long)]
        to: Option<chrono::DateTime<chrono::Utc>>,
        /// Only cases of this center.
        #[arg(long)]
        center: Option<String>,
        /// Only records about tasks of this department.
        #[arg(long)]
        department: Option<String>,
        /// Only records made by this principal.
        #[arg(long)]
        officer: Option<String>,
        /// `jsonl` or `csv`.
        #[arg(long, default_value = "jsonl")]
        format: String,
    },
    /// 核验导出 Check an export (JSON lines or CSV) offline with the public key.
    VerifyExport {
        /// The export file.
        file: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// 公钥 Print the public key of an audit key file.
    PublicKey {
        /// The audit key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
}

/// Runs `greenlane audit`.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    match args.action {
        Action::VerifyExport { file, key } => verify_export(&file, &key),
        Action::PublicKey { key } => {
            println!(
                "{}",
                hex(crate::audit_key::load(&key)?.verifying_key().as_bytes())
            );
            Ok(ExitCode::SUCCESS)
        }
        action => tokio.block_on(async move {
            let store = match &action {
                Action::Verify { store, .. }
                | Action::Checkpoint { store, .. }
                | Action::Export { store, .. } => store,
                _ => unreachable!("handled above"),
            };
            if let Some(target) =
                crate::redis_target::target(store.redis.as_ref(), &store.redis_cluster)
            {
                let at = crate::redis_target::describe(&target);
                let backend = RedisBackend::connect(target, &store.redis_prefix)
                    .await
                    .with_context(|| format!("connecting to {at}"))?;
                on_store(Arc::new(backend), action).await
            } else {
                let db = store
                    .db
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("greenlane.db"));
                if !db.exists() {
                    anyhow::bail!("{}: no such database", greenlane_fs::display(&db));
                }
                crate::store::with_sqlite(Some(&db), |backend| on_store(backend, action)).await
            }
        }),
    }
}

/// The actions that read a store, on `backend`.
async fn on_store<B: Backend>(backend: Arc<B>, action: Action) -> anyhow::Result<ExitCode> {
    let events = backend.events();
    match action {
        Action::Verify { key, .. } => {
            let key = key.verifying_key()?;
            if key.is_none() {
                eprintln!("no --key or --public-key: signatures are not checked");
            }
            let verified = audit::verify(events, key.as_ref()).await?;
            for problem in &verified.problems {
                println!("{problem}");
            }
            let verdict = if verified.problems.is_empty() {
                "审计链完整 audit trail intact:"
            } else {
                "审计链已被改动 audit trail broken:"
            };
            println!(
                "{verdict} {} cases, {} records, {} checkpoints checked; {} problems",
                verified.cases,
                verified.records,
                verified.checkpoints,
                verified.problems.len()
            );
            Ok(if verified.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Action::Checkpoint { key, .. } => {
            let key = crate::audit_key::load_or_create(&key)?;
            let made = audit::checkpoint(events, &key, SystemClock.now()).await?;
            for checkpoint in &made {
                let s = &checkpoint.statement;
                println!(
                    "checkpoint {} of {}: {} cases, root {}",
                    s.seq,
                    s.center,
                    s.size,
                    hex(&s.root)
                );
            }
            if made.is_empty() {
                println!("nothing grew since the last checkpoint");
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::Export {
            key,
            from,
            to,
            center,
            department,
            officer,
            format,
            ..
        } => {
            let key = crate::audit_key::load(&key)?.verifying_key();
            let filter = ExportFilter {
                from,
                to,
                center: center.map(CenterId::new),
                department: department.map(DepartmentId::new),
                officer: officer.map(PrincipalId::new),
            };
            let lines = audit::export(events, &key, &filter, |_| true, SystemClock.now()).await?;
            match format.as_str() {
                "csv" => print!("{}", export::to_csv(&lines)),
                "jsonl" => {
                    for line in &lines {
                        println!("{}", serde_json::to_string(line)?);
                    }
                }
                other => anyhow::bail!("--format: `{other}` is not jsonl or csv"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::VerifyExport { .. } | Action::PublicKey { .. } => unreachable!("no store"),
    }
}

/// `greenlane audit verify-export`.
fn verify_export(file: &std::path::Path, key: &KeyArgs) -> anyhow::Result<ExitCode> {
    let name = greenlane_fs::display(file);
    let key = key
        .verifying_key()?
        .context("give the server's --public-key (or --key) to check an export")?;
    let text = std::fs::read_to_string(file).with_context(|| format!("{name}: cannot read"))?;
    let lines = export::parse(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    match export::verify(&lines, &key) {
        Ok(report) => {
            println!(
                "导出完整 export intact: {} cases, {} records in full, {} records signed by a checkpoint, {} not yet checkpointed, {} checkpoints",
                report.cases, report.events, report.covered, report.uncovered, report.checkpoints
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            println!("导出已被改动 export broken: {name}: {broken}");
            Ok(ExitCode::FAILURE)
        }
    }
}
