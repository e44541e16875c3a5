//! The sandbox as a separate process (`justclick-sandbox`), so that the
//! server's threads and memory never count against the client being measured.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::raw::{get_request, post_request, tls_config, RawClient};

pub const LOGIN: &str = "demo";

/// A running `justclick-sandbox --exit-on-stdin-eof`; stops when dropped.
pub struct SandboxProc {
    child: Child,
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:PORT` or `https://...`.
    pub base: String,
    pub addr: SocketAddr,
    /// The CA file (HTTPS only).
    pub ca_file: Option<PathBuf>,
    pub tls: Option<Arc<rustls::ClientConfig>>,
    admin: Option<RawClient>,
}

impl SandboxProc {
    pub fn start(
        bin: &Path,
        secret: &str,
        tls: bool,
        delay_ms: u64,
        workdir: &Path,
    ) -> Result<SandboxProc, String> {
        let mut cmd = Command::new(bin);
        cmd.args(["--port", "0", "--login", LOGIN, "--exit-on-stdin-eof"])
            // The secret goes through the environment, never argv (ps).
            .env("JUSTCLICK_SANDBOX_SECRET", secret)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let ca_path = workdir.join(format!(
            "sandbox-ca-{}-{delay_ms}.pem",
            if tls { "tls" } else { "plain" }
        ));
        if tls {
            cmd.arg("--tls").arg("--ca-out").arg(&ca_path);
        }
        if delay_ms > 0 {
            cmd.args(["--delay-ms", &delay_ms.to_string()]);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdin = child.stdin.take();
        let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut base = None;
        let mut ca_file = None;
        let mut line = String::new();
        while base.is_none() || (tls && ca_file.is_none()) {
            line.clear();
            if out.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{} exited before listening", bin.display()));
            }
            if let Some(u) = line.trim().strip_prefix("listening on ") {
                base = Some(u.to_owned());
            } else if let Some(p) = line.trim().strip_prefix("ca_file ") {
                ca_file = Some(PathBuf::from(p));
            }
        }
        let base = base.expect("loop ends with a base URL");
        let hostport = base.split("://").nth(1).unwrap_or("");
        let addr: SocketAddr = hostport
            .parse()
            .map_err(|_| format!("unexpected sandbox address {base}"))?;
        let tls = match &ca_file {
            Some(p) => Some(tls_config(
                &std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
            )?),
            None => None,
        };
        Ok(SandboxProc {
            child,
            stdin,
            base,
            addr,
            ca_file,
            tls,
            admin: None,
        })
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `ca_file` as a command-line argument for the PHP scripts (`-` = none).
    pub fn ca_arg(&self) -> String {
        self.ca_file
            .as_ref()
            .map_or("-".into(), |p| p.display().to_string())
    }

    /// The counters of `GET /__sandbox/stats`.
    pub fn stats(&mut self) -> Result<Json, String> {
        if self.admin.is_none() {
            self.admin =
                Some(RawClient::connect(self.addr, self.tls.as_ref()).map_err(|e| e.to_string())?);
        }
        let req = get_request(&self.host(), "/__sandbox/stats");
        let admin = self.admin.as_mut().expect("connected above");
        let (status, _) = admin.roundtrip(&[&req]).map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("stats: HTTP {status}"));
        }
        serde_json::from_slice(admin.body()).map_err(|e| e.to_string())
    }

    /// `POST /__sandbox/fault` with `form` (`mode=stall&stall_ms=...`).
    pub fn set_fault(&mut self, form: &str) -> Result<(), String> {
        if self.admin.is_none() {
            self.admin =
                Some(RawClient::connect(self.addr, self.tls.as_ref()).map_err(|e| e.to_string())?);
        }
        let req = post_request(&self.host(), "/__sandbox/fault", form.as_bytes());
        let admin = self.admin.as_mut().expect("connected above");
        let (status, _) = admin.roundtrip(&[&req]).map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("fault {form}: HTTP {status}"));
        }
        Ok(())
    }

    /// (API connections opened, API requests) so far.
    pub fn counters(&mut self) -> Result<(u64, u64), String> {
        let s = self.stats()?;
        let get = |k: &str| s.get(k).and_then(Json::as_u64).unwrap_or(0);
        Ok((get("api_connections"), get("requests")))
    }
}

impl Drop for SandboxProc {
    fn drop(&mut self) {
        self.admin = None;
        self.stdin = None; // EOF: the sandbox stops
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
