//! `justclick`: the JustClick API from the shell. Call any method with the
//! library's validation, verify a notification body, send signed test
//! notifications to your receiver, and run the sandbox.
//!
//! Exit status: 0 success, 1 the service answered an API error (code and
//! text on stderr), 2 bad arguments (nothing was sent), 3 transport,
//! timeout, HTTP status, malformed answer or signature failure.

mod pairs;
mod progress;
mod trigger;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use justclick::{BatchCall, Client, Error, ErrorKind, Options, Params, Response, Secret, METHODS};
use serde_json::{json, Map, Value as Json};

use progress::Progress;

/// The command line's definition (clap's builder API: its derive macros
/// would change the features of `syn`, which the library's build shares, and
/// make every build of the library alone compile it again).
fn command() -> Command {
    let global =
        |name: &'static str, help: &'static str| Arg::new(name).long(name).global(true).help(help);
    Command::new("justclick")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The JustClick API from the shell: call methods, verify and send notifications, run the sandbox")
        .after_help(
            "Exit status: 0 success, 1 API error, 2 bad arguments, 3 transport, timeout or signature failure.\n\
             Credentials: --login/--secret, or JUSTCLICK_LOGIN/JUSTCLICK_SECRET (the environment keeps \
             the secret out of `ps`).",
        )
        .subcommand_required(true)
        .arg(global("login", "The account login (the first part of https://{login}.justclick.ru)").env("JUSTCLICK_LOGIN"))
        .arg(
            global("secret", "The API key; prefer JUSTCLICK_SECRET (a command-line argument shows in `ps`)")
                .env("JUSTCLICK_SECRET")
                .hide_env_values(true),
        )
        .arg(global("base-url", "Another service URL, e.g. a sandbox's http://127.0.0.1:8089").env("JUSTCLICK_BASE_URL"))
        .arg(
            global("ca-file", "A PEM file of CAs added to the bundled roots (e.g. a sandbox's --tls CA)")
                .env("JUSTCLICK_CA_FILE")
                .value_parser(value_parser!(PathBuf)),
        )
        .arg(global("timeout-ms", "Overall limit per request, in milliseconds").value_parser(value_parser!(u64)))
        .subcommand(
            Command::new("call")
                .about("Call a method: validated when it is in the table (see `methods`), any name with --raw")
                .after_help(
                    "Examples:\n  justclick call GetAllGoods\n  justclick call CreateOrder goods[0][good_name]=course bill_email=a@example.com\n  \
                     justclick call getOrdersWithGoods begin_date=01.01.2026 end_date=30.06.2026\n  justclick call --batch calls.json --concurrency 8",
                )
                .arg(Arg::new("method").help("The method's documented name (exact case), e.g. GetAllGoods").required_unless_present("batch"))
                .arg(
                    Arg::new("params")
                        .num_args(0..)
                        .help("Parameters as KEY=VALUE; nested keys as PHP writes them: goods[0][good_name]=x, rid[]=a"),
                )
                .arg(Arg::new("json").long("json").help("Parameters as a JSON object (merged with KEY=VALUE; a key given twice is refused)"))
                .arg(Arg::new("raw").long("raw").action(ArgAction::SetTrue).help("Send a method outside the table, unvalidated"))
                .arg(Arg::new("full").long("full").action(ArgAction::SetTrue).help("Print the whole answer (error_text, result, outcome), not just `result`"))
                .arg(
                    Arg::new("batch")
                        .long("batch")
                        .value_parser(value_parser!(PathBuf))
                        .conflicts_with_all(["method", "json", "raw"])
                        .help("A JSON list of calls ([{\"method\": ..., \"params\": {...}}, ...]); prints one document per call"),
                )
                .arg(
                    Arg::new("concurrency")
                        .long("concurrency")
                        .value_parser(value_parser!(usize))
                        .default_value("8")
                        .help("Calls in flight at once for --batch (1 to 64)"),
                ),
        )
        .subcommand(
            Command::new("methods")
                .about("List the methods of the table: name, purpose, required parameters")
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue).help("Print JSON (every parameter with its type) instead of a table")),
        )
        .subcommand(
            Command::new("verify-notification")
                .about("Verify a notification body (as posted to your receiver) and print it as JSON")
                .arg(Arg::new("file").help("The raw body; `-` or nothing reads standard input")),
        )
        .subcommand(
            Command::new("trigger")
                .about("Send a correctly signed notification of EVENT to your receiver")
                .after_help(
                    "Events: new_order, payment, cancel (cancel_order), prepayment, moneyback, subscribe, unsubscribe.\n\
                     Example:\n  justclick trigger payment --url http://127.0.0.1:8000/notify id=300001 items[0][title]=Course",
                )
                .arg(Arg::new("event").required(true).help("new_order, payment, cancel, prepayment, moneyback, subscribe or unsubscribe"))
                .arg(Arg::new("url").long("url").required(true).help("The receiver's URL (loopback only unless --allow-external)"))
                .arg(Arg::new("fields").num_args(0..).help("Fields that replace or add to the defaults, as KEY=VALUE (items[0][title]=X)"))
                .arg(Arg::new("allow-external").long("allow-external").action(ArgAction::SetTrue).help("Allow a receiver that is not on this machine"))
                .arg(Arg::new("show-body").long("show-body").action(ArgAction::SetTrue).help("Print the body sent (with its hash) on stderr")),
        )
        .subcommand(
            Command::new("sandbox")
                .about("Run the sandbox server (the options of `justclick sandbox --help`)")
                .disable_help_flag(true)
                .arg(
                    Arg::new("args")
                        .num_args(0..)
                        .trailing_var_arg(true)
                        .allow_hyphen_values(true)
                        .help("Options for the sandbox (--port N, --tls, --fault MODE, ...)"),
                ),
        )
}

/// The options every command shares.
struct Account {
    login: Option<String>,
    secret: Option<String>,
    base_url: Option<String>,
    ca_file: Option<PathBuf>,
    timeout_ms: Option<u64>,
}

impl Account {
    fn from(m: &ArgMatches) -> Account {
        Account {
            login: m.get_one::<String>("login").cloned(),
            secret: m.get_one::<String>("secret").cloned(),
            base_url: m.get_one::<String>("base-url").cloned(),
            ca_file: m.get_one::<PathBuf>("ca-file").cloned(),
            timeout_ms: m.get_one::<u64>("timeout-ms").copied(),
        }
    }
}

fn strings(m: &ArgMatches, name: &str) -> Vec<String> {
    m.get_many::<String>(name)
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

struct CallArgs {
    method: Option<String>,
    params: Vec<String>,
    json: Option<String>,
    raw: bool,
    full: bool,
    batch: Option<PathBuf>,
    concurrency: usize,
}

struct TriggerArgs {
    event: String,
    url: String,
    fields: Vec<String>,
    allow_external: bool,
    show_body: bool,
}

/// A failure and its exit status.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        match e.kind() {
            ErrorKind::InvalidArgument => Failure::usage(e.to_string()),
            ErrorKind::Api => Failure {
                code: 1,
                message: e.to_string(),
            },
            _ => Failure {
                code: 3,
                message: e.to_string(),
            },
        }
    }
}

fn main() -> ExitCode {
    let matches = command().get_matches();
    let account = Account::from(&matches);
    let outcome = match matches.subcommand() {
        Some(("call", m)) => call(
            &account,
            CallArgs {
                method: m.get_one::<String>("method").cloned(),
                params: strings(m, "params"),
                json: m.get_one::<String>("json").cloned(),
                raw: m.get_flag("raw"),
                full: m.get_flag("full"),
                batch: m.get_one::<PathBuf>("batch").cloned(),
                concurrency: m.get_one::<usize>("concurrency").copied().unwrap_or(8),
            },
        ),
        Some(("methods", m)) => methods(m.get_flag("json")),
        Some(("verify-notification", m)) => verify(&account, m.get_one::<String>("file").cloned()),
        Some(("trigger", m)) => trigger_cmd(
            &account,
            TriggerArgs {
                event: m.get_one::<String>("event").cloned().unwrap_or_default(),
                url: m.get_one::<String>("url").cloned().unwrap_or_default(),
                fields: strings(m, "fields"),
                allow_external: m.get_flag("allow-external"),
                show_body: m.get_flag("show-body"),
            },
        ),
        Some(("sandbox", m)) => {
            return justclick_sandbox::cli_main(strings(m, "args"), "justclick sandbox")
        }
        _ => Err(Failure::usage("no command (see justclick --help)")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("justclick: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn secret_of(account: &Account) -> Result<String, Failure> {
    account
        .secret
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Failure::usage("no secret: set JUSTCLICK_SECRET (or --secret)"))
}

fn client(account: &Account) -> Result<Client, Failure> {
    let login = account
        .login
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Failure::usage("no login: set JUSTCLICK_LOGIN (or --login)"))?;
    let secret = secret_of(account)?;
    let mut o = Options {
        base_url: account.base_url.clone(),
        ca_file: account.ca_file.clone(),
        ..Options::default()
    };
    if let Some(ms) = account.timeout_ms {
        o.timeout = Duration::from_millis(ms);
    }
    Ok(Client::new(&login, &secret, o)?)
}

/// The parameters of `call`: KEY=VALUE arguments and --json merged.
fn params_of(pairs_args: &[String], json_arg: Option<&str>) -> Result<Params, Failure> {
    let mut map = Map::new();
    if let Some(text) = json_arg {
        match serde_json::from_str::<Json>(text) {
            Ok(Json::Object(m)) => map = m,
            Ok(other) => {
                return Err(Failure::usage(format!(
                    "--json must be a JSON object, got {}",
                    kind(&other)
                )))
            }
            Err(e) => return Err(Failure::usage(format!("--json is not JSON: {e}"))),
        }
    }
    for arg in pairs_args {
        pairs::add(&mut map, arg).map_err(Failure::usage)?;
    }
    Params::from_json(&Json::Object(map).to_string()).map_err(Failure::from)
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn document(r: &Response) -> Json {
    let mut doc =
        json!({"error_text": r.error_text, "result": r.result.clone().unwrap_or(Json::Null)});
    if let Some(o) = &r.outcome {
        doc["outcome"] = json!(o.name());
    }
    doc
}

fn print_json(v: &Json) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v).map_err(|e| Failure {
        code: 3,
        message: format!("cannot write the answer: {e}"),
    })?;
    let _ = writeln!(out);
    Ok(())
}

fn call(account: &Account, args: CallArgs) -> Result<(), Failure> {
    if let Some(file) = &args.batch {
        if !args.params.is_empty() {
            return Err(Failure::usage(
                "--batch takes its calls from the file; give no KEY=VALUE",
            ));
        }
        return batch(account, file, args.concurrency, args.full);
    }
    let method = args.method.unwrap_or_default();
    let params = params_of(&args.params, args.json.as_deref())?;
    let known = justclick::api::method(&method).is_some();
    if !known && !args.raw {
        // The library's own message names the method it meant.
        let e = justclick::api::prepare(&method, &params).err();
        return Err(Failure::usage(match e {
            Some(e) => format!("{e}; --raw sends a method outside the table unvalidated"),
            None => format!("unknown method '{method}'"),
        }));
    }
    let client = client(account)?;
    let response = if args.raw {
        client.call(&method, &params)?
    } else {
        let mut bar = Progress::new("parts");
        let r = client.call_method_with_progress(&method, &params, &mut |done, total| {
            bar.update(done, total)
        });
        bar.finish();
        r?
    };
    let out = if args.full {
        document(&response)
    } else {
        response.result.clone().unwrap_or(Json::Null)
    };
    print_json(&out)
}

fn batch(account: &Account, file: &PathBuf, concurrency: usize, full: bool) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
    let calls = BatchCall::list_from_json(&text)
        .map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
    if !(1..=justclick::MAX_CONCURRENCY).contains(&concurrency) {
        return Err(Failure::usage(format!(
            "--concurrency must be between 1 and {}, got {concurrency}",
            justclick::MAX_CONCURRENCY
        )));
    }
    let client = client(account)?;
    let mut bar = Progress::new("calls");
    // Slices of a few rounds of the concurrency: the bar moves, and the
    // pool stays busy (one slow call holds up only its slice).
    let slice = (concurrency * 4).max(1);
    let mut results = Vec::with_capacity(calls.len());
    bar.update(0, calls.len());
    for chunk in calls.chunks(slice) {
        results.extend(client.call_batch(chunk, concurrency)?);
        bar.update(results.len(), calls.len());
    }
    bar.finish();
    let mut failed = 0;
    let docs: Vec<Json> = results
        .iter()
        .map(|r| match r {
            Ok(resp) => {
                let mut d = if full {
                    document(resp)
                } else {
                    json!({"result": resp.result.clone().unwrap_or(Json::Null)})
                };
                d["ok"] = json!(true);
                d
            }
            Err(e) => {
                failed += 1;
                let mut d =
                    json!({"ok": false, "status": e.kind().name(), "message": e.to_string()});
                if let Error::Api { code, text } = e {
                    d["error_code"] = json!(code);
                    d["error_text"] = json!(text);
                }
                d
            }
        })
        .collect();
    print_json(&Json::Array(docs))?;
    if failed > 0 {
        eprintln!("justclick: {failed} of {} calls failed", results.len());
    }
    Ok(())
}

fn methods(as_json: bool) -> Result<(), Failure> {
    if as_json {
        let list: Vec<Json> = METHODS
            .iter()
            .map(|m| {
                json!({
                    "name": m.name,
                    "purpose": m.purpose,
                    "deprecated": m.deprecated,
                    "required": m.params.iter().filter(|p| p.required).map(|p| p.name).collect::<Vec<_>>(),
                    "params": m.params.iter().map(|p| json!({"name": p.name, "required": p.required, "type": format!("{:?}", p.ty)})).collect::<Vec<_>>(),
                })
            })
            .collect();
        return print_json(&Json::Array(list));
    }
    let width = METHODS.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for m in METHODS {
        let required: Vec<&str> = m
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name)
            .collect();
        let required = if required.is_empty() {
            "-".to_owned()
        } else {
            required.join(", ")
        };
        let deprecated = if m.deprecated { " (deprecated)" } else { "" };
        let _ = writeln!(
            out,
            "{:width$}  {}{deprecated}\n{:width$}  required: {required}",
            m.name, m.purpose, ""
        );
    }
    Ok(())
}

fn verify(account: &Account, file: Option<String>) -> Result<(), Failure> {
    let mut body = Vec::new();
    match file.as_deref() {
        None | Some("-") => std::io::stdin()
            .read_to_end(&mut body)
            .map(drop)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?,
        Some(path) => {
            body = std::fs::read(path)
                .map_err(|e| Failure::usage(format!("cannot read {path}: {e}")))?
        }
    }
    let secret = secret_of(account)?;
    // Verification needs only the secret; the login is not part of it.
    let login = account
        .login
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "shop".to_owned());
    let client = Client::new(&login, &secret, Options::default())?;
    match client.verify_notification(&body) {
        Ok(n) => {
            let doc: Json = serde_json::from_str(&n.to_json()).map_err(|e| Failure {
                code: 3,
                message: format!("internal error: {e}"),
            })?;
            print_json(&doc)
        }
        // Whatever the reason, the body is refused: not trusted.
        Err(e) => Err(Failure {
            code: 3,
            message: format!("refused: {e}"),
        }),
    }
}

fn trigger_cmd(account: &Account, args: TriggerArgs) -> Result<(), Failure> {
    let event = trigger::event_name(&args.event).map_err(Failure::usage)?;
    if !trigger::is_loopback_url(&args.url).map_err(Failure::usage)? && !args.allow_external {
        return Err(Failure::usage(format!(
            "--url {} is not on this machine: test notifications go to loopback only, unless --allow-external",
            args.url
        )));
    }
    let login = account
        .login
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "shop".to_owned());
    let mut fields = trigger::default_fields(event, &login);
    let mut overrides = Map::new();
    for f in &args.fields {
        pairs::add(&mut overrides, f).map_err(Failure::usage)?;
    }
    if overrides.contains_key("hash") {
        return Err(Failure::usage(
            "'hash' is computed from id, email, the time field and the secret; it cannot be given",
        ));
    }
    fields.extend(overrides);
    let secret = Secret::new(secret_of(account)?.as_bytes());
    let body = trigger::body(event, &fields, &secret).map_err(Failure::usage)?;
    if args.show_body {
        eprintln!("{body}");
    }
    let timeout = Duration::from_millis(account.timeout_ms.unwrap_or(10_000));
    let status = trigger::post(&args.url, &body, timeout, account.ca_file.as_deref())
        .map_err(|message| Failure { code: 3, message })?;
    println!("{status}");
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(Failure {
            code: 3,
            message: format!("the receiver answered HTTP {status}"),
        })
    }
}
