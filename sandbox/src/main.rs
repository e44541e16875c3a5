//! `justclick-sandbox`: a local JustClick emulator (see the `justclick_sandbox` crate).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use justclick_sandbox::{Config, Fault, FaultConfig, Sandbox};

const USAGE: &str = "\
justclick-sandbox: a local JustClick API emulator

usage: justclick-sandbox --port N --login LOGIN --secret SECRET [options]

  --port N             port to listen on; 0 picks a free one (printed)
  --login LOGIN        the emulated account's login
  --secret SECRET      its API key (or set JUSTCLICK_SANDBOX_SECRET)
  --host IP            address to bind (default 127.0.0.1)
  --tls                serve HTTPS with a fresh test CA
  --ca-out PATH        write that CA as PEM here (default: a temp file, printed)
  --fault MODE         inject a fault: MODES
  --fault-rate P       probability 0..1 that a request gets the fault (default 1)
  --delay-ms N         latency added to every API answer
  --stall-ms N         how long the 'stall' fault holds an answer (default 5000;
                       a client that hangs up ends it)
  --seed N             seed for fault randomness
  --redirect-to URL    target of the 'redirect' fault
  --max-input-vars N   PHP's max_input_vars (default 1000)
  --subscribe-limit N  AddLeadToGroup subscriptions per caller IP in 24 h
                       before error 8 (default 10, as the service; 0 = none)
  --strict-good-type   AddGood reads good_type as the service's code does
                       (only 'real' is physical; '0' is missing)
  --allow-external-notify
                       also send notifications to non-loopback URLs (for
                       your own CI); by default only loopback receivers
  --notify-empty-time  sign notifications md5(id . email . secret), the
                       variant the documents' PHP snippet implies
  --unknown-login      answer every call as the service answers a login it
                       does not know (error 5, signed with an empty secret)
  --exit-on-stdin-eof  stop when standard input closes (for test harnesses)

Prints 'listening on URL' (and 'ca_file PATH' with --tls), then serves until
killed. Admin: GET /__sandbox/stats, GET /__sandbox/notifications (what was
sent), POST /__sandbox/fault (mode, rate, delay_ms, stall_ms), POST
/__sandbox/settings (subscribe_limit, strict_good_type, notify_empty_time,
account_disabled, unknown_login, cancel_url), POST /__sandbox/reset.
";

fn usage() -> String {
    let modes: Vec<&str> = Fault::ALL.iter().map(|(n, _)| *n).collect();
    USAGE.replace("MODES", &modes.join(", "))
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut cfg = Config {
        secret: String::new(),
        login: String::new(),
        ..Config::default()
    };
    let mut fault = FaultConfig::default();
    let mut ca_out: Option<PathBuf> = None;
    let mut port_given = false;
    let mut watch_stdin = false;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        fn num<T: std::str::FromStr>(name: &str, v: String) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{name}: {v:?} is not a valid number"))
        }
        match arg.as_str() {
            "--port" => {
                cfg.port = num("--port", value("--port")?)?;
                port_given = true;
            }
            "--login" => cfg.login = value("--login")?,
            "--secret" => cfg.secret = value("--secret")?,
            "--host" => cfg.host = num("--host", value("--host")?)?,
            "--tls" => cfg.tls = true,
            "--ca-out" => ca_out = Some(value("--ca-out")?.into()),
            "--fault" => {
                let m = value("--fault")?;
                fault.mode =
                    Fault::from_name(&m).ok_or(format!("unknown fault {m:?}\n\n{}", usage()))?;
            }
            "--fault-rate" => {
                fault.rate = num("--fault-rate", value("--fault-rate")?)?;
                if !(0.0..=1.0).contains(&fault.rate) {
                    return Err("--fault-rate must be between 0 and 1".into());
                }
            }
            "--delay-ms" => {
                fault.delay = Duration::from_millis(num("--delay-ms", value("--delay-ms")?)?)
            }
            "--stall-ms" => {
                fault.stall = Duration::from_millis(num("--stall-ms", value("--stall-ms")?)?)
            }
            "--seed" => cfg.seed = num("--seed", value("--seed")?)?,
            "--redirect-to" => cfg.redirect_to = value("--redirect-to")?,
            "--max-input-vars" => {
                cfg.max_input_vars = num("--max-input-vars", value("--max-input-vars")?)?
            }
            "--subscribe-limit" => {
                cfg.subscribe_limit = num("--subscribe-limit", value("--subscribe-limit")?)?
            }
            "--strict-good-type" => cfg.strict_good_type = true,
            "--allow-external-notify" => cfg.allow_external_notify = true,
            "--notify-empty-time" => cfg.notify_empty_time = true,
            "--unknown-login" => cfg.unknown_login = true,
            "--exit-on-stdin-eof" => watch_stdin = true,
            "-h" | "--help" => {
                print!("{}", usage());
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n\n{}", usage())),
        }
    }
    if cfg.secret.is_empty() {
        cfg.secret = std::env::var("JUSTCLICK_SANDBOX_SECRET").unwrap_or_default();
    }
    if !port_given || cfg.login.is_empty() || cfg.secret.is_empty() {
        return Err(format!(
            "--port, --login and --secret are required\n\n{}",
            usage()
        ));
    }
    cfg.fault = fault;
    let sandbox = Sandbox::start(cfg)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", sandbox.base_url()).map_err(|e| e.to_string())?;
    if let Some(pem) = sandbox.ca_pem() {
        let path = ca_out.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("justclick-sandbox-ca-{}.pem", std::process::id()))
        });
        std::fs::write(&path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        writeln!(out, "ca_file {}", path.display()).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    if watch_stdin {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        sandbox.stop();
        return Ok(());
    }
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("justclick-sandbox: {e}");
            ExitCode::from(2)
        }
    }
}
