//! `greenlane serve`: the HTTP API (`greenlane-http`) on a runtime over the embedded SQLite
//! store (`--db`, `greenlane.db` by default), in memory (`--memory`) or on a shared Redis
//! (`--redis URL`) or a Redis Cluster (`--redis-cluster URL[,URL…]`).
//!
//! At start: read the principals file and the project's workflows; recover the store (so
//! queues and deadlines match its events); publish each workflow of `workflows/` (with its
//! rules script and the shared departments file) that the store has no version of; keep
//! each workflow's example applications as the samples new versions are tried on; start
//! the ticker (lease expiry, deadline checks); serve until Ctrl-C or SIGTERM, finishing the
//! requests in flight, then stop the ticker after the tick in progress.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args as ClapArgs;
use greenlane_engine::ids::{CalendarId, PrincipalId};
use greenlane_fs::Project;
use greenlane_http::{App, Principals, Settings};
use greenlane_runtime::delivery::{Deliverer, OutboxNotifier};
use greenlane_runtime::ports::Backend;
use greenlane_runtime::service::Shutdown;
use greenlane_runtime::{PublishRequest, Runtime, RuntimeConfig, TickerOptions};

use crate::demo::definitions::{load_all, Definitions};
use crate::redis_target;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Readable lines.
    Text,
    /// One JSON object per line, with the request span (id, method, route).
    Json,
}

/// Time between rounds of the alert deliverer while nothing is due.
const DELIVERY_ROUND: Duration = Duration::from_millis(500);

/// The audit key file's name when `--audit-key` is not given.
const KEY_FILE: &str = "greenlane-audit.key";

/// Arguments of `greenlane serve`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// The embedded store: a SQLite database file, created when missing.
    #[arg(long, value_name = "FILE", default_value = "greenlane.db")]
    db: PathBuf,
    /// Run on the in-memory backend instead (nothing survives a restart).
    #[arg(long, conflicts_with_all = ["redis", "redis_cluster"])]
    memory: bool,
    /// Run on a shared Redis instead (several nodes serve the same cases); live events are
    /// those of this node.
    #[arg(long, value_name = "URL", conflicts_with = "redis_cluster")]
    redis: Option<String>,
    /// Run on a Redis Cluster instead, given by one or more of its nodes
    /// (`redis://10.0.0.1:7000/,redis://10.0.0.2:7000/`).
    #[arg(long, value_name = "URL[,URL…]", value_delimiter = ',')]
    redis_cluster: Vec<String>,
    /// Key prefix on Redis.
    #[arg(long, default_value = "greenlane")]
    redis_prefix: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The principals file: centers, principals, roles and token hashes
    /// (examples/principals.yaml has demo tokens).
    #[arg(long, value_name = "FILE", env = "GREENLANE_PRINCIPALS")]
    principals: PathBuf,
    /// Log format.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// The center this engine serves (the `system` principal's center, case id prefix).
    #[arg(long, default_value = "jilin-city")]
    center: String,
    /// Seconds between ticks (lease expiry, deadline checks).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=3600))]
    tick_seconds: u64,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// Behind a reverse proxy that sets `X-Forwarded-For` (and is the only way in): take
    /// its last address as the client's, for the per-client limit of wrong access codes.
    /// Without it the connection's peer address is the client.
    #[arg(long)]
    trust_forwarded_for: bool,
    /// Behind a proxy that ends TLS without sending `X-Forwarded-Proto: https`: mark the
    /// desk's cookies `Secure` whatever the request says.
    #[arg(long)]
    secure_cookies: bool,
    /// Warn (in the log, `/metrics` and `/api/v1/calendars`) when a calendar's official
    /// years end within this many working days.
    #[arg(long, default_value_t = 60)]
    coverage_warning_days: u32,
    /// Start the engine's clock at this instant (RFC 3339) and let it run at real speed:
    /// demos and tests on dates the business calendar covers. The system clock otherwise.
    #[arg(long, value_name = "INSTANT")]
    clock_start: Option<chrono::DateTime<chrono::Utc>>,
    /// The audit signing key (Ed25519, 64 hex digits), created with a warning when
    /// missing: it signs the audit trail's checkpoints. By default `greenlane-audit.key`
    /// beside the database file (in the working folder with `--redis`); with `--memory`,
    /// a key of this run only.
    #[arg(long, value_name = "FILE", env = "GREENLANE_AUDIT_KEY")]
    audit_key: Option<PathBuf>,
    /// Minutes between signed checkpoints of the audit trail (one at start, then one
    /// each period, per center whose cases changed).
    #[arg(long, default_value_t = 24 * 60, value_parser = clap::value_parser!(u64).range(1..=7 * 24 * 60))]
    checkpoint_minutes: u64,
    /// The alerts file: channels (webhook, Redis stream, log), routes per recipient,
    /// center and department, named people, retries (see examples/alerts.yaml). Without
    /// it every notification goes to the log.
    #[arg(long, value_name = "FILE", env = "GREENLANE_ALERTS")]
    alerts: Option<PathBuf>,
}

/// Runs `greenlane serve`.
pub(crate) fn run(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    init_logs(args.log_format);
    let principals_name = greenlane_fs::display(&args.principals);
    let text = std::fs::read_to_string(&args.principals)
        .with_context(|| format!("{principals_name}: cannot read"))?;
    let principals = Principals::parse(&principals_name, &text)?;
    let definitions = load_all(project)?;
    let alerts = match &args.alerts {
        Some(path) => greenlane_alerts::AlertsFile::load(path)?,
        None => greenlane_alerts::AlertsFile::log_only(),
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    tokio.block_on(async {
        if args.memory {
            tracing::warn!("serving from memory: nothing survives a restart");
            let backend = Arc::new(greenlane_runtime::memory::MemoryBackend::new());
            serve(backend, principals, definitions, &alerts, &args).await
        } else if let Some(target) = redis_target::target(args.redis.as_ref(), &args.redis_cluster)
        {
            let at = redis_target::describe(&target);
            let backend =
                greenlane_redis::RedisBackend::connect_patiently(target, &args.redis_prefix)
                    .await
                    .with_context(|| format!("connecting to {at}"))?;
            tracing::info!(redis = %at, prefix = %args.redis_prefix, "serving from Redis");
            serve(Arc::new(backend), principals, definitions, &alerts, &args).await
        } else {
            tracing::info!(db = %args.db.display(), "serving from the embedded SQLite store");
            crate::store::with_sqlite(Some(&args.db), |backend| {
                serve(backend, principals, definitions, &alerts, &args)
            })
            .await
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn serve<B: Backend>(
    backend: Arc<B>,
    principals: Principals,
    definitions: Definitions,
    alerts: &greenlane_alerts::AlertsFile,
    args: &Args,
) -> anyhow::Result<()> {
    let mut config = RuntimeConfig::new(&args.center, definitions.calendars.clone());
    config.coverage_warning_days = args.coverage_warning_days;
    config.departments = definitions
        .workflows
        .iter()
        .find_map(|w| w.source.departments.clone());
    if let Some(start) = args.clock_start {
        tracing::warn!(%start, "the engine's clock starts at --clock-start, not now");
    }
    let clock = crate::clock::engine_clock(args.clock_start);
    // Alerts go to the store's outbox; the deliverer sends them outside the commands.
    let store_redis = redis_target::target(args.redis.as_ref(), &args.redis_cluster);
    let channels = greenlane_alerts::FileChannels::open(
        alerts,
        store_redis.as_ref().and_then(redis_target::single),
    )?;
    let routes = Arc::new(greenlane_alerts::FileRoutes::new(alerts));
    let notifier = Arc::new(OutboxNotifier::new(backend.clone(), routes));
    let deliverer = Arc::new(Deliverer::new(
        backend.clone(),
        Arc::new(channels),
        clock.clone(),
        alerts.retry,
    ));
    let runtime = Arc::new(Runtime::new(backend, clock, notifier, config));
    let report = runtime.recover().await.context("recovering the store")?;
    tracing::info!(
        open_cases = report.open_cases,
        effects_completed = report.effects_completed,
        entries_restored = report.entries_restored,
        "store recovered"
    );
    let audit_key = match (&args.audit_key, args.memory, &store_redis) {
        (Some(path), _, _) => crate::audit_key::load_or_create(path)?,
        (None, true, _) => crate::audit_key::ephemeral()?,
        (None, false, Some(_)) => crate::audit_key::load_or_create(Path::new(KEY_FILE))?,
        (None, false, None) => {
            let folder = args.db.parent().unwrap_or(Path::new(""));
            crate::audit_key::load_or_create(&folder.join(KEY_FILE))?
        }
    };
    let settings = Settings {
        body_limit: args.body_limit,
        trust_forwarded_for: args.trust_forwarded_for,
        secure_cookies: args.secure_cookies,
        audit_key: Some(audit_key.verifying_key()),
        delivery_stats: Some(deliverer.stats().clone()),
        ..Settings::default()
    };
    publish_calendars(&runtime, definitions.calendar_sources.clone()).await?;
    runtime.warn_calendar_coverage();
    let app = App::new(runtime.clone(), principals, settings);
    for workflow in &definitions.workflows {
        if runtime.latest_version(&workflow.id).await.is_err() {
            // The same policy as a publication through the API: validated and tried on the
            // workflow's example applications.
            let request = PublishRequest {
                samples: Some(workflow.examples.clone()),
                ..workflow.source.clone().into()
            };
            match runtime
                .publish_request(request, &PrincipalId::new("system"))
                .await
            {
                Ok(published) => tracing::info!(
                    workflow = %workflow.id,
                    version = published.version,
                    samples_tried = published.samples_tried,
                    "published from the project folder"
                ),
                // Another node sharing the store published it first.
                Err(_) if runtime.latest_version(&workflow.id).await.is_ok() => {}
                Err(error) => {
                    return Err(error).with_context(|| format!("publishing {}", workflow.id))
                }
            }
        }
        runtime.keep_samples(workflow.id.clone(), workflow.examples.clone());
    }
    let (stop_ticker, shutdown) = Shutdown::new();
    let stop_checkpoints = Arc::new(tokio::sync::Notify::new());
    let deliveries = tokio::spawn(deliverer.run(DELIVERY_ROUND, shutdown.clone()));
    let ticker = tokio::spawn(runtime.clone().run_ticker(
        TickerOptions::every(Duration::from_secs(args.tick_seconds)),
        shutdown,
    ));
    let checkpoints = tokio::spawn(sign_checkpoints(
        runtime.clone(),
        audit_key,
        Duration::from_secs(args.checkpoint_minutes * 60),
        stop_checkpoints.clone(),
    ));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "greenlane serving; Ctrl-C to stop");
    greenlane_http::serve(listener, app, greenlane_http::shutdown_signal())
        .await
        .context("serving")?;
    // The tick in progress finishes (no command is cut); none starts after.
    stop_ticker.trigger();
    ticker.await.context("the ticker panicked")?;
    deliveries.await.context("the alert deliverer panicked")?;
    stop_checkpoints.notify_one();
    checkpoints
        .await
        .context("the audit checkpoints panicked")?;
    tracing::info!("stopped; every request in flight was answered");
    Ok(())
}

/// Signs a checkpoint of the audit trail at start and then every `every`, until `stop`.
/// A failure is logged and tried again at the next period; it never stops the server.
async fn sign_checkpoints<B: Backend>(
    runtime: Arc<Runtime<B>>,
    key: greenlane_engine::audit::SigningKey,
    every: Duration,
    stop: Arc<tokio::sync::Notify>,
) {
    loop {
        let now = runtime.clock().now();
        match greenlane_runtime::audit::checkpoint(runtime.backend().events(), &key, now).await {
            Ok(made) => {
                for checkpoint in made {
                    let s = &checkpoint.statement;
                    tracing::info!(center = %s.center, seq = s.seq, cases = s.size, "audit checkpoint signed");
                }
            }
            Err(error) => {
                tracing::warn!(%error, "audit checkpoint not signed; trying again next period")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = stop.notified() => return,
        }
    }
}

/// The year files of each calendar.
type CalendarFiles =
    std::collections::BTreeMap<CalendarId, Vec<greenlane_engine::source::SourceText>>;

/// Publishes the calendar years of `rules/calendars/` that the store lacks (all of them at
/// first start) and installs what the store holds: the store is the record of every
/// calendar year published, by whom and when.
pub(crate) async fn publish_calendars<B: Backend>(
    runtime: &Runtime<B>,
    calendars: CalendarFiles,
) -> anyhow::Result<()> {
    let system = PrincipalId::new("system");
    for (id, files) in calendars {
        match runtime
            .publish_missing_calendar_years(&id, &files, &system)
            .await
            .with_context(|| format!("publishing calendar {id} from rules/calendars/{id}/"))?
        {
            Some(published) => tracing::info!(
                calendar = %id,
                version = published.version,
                years = ?published.changed,
                "calendar years published from the project folder"
            ),
            None => tracing::info!(
                calendar = %id,
                version = runtime.calendar(&id).map_or(0, |c| c.version),
                "calendar as published in the store"
            ),
        }
    }
    Ok(())
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
}
