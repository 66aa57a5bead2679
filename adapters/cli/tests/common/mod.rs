//! What the binary's process tests share: `greenlane serve` as a child process on a free
//! port (its address read from its log), the client commands against it, and a raw HTTP
//! call for what the client has no command for.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};

/// The project folder (workflows, rules, examples).
pub(crate) const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// `greenlane serve` listening on a free port with the example principals, run in the
/// project folder; add the store and other flags.
pub(crate) fn serve_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_greenlane"));
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--principals", "examples/principals.yaml"])
        .current_dir(ROOT)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The output's stdout, after checking the command succeeded (else its stderr is shown).
pub(crate) fn ok(output: Output) -> String {
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

/// A running server; killed when dropped.
pub(crate) struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`.
    pub(crate) url: String,
}

impl Server {
    /// Starts `command` (from [`serve_command`]) and waits until it logs its address.
    pub(crate) fn spawn(mut command: Command) -> Server {
        let mut child = command.spawn().expect("the server starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("the server logs its address").unwrap();
            if let Some(at) = line.find("address=") {
                break format!("http://{}", line[at + "address=".len()..].trim());
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child: Some(child),
            url,
        }
    }

    /// A client command as `who` (token `demo-<who>`); its stdout, checked.
    pub(crate) fn client(&self, who: &str, args: &[&str]) -> String {
        ok(Command::new(env!("CARGO_BIN_EXE_greenlane"))
            .args(["--server", &self.url, "--token", &format!("demo-{who}")])
            .args(args)
            .current_dir(ROOT)
            .output()
            .expect("the client runs"))
    }

    /// One HTTP/1.0 request with an empty body, as `who` when given; the whole answer.
    pub(crate) fn http(
        &self,
        method: &str,
        path: &str,
        who: Option<&str>,
    ) -> std::io::Result<String> {
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address)?;
        let auth = who.map_or(String::new(), |who| {
            format!("Authorization: Bearer demo-{who}\r\n")
        });
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {address}\r\n{auth}Content-Length: 0\r\n\r\n"
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    }

    /// SIGTERM, and a clean exit.
    pub(crate) fn stop(mut self) {
        let mut child = self.child.take().unwrap();
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        assert!(child.wait().unwrap().success(), "a clean stop");
    }

    /// SIGKILL.
    pub(crate) fn kill_9(mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
