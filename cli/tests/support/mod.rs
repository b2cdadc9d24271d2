//! The harness of the `journey serve` tests: the real binary on 127.0.0.1, spoken to in raw
//! HTTP/1.1 so that the tests can send what no client library would (broken percent-encoding,
//! huge bodies, slow headers, a disconnect in the middle of a long poll).

// Each test file that includes this module uses part of it.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const TOKENS: &str = r#"{"tokens": {
  "agent-bo": {"agentId": "agent-bo"},
  "agent-cy": {"agentId": "agent-cy"},
  "studio": {"sendCustomEvents": true},
  "ingest": {"ingest": true},
  "eraser": {"erase": true},
  "all": {"viewer": {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
          "journey:eventType:view", "routing:wrapupCode:view", "routing:queue:search"], "divisions": ["*"]}},
  "definitions-read": {"orchestration": "read"},
  "definitions-write": {"orchestration": "write"},
  "designer": {"orchestration": "read", "viewer": {"permissions": ["journey:session:view", "journey:sessionType:view",
          "journey:event:view", "journey:eventType:view"], "divisions": ["*"]}},
  "designer-north": {"orchestration": "read", "viewer": {"permissions": ["journey:session:view",
          "journey:sessionType:view", "journey:event:view"], "divisions": ["north"]}},
  "north": {"viewer": {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
          "journey:eventType:view"], "divisions": ["north"]}}
}}"#;

/// A running server, stopped with Ctrl-C (SIGINT) when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub dir: PathBuf,
}

impl Server {
    /// Starts `journey serve` in a fresh directory holding the demo's catalog (with its open `app` type),
    /// a config whose manual clock stands at the demo's end, and the tokens above.
    pub fn start(name: &str, extra: &[&str]) -> Server {
        Server::spawn(Server::prepare(name), extra)
    }

    /// A fresh directory for `journey serve` with the catalog, config and tokens of [`Server::start`].
    pub fn prepare(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("journey-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data");
        std::fs::copy(data.join("catalog.json"), dir.join("catalog.json")).unwrap();
        std::fs::write(
            dir.join("config.json"),
            r#"{"clock": "manual", "start": "2026-11-21T10:30:00Z", "allowedLateness": null}"#,
        )
        .unwrap();
        std::fs::write(dir.join("tokens.json"), TOKENS).unwrap();
        dir
    }

    /// As [`Server::start`], with the server's open-file limit (soft and hard) set to `nofile`
    /// through `prlimit`, which then runs the server in its own process.
    pub fn start_with_fd_limit(name: &str, nofile: u32, extra: &[&str]) -> Server {
        Server::launch(Server::prepare(name), extra, Some(nofile))
    }

    pub fn spawn(dir: PathBuf, extra: &[&str]) -> Server {
        Server::launch(dir, extra, None)
    }

    pub fn launch(dir: PathBuf, extra: &[&str], nofile: Option<u32>) -> Server {
        Server::launch_with_env(dir, extra, nofile, &[])
    }

    pub fn launch_with_env(dir: PathBuf, extra: &[&str], nofile: Option<u32>, env: &[(&str, String)]) -> Server {
        let binary = env!("CARGO_BIN_EXE_journey");
        let mut command = match nofile {
            None => Command::new(binary),
            Some(limit) => {
                let mut command = Command::new("prlimit");
                command.arg(format!("--nofile={limit}:{limit}")).arg("--").arg(binary);
                command
            }
        };
        let mut child = command
            .current_dir(&dir)
            .args(["serve", "--catalog", "catalog.json", "--config", "config.json", "--tokens", "tokens.json"])
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .envs(env.iter().map(|(key, value)| (*key, value)))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line:?}")).to_owned();
        Server { child, addr, dir }
    }

    /// Sends raw request bytes and reads the whole answer.
    pub fn raw(&self, request: &[u8]) -> Answer {
        self.raw_within(request, Duration::from_secs(90))
    }

    /// As [`Server::raw`], failing when the answer has not come within `limit`.
    pub fn raw_within(&self, request: &[u8], limit: Duration) -> Answer {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(limit)).unwrap();
        stream.write_all(request).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap_or_else(|e| panic!("no whole answer within {limit:?} ({e}): {bytes:?}"));
        Answer::parse(&bytes)
    }

    /// A request with a bearer token (or none) and a body.
    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<(&str, &[u8])>) -> Answer {
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.addr);
        if let Some(token) = token {
            request += &format!("Authorization: Bearer {token}\r\n");
        }
        let body = match body {
            Some((content_type, bytes)) => {
                request += &format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", bytes.len());
                bytes
            }
            None => {
                request += "Content-Length: 0\r\n";
                &[][..]
            }
        };
        request += "\r\n";
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    pub fn get(&self, path: &str, token: &str) -> Answer {
        self.call("GET", path, Some(token), None)
    }

    pub fn post_json(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.call("POST", path, Some(token), Some(("application/json", body.to_string().as_bytes())))
    }

    /// Ingests the demo's events (examples/data/bike_delivery.ndjson) and returns how many were
    /// accepted.
    pub fn ingest_demo(&self) -> u64 {
        let lines =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data/bike_delivery.ndjson")).unwrap();
        let answer = self.call("POST", "/events?outcomes=none", Some("ingest"), Some(("application/x-ndjson", &lines)));
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.json()["accepted"].as_u64().unwrap()
    }

    /// Stops the server as Ctrl-C does; its exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Answer {
    pub fn parse(bytes: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Answer { status, headers: head.to_ascii_lowercase(), body: body.to_owned() }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// The error code of a JSON error answer.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
}
