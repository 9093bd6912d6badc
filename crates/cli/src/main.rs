//! `hyte`: the command line of the Hyte welfare-report system.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hyte::commands::{self, UserAdd};
use hyte::sotkanet::{self, SyncOptions};
use hyte::users::{self, Lifecycle};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "hyte",
    version,
    about = "Hyte: statutory welfare reports for Finnish municipalities",
    after_help = "Start here: `hyte demo` loads the demo data, creates an administrator and serves on http://127.0.0.1:8080/."
)]
struct Cli {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
    #[arg(
        long = "database",
        global = true,
        env = "HYTE_DATABASE_URL",
        default_value = hyte::DEFAULT_DATABASE_URL,
        value_name = "URL",
        hide_env_values = true
    )]
    database: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct AddrArg {
    /// Address to listen on.
    #[arg(
        long,
        env = "HYTE_ADDR",
        default_value = "127.0.0.1:8080",
        value_name = "HOST:PORT"
    )]
    addr: SocketAddr,
}

#[derive(Subcommand)]
enum Command {
    /// Create or update the database schema and the reference organisations.
    Migrate,
    /// Serve the web application (migrates first).
    Serve(AddrArg),
    /// Load the demo data, create an administrator if there is no user, and serve.
    Demo {
        #[command(flatten)]
        addr: AddrArg,
        /// Load the data and create the administrator, but do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import data files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Fetch data from Sotkanet's REST API.
    #[command(subcommand)]
    Sotkanet(SotkanetCommand),
    /// Benchmark helpers used by bench/run.
    /// Write a portable backup (gzip'd JSON lines) of the whole instance or of one
    /// organisation; restorable on SQLite or PostgreSQL.
    Backup {
        /// The file to write (e.g. hyte-2026-01-31.jsonl.gz).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Only this organisation's data (e.g. KUNTA:016): its users, reports and
        /// everything in them, council terms and audit log.
        #[arg(long, value_name = "KEY")]
        org: Option<String>,
    },
    /// Restore a backup into an empty database (migrated first if needed), in one
    /// transaction.
    Restore {
        /// The backup file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    #[command(subcommand, hide = true)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from standard input when it is not a
    /// terminal (first line, at least 10 characters); otherwise one is generated and
    /// printed once.
    Add {
        /// Organisation, e.g. KUNTA:016 or HYVINVOINTIALUE:09 (not for admins).
        #[arg(long, value_name = "KEY")]
        org: Option<String>,
        /// admin, coordinator, editor, commenter or reader.
        #[arg(long)]
        role: String,
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Sector of an editor (e.g. education).
        #[arg(long)]
        sector: Option<String>,
    },
    /// Disable an account: it cannot sign in, its sessions end and its API tokens are
    /// refused at once, until it is enabled again.
    Disable {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Remove an account for good: it never signs in again and is no longer listed,
    /// but what it wrote stays attributed to its name and e-mail.
    Remove {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
        /// Confirm: removing is final.
        #[arg(long)]
        yes: bool,
    },
    /// Print a single-use link (valid 24 hours) with which the user chooses a new
    /// password. Nobody else ever sees a password.
    ResetLink {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
        /// The address users reach Hyte at, the base of the link
        /// (e.g. https://hyte.kunta.example).
        #[arg(long, env = "HYTE_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; it is printed once.
    Create {
        /// The user's e-mail.
        #[arg(long, value_name = "EMAIL")]
        user: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import Sotkanet files (API JSON/CSV, web CSV export, /regions, /indicators,
    /// metadata, Hyte snapshot or population CSV; gzip accepted). Each file is one
    /// transaction: accepted whole or refused whole.
    Sotkanet {
        /// Files to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The user the import is recorded for.
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum SotkanetCommand {
    /// Fetch /regions, then each indicator's metadata and values.
    Sync {
        /// Sotkanet indicator id (repeat for several).
        #[arg(long = "indicator", value_name = "ID", required = true, num_args = 1..)]
        indicators: Vec<i64>,
        /// Years, e.g. 2015..2024 (default: the range in the indicator's metadata).
        #[arg(long, value_name = "FROM..TO", value_parser = sotkanet::parse_years)]
        years: Option<(i32, i32)>,
        /// Base URL of the REST API.
        #[arg(long, env = "HYTE_SOTKANET_URL", default_value = sotkanet::DEFAULT_BASE_URL, value_name = "URL")]
        base_url: String,
        /// Pause between requests in milliseconds (be polite to THL).
        #[arg(long, default_value_t = 1000, value_name = "MS")]
        delay_ms: u64,
        /// Time-out of one request in seconds.
        #[arg(long, default_value_t = 120, value_name = "SECONDS")]
        timeout_secs: u64,
        /// The user the imports are recorded for.
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Write a Sotkanet-format CSV of N rows.
    Gen {
        #[arg(long, default_value_t = 10_000_000)]
        rows: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Time sequential GET /api/v1/indicators/{id}/values.
    Query {
        #[arg(long)]
        url: String,
        #[arg(long)]
        indicator: i64,
        #[arg(long, default_value_t = 300)]
        requests: usize,
    },
    /// Print the id of the indicator with the most stored values.
    BiggestIndicator,
    /// Load test against a running server on the same database (see bench/README.md).
    Load {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 200)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        editors: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 170)]
        indicator: i64,
    },
    /// Create and publish a full report of Asikkala from the demo data; print its id.
    Report {
        #[arg(long, default_value_t = 70)]
        blocks: usize,
    },
    /// Keep-alive HTTP load on one path; prints rps and latency quantiles.
    Http {
        /// 127.0.0.1:PORT
        #[arg(long)]
        addr: String,
        #[arg(long)]
        path: String,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
}

fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HYTE_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(default))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.database.as_str();
    match cli.command {
        Command::Migrate => commands::migrate(db).await,
        Command::Serve(a) => commands::serve(db, a.addr).await,
        Command::Demo { addr, no_serve } => commands::run_demo(db, addr.addr, !no_serve).await,
        Command::User(UserCommand::Add {
            org,
            role,
            email,
            name,
            sector,
        }) => {
            commands::user_add(
                db,
                &UserAdd {
                    org,
                    role,
                    email,
                    name,
                    sector,
                },
            )
            .await
        }
        Command::User(UserCommand::Disable { email }) => {
            users::change(db, &email, Lifecycle::Disable, false).await
        }
        Command::User(UserCommand::Enable { email }) => {
            users::change(db, &email, Lifecycle::Enable, false).await
        }
        Command::User(UserCommand::Remove { email, yes }) => {
            users::change(db, &email, Lifecycle::Remove, yes).await
        }
        Command::User(UserCommand::ResetLink { email, public_url }) => {
            users::reset_link(db, &email, public_url.as_deref()).await
        }
        Command::Token(TokenCommand::Create { user, name }) => {
            commands::token_create(db, &user, &name).await
        }
        Command::Import(ImportCommand::Sotkanet { files, user }) => {
            commands::import_sotkanet(db, &files, user.as_deref()).await
        }
        Command::Sotkanet(SotkanetCommand::Sync {
            indicators,
            years,
            base_url,
            delay_ms,
            timeout_secs,
            user,
        }) => {
            let store = hyte::open_migrated(db).await?;
            let app = hyte_app::App::new(store.clone());
            let user = match &user {
                Some(u) => Some(
                    app.user_by_email(u)
                        .await
                        .map_err(commands::cli_error)?
                        .with_context(|| format!("there is no user with e-mail {}", u.trim()))?,
                ),
                None => None,
            };
            let opts = SyncOptions {
                base_url,
                indicators,
                years,
                delay: Duration::from_millis(delay_ms),
                timeout: Duration::from_secs(timeout_secs.max(1)),
                user,
            };
            let r = sotkanet::sync(&app, &opts, |line| println!("{line}")).await;
            store.close().await;
            let r = r?;
            println!(
                "Synchronised {} indicator(s) with {} request(s).",
                r.indicators.len(),
                r.requests
            );
            Ok(())
        }
        Command::Backup { file, org } => commands::backup(db, &file, org.as_deref()).await,
        Command::Restore { file } => commands::restore(db, &file).await,
        Command::Bench(BenchCommand::Gen { rows, out }) => {
            let n = hyte::bench::generate(&out, rows)?;
            println!("wrote {rows} rows ({n} indicators) to {}", out.display());
            Ok(())
        }
        Command::Bench(BenchCommand::Query {
            url,
            indicator,
            requests,
        }) => {
            let s = hyte::bench::query(&url, indicator, requests.max(1)).await?;
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "requests={} items={} bytes={} p50_ms={:.2} p99_ms={:.2} max_ms={:.2}",
                s.requests,
                s.items,
                s.bytes,
                ms(s.p50),
                ms(s.p99),
                ms(s.max)
            );
            Ok(())
        }
        Command::Bench(BenchCommand::Load {
            url,
            clients,
            editors,
            seconds,
            indicator,
        }) => {
            let store = hyte::open_migrated(db).await?;
            let opts = hyte::bench::LoadOptions {
                base: url,
                clients,
                editors,
                duration: Duration::from_secs(seconds.max(1)),
                indicator,
            };
            let r = hyte::bench::load(&store, &opts).await;
            store.close().await;
            let s = r?;
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "{clients} readers + {editors} editors for {seconds} s: {} requests, {:.0} req/s; latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; {} saves acknowledged ({} conflicts retried); {} errors",
                s.requests, s.rps, ms(s.p50), ms(s.p95), ms(s.p99), s.saves, s.conflicts, s.errors
            );
            for e in &s.error_samples {
                println!("error: {e}");
            }
            println!(
                "RESULT load rps={:.0} p99_ms={:.0} errors={} lost_saves={}",
                s.rps,
                ms(s.p99),
                s.errors,
                s.lost_saves
            );
            if s.errors > 0 || s.lost_saves > 0 {
                anyhow::bail!(
                    "the load test had {} errors and {} lost saves",
                    s.errors,
                    s.lost_saves
                );
            }
            Ok(())
        }
        Command::Bench(BenchCommand::Report { blocks }) => {
            println!("{}", hyte::bench_publish::fixture_report(db, blocks).await?);
            Ok(())
        }
        Command::Bench(BenchCommand::Http {
            addr,
            path,
            connections,
            seconds,
        }) => {
            let s = hyte::bench_publish::load(&addr, &path, connections.max(1), seconds).await?;
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "requests={} rps={:.0} p50_ms={:.2} p99_ms={:.2} body_bytes={}",
                s.requests,
                s.rps,
                ms(s.p50),
                ms(s.p99),
                s.body_bytes
            );
            Ok(())
        }
        Command::Bench(BenchCommand::BiggestIndicator) => {
            let store = hyte::connect(db).await?;
            let counts = store.value_counts().await?;
            let best = counts
                .into_iter()
                .max_by_key(|(id, n)| (*n, -*id))
                .map(|(id, _)| id)
                .ok_or_else(|| anyhow::anyhow!("the database has no values"))?;
            println!("{best}");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        eprintln!("hyte: internal error ({msg}); please report it");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // clap's message up to its usage line, on one line.
            let text = e.render().to_string();
            let msg = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect::<Vec<_>>()
                .join(" ");
            let msg = msg.trim_start_matches("error:").trim();
            let msg = if msg.is_empty() {
                "invalid arguments"
            } else {
                msg
            };
            eprintln!("hyte: {msg} (see 'hyte --help')");
            return ExitCode::from(2);
        }
    };
    let serving = matches!(cli.command, Command::Serve(_) | Command::Demo { .. });
    init_tracing(if serving { "info" } else { "warn" });
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hyte: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hyte: {}", hyte::one_line(&e));
            ExitCode::FAILURE
        }
    }
}
