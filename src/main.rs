//! The `orgd` binary: parse the command line, load settings, run the command.

use clap::Parser;
use orgd::cli::{
    AuditCommand, AuditFormat, Cli, Command, OutboxCommand, SessionsCommand, TokensCommand, UsageCommand, UsersCommand,
};
use orgd::config::LogFormat;
use orgd::store::models::UsageTotals;
use orgd::{backup, commands, config::Config, sandbox_server, server, telemetry};

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("orgd: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref(), cli.overrides())?;
    telemetry::init(config.log_format == LogFormat::Json);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::run(config).await?,
        Command::Migrate => drop(commands::open_store(&config, true).await?),
        Command::Sandbox { seed, clock } => sandbox_server::run(config, seed.as_deref(), clock).await?,
        Command::Seed { from } => {
            let store = commands::open_store(&config, true).await?;
            sandbox_server::seed_from(&*store, &config, &from).await?;
        }
        Command::PrintConfig => println!("{config:#?}"),
        Command::Backup { to } => backup::backup(&config, &to).await?,
        Command::Restore { from, force } => backup::restore(&config, &from, force).await?,
        Command::Users(UsersCommand::Add { email, name, scopes, tfa, timezone }) => {
            let store = commands::open_store(&config, true).await?;
            let token = commands::users_add(&*store, &email, &name, scopes.as_deref(), tfa, &timezone).await?;
            println!("{token}");
        }
        Command::Users(UsersCommand::Tfa { email, state }) => {
            commands::users_tfa(&*commands::open_store(&config, true).await?, &email, state.is_on()).await?;
        }
        Command::Users(UsersCommand::Password { email }) => {
            let store = commands::open_store(&config, true).await?;
            let line = std::io::stdin().lines().next().transpose()?.unwrap_or_default();
            let ended = commands::users_password(&*store, &email, &line).await?;
            eprintln!("password set for {email}; {ended} console session(s) ended");
        }
        Command::Sessions(SessionsCommand::Revoke { email }) => {
            let ended = commands::sessions_revoke(&*commands::open_store(&config, true).await?, &email).await?;
            eprintln!("{ended} console session(s) of {email} ended");
        }
        Command::Tokens(TokensCommand::Revoke { token }) => {
            commands::tokens_revoke(&*commands::open_store(&config, true).await?, &token).await?
        }
        Command::Usage(UsageCommand::Add {
            organization,
            date,
            time,
            operations,
            data_transfer,
            centicredits,
            private_space,
        }) => {
            let store = commands::open_store(&config, true).await?;
            let amounts = UsageTotals { operations, data_transfer, centicredits };
            match private_space {
                Some(space) => commands::usage_add_to_space(&*store, organization, space, date, time, amounts).await?,
                None => commands::usage_add(&*store, organization, date, time, amounts).await?,
            }
        }
        Command::Audit(AuditCommand::Export { organization, since, format }) => {
            let store = commands::open_store(&config, true).await?;
            let mut out = std::io::BufWriter::new(std::io::stdout());
            match format {
                AuditFormat::Jsonl => commands::audit_export(&*store, organization, since, &mut out).await?,
            };
        }
        Command::Outbox(OutboxCommand::List { status, format, limit }) => {
            let store = commands::open_store(&config, true).await?;
            let mut out = std::io::BufWriter::new(std::io::stdout());
            commands::outbox_list(&*store, status, format, limit, &mut out).await?;
        }
        Command::Outbox(OutboxCommand::Retry { ids }) => {
            commands::outbox_retry(&*commands::open_store(&config, true).await?, &ids).await?
        }
    }
    Ok(())
}
