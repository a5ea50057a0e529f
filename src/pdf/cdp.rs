//! A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`:
//! the browser reads NUL-terminated JSON commands on its fd 3 and writes
//! replies and events on its fd 4 (on Windows, two inherited handles named by
//! `--remote-debugging-io-pipes`). A pipe needs no port, no WebSocket and no
//! async runtime, and only this process can talk to the browser.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Why talking to the browser failed.
#[derive(Debug)]
pub enum CdpError {
    /// The browser could not be started.
    Start(std::io::Error),
    /// It closed the pipe (it exited or crashed).
    Closed,
    /// No reply before the deadline.
    Timeout,
    /// It answered a command with an error.
    Protocol(String),
}

impl std::fmt::Display for CdpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CdpError::Start(e) => write!(f, "cannot start it: {e}"),
            CdpError::Closed => write!(f, "it closed the connection"),
            CdpError::Timeout => write!(f, "it did not answer in time"),
            CdpError::Protocol(message) => write!(f, "it answered: {message}"),
        }
    }
}

/// A running browser and the pipe to it.
pub struct Browser {
    child: Child,
    to_browser: Option<std::io::PipeWriter>,
    from_browser: Receiver<Value>,
    next_id: u64,
    deadline: Instant,
}

impl Browser {
    /// Starts `program` with `args` and the pipe; every later call must be
    /// answered before `deadline`. The browser's stdout and stderr go to
    /// `log`, its temporary files to `temp`.
    pub fn launch(
        program: &Path,
        args: &[String],
        log: std::fs::File,
        temp: &Path,
        deadline: Instant,
    ) -> Result<Browser, CdpError> {
        let (browser_reads, to_browser) = std::io::pipe().map_err(CdpError::Start)?;
        let (from_browser, browser_writes) = std::io::pipe().map_err(CdpError::Start)?;
        let log_err = log.try_clone().map_err(CdpError::Start)?;
        let mut command = Command::new(program);
        command.args(args).arg("--remote-debugging-pipe").stdin(Stdio::null()).stdout(log).stderr(log_err);
        // Its own temporary files go with the run's folder: a browser
        // stopped outright cannot remove them (`org.chromium.Chromium.*`).
        command.env("TMPDIR", temp);
        // A group of its own, so that stopping it stops the renderers it starts.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = spawn_with_pipe(command, browser_reads, browser_writes).map_err(CdpError::Start)?;
        crate::interrupt::browser_started(child.id());

        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from_browser);
            let mut message = Vec::new();
            loop {
                message.clear();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        let text = message.strip_suffix(&[0]).unwrap_or(&message);
                        // Lines that are not JSON are not replies; skip them.
                        if let Ok(value) = serde_json::from_slice::<Value>(text)
                            && sender.send(value).is_err()
                        {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Browser { child, to_browser: Some(to_browser), from_browser: receiver, next_id: 0, deadline })
    }

    /// Every later call must be answered before `deadline`.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    /// Sends `method` (to the page of `session` when given) and waits for its
    /// result, skipping events.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value, CdpError> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).map_err(|e| CdpError::Protocol(e.to_string()))?;
        bytes.push(0);
        let pipe = self.to_browser.as_mut().ok_or(CdpError::Closed)?;
        pipe.write_all(&bytes).and_then(|()| pipe.flush()).map_err(|_| CdpError::Closed)?;
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            let reply = match self.from_browser.recv_timeout(left) {
                Ok(reply) => reply,
                Err(RecvTimeoutError::Timeout) => return Err(CdpError::Timeout),
                Err(RecvTimeoutError::Disconnected) => return Err(CdpError::Closed),
            };
            if reply.get("id").and_then(Value::as_u64) != Some(id) {
                continue;
            }
            if let Some(error) = reply.get("error") {
                let text = error.get("message").and_then(Value::as_str).unwrap_or("unknown error");
                return Err(CdpError::Protocol(format!("{method}: {text}")));
            }
            return Ok(reply.get("result").cloned().unwrap_or(Value::Null));
        }
    }

    /// Asks the browser to quit, then stops it if it has not within a few
    /// seconds; returns its exit status when it exited by itself.
    pub fn close(mut self) -> Option<std::process::ExitStatus> {
        // A browser that no longer answers is not waited for until the print's deadline.
        self.deadline = self.deadline.min(Instant::now() + Duration::from_secs(5));
        let _ = self.call(None, "Browser.close", json!({}));
        self.to_browser = None;
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    self.stop();
                    return None;
                }
            }
        }
    }

    /// Kills the browser and every process it started.
    fn stop(&mut self) {
        crate::interrupt::kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits briefly for a browser that closed the pipe to exit, for its status.
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
        crate::interrupt::browser_ended(self.child.id());
    }
}

/// Unix: the browser's ends become its fds 3 and 4. They are first copied
/// to fds of 10 and up, so that moving them into place cannot overwrite
/// one with the other, and with close-on-exec, so other programs started
/// meanwhile do not inherit them; `dup2` clears that flag on fds 3 and 4.
#[cfg(unix)]
fn spawn_with_pipe(
    mut command: Command,
    browser_reads: std::io::PipeReader,
    browser_writes: std::io::PipeWriter,
) -> std::io::Result<Child> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;

    let high = |fd: i32| -> std::io::Result<OwnedFd> {
        // SAFETY: fcntl on a valid fd; the new fd is owned by the result.
        let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
        if new < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `new` is a fresh fd nobody else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(new) })
    };
    let read_fd = high(browser_reads.as_raw_fd())?;
    let write_fd = high(browser_writes.as_raw_fd())?;
    drop((browser_reads, browser_writes));
    let (r, w) = (read_fd.as_raw_fd(), write_fd.as_raw_fd());
    // SAFETY: the closure only calls dup2, which is async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            if libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn();
    drop((read_fd, write_fd));
    child
}

/// Windows: the browser's ends are made inheritable and named on the
/// command line; Chromium reads their handle values from the flag.
#[cfg(windows)]
fn spawn_with_pipe(
    mut command: Command,
    browser_reads: std::io::PipeReader,
    browser_writes: std::io::PipeWriter,
) -> std::io::Result<Child> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::{HANDLE_FLAG_INHERIT, SetHandleInformation};

    for handle in [browser_reads.as_raw_handle(), browser_writes.as_raw_handle()] {
        // SAFETY: a valid handle owned by the pipe ends above.
        if unsafe { SetHandleInformation(handle, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT) } == 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    command.arg(format!(
        "--remote-debugging-io-pipes={},{}",
        browser_reads.as_raw_handle() as usize,
        browser_writes.as_raw_handle() as usize
    ));
    let child = command.spawn();
    drop((browser_reads, browser_writes));
    child
}

/// Decodes the base64 a command returned in `field`.
pub fn base64_field(result: &Value, field: &str) -> Result<Vec<u8>, CdpError> {
    use base64::Engine;
    let text = result.get(field).and_then(Value::as_str).ok_or_else(|| CdpError::Protocol(format!("no {field}")))?;
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| CdpError::Protocol(format!("{field}: {e}")))
}
