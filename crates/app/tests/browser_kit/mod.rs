//! What the browser tests share: chromedriver and a headless Chromium session (skipped
//! without chromedriver unless `CI=true`), the app served on a local port, a signed-in
//! session's steps (each returns the step's name on failure) and screenshots of failures.
//! Included with `mod browser_kit;` by the browser test files that use it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use ventanilla_testkit::{PASSWORD, TestApp};

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver_path() -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromedriver"))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver and a headless browser session, or `None` to skip.
pub async fn browser() -> Option<(Driver, Client, tempfile::TempDir)> {
    browser_with(serde_json::json!({})).await
}

/// The same with more `goog:chromeOptions` (e.g. `mobileEmulation` for a phone's width,
/// which a desktop window cannot be made as narrow as).
pub async fn browser_with(extra: serde_json::Value) -> Option<(Driver, Client, tempfile::TempDir)> {
    let Some(bin) = chromedriver_path() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromedriver is not installed but CI=true: the browser tests must run"
        );
        println!("skipped: chromedriver not on PATH");
        return None;
    };
    let port = free_port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver(child);
    let profile = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--no-first-run".into(),
        "--disable-sync".into(),
        "--disable-component-update".into(),
        "--window-size=1280,1000".into(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    args.push("--lang=es".into());
    let mut opts = serde_json::json!({ "args": args });
    if let (Some(o), Some(more)) = (opts.as_object_mut(), extra.as_object()) {
        o.extend(more.clone());
    }
    if std::path::Path::new("/usr/bin/chromium").exists() {
        opts["binary"] = "/usr/bin/chromium".into();
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), opts);
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => return Some((driver, c, profile)),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start: {last:?}");
}

/// Serves the app on a random local port.
pub async fn serve(t: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = t.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// One user session in the browser: sign in, act, sign out. Every step returns the step's
/// name on failure, so the test can save a screenshot before failing.
pub struct Session<'a> {
    pub c: &'a Client,
    pub base: &'a str,
}

pub type Step = Result<(), String>;

pub fn at<E: std::fmt::Debug>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e:?}")
}

impl Session<'_> {
    pub async fn go(&self, path: &str) -> Step {
        self.c
            .goto(&format!("{}{path}", self.base))
            .await
            .map_err(at(path))
    }

    /// Clicks something that loads a new page and waits for that page.
    pub async fn submit(&self, css: &str) -> Step {
        self.c
            .execute("document.body.setAttribute('data-stale', '1')", vec![])
            .await
            .map_err(at("mark page"))?;
        self.click(css).await?;
        self.c
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("body:not([data-stale])"))
            .await
            .map_err(at(css))?;
        Ok(())
    }

    pub async fn sign_in(&self, email: &str) -> Step {
        self.go("/login").await?;
        self.fill("email", email).await?;
        self.fill("password", PASSWORD).await?;
        self.submit("form button[type=submit]").await?;
        self.expect_css("form[action='/logout']", &format!("signed in as {email}"))
            .await
    }

    pub async fn sign_out(&self) -> Step {
        // Error pages have no header: sign out from the start page.
        if self
            .c
            .find(Locator::Css("form[action='/logout']"))
            .await
            .is_err()
        {
            self.go("/").await?;
        }
        self.submit("form[action='/logout'] button").await?;
        self.expect_css("#password", "signed out").await
    }

    pub async fn expect_css(&self, css: &str, what: &str) -> Step {
        self.c
            .find(Locator::Css(css))
            .await
            .map(|_| ())
            .map_err(at(what))
    }

    pub async fn fill(&self, id: &str, text: &str) -> Step {
        let e = self.c.find(Locator::Id(id)).await.map_err(at(id))?;
        e.clear().await.map_err(at(id))?;
        e.send_keys(text).await.map_err(at(id))
    }

    pub async fn click(&self, css: &str) -> Step {
        self.c
            .find(Locator::Css(css))
            .await
            .map_err(at(css))?
            .click()
            .await
            .map_err(at(css))
    }

    pub async fn text(&self) -> Result<String, String> {
        self.c
            .find(Locator::Css("body"))
            .await
            .map_err(at("body"))?
            .text()
            .await
            .map_err(at("body text"))
    }

    /// The current value of a form field (what the browser holds, typed or scripted).
    pub async fn value(&self, id: &str) -> Result<String, String> {
        Ok(self
            .c
            .find(Locator::Id(id))
            .await
            .map_err(at(id))?
            .prop("value")
            .await
            .map_err(at(id))?
            .unwrap_or_default())
    }

    /// Checks the page's text contains `want`.
    pub async fn contains(&self, want: &str, what: &str) -> Step {
        let text = self.text().await?;
        if text.contains(want) {
            Ok(())
        } else {
            Err(format!("{what}: {want:?} not on the page"))
        }
    }

    /// Submits an action and checks the page confirms it.
    pub async fn act(&self, css: &str, what: &str) -> Step {
        self.submit(css).await?;
        self.expect_css(".flash", what).await
    }

    /// Opens the action panel's status section (it may be closed after another section was
    /// used), chooses the target, gives a reason and a resolution if asked, and sends it.
    pub async fn move_to(&self, to: &str, resolution: Option<&str>) -> Step {
        self.move_with(to, None, resolution).await
    }

    pub async fn move_with(
        &self,
        to: &str,
        reason: Option<&str>,
        resolution: Option<&str>,
    ) -> Step {
        self.c
            .execute("document.getElementById('move').open = true", vec![])
            .await
            .map_err(at("open the status section"))?;
        self.click(&format!("#go-{to}")).await?;
        if let Some(r) = resolution {
            self.fill("move-resolution_code", "fixed").await?;
            self.fill("move-resolution", r).await?;
        }
        if let Some(r) = reason {
            self.fill("move-reason", r).await?;
        }
        self.act("#move-submit", &format!("moved to {to}")).await
    }
}

pub async fn screenshot(c: &Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/browser-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// One browser at a time: the machine is small.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
